// The 360° view of one customer.
import { useState } from 'react';
import { api } from '../api.js';
import {
  customerName,
  date,
  dateTime,
  decisionLabel,
  humanize,
  ledgerReason,
  money,
  num,
  points,
  sentimentLabel,
  stageLabel,
} from '../format.js';
import { useResource } from '../hooks.js';
import { ExportButton } from './ExportButton.jsx';
import {
  Badge,
  Button,
  Columns,
  Empty,
  ErrorBanner,
  Fields,
  Link,
  LoadingCards,
  Page,
  Progress,
  Section,
  Split,
  Stack,
  Table,
  Text,
  TextField,
  useToast,
} from '../ui/index.js';
import { msg, t } from '../i18n.js';
import { messageTitle, timelineDetail, timelineTitle } from '../timeline.js';

// intervalText says how often a subscription bills: "every month", "every 2 weeks".
function intervalText(interval, n) {
  const unit = { day: msg('every {{count}} days'), week: msg('every {{count}} weeks'), month: msg('every {{count}} months'), year: msg('every {{count}} years') }[
    String(interval).toLowerCase()
  ];
  return unit ? t(unit, { count: Number(n) || 1 }) : `${n} ${interval}`;
}

function Profile({ c }) {
  return (
    <Section title={t('Profile')} testId="customer-profile">
      <Stack gap="200">
        <Text bold>{customerName(c)}</Text>
        {c.email && <Text muted>{c.email}</Text>}
        <Stack horizontal gap="200">
          {c.stage && <Badge tone="info">{t('Stage: {{stage}}', { stage: stageLabel(c.stage) })}</Badge>}
          {(c.segments || []).map((s) => (
            <Badge key={s}>{humanize(s)}</Badge>
          ))}
        </Stack>
        <Text>
          {t('{{count}} orders', { count: Number(c.orders_count) || 0 })} · {t('{{amount}} spent', { amount: money(c.total_spent) })}
        </Text>
      </Stack>
    </Section>
  );
}

function progressPercent(p) {
  const n = Number(p) || 0;
  return n <= 1 ? n * 100 : n;
}

function PointsStatement({ loyalty }) {
  const l = loyalty || {};
  const expiring = l.expiring || [];
  return (
    <Section title={t('Points statement')} testId="points-statement">
      <Columns count={2}>
        <div>
          <Text muted size="small">{t('Balance')}</Text>
          <Text bold testId="points-balance">{points(l.balance)}</Text>
        </div>
        <div>
          <Text muted size="small">{t('Pending')}</Text>
          <Text>{points(l.pending)}</Text>
        </div>
      </Columns>
      <Text>
        {t('Tier:')} <strong>{l.tier || t('none')}</strong>
        {l.next_tier ? ` · ${t('next: {{tier}}', { tier: l.next_tier })}` : ''}
      </Text>
      {l.next_tier && (
        <>
          <Progress value={progressPercent(l.progress)} label={t('Progress to {{tier}}', { tier: l.next_tier })} />
          <Text muted size="small">
            {t('{{percent}}% of the way to {{tier}}', { percent: Math.round(progressPercent(l.progress)), tier: l.next_tier })}
          </Text>
        </>
      )}
      {expiring.length > 0 ? (
        <Table
          caption={t('Points expiring')}
          hideCaption={false}
          columns={[
            { key: 'expires_at', label: t('Expires'), render: (e) => date(e.expires_at) },
            { key: 'points', label: t('Points'), numeric: true, render: (e) => num(e.points) },
          ]}
          rows={expiring}
          rowKey={(e, i) => `${e.expires_at}-${i}`}
        />
      ) : (
        <Text muted>{t('No points due to expire.')}</Text>
      )}
    </Section>
  );
}

