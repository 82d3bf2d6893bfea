// The setup guide: the store's history coming in, the opening points, and a move from another loyalty app.
import { useEffect, useState } from 'react';
import { api, insideShopify, shopDomain } from '../api.js';
import { money, num } from '../format.js';
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
import { msg, t, tOptions } from '../i18n.js';

export const setupData = () => [['/api/import/history']];

const phases = {
  pending: msg('Waiting to start'),
  exporting: msg('Shopify is preparing your orders'),
  storing: msg('Bringing your orders in'),
  deriving: msg('Working out stages, tiers and the scorecard'),
  done: msg('Done'),
  failed: msg('Failed; it will be tried again'),
};

function timeLeft(seconds) {
  if (seconds == null) return '';
  if (seconds < 60) return t('less than a minute left');
  const m = Math.round(seconds / 60);
  return m < 60 ? t('about {{n}} min left', { n: m }) : t('about {{n}} h left', { n: Math.round(m / 60) });
}

function History({ imp, reload }) {
  const toast = useToast();
  const { run, busy, error, setError } = useAction();
  const running = imp.state === 'running' || imp.state === 'pending';
  useEffect(() => {
    if (!running) return undefined;
    const timer = setInterval(reload, 3000);
    return () => clearInterval(timer);
  }, [running, reload]);
  const resync = () =>
    run(async () => {
      await api.post('/api/import/history');
      toast(t('History import started again'));
      reload();
    });
  const grant = async () => {
    try {
      await window.shopify.scopes.request(['read_all_orders']);
      toast(t('Access requested; the whole history comes in once it is granted'));
    } catch (ex) {
      setError(ex);
    }
  };
  return (
    <Section
      title={t('1. Your store’s history')}
      testId="setup-history"
      actions={!running && <Button onClick={resync} loading={busy} testId="setup-resync">{t('Import again')}</Button>}
    >
      <Stack gap="200">
        <Stack horizontal gap="200">
          <Badge tone={imp.state === 'done' ? 'success' : imp.state === 'failed' ? 'critical' : 'attention'}>{phases[imp.phase] ? t(phases[imp.phase]) : imp.phase}</Badge>
          <Text muted>{timeLeft(imp.eta_seconds)}</Text>
        </Stack>
        <Progress value={imp.percent} label={t('History import progress')} />
        <Text testId="setup-history-counts">
          {t('{{orders}} and {{customers}} brought in', {
            orders: t('{{count}} orders', { count: Number(imp.orders) || 0 }),
            customers: t('{{count}} customers', { count: Number(imp.customers) || 0 }),
          })}
          {imp.errors > 0 ? `; ${t('{{count}} lines could not be read', { count: imp.errors })}` : ''}.
        </Text>
        <Text muted>
          {t('Past orders count for buyer stages, tiers, segments and the scorecard. Nothing from the past sends a message or earns points unless you choose opening balances below.')}
        </Text>
        {!imp.all_orders && imp.state !== 'pending' && (
          <Notice tone="warning" title={t('Only the last 60 days')} testId="setup-60-days">
            {t('Shopify shows apps the last 60 days of orders unless the store grants access to all of them.')}
            {' '}
            {insideShopify() ? t('Grant it, and Boomerang imports the rest by itself.') : t('Grant read_all_orders in Shopify to import the rest.')}
            {insideShopify() && (
              <div style={{ marginTop: 8 }}>
                <Button onClick={grant} testId="setup-grant">{t('Grant access to all orders')}</Button>
              </div>
            )}
          </Notice>
        )}
        {imp.last_error && <Notice tone="critical" title={t('The last attempt failed')}>{imp.last_error}</Notice>}
        <LineErrors caption={t('Lines that could not be read')} rows={imp.line_errors} />
        <ErrorBanner error={error} title={t('That did not work')} />
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
      toast(t('Opening points are being granted'));
      setPreview(null);
      reload();
    });
  return (
    <Section title={t('2. Opening points')} testId="setup-opening">
      <Stack gap="200">
        <Select
          label={t('When the program starts')}
          value={mode}
          onChange={(v) => {
            setMode(v);
            setPreview(null);
          }}
          options={[
            { value: 'zero', label: t('Everyone starts at zero points') },
            { value: 'orders', label: t('Give points for past paid orders') },
          ]}
          testId="setup-opening-mode"
        />
        {mode === 'orders' && (
          <Fields>
            <TextField label={t('Orders paid in the last (months)')} type="number" min={1} max={120} value={months} onChange={setMonths} testId="setup-opening-months" />
            <Button onClick={check} loading={busy} testId="setup-opening-preview">{t('See what it costs')}</Button>
          </Fields>
        )}
        {preview && (
          <Notice
            tone="info"
            title={t('{{points}} for {{customers}}', {
              points: t('{{count}} points', { count: Number(preview.points) || 0 }),
              customers: t('{{count}} customers', { count: Number(preview.customers) || 0 }),
            })}
            testId="setup-opening-report"
          >
            {t('From {{orders}} at your earn rate, worth {{amount}} if all were spent on your cheapest reward.', {
              orders: t('{{count}} orders', { count: Number(preview.orders) || 0 }),
              amount: money(preview.liability),
            })}{' '}
            {t('Customers are not told. Points already granted are not granted again.')}
            <div style={{ marginTop: 8 }}>
              <Button primary onClick={grant} loading={busy} disabled={!preview.points} testId="setup-opening-grant">
                {t('Grant {{count}} points', { count: Number(preview.points) || 0 })}
              </Button>
            </div>
          </Notice>
        )}
        {imp.opening_state && (
          <Text testId="setup-opening-state">
            {imp.opening_state === 'done'
              ? t('{{points}} granted (orders of the last {{months}}).', {
                  points: t('{{count}} opening points', { count: Number(imp.opening_points) || 0 }),
                  months: t('{{count}} months', { count: Number(imp.opening_months) || 0 }),
                })
              : imp.opening_state === 'running'
                ? t('Granting opening points…')
                : t('Granting opening points failed; try again.')}
          </Text>
        )}
        <ErrorBanner error={error} title={t('That did not work')} />
      </Stack>
    </Section>
  );
}

