// The setup guide: the store's history coming in, the opening points, and a move from another loyalty app.
import { useEffect, useState } from 'react';
import { api, insideShopify, shopDomain } from '../api.js';
import { count, money, num } from '../format.js';
import { useAction, useResource } from '../hooks.js';
import { Plan } from './Plan.jsx';
import {
  Badge,
  Button,
  ErrorBanner,
  Fields,
  FileInput,
  LineErrors,
  Link,
  LoadingCards,
  Notice,
  Page,
  Progress,
  Section,
  Select,
  Stack,
  Text,
  TextField,
  useToast,
} from '../ui/index.js';

export const setupData = () => [['/api/import/history']];

const phases = {
  pending: 'Waiting to start',
  exporting: 'Shopify is preparing your orders',
  storing: 'Bringing your orders in',
  deriving: 'Working out stages, tiers and the scorecard',
  done: 'Done',
  failed: 'Failed; it will be tried again',
};

function timeLeft(seconds) {
  if (seconds == null) return '';
  if (seconds < 60) return 'less than a minute left';
  const m = Math.round(seconds / 60);
  return m < 60 ? `about ${m} min left` : `about ${Math.round(m / 60)} h left`;
}

function History({ imp, reload }) {
  const toast = useToast();
  const { run, busy, error, setError } = useAction();
  const running = imp.state === 'running' || imp.state === 'pending';
  useEffect(() => {
    if (!running) return undefined;
    const t = setInterval(reload, 3000);
    return () => clearInterval(t);
  }, [running, reload]);
  const resync = () =>
    run(async () => {
      await api.post('/api/import/history');
      toast('History import started again');
      reload();
    });
  const grant = async () => {
    try {
      await window.shopify.scopes.request(['read_all_orders']);
      toast('Access requested; the whole history comes in once it is granted');
    } catch (ex) {
      setError(ex);
    }
  };
  return (
    <Section
      title="1. Your store's history"
      testId="setup-history"
      actions={!running && <Button onClick={resync} loading={busy} testId="setup-resync">Import again</Button>}
    >
      <Stack gap="200">
        <Stack horizontal gap="200">
          <Badge tone={imp.state === 'done' ? 'success' : imp.state === 'failed' ? 'critical' : 'attention'}>{phases[imp.phase] || imp.phase}</Badge>
          <Text muted>{timeLeft(imp.eta_seconds)}</Text>
        </Stack>
        <Progress value={imp.percent} label="History import progress" />
        <Text testId="setup-history-counts">
          {count(imp.orders, 'order')} and {count(imp.customers, 'customer')} brought in
          {imp.errors > 0 ? `; ${count(imp.errors, 'line')} could not be read` : ''}.
        </Text>
        <Text muted>
          Past orders count for buyer stages, tiers, segments and the scorecard. Nothing from the past sends a message or
          earns points unless you choose opening balances below.
        </Text>
        {!imp.all_orders && imp.state !== 'pending' && (
          <Notice tone="warning" title="Only the last 60 days" testId="setup-60-days">
            Shopify shows apps the last 60 days of orders unless the store grants access to all of them.
            {insideShopify() ? ' Grant it, and Boomerang imports the rest by itself.' : ' Grant read_all_orders in Shopify to import the rest.'}
            {insideShopify() && (
              <div style={{ marginTop: 8 }}>
                <Button onClick={grant} testId="setup-grant">Grant access to all orders</Button>
              </div>
            )}
          </Notice>
        )}
        {imp.last_error && <Notice tone="critical" title="The last attempt failed">{imp.last_error}</Notice>}
        <LineErrors caption="Lines that could not be read" rows={imp.line_errors} />
        <ErrorBanner error={error} title="That did not work" />
      </Stack>
    </Section>
  );
}