function Adjust({ id, onDone }) {
  const toast = useToast();
  const [pts, setPts] = useState('');
  const [reason, setReason] = useState('');
  const [errors, setErrors] = useState({});
  const [saving, setSaving] = useState(false);
  const [failure, setFailure] = useState(null);
  const submit = async (e) => {
    e.preventDefault();
    const n = Number(pts);
    const next = {};
    if (!/^-?\d+$/.test(pts.trim()) || n === 0) next.points = t('Enter a whole number of points, e.g. 50 or -50');
    if (!reason.trim()) next.reason = t('A reason is required; it is shown in the ledger');
    setErrors(next);
    setFailure(null);
    if (Object.keys(next).length) return;
    setSaving(true);
    try {
      await api.post(`/api/customers/${encodeURIComponent(id)}/adjustments`, { points: n, reason: reason.trim() });
      toast(n > 0 ? t('Added {{count}} points', { count: n }) : t('Removed {{count}} points', { count: -n }));
      setPts('');
      setReason('');
      onDone();
    } catch (err) {
      if (err.status === 422 && err.field) setErrors({ [err.field]: err.message });
      else setFailure(err);
    } finally {
      setSaving(false);
    }
  };
  return (
    <Section title={t('Adjust points')} testId="adjust-points">
      <form onSubmit={submit} noValidate>
        <Fields>
          <ErrorBanner error={failure} title={t('The adjustment was not saved')} />
          <TextField label={t('Points')} type="number" value={pts} onChange={setPts} error={errors.points} help={t('Negative to remove points')} />
          <TextField label={t('Reason')} value={reason} onChange={setReason} error={errors.reason} help={t('Required')} />
          <Button submit primary loading={saving} testId="adjust-submit">
            {t('Apply adjustment')}
          </Button>
        </Fields>
      </form>
    </Section>
  );
}

function Holds({ holds }) {
  return (
    <Section title={t('Message holds')} testId="customer-holds">
      {holds && holds.length ? (
        <Stack gap="200">
          {holds.map((h, i) => (
            <div key={i} data-testid="hold">
              <Badge tone="critical">{decisionLabel('held', h.reason || h.kind)}</Badge>
              <Text muted size="small">
                {h.until ? t('{{kind}} hold until {{date}}', { kind: humanize(h.kind), date: date(h.until) }) : t('{{kind}} hold', { kind: humanize(h.kind) })}
                {h.source ? ` · ${humanize(h.source)}` : ''}
              </Text>
            </div>
          ))}
        </Stack>
      ) : (
        <Text muted>{t('No holds: promotional messages can go out.')}</Text>
      )}
    </Section>
  );
}

// Where Boomerang learned of a subscription.
const sources = {
  contract: msg('from its Shopify contract'),
  orders: msg('recognised from selling-plan orders'),
  flow: msg('reported through Shopify Flow'),
};

function Subscriptions({ subs }) {
  return (
    <Section title={t('Subscriptions')} testId="customer-subscriptions">
      {subs && subs.length ? (
        <Stack gap="200">
          {subs.map((s) => (
            <div key={s.id}>
              <Stack horizontal gap="200">
                <Text bold>{(s.lines || []).map((l) => (l.quantity > 1 ? `${l.quantity} × ${l.title}` : l.title)).join(', ') || t('Subscription {{id}}', { id: s.id })}</Text>
                {s.status && <Badge tone={s.status === 'active' ? 'success' : undefined}>{humanize(s.status)}</Badge>}
              </Stack>
              <Text muted size="small">
                {[
                  sources[s.source] ? t(sources[s.source]) : null,
                  s.billing_interval ? intervalText(s.billing_interval, s.billing_interval_count) : null,
                  !s.billing_interval && s.source === 'orders' && s.delivery_interval_count ? t('about every {{count}} days', { count: s.delivery_interval_count }) : null,
                  s.started_at && s.source !== 'flow' ? t('since {{date}}', { date: date(s.started_at) }) : null,
                  s.ended_at ? t('ended {{date}}', { date: date(s.ended_at) }) : null,
                  s.cancellation_reason ? t('reason: {{reason}}', { reason: s.cancellation_reason }) : null,
                ]
                  .filter(Boolean)
                  .join(' · ')}
              </Text>
            </div>
          ))}
        </Stack>
      ) : (
        <Text muted>{t('No subscriptions.')}</Text>
      )}
    </Section>
  );
}

