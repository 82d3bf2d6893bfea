// The 360° view of one customer.
import { useState } from 'react';
import { api } from '../api.js';
import {
  count,
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

function Profile({ c }) {
  return (
    <Section title="Profile" testId="customer-profile">
      <Stack gap="200">
        <Text bold>{customerName(c)}</Text>
        {c.email && <Text muted>{c.email}</Text>}
        <Stack horizontal gap="200">
          {c.stage && <Badge tone="info">{`Stage: ${stageLabel(c.stage)}`}</Badge>}
          {(c.segments || []).map((s) => (
            <Badge key={s}>{humanize(s)}</Badge>
          ))}
        </Stack>
        <Text>
          {count(c.orders_count, 'order')} · {money(c.total_spent)} spent
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
    <Section title="Points statement" testId="points-statement">
      <Columns count={2}>
        <div>
          <Text muted size="small">Balance</Text>
          <Text bold testId="points-balance">{points(l.balance)}</Text>
        </div>
        <div>
          <Text muted size="small">Pending</Text>
          <Text>{points(l.pending)}</Text>
        </div>
      </Columns>
      <Text>
        Tier: <strong>{l.tier || 'none'}</strong>
        {l.next_tier ? ` · next: ${l.next_tier}` : ''}
      </Text>
      {l.next_tier && (
        <>
          <Progress value={progressPercent(l.progress)} label={`Progress to ${l.next_tier}`} />
          <Text muted size="small">
            {Math.round(progressPercent(l.progress))}% of the way to {l.next_tier}
          </Text>
        </>
      )}
      {expiring.length > 0 ? (
        <Table
          caption="Points expiring"
          hideCaption={false}
          columns={[
            { key: 'expires_at', label: 'Expires', render: (e) => date(e.expires_at) },
            { key: 'points', label: 'Points', numeric: true, render: (e) => num(e.points) },
          ]}
          rows={expiring}
          rowKey={(e, i) => `${e.expires_at}-${i}`}
        />
      ) : (
        <Text muted>No points due to expire.</Text>
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
    if (!/^-?\d+$/.test(pts.trim()) || n === 0) next.points = 'Enter a whole number of points, e.g. 50 or -50';
    if (!reason.trim()) next.reason = 'A reason is required; it is shown in the ledger';
    setErrors(next);
    setFailure(null);
    if (Object.keys(next).length) return;
    setSaving(true);
    try {
      await api.post(`/api/customers/${encodeURIComponent(id)}/adjustments`, { points: n, reason: reason.trim() });
      toast(`${n > 0 ? 'Added' : 'Removed'} ${count(Math.abs(n), 'point')}`);
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
    <Section title="Adjust points" testId="adjust-points">
      <form onSubmit={submit} noValidate>
        <Fields>
          <ErrorBanner error={failure} title="The adjustment was not saved" />
          <TextField label="Points" type="number" value={pts} onChange={setPts} error={errors.points} help="Negative to remove points" />
          <TextField label="Reason" value={reason} onChange={setReason} error={errors.reason} help="Required" />
          <Button submit primary loading={saving} testId="adjust-submit">
            Apply adjustment
          </Button>
        </Fields>
      </form>
    </Section>
  );
}

function Holds({ holds }) {
  return (
    <Section title="Message holds" testId="customer-holds">
      {holds && holds.length ? (
        <Stack gap="200">
          {holds.map((h, i) => (
            <div key={i} data-testid="hold">
              <Badge tone="critical">{decisionLabel('held', h.reason || h.kind)}</Badge>
              <Text muted size="small">
                {humanize(h.kind)} hold{h.until ? ` until ${date(h.until)}` : ''}
                {h.source ? ` · ${humanize(h.source)}` : ''}
              </Text>
            </div>
          ))}
        </Stack>
      ) : (
        <Text muted>No holds: promotional messages can go out.</Text>
      )}
    </Section>
  );
}

// Where Boomerang learned of a subscription.
const sources = {
  contract: 'from its Shopify contract',
  orders: 'recognised from selling-plan orders',
  flow: 'reported through Shopify Flow',
};

function Subscriptions({ subs }) {
  return (
    <Section title="Subscriptions" testId="customer-subscriptions">
      {subs && subs.length ? (
        <Stack gap="200">
          {subs.map((s) => (
            <div key={s.id}>
              <Stack horizontal gap="200">
                <Text bold>{(s.lines || []).map((l) => (l.quantity > 1 ? `${l.quantity} × ${l.title}` : l.title)).join(', ') || `Subscription ${s.id}`}</Text>
                {s.status && <Badge tone={s.status === 'active' ? 'success' : undefined}>{humanize(s.status)}</Badge>}
              </Stack>
              <Text muted size="small">
                {[
                  sources[s.source] || null,
                  s.billing_interval ? `every ${s.billing_interval_count > 1 ? `${s.billing_interval_count} ` : ''}${s.billing_interval.toLowerCase()}${s.billing_interval_count > 1 ? 's' : ''}` : null,
                  !s.billing_interval && s.source === 'orders' && s.delivery_interval_count ? `about every ${count(s.delivery_interval_count, 'day')}` : null,
                  s.started_at && s.source !== 'flow' ? `since ${date(s.started_at)}` : null,
                  s.ended_at ? `ended ${date(s.ended_at)}` : null,
                  s.cancellation_reason ? `reason: ${s.cancellation_reason}` : null,
                ]
                  .filter(Boolean)
                  .join(' · ')}
              </Text>
            </div>
          ))}
        </Stack>
      ) : (
        <Text muted>No subscriptions.</Text>
      )}
    </Section>
  );
}

function Cases({ id }) {
  // The API has no customer filter on /api/cases yet; we pass one and also filter here.
  const { data, error } = useResource('/api/cases', { customer_id: id });
  const cases = ((data && data.cases) || []).filter((c) => String(c.customer_id) === String(id));
  return (
    <Section title="Make-it-right cases" testId="customer-cases">
      <ErrorBanner error={error} title="Cases could not be loaded" />
      {cases.length ? (
        <Stack gap="200">
          {cases.map((c) => (
            <div key={c.id}>
              <Stack horizontal gap="200">
                <Badge>{humanize(c.status)}</Badge>
                <Text size="small">opened {date(c.opened_at)}</Text>
              </Stack>
              {c.note && <Text muted size="small">{c.note}</Text>}
            </div>
          ))}
        </Stack>
      ) : (
        !error && <Text muted>No cases.</Text>
      )}
    </Section>
  );
}

function Timeline({ id }) {
  const { data, error, loading } = useResource(`/api/customers/${encodeURIComponent(id)}/timeline`);
  const events = (data && data.events) || [];
  return (
    <Section title="Timeline" testId="customer-timeline">
      <ErrorBanner error={error} title="The timeline could not be loaded" />
      {loading ? (
        <LoadingCards count={1} label="Loading timeline" />
      ) : events.length === 0 ? (
        !error && <Empty heading="Nothing yet">Orders, points, reviews, subscriptions and messages will appear here.</Empty>
      ) : (
        <ol className="bm-timeline" aria-label="Customer timeline">
          {events.map((ev, i) => (
            <li key={i} data-testid="timeline-event" data-kind={ev.kind} data-decision={ev.decision || undefined}>
              <time dateTime={ev.at}>{dateTime(ev.at)}</time>
              <div>
                <Stack horizontal gap="200">
                  <Badge tone="info">{humanize(ev.kind)}</Badge>
                  <Text bold>{ev.title}</Text>
                  {ev.decision && <Badge status={ev.decision}>{decisionLabel(ev.decision, ev.reason)}</Badge>}
                </Stack>
                {ev.detail && <Text muted size="small">{ev.detail}</Text>}
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
    <Section title="Messages sent and held" testId="customer-messages">
      <ErrorBanner error={error} title="Message decisions could not be loaded" />
      {loading ? null : rows.length === 0 ? (
        !error && <Empty heading="No messages yet">Every message this customer is sent, or that is held back, is listed with its reason.</Empty>
      ) : (
        <Table
          caption="Message decisions for this customer"
          columns={[
            { key: 'created_at', label: 'When', render: (m) => dateTime(m.created_at) },
            {
              key: 'what',
              label: 'Message',
              render: (m) =>
                m.message_id ? <Link url={`/messages/${m.message_id}`}>{m.title || humanize(m.trigger)}</Link> : m.title || humanize(m.trigger),
            },
            { key: 'channel', label: 'Channel', render: (m) => humanize(m.channel) },
            {
              key: 'decision',
              label: 'Decision',
              render: (m) => <span data-testid="decision-text">{decisionLabel(m.decision, m.reason)}</span>,
            },
            { key: 'sent_at', label: 'Sent', render: (m) => (m.sent_at ? dateTime(m.sent_at) : '') },
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
    <Section title="Points ledger" testId="customer-ledger">
      <ErrorBanner error={error} title="The ledger could not be loaded" />
      {loading ? null : entries.length === 0 ? (
        !error && <Text muted>No points activity yet.</Text>
      ) : (
        <Table
          caption="Points ledger"
          columns={[
            { key: 'occurred_at', label: 'Date', render: (e) => date(e.occurred_at) },
            { key: 'kind', label: 'Entry', render: (e) => humanize(e.kind) },
            { key: 'points', label: 'Points', numeric: true, render: (e) => (e.points > 0 ? `+${num(e.points)}` : num(e.points)) },
            { key: 'balance_after', label: 'Balance', numeric: true, render: (e) => num(e.balance_after) },
            { key: 'reason', label: 'Reason', render: (e) => ledgerReason(e) },
            { key: 'expires_at', label: 'Expires', render: (e) => (e.expires_at ? date(e.expires_at) : '') },
          ]}
          rows={entries}
          rowAttrs={() => ({ 'data-testid': 'ledger-row' })}
        />
      )}
      {entries.length > 0 && (
        <ExportButton path={`/api/customers/${encodeURIComponent(id)}/ledger.csv`} filename={`ledger-${id}.csv`} testId="ledger-export">
          Download the whole ledger (CSV)
        </ExportButton>
      )}
    </Section>
  );
}

function CustomerReviews({ id }) {
  const { data, error } = useResource('/api/reviews', { customer_id: id });
  const reviews = (data && data.reviews) || [];
  return (
    <Section title="Reviews" testId="customer-reviews">
      <ErrorBanner error={error} title="Reviews could not be loaded" />
      {reviews.length === 0 ? (
        !error && <Text muted>No reviews from this customer.</Text>
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
                {r.product_id ? ` · product ${r.product_id}` : ''}
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
  const title = data ? customerName(data) : 'Customer';
  return (
    <Page title={title} back={{ label: 'Customers', url: '/customers' }} testId="page-customer">
      <ErrorBanner error={error} title={error && error.status === 404 ? 'Customer not found' : 'The customer could not be loaded'} onRetry={error && error.status !== 404 ? reload : undefined} />
      {loading && !data && <LoadingCards count={3} label="Loading customer" />}
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
