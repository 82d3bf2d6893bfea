// Activity: every message decision across the shop, and compliance data requests.
import { useState } from 'react';
import { api, downloadJson } from '../api.js';
import { customerName, dateTime, decisionLabel, humanize, reasonLabel } from '../format.js';
import { useList, useResource } from '../hooks.js';
import { Badge, Button, Empty, ErrorBanner, Fields, Link, LoadingCards, More, Page, Section, Select, Table, Text, useToast } from '../ui/index.js';
import { msg, t } from '../i18n.js';
import { messageTitle } from '../timeline.js';

const decisionOptions = [
  { label: msg('Any decision'), value: '' },
  { label: msg('Sent'), value: 'sent' },
  { label: msg('Held'), value: 'held' },
  { label: msg('Deferred'), value: 'deferred' },
  { label: msg('Skipped'), value: 'skipped' },
  { label: msg('Failed'), value: 'failed' },
  { label: msg('Outcome unknown'), value: 'unknown' },
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
      toast(t('Queued to send again'));
      onDone();
    } catch (e) {
      toast(e.message, { error: true });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Button plain loading={busy} onClick={send} label={t('Send message {{id}} again', { id: decision.id })} testId="send-again">
      {t('Send again')}
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
  const reasonOptions = [{ label: t('Any reason'), value: '' }, ...reasonCodes.map((r) => ({ label: humanize(reasonLabel(r)), value: r }))];
  return (
    <>
      <Section title={t('Filter decisions')}>
        <Fields>
          <Fields.Row>
            <Select label={t('Decision')} options={decisionOptions.map((o) => ({ ...o, label: t(o.label) }))} value={decision} onChange={setDecision} testId="filter-decision" />
            <Select label={t('Reason')} options={reasonOptions} value={reason} onChange={setReason} testId="filter-reason" />
          </Fields.Row>
        </Fields>
      </Section>
      <ErrorBanner error={list.error} title={t('Activity could not be loaded')} onRetry={list.reload} />
      {list.loading ? (
        <LoadingCards count={1} label={t('Loading activity')} />
      ) : (
        <Section title={t('Message decisions')} testId="activity-list">
          {list.items.length === 0 ? (
            !list.error && (
              <Empty heading={decision || reason ? t('No decisions match') : t('No message decisions yet')}>
                {decision || reason
                  ? t('Clear a filter to see more.')
                  : t('Every message Boomerang sends, holds, defers or skips is recorded here with its reason.')}
              </Empty>
            )
          ) : (
            <>
              <Table
                caption={t('Message decisions')}
                columns={[
                  { key: 'created_at', label: t('When'), render: (d) => dateTime(d.created_at) },
                  { key: 'customer', label: t('Customer'), render: (d) => (d.customer_id ? <Link url={`/customers/${d.customer_id}`}>{customerName(d.customer || { id: d.customer_id })}</Link> : '') },
                  {
                    key: 'what',
                    label: t('Message'),
                    render: (d) =>
                      d.message_id ? <Link url={`/messages/${d.message_id}`}>{messageTitle(d)}</Link> : messageTitle(d),
                  },
                  { key: 'channel', label: t('Channel'), render: (d) => humanize(d.channel) },
                  { key: 'decision', label: t('Decision'), render: (d) => <span data-testid="decision-text">{decisionLabel(d.decision, d.reason)}</span> },
                  { key: 'retry', label: t('Action'), render: (d) => (retryable(d) ? <SendAgain decision={d} onDone={list.reload} /> : '') },
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
    <Section title={t('Customer data requests')} testId="data-requests">
      <Text muted>{t('Requests Shopify forwards when a customer asks for their data. Download the export and send it to the store owner.')}</Text>
      <ErrorBanner error={error} title={t('Data requests could not be loaded')} onRetry={reload} />
      {loading ? null : requests.length === 0 ? (
        !error && <Text muted>{t('No data requests.')}</Text>
      ) : (
        <Table
          caption={t('Customer data requests')}
          columns={[
            { key: 'requested_at', label: t('Requested'), render: (r) => dateTime(r.requested_at) },
            { key: 'customer_id', label: t('Customer'), render: (r) => (r.customer ? customerName(r.customer) : t('Customer {{id}}', { id: r.customer_id ?? '' })) },
            { key: 'status', label: t('Status'), render: (r) => <Badge status={r.status}>{humanize(r.status)}</Badge> },
            {
              key: 'export',
              label: t('Export'),
              render: (r) => (
                <Button plain loading={busy === r.id} onClick={() => download(r)} label={t('Download export for request {{id}}', { id: r.id })}>
                  {t('Download export')}
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
    <Page title={t('Activity')} subtitle={t('Why each message was, or was not, sent')} testId="page-activity">
      <Decisions />
      <DataRequests />
    </Page>
  );
}
