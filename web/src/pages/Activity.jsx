// Activity: every message decision across the shop, and compliance data requests.
import { useState } from 'react';
import { api, downloadJson } from '../api.js';
import { customerName, dateTime, decisionLabel, humanize, reasonLabel } from '../format.js';
import { useList, useResource } from '../hooks.js';
import { Badge, Button, Empty, ErrorBanner, Fields, Link, LoadingCards, More, Page, Section, Select, Table, Text, useToast } from '../ui/index.js';

const decisionOptions = [
  { label: 'Any decision', value: '' },
  { label: 'Sent', value: 'sent' },
  { label: 'Held', value: 'held' },
  { label: 'Deferred', value: 'deferred' },
  { label: 'Skipped', value: 'skipped' },
  { label: 'Failed', value: 'failed' },
  { label: 'Outcome unknown', value: 'unknown' },
];

// A send the provider may have taken (unknown) or that the provider failed is sent again only
// by the merchant's hand: the shopper must never get two copies by accident.
const retryable = (d) => d.decision === 'unknown' || (d.decision === 'failed' && ['provider_error', 'interrupted'].includes(d.reason));

function SendAgain({ decision, onDone }) {
  const toast = useToast();
  const [busy, setBusy] = useState(false);
  const send = async () => {
    setBusy(true);
    try {
      await api.post(`/api/activity/${decision.id}/retry`);
      toast('Queued to send again');
      onDone();
    } catch (e) {
      toast(e.message, { error: true });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Button plain loading={busy} onClick={send} label={`Send message ${decision.id} again`} testId="send-again">
      Send again
    </Button>
  );
}

const reasonCodes = [
  'negative_review',
  'open_case',
  'subscribed_product',
  'recent_cancellation',
  'frequency_cap',
  'quiet_hours',
  'no_consent',
  'review_cap',
  'outcome_unknown',
  'provider_error',
  'shop_uninstalled',
];

function Decisions() {
  const [decision, setDecision] = useState('');
  const [reason, setReason] = useState('');
  const list = useList('/api/activity', { decision, reason }, 'decisions');
  const reasonOptions = [{ label: 'Any reason', value: '' }, ...reasonCodes.map((r) => ({ label: humanize(reasonLabel(r)), value: r }))];
  return (
    <>
      <Section title="Filter decisions">
        <Fields>
          <Fields.Row>
            <Select label="Decision" options={decisionOptions} value={decision} onChange={setDecision} testId="filter-decision" />
            <Select label="Reason" options={reasonOptions} value={reason} onChange={setReason} testId="filter-reason" />
          </Fields.Row>
        </Fields>
      </Section>
      <ErrorBanner error={list.error} title="Activity could not be loaded" onRetry={list.reload} />
      {list.loading ? (
        <LoadingCards count={1} label="Loading activity" />
      ) : (
        <Section title="Message decisions" testId="activity-list">
          {list.items.length === 0 ? (
            !list.error && (
              <Empty heading={decision || reason ? 'No decisions match' : 'No message decisions yet'}>
                {decision || reason
                  ? 'Clear a filter to see more.'
                  : 'Every message Boomerang sends, holds, defers or skips is recorded here with its reason.'}
              </Empty>
            )
          ) : (
            <>
              <Table
                caption="Message decisions"
                columns={[
                  { key: 'created_at', label: 'When', render: (d) => dateTime(d.created_at) },
                  { key: 'customer', label: 'Customer', render: (d) => (d.customer_id ? <Link url={`/customers/${d.customer_id}`}>{customerName(d.customer || { id: d.customer_id })}</Link> : '') },
                  {
                    key: 'what',
                    label: 'Message',
                    render: (d) =>
                      d.message_id ? <Link url={`/messages/${d.message_id}`}>{d.title || humanize(d.trigger)}</Link> : d.title || humanize(d.trigger),
                  },
                  { key: 'channel', label: 'Channel', render: (d) => (d.channel === 'sms' ? 'SMS' : humanize(d.channel)) },
                  { key: 'decision', label: 'Decision', render: (d) => <span data-testid="decision-text">{decisionLabel(d.decision, d.reason)}</span> },
                  { key: 'retry', label: 'Action', render: (d) => (retryable(d) ? <SendAgain decision={d} onDone={list.reload} /> : '') },
                ]}
                rows={list.items}
                rowKey={(d, i) => `${d.customer_id}-${d.message_id || d.campaign_id}-${d.created_at}-${i}`}
                rowAttrs={(d) => ({ 'data-testid': `decision-row-${d.decision}`, 'data-decision': d.decision, 'data-reason': d.reason || '' })}
              />
              <More hasMore={list.hasMore} loading={list.more} onClick={list.loadMore} />
            </>
          )}
        </Section>
      )}
    </>
  );
}

function DataRequests() {
  const toast = useToast();
  const { data, error, loading, reload } = useResource('/api/data-requests');
  const [busy, setBusy] = useState(null);
  const requests = (data && data.requests) || [];
  const download = async (r) => {
    setBusy(r.id);
    try {
      await downloadJson(`/api/data-requests/${r.id}/export`, `data-request-${r.id}.json`);
    } catch (e) {
      toast(e.message, { error: true });
    } finally {
      setBusy(null);
    }
  };
  return (
    <Section title="Customer data requests" testId="data-requests">
      <Text muted>Requests Shopify forwards when a customer asks for their data. Download the export and send it to the store owner.</Text>
      <ErrorBanner error={error} title="Data requests could not be loaded" onRetry={reload} />
      {loading ? null : requests.length === 0 ? (
        !error && <Text muted>No data requests.</Text>
      ) : (
        <Table
          caption="Customer data requests"
          columns={[
            { key: 'requested_at', label: 'Requested', render: (r) => dateTime(r.requested_at) },
            { key: 'customer_id', label: 'Customer', render: (r) => (r.customer ? customerName(r.customer) : `Customer ${r.customer_id ?? ''}`) },
            { key: 'status', label: 'Status', render: (r) => <Badge status={r.status}>{humanize(r.status)}</Badge> },
            {
              key: 'export',
              label: 'Export',
              render: (r) => (
                <Button plain loading={busy === r.id} onClick={() => download(r)} label={`Download export for request ${r.id}`}>
                  Download export
                </Button>
              ),
            },
          ]}
          rows={requests}
        />
      )}
    </Section>
  );
}

export const activityData = () => [['/api/activity'], ['/api/data-requests']];

export function Activity() {
  return (
    <Page title="Activity" subtitle="Why each message was, or was not, sent" testId="page-activity">
      <Decisions />
      <DataRequests />
    </Page>
  );
}
