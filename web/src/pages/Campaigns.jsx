// Campaigns: one-off promotional sends through the same policy, with results by decision and reason.
import { useState } from 'react';
import { api, insideShopify } from '../api.js';
import { dateTime, decisionLabel, humanize, money, num } from '../format.js';
import { useResource } from '../hooks.js';
import { segmentOptions, stageOptions } from './Customers.jsx';
import { PlanNotice } from './Plan.jsx';
import {
  Badge,
  Button,
  CodeField,
  Empty,
  ErrorBanner,
  Fields,
  LoadingCards,
  Page,
  Section,
  Select,
  Stack,
  Table,
  Text,
  TextField,
  useToast,
} from '../ui/index.js';
import { msg, t, tOptions } from '../i18n.js';

const audienceKinds = [
  { value: 'stage', label: msg('Buyer stage') },
  { value: 'tier', label: msg('Tier') },
  { value: 'segment', label: msg('Segment') },
  { value: 'customer_ids', label: msg('Specific customers') },
];

const splitList = (s) => s.split(/[\s,]+/).map((x) => x.trim()).filter(Boolean);
const asId = (x) => (/^\d+$/.test(x) ? Number(x) : x);
const gidNumber = (gid) => Number(String(gid).split('/').pop());

// FeaturedProducts picks the campaign's products: inside Shopify admin from the catalog with App
// Bridge's resource picker, outside it (development) by id.
function FeaturedProducts({ picked, onPick, ids, onIds, error }) {
  const help = t('Customers who already subscribe to one of these products will not receive the campaign.');
  if (!insideShopify()) {
    return <TextField label={t('Featured product IDs')} value={ids} onChange={onIds} error={error} help={`${help} ${t('Inside Shopify admin you pick them from your catalog.')}`} />;
  }
  const choose = async () => {
    const selected = await window.shopify.resourcePicker({
      type: 'product',
      multiple: true,
      selectionIds: picked.map((p) => ({ id: p.id })),
    });
    if (selected) onPick(selected.map((p) => ({ id: p.id, title: p.title })));
  };
  return (
    <Stack gap="200">
      <Text bold>{t('Featured products')}</Text>
      {picked.length > 0 && (
        <Stack horizontal gap="200">
          {picked.map((p) => (
            <Badge key={p.id}>{p.title}</Badge>
          ))}
        </Stack>
      )}
      <div>
        <Button onClick={choose} testId="campaign-pick-products">
          {picked.length ? t('Change products') : t('Choose products')}
        </Button>
      </div>
      <Text muted>{help}</Text>
      {error && <Text tone="critical">{error}</Text>}
    </Stack>
  );
}