function Opening({ imp, reload }) {
  const toast = useToast();
  const [mode, setMode] = useState(imp.opening_months > 0 ? 'orders' : 'zero');
  const [months, setMonths] = useState(String(imp.opening_months || 12));
  const [preview, setPreview] = useState(null);
  const { run, busy, error } = useAction();
  const check = () => {
    setPreview(null);
    return run(async () => setPreview(await api.get('/api/import/opening', { months })));
  };
  const grant = () =>
    run(async () => {
      await api.post('/api/import/opening', { months: Number(months) });
      toast('Opening points are being granted');
      setPreview(null);
      reload();
    });
  return (
    <Section title="2. Opening points" testId="setup-opening">
      <Stack gap="200">
        <Select
          label="When the program starts"
          value={mode}
          onChange={(v) => {
            setMode(v);
            setPreview(null);
          }}
          options={[
            { value: 'zero', label: 'Everyone starts at zero points' },
            { value: 'orders', label: 'Give points for past paid orders' },
          ]}
          testId="setup-opening-mode"
        />
        {mode === 'orders' && (
          <Fields>
            <TextField label="Orders paid in the last (months)" type="number" min={1} max={120} value={months} onChange={setMonths} testId="setup-opening-months" />
            <Button onClick={check} loading={busy} testId="setup-opening-preview">See what it costs</Button>
          </Fields>
        )}
        {preview && (
          <Notice tone="info" title={`${count(preview.points, 'point')} for ${count(preview.customers, 'customer')}`} testId="setup-opening-report">
            From {count(preview.orders, 'order')} at your earn rate, worth {money(preview.liability)} if all were spent on your cheapest reward.
            Customers are not told. Points already granted are not granted again.
            <div style={{ marginTop: 8 }}>
              <Button primary onClick={grant} loading={busy} disabled={!preview.points} testId="setup-opening-grant">
                Grant {count(preview.points, 'point')}
              </Button>
            </div>
          </Notice>
        )}
        {imp.opening_state && (
          <Text testId="setup-opening-state">
            {imp.opening_state === 'done'
              ? `${count(imp.opening_points, 'opening point')} granted (orders of the last ${count(imp.opening_months, 'month')}).`
              : imp.opening_state === 'running'
                ? 'Granting opening points…'
                : 'Granting opening points failed; try again.'}
          </Text>
        )}
        <ErrorBanner error={error} title="That did not work" />
      </Stack>
    </Section>
  );
}

const formats = [
  { value: '', label: 'Recognise it from the columns' },
  { value: 'smile', label: 'Smile.io' },
  { value: 'loyaltylion', label: 'LoyaltyLion' },
  { value: 'yotpo', label: 'Yotpo Loyalty' },
  { value: 'custom', label: 'Another app: I name the columns' },
];
const fields = [
  ['email', 'Email'],
  ['customer_id', 'Shopify customer id'],
  ['points', 'Points balance'],
  ['tier', 'VIP tier'],
  ['referral', 'Referral link or code'],
  ['birthday', 'Birthday'],
];

