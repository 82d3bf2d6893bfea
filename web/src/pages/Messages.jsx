// Messages: the retention messages with on/off switches, and the sending policy every message obeys.
import { useState } from 'react';
import { api } from '../api.js';
import { humanize } from '../format.js';
import { useResource } from '../hooks.js';
import { SettingsForm } from '../settingsForm.jsx';
import { Badge, Checkbox, Empty, ErrorBanner, Link, LoadingCards, Page, Section, Table, Tabs, Text, useToast } from '../ui/index.js';
import { msg, t, tOptions } from '../i18n.js';

function delayText(min) {
  const m = Number(min) || 0;
  if (m === 0) return t('Immediately');
  if (m % 1440 === 0) return t('{{count}} days', { count: m / 1440 });
  if (m % 60 === 0) return t('{{count}} hours', { count: m / 60 });
  return t('{{count}} min', { count: m });
}

function MessageList() {
  const toast = useToast();
  const { data, error, loading, reload, setData } = useResource('/api/messages');
  const [busy, setBusy] = useState(null);
  const messages = (data && data.messages) || [];
  const toggle = async (m, enabled) => {
    setBusy(m.id);
    setData((d) => ({ ...d, messages: d.messages.map((x) => (x.id === m.id ? { ...x, enabled } : x)) }));
    try {
      await api.patch(`/api/messages/${m.id}`, { enabled });
      toast(enabled ? t('{{name}} switched on', { name: t(m.name) }) : t('{{name}} switched off', { name: t(m.name) }));
    } catch (e) {
      setData((d) => ({ ...d, messages: d.messages.map((x) => (x.id === m.id ? { ...x, enabled: !enabled } : x)) }));
      toast(e.message, { error: true });
    } finally {
      setBusy(null);
    }
  };
  if (loading && !data) return <LoadingCards count={2} label={t('Loading messages')} />;
  if (error) return <ErrorBanner error={error} title={t('Messages could not be loaded')} onRetry={reload} />;
  if (!messages.length) {
    return (
      <Section>
        <Empty heading={t('No retention messages yet')} action={{ label: t('Create a message'), url: '/messages/new' }}>
          {t('Messages go out on an event (points earned, a review, a cancellation), a segment or a schedule, and every send passes the sending policy.')}
        </Empty>
      </Section>
    );
  }
  return (
    <Section testId="message-list">
      <Table
        caption={t('Retention messages')}
        columns={[
          { key: 'name', label: t('Message'), render: (m) => <Link url={`/messages/${m.id}`}>{m.name ? t(m.name) : t('Message {{id}}', { id: m.id })}</Link> },
          { key: 'trigger', label: t('Trigger'), render: (m) => humanize(m.trigger) },
          { key: 'channel', label: t('Channel'), render: (m) => humanize(m.channel) },
          { key: 'kind', label: t('Kind'), render: (m) => <Badge tone={m.kind === 'promotional' ? 'attention' : 'info'}>{humanize(m.kind)}</Badge> },
          { key: 'delay', label: t('Delay'), render: (m) => delayText(m.delay_minutes) },
          {
            key: 'enabled',
            label: t('On'),
            render: (m) => (
              <Checkbox label={t('{{name}} is on', { name: m.name ? t(m.name) : t('Message') })} checked={m.enabled} disabled={busy === m.id} onChange={(v) => toggle(m, v)} testId="message-toggle" />
            ),
          },
        ]}
        rows={messages}
        rowAttrs={(m) => ({ 'data-testid': 'message-row', 'data-enabled': m.enabled ? 'true' : 'false' })}
      />
    </Section>
  );
}

const policySpecs = {
  frequency_cap_count: { label: msg('Promotional messages allowed'), type: 'integer', min: 0, help: msg('Across email and SMS together.') },
  frequency_cap_hours: { label: msg('…per this many hours'), type: 'integer', min: 1 },
  quiet_start: { label: msg('SMS quiet hours start'), type: 'time', help: msg('In the shopper’s time zone; messages wait, they are not dropped.') },
  quiet_end: { label: msg('SMS quiet hours end'), type: 'time' },
  negative_review_hold_days: { label: msg('Hold promotions after a negative review (days)'), type: 'integer', min: 0, help: msg('Or until the make-it-right case is resolved.') },
  cancellation_cooldown_days: { label: msg('Hold promotions after a subscription cancellation (days)'), type: 'integer', min: 0 },
  subscription_grace_days: {
    label: msg('Grace before a subscription counts as lapsed (days)'),
    type: 'integer',
    min: 0,
    help: msg('For subscriptions recognised from selling-plan orders: lapsed when no renewal came by the expected date plus one interval plus these days.'),
  },
  notice_window_minutes: {
    label: msg('Merge notices within (minutes)'),
    type: 'integer',
    min: 0,
    help: msg('Points-earned notices wait this long; several in a row go out as one, with the latest balance. 0 sends each at once.'),
  },
};
const policyGroups = [
  { title: msg('Frequency cap'), keys: ['frequency_cap_count', 'frequency_cap_hours'] },
  { title: msg('Quiet hours'), keys: ['quiet_start', 'quiet_end'] },
  { title: msg('Notices'), keys: ['notice_window_minutes'] },
  { title: msg('Holds'), help: msg('Promotions are held back while something went wrong for the shopper.'), keys: ['negative_review_hold_days', 'cancellation_cooldown_days', 'subscription_grace_days'] },
];

const tabs = [
  { id: 'messages', label: msg('Messages') },
  { id: 'policy', label: msg('Sending policy') },
];

export const messagesData = () => [['/api/messages']];

export function Messages() {
  const [tab, setTab] = useState('messages');
  return (
    <Page
      title={t('Messages')}
      subtitle={t('Retention emails and SMS, sent or held by one policy')}
      testId="page-messages"
      primaryAction={{ label: t('Create message'), url: '/messages/new' }}
    >
      <Tabs tabs={tOptions(tabs)} selected={tab} onSelect={setTab}>
        {tab === 'messages' && <MessageList />}
        {tab === 'policy' && (
          <>
            <Text muted>{t('Every message, from every source, passes these rules; transactional messages skip the cap and holds; SMS always waits out quiet hours.')}</Text>
            <SettingsForm path="/api/policy" groups={policyGroups} specs={policySpecs} savedMessage={t('Sending policy saved')} testId="policy-form" saveLabel={t('Save policy')} />
          </>
        )}
      </Tabs>
    </Page>
  );
}