function Cases({ id }) {
  // The API has no customer filter on /api/cases yet; we pass one and also filter here.
  const { data, error } = useResource('/api/cases', { customer_id: id });
  const cases = ((data && data.cases) || []).filter((c) => String(c.customer_id) === String(id));
  return (
    <Section title={t('Make-it-right cases')} testId="customer-cases">
      <ErrorBanner error={error} title={t('Cases could not be loaded')} />
      {cases.length ? (
        <Stack gap="200">
          {cases.map((c) => (
            <div key={c.id}>
              <Stack horizontal gap="200">
                <Badge>{humanize(c.status)}</Badge>
                <Text size="small">{t('opened {{date}}', { date: date(c.opened_at) })}</Text>
              </Stack>
              {c.note && <Text muted size="small">{c.note}</Text>}
            </div>
          ))}
        </Stack>
      ) : (
        !error && <Text muted>{t('No cases.')}</Text>
      )}
    </Section>
  );
}

function Timeline({ id }) {
  const { data, error, loading } = useResource(`/api/customers/${encodeURIComponent(id)}/timeline`);
  const events = (data && data.events) || [];
  return (
    <Section title={t('Timeline')} testId="customer-timeline">
      <ErrorBanner error={error} title={t('The timeline could not be loaded')} />
      {loading ? (
        <LoadingCards count={1} label={t('Loading timeline')} />
      ) : events.length === 0 ? (
        !error && <Empty heading={t('Nothing yet')}>{t('Orders, points, reviews, subscriptions and messages will appear here.')}</Empty>
      ) : (
        <ol className="bm-timeline" aria-label={t('Customer timeline')}>
          {events.map((ev, i) => (
            <li key={i} data-testid="timeline-event" data-kind={ev.kind} data-decision={ev.decision || undefined}>
              <time dateTime={ev.at}>{dateTime(ev.at)}</time>
              <div>
                <Stack horizontal gap="200">
                  <Badge tone="info">{humanize(ev.kind)}</Badge>
                  <Text bold>{timelineTitle(ev)}</Text>
                  {ev.decision && <Badge status={ev.decision}>{decisionLabel(ev.decision, ev.reason)}</Badge>}
                </Stack>
                {timelineDetail(ev) && <Text muted size="small">{timelineDetail(ev)}</Text>}
              </div>
            </li>
          ))}
        </ol>
      )}
    </Section>
  );
}

function MessageDecisions({ id }) {
  const { data, error, loading } = useResource(`/api/customers/${encodeURIComponent(id)}/messages`);
  const rows = (data && data.messages) || [];
  return (
    <Section title={t('Messages sent and held')} testId="customer-messages">
      <ErrorBanner error={error} title={t('Message decisions could not be loaded')} />
      {loading ? null : rows.length === 0 ? (
        !error && <Empty heading={t('No messages yet')}>{t('Every message this customer is sent, or that is held back, is listed with its reason.')}</Empty>
      ) : (
        <Table
          caption={t('Message decisions for this customer')}
          columns={[
            { key: 'created_at', label: t('When'), render: (m) => dateTime(m.created_at) },
            {
              key: 'what',
              label: t('Message'),
              render: (m) =>
                m.message_id ? <Link url={`/messages/${m.message_id}`}>{messageTitle(m)}</Link> : messageTitle(m),
            },
            { key: 'channel', label: t('Channel'), render: (m) => humanize(m.channel) },
            {
              key: 'decision',
              label: t('Decision'),
              render: (m) => <span data-testid="decision-text">{decisionLabel(m.decision, m.reason)}</span>,
            },
            { key: 'sent_at', label: t('Sent'), render: (m) => (m.sent_at ? dateTime(m.sent_at) : '') },
          ]}
          rows={rows}
          rowKey={(m, i) => `${m.message_id || m.campaign_id}-${m.created_at}-${i}`}
          rowAttrs={(m) => ({ 'data-testid': `decision-row-${m.decision}`, 'data-decision': m.decision, 'data-reason': m.reason || '' })}
        />
      )}
    </Section>
  );
}