function Migration() {
  const toast = useToast();
  const [file, setFile] = useState(null);
  const [format, setFormat] = useState('');
  const [mapping, setMapping] = useState({});
  const [report, setReport] = useState(null);
  const { run, busy, error, setError } = useAction();
  const send = async (dry) => {
    if (!file) {
      setError(new Error('Choose the CSV export first.'));
      return;
    }
    const q = new URLSearchParams({ dry_run: String(dry) });
    if (format) q.set('format', format);
    const named = Object.fromEntries(Object.entries(mapping).filter(([, v]) => v));
    if (format === 'custom') q.set('mapping', JSON.stringify(named));
    const form = new FormData();
    form.append('file', file);
    const r = await run(() => api.upload('/api/import/loyalty?' + q.toString(), form));
    setReport(r || null);
    if (r && !dry) toast(`${count(r.customers, 'customer')} carried over`);
  };
  return (
    <Section title="3. Coming from another loyalty app? (optional)" testId="setup-migration">
      <Text muted>
        Upload the customer export of Smile.io, LoyaltyLion or Yotpo Loyalty: balances, VIP tiers (kept for a year), referral codes
        and birthdays come over, and nobody is messaged. Check the file first; importing it twice changes nothing.
      </Text>
      <Fields>
        <FileInput label="Customer export (CSV)" accept=".csv,text/csv" onChange={setFile} testId="setup-migration-file" />
        <Select label="Export from" value={format} onChange={setFormat} options={formats} testId="setup-migration-format" />
        {format === 'custom' &&
          fields.map(([key, label]) => (
            <TextField key={key} label={`Column with the ${label.toLowerCase()}`} value={mapping[key] || ''} onChange={(v) => setMapping((m) => ({ ...m, [key]: v }))} />
          ))}
        <Stack horizontal gap="200">
          <Button onClick={() => send(true)} loading={busy} testId="setup-migration-check">Check the file</Button>
          <Button primary onClick={() => send(false)} loading={busy} disabled={!report || !report.dry_run} testId="setup-migration-import">
            Import
          </Button>
        </Stack>
      </Fields>
      <ErrorBanner error={error} title="The file was not imported" />
      {report && (
        <div data-testid="setup-migration-report">
          <Notice
            tone={report.invalid ? 'warning' : 'success'}
            title={`${report.dry_run ? 'Would carry over' : 'Carried over'}: ${count(report.customers, 'customer')}, ${count(report.points, 'point')} (${money(report.liability)})`}
          >
            {`${report.format} export; ${count(report.tiers, 'tier')}, ${count(report.referral_codes, 'referral code')}, ${count(report.birthdays, 'birthday')}.`}
            {report.invalid ? ` ${count(report.invalid, 'row')} skipped; see why below.` : ''}
          </Notice>
          <LineErrors caption="Rows skipped" rows={report.errors} />
        </div>
      )}
    </Section>
  );
}

function ToDo({ imp }) {
  const steps = [
    { done: imp.state === 'done', label: 'History imported' },
    { done: imp.all_orders, label: 'Access to all orders granted (otherwise 60 days)' },
    { done: imp.opening_state === 'done' || imp.opening_months === 0, label: 'Opening points decided (zero unless you grant some)' },
  ];
  const left = steps.filter((s) => !s.done).length;
  return (
    <Section title={left ? `${left} of ${count(steps.length, 'step')} left` : 'All set'} testId="setup-todo">
      <ul className="bm-checklist">
        {steps.map((s) => (
          <li key={s.label}>
            <Badge tone={s.done ? 'success' : 'attention'}>{s.done ? 'Done' : 'To do'}</Badge> {s.label}
          </li>
        ))}
      </ul>
    </Section>
  );
}

// Storefront points the merchant at the theme editor, where the theme app extension's blocks are
// switched on: Shopify lets no app change a theme by itself.
function Storefront() {
  const editor = `https://${shopDomain()}/admin/themes/current/editor`;
  return (
    <Section title="4. On your storefront" testId="setup-storefront">
      <Stack gap="200">
        <Text>
          Shoppers see Boomerang through your theme. In the theme editor, switch on the Loyalty launcher under App embeds, then add
          the Product reviews and Star rating blocks to your product template. The stars also come from the product rating
          metafields Boomerang keeps up to date, which many themes and Google Shopping show by themselves.
        </Text>
        <Stack horizontal gap="300">
          <Link url={`${editor}?context=apps`} external>
            Open App embeds in the theme editor
          </Link>
          <Link url={`${editor}?template=product`} external>
            Open the product template
          </Link>
        </Stack>
      </Stack>
    </Section>
  );
}

export function Setup() {
  const { data: imp, error, loading, reload } = useResource('/api/import/history');
  return (
    <Page title="Setup guide" subtitle="Your plan, your store's past, opening points, a move from another app, and your storefront" testId="page-setup">
      <ErrorBanner error={error} title="The import status could not be loaded" />
      {loading && !imp && <LoadingCards />}
      {imp && (
        <Stack gap="400">
          <ToDo imp={imp} />
          <Plan />
          <History imp={imp} reload={reload} />
          <Opening imp={imp} reload={reload} />
          <Migration />
          <Storefront />
        </Stack>
      )}
    </Page>
  );
}