const formats = [
  { value: '', label: msg('Recognise it from the columns') },
  { value: 'smile', label: msg('Smile.io') },
  { value: 'loyaltylion', label: msg('LoyaltyLion') },
  { value: 'yotpo', label: msg('Yotpo Loyalty') },
  { value: 'custom', label: msg('Another app: I name the columns') },
];
const fields = [
  ['email', msg('Email')],
  ['customer_id', msg('Shopify customer id')],
  ['points', msg('Points balance')],
  ['tier', msg('VIP tier')],
  ['referral', msg('Referral link or code')],
  ['birthday', msg('Birthday')],
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
      setError(new Error(t('Choose the CSV export first.')));
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
    if (r && !dry) toast(t('{{count}} customers carried over', { count: Number(r.customers) || 0 }));
  };
  return (
    <Section title={t('3. Coming from another loyalty app? (optional)')} testId="setup-migration">
      <Text muted>
        {t('Upload the customer export of Smile.io, LoyaltyLion or Yotpo Loyalty: balances, VIP tiers (kept for a year), referral codes and birthdays come over, and nobody is messaged. Check the file first; importing it twice changes nothing.')}
      </Text>
      <Fields>
        <FileInput label={t('Customer export (CSV)')} accept=".csv,text/csv" onChange={setFile} testId="setup-migration-file" />
        <Select label={t('Export from')} value={format} onChange={setFormat} options={tOptions(formats)} testId="setup-migration-format" />
        {format === 'custom' &&
          fields.map(([key, label]) => (
            <TextField key={key} label={t('Column for “{{field}}”', { field: t(label) })} value={mapping[key] || ''} onChange={(v) => setMapping((m) => ({ ...m, [key]: v }))} />
          ))}
        <Stack horizontal gap="200">
          <Button onClick={() => send(true)} loading={busy} testId="setup-migration-check">{t('Check the file')}</Button>
          <Button primary onClick={() => send(false)} loading={busy} disabled={!report || !report.dry_run} testId="setup-migration-import">
            {t('Import')}
          </Button>
        </Stack>
      </Fields>
      <ErrorBanner error={error} title={t('The file was not imported')} />
      {report && (
        <div data-testid="setup-migration-report">
          <Notice
            tone={report.invalid ? 'warning' : 'success'}
            title={(() => {
              const args = {
                customers: t('{{count}} customers', { count: Number(report.customers) || 0 }),
                points: t('{{count}} points', { count: Number(report.points) || 0 }),
                amount: money(report.liability),
              };
              return report.dry_run ? t('Would carry over: {{customers}}, {{points}} ({{amount}})', args) : t('Carried over: {{customers}}, {{points}} ({{amount}})', args);
            })()}
          >
            {t('{{format}} export; {{tiers}}, {{codes}}, {{birthdays}}.', {
              format: report.format,
              tiers: t('{{count}} tiers', { count: Number(report.tiers) || 0 }),
              codes: t('{{count}} referral codes', { count: Number(report.referral_codes) || 0 }),
              birthdays: t('{{count}} birthdays', { count: Number(report.birthdays) || 0 }),
            })}
            {report.invalid ? ` ${t('{{count}} rows skipped; see why below.', { count: report.invalid })}` : ''}
          </Notice>
          <LineErrors caption={t('Rows skipped')} rows={report.errors} />
        </div>
      )}
    </Section>
  );
}

function ToDo({ imp }) {
  const steps = [
    { done: imp.state === 'done', label: t('History imported') },
    { done: imp.all_orders, label: t('Access to all orders granted (otherwise 60 days)') },
    { done: imp.opening_state === 'done' || imp.opening_months === 0, label: t('Opening points decided (zero unless you grant some)') },
  ];
  const left = steps.filter((s) => !s.done).length;
  return (
    <Section title={left ? t('{{left}} of {{count}} steps left', { left, count: steps.length }) : t('All set')} testId="setup-todo">
      <ul className="bm-checklist">
        {steps.map((s) => (
          <li key={s.label}>
            <Badge tone={s.done ? 'success' : 'attention'}>{s.done ? t('Done') : t('To do')}</Badge> {s.label}
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
    <Section title={t('4. On your storefront')} testId="setup-storefront">
      <Stack gap="200">
        <Text>
          {t('Shoppers see Boomerang through your theme. In the theme editor, switch on the Loyalty launcher under App embeds, then add the Product reviews and Star rating blocks to your product template. The stars also come from the product rating metafields Boomerang keeps up to date, which many themes and Google Shopping show by themselves.')}
        </Text>
        <Stack horizontal gap="300">
          <Link url={`${editor}?context=apps`} external>
            {t('Open App embeds in the theme editor')}
          </Link>
          <Link url={`${editor}?template=product`} external>
            {t('Open the product template')}
          </Link>
        </Stack>
      </Stack>
    </Section>
  );
}

export function Setup() {
  const { data: imp, error, loading, reload } = useResource('/api/import/history');
  return (
    <Page title={t('Setup guide')} subtitle={t('Your plan, your store’s past, opening points, a move from another app, and your storefront')} testId="page-setup">
      <ErrorBanner error={error} title={t('The import status could not be loaded')} />
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