function CreateCampaign({ onCreated }) {
  const toast = useToast();
  const [f, setF] = useState({ name: '', channel: 'email', subject: '', body: '', featured: '', audienceKind: 'stage', audience: 'new' });
  const [picked, setPicked] = useState([]);
  const [errors, setErrors] = useState({});
  const [failure, setFailure] = useState(null);
  const [busy, setBusy] = useState(false);
  const set = (k) => (v) => {
    setF((x) => ({ ...x, [k]: v, ...(k === 'audienceKind' ? { audience: { stage: 'new', segment: 'at_risk' }[v] || '' } : {}) }));
    setErrors((e) => ({ ...e, [k]: undefined, ...(k === 'audienceKind' ? { audience: undefined } : {}) }));
  };
  const submit = async (e) => {
    e.preventDefault();
    const next = {};
    if (!f.name.trim()) next.name = t('Name the campaign');
    if (!f.body.trim()) next.body = t('Write the message');
    if (f.channel === 'email' && !f.subject.trim()) next.subject = t('Email needs a subject');
    if (!String(f.audience).trim()) next.audience = t('Choose who receives it');
    setErrors(next);
    if (Object.keys(next).length) return;
    const audience =
      f.audienceKind === 'customer_ids' ? { customer_ids: splitList(f.audience).map(asId) } : { [f.audienceKind]: f.audience.trim() };
    const body = {
      name: f.name.trim(),
      channel: f.channel,
      subject: f.channel === 'email' ? f.subject : undefined,
      body: f.body,
      featured_product_ids: insideShopify() ? picked.map((p) => gidNumber(p.id)) : splitList(f.featured).map(asId),
      audience,
    };
    setBusy(true);
    setFailure(null);
    try {
      const created = await api.post('/api/campaigns', body);
      toast(t('Campaign created; send it when ready'));
      setF({ name: '', channel: 'email', subject: '', body: '', featured: '', audienceKind: 'stage', audience: 'new' });
      setPicked([]);
      onCreated(created);
    } catch (ex) {
      if (ex.status === 422 && ex.field) {
        const key = { featured_product_ids: 'featured', customer_ids: 'audience', stage: 'audience', tier: 'audience', segment: 'audience' }[ex.field.split('.').pop()] || ex.field;
        setErrors({ [key]: ex.message + (ex.line ? ` (${t('line {{line}}', { line: ex.line })})` : '') });
        if (!['name', 'subject', 'body', 'featured', 'audience', 'channel'].includes(key)) setFailure(ex);
      } else setFailure(ex);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Section title={t('New campaign')} testId="campaign-create">
      <form onSubmit={submit} noValidate>
        <Fields>
          <ErrorBanner error={failure} title={t('The campaign was not created')} />
          <TextField label={t('Campaign name')} value={f.name} onChange={set('name')} error={errors.name} />
          <Fields.Row>
            <Select label={t('Channel')} options={[{ value: 'email', label: t('Email') }, { value: 'sms', label: t('SMS') }]} value={f.channel} onChange={set('channel')} />
            <Select label={t('Audience')} options={tOptions(audienceKinds)} value={f.audienceKind} onChange={set('audienceKind')} />
            {f.audienceKind === 'stage' ? (
              <Select label={t('Stage')} options={tOptions(stageOptions.filter((o) => o.value))} value={f.audience} onChange={set('audience')} error={errors.audience} />
            ) : f.audienceKind === 'segment' ? (
              <Select label={t('Segment')} options={tOptions(segmentOptions.filter((o) => o.value))} value={f.audience} onChange={set('audience')} error={errors.audience} />
            ) : (
              <TextField
                label={f.audienceKind === 'customer_ids' ? t('Customer IDs') : f.audienceKind === 'tier' ? t('Tier name') : t('Segment')}
                value={f.audience}
                onChange={set('audience')}
                error={errors.audience}
                help={f.audienceKind === 'customer_ids' ? t('Separate IDs with commas') : t('e.g. Gold')}
              />
            )}
          </Fields.Row>
          {f.channel === 'email' && <TextField label={t('Subject')} value={f.subject} onChange={set('subject')} error={errors.subject} />}
          <CodeField label={t('Message (Liquid)')} value={f.body} onChange={set('body')} rows={6} error={errors.body} errorTestId="liquid-error" />
          <FeaturedProducts picked={picked} onPick={setPicked} ids={f.featured} onIds={set('featured')} error={errors.featured} />
          <Button submit primary loading={busy} testId="campaign-create-submit">
            {t('Create campaign')}
          </Button>
        </Fields>
      </form>
    </Section>
  );
}

function Results({ id }) {
  const { data, error, loading } = useResource(`/api/campaigns/${id}`);
  if (loading) return <Text muted>{t('Loading results…')}</Text>;
  if (error) return <ErrorBanner error={error} title={t('Results could not be loaded')} />;
  const decisions = Object.entries((data && data.decisions) || {});
  const reasons = Object.entries((data && data.by_reason) || {});
  if (!decisions.length) return <Text muted>{t('No decisions yet: results appear once the campaign is sent.')}</Text>;
  return (
    <div data-testid="campaign-results">
      <Stack gap="300">
        <Text testId="campaign-outcome">
          {t('{{count}} orders from recipients within 7 days of their copy, {{revenue}} after refunds.', { count: Number(data.orders_after) || 0, revenue: money(data.revenue_after) })}
        </Text>
        <Table
          caption={t('Recipients by decision')}
          hideCaption={false}
          columns={[
            { key: 'decision', label: t('Decision'), render: ([d]) => humanize(d) },
            { key: 'count', label: t('Customers'), numeric: true, render: ([, n]) => num(n) },
          ]}
          rows={decisions}
          rowKey={([d]) => d}
          rowAttrs={([d]) => ({ 'data-decision': d })}
        />
        {reasons.length > 0 && (
          <Table
            caption={t('Held or skipped, by reason')}
            hideCaption={false}
            columns={[
              { key: 'reason', label: t('Reason'), render: ([r]) => decisionLabel('held', r) },
              { key: 'count', label: t('Customers'), numeric: true, render: ([, n]) => num(n) },
            ]}
            rows={reasons}
            rowKey={([r]) => r}
            rowAttrs={([r]) => ({ 'data-reason': r })}
          />
        )}
      </Stack>
    </div>
  );
}

function CampaignList({ version }) {
  const toast = useToast();
  const { data, error, loading, reload, setData } = useResource('/api/campaigns', undefined, version);
  const [open, setOpen] = useState(null);
  const [busy, setBusy] = useState(null);
  const campaigns = (data && data.campaigns) || [];
  const send = async (c) => {
    setBusy(c.id);
    try {
      const r = await api.post(`/api/campaigns/${c.id}/send`);
      setData((d) => ({ ...d, campaigns: d.campaigns.map((x) => (x.id === c.id ? { ...x, status: (r && r.status) || 'sending' } : x)) }));
      toast(t('Campaign {{name}} is sending', { name: c.name || c.id }));
      setOpen(c.id);
    } catch (e) {
      toast(e.message, { error: true });
    } finally {
      setBusy(null);
    }
  };
  if (loading && !data) return <LoadingCards count={1} label={t('Loading campaigns')} />;
  if (error) return <ErrorBanner error={error} title={t('Campaigns could not be loaded')} onRetry={reload} />;
  if (!campaigns.length) {
    return (
      <Section>
        <Empty heading={t('No campaigns yet')}>
          {t('Create one above. Boomerang sends it only to customers the policy allows and shows who was held and why.')}
        </Empty>
      </Section>
    );
  }
  return (
    <Section title={t('Campaigns')} testId="campaign-list">
      <Stack gap="300">
        {campaigns.map((c) => (
          <div key={c.id} className="bm-list-item" data-testid="campaign">
            <Stack gap="200">
              <Stack horizontal gap="200">
                <Text bold>{c.name || t('Campaign {{id}}', { id: c.id })}</Text>
                {c.status && <Badge status={c.status}>{humanize(c.status)}</Badge>}
                {c.channel && <Text muted size="small">{humanize(c.channel)}</Text>}
                {c.created_at && <Text muted size="small">{dateTime(c.created_at)}</Text>}
              </Stack>
              <Stack horizontal gap="200">
                {(!c.status || c.status === 'draft') && (
                  <Button primary size="slim" loading={busy === c.id} onClick={() => send(c)} label={t('Send campaign {{name}}', { name: c.name || c.id })}>
                    {t('Send')}
                  </Button>
                )}
                <Button size="slim" onClick={() => setOpen(open === c.id ? null : c.id)} label={open === c.id ? t('Hide results of {{name}}', { name: c.name || c.id }) : t('Show results of {{name}}', { name: c.name || c.id })}>
                  {open === c.id ? t('Hide results') : t('Results')}
                </Button>
              </Stack>
              {open === c.id && <Results id={c.id} />}
            </Stack>
          </div>
        ))}
      </Stack>
    </Section>
  );
}

export const campaignsData = () => [['/api/campaigns']];

export function Campaigns() {
  const [version, setVersion] = useState(0);
  return (
    <Page title={t('Campaigns')} subtitle={t('One-off promotions, checked against holds, consent and the frequency cap')} testId="page-campaigns">
      <PlanNotice />
      <CreateCampaign onCreated={() => setVersion((v) => v + 1)} />
      <CampaignList version={version} />
    </Page>
  );
}