function Ledger({ id, version }) {
  const { data, error, loading } = useResource(`/api/customers/${encodeURIComponent(id)}/ledger`, undefined, version);
  const entries = (data && data.entries) || [];
  return (
    <Section title={t('Points ledger')} testId="customer-ledger">
      <ErrorBanner error={error} title={t('The ledger could not be loaded')} />
      {loading ? null : entries.length === 0 ? (
        !error && <Text muted>{t('No points activity yet.')}</Text>
      ) : (
        <Table
          caption={t('Points ledger')}
          columns={[
            { key: 'occurred_at', label: t('Date'), render: (e) => date(e.occurred_at) },
            { key: 'kind', label: t('Entry'), render: (e) => humanize(e.kind) },
            { key: 'points', label: t('Points'), numeric: true, render: (e) => (e.points > 0 ? `+${num(e.points)}` : num(e.points)) },
            { key: 'balance_after', label: t('Balance'), numeric: true, render: (e) => num(e.balance_after) },
            { key: 'reason', label: t('Reason'), render: (e) => ledgerReason(e) },
            { key: 'expires_at', label: t('Expires'), render: (e) => (e.expires_at ? date(e.expires_at) : '') },
          ]}
          rows={entries}
          rowAttrs={() => ({ 'data-testid': 'ledger-row' })}
        />
      )}
      {entries.length > 0 && (
        <ExportButton path={`/api/customers/${encodeURIComponent(id)}/ledger.csv`} filename={`ledger-${id}.csv`} testId="ledger-export">
          {t('Download the whole ledger (CSV)')}
        </ExportButton>
      )}
    </Section>
  );
}

function CustomerReviews({ id }) {
  const { data, error } = useResource('/api/reviews', { customer_id: id });
  const reviews = (data && data.reviews) || [];
  return (
    <Section title={t('Reviews')} testId="customer-reviews">
      <ErrorBanner error={error} title={t('Reviews could not be loaded')} />
      {reviews.length === 0 ? (
        !error && <Text muted>{t('No reviews from this customer.')}</Text>
      ) : (
        <Stack gap="300">
          {reviews.map((r) => (
            <div key={r.id} data-testid="customer-review">
              <Stack horizontal gap="200">
                <Text bold>{`${r.rating}★ ${r.title || ''}`}</Text>
                {r.sentiment && <Badge status={r.sentiment.label}>{sentimentLabel(r.sentiment)}</Badge>}
                <Badge>{humanize(r.status)}</Badge>
              </Stack>
              {r.body && <Text>{r.body}</Text>}
              <Text muted size="small">
                {date(r.created_at)}
                {r.product ? ` · ${r.product.title}` : r.product_id ? ` · ${t('product {{id}}', { id: r.product_id })}` : ''}
              </Text>
            </div>
          ))}
        </Stack>
      )}
    </Section>
  );
}

export const customerData = ({ id }) => {
  const c = `/api/customers/${encodeURIComponent(id)}`;
  return [[c], [`${c}/timeline`], [`${c}/messages`], [`${c}/ledger`], ['/api/cases', { customer_id: id }], ['/api/reviews', { customer_id: id }]];
};

export function Customer({ params }) {
  const id = params.id;
  const { data, error, loading, reload } = useResource(`/api/customers/${encodeURIComponent(id)}`);
  const [ledgerVersion, setLedgerVersion] = useState(0);
  const title = data ? customerName(data) : t('Customer');
  return (
    <Page title={title} back={{ label: t('Customers'), url: '/customers' }} testId="page-customer">
      <ErrorBanner error={error} title={error && error.status === 404 ? t('Customer not found') : t('The customer could not be loaded')} onRetry={error && error.status !== 404 ? reload : undefined} />
      {loading && !data && <LoadingCards count={3} label={t('Loading customer')} />}
      {data && (
        <Split
          main={
            <Stack gap="400">
              <Timeline id={id} />
              <MessageDecisions id={id} />
              <Ledger id={id} version={ledgerVersion} />
              <CustomerReviews id={id} />
            </Stack>
          }
          side={
            <Stack gap="400">
              <Profile c={data} />
              <PointsStatement loyalty={data.loyalty} />
              <Adjust
                id={id}
                onDone={() => {
                  reload();
                  setLedgerVersion((v) => v + 1);
                }}
              />
              <Holds holds={data.holds} />
              <Subscriptions subs={data.subscriptions} />
              <Cases id={id} />
            </Stack>
          }
        />
      )}
    </Page>
  );
}
