// Customers: search and filter the shop's customers.
import { useState } from 'react';
import { customerName, date, money, num, points, stageLabel } from '../format.js';
import { useDebounced, useList, useResource } from '../hooks.js';
import { ExportButton } from './ExportButton.jsx';
import {
  Badge,
  Checkbox,
  Empty,
  ErrorBanner,
  Fields,
  Link,
  LoadingCards,
  More,
  Page,
  Section,
  Select,
  Table,
  TextField,
} from '../ui/index.js';
import { msg, t, tOptions } from '../i18n.js';

export const stageOptions = [
  { label: msg('Any stage'), value: '' },
  { label: msg('New (1 order)'), value: 'new' },
  { label: msg('Two-time (2 orders)'), value: 'two_time' },
  { label: msg('Repeat (3–4 orders)'), value: 'repeat' },
  { label: msg('Loyal (5+ or top tier)'), value: 'loyal' },
];

export const segmentOptions = [
  { label: msg('Any segment'), value: '' },
  { label: msg('One-time buyers'), value: 'one_time_buyers' },
  { label: msg('At risk'), value: 'at_risk' },
  { label: msg('Ready to buy'), value: 'ready_to_buy' },
  { label: msg('Win-back'), value: 'win_back' },
  { label: msg('Subscribers'), value: 'subscribers' },
];

const sortOptions = [
  { label: msg('Newest first'), value: '' },
  { label: msg('Most spent'), value: 'spend' },
  { label: msg('Most orders'), value: 'orders' },
  { label: msg('Latest order'), value: 'last_order' },
  { label: msg('Most points'), value: 'balance' },
];

function useTierOptions() {
  const { data } = useResource('/api/loyalty/settings');
  const tiers = (data && Array.isArray(data.tiers) && data.tiers) || [];
  return [{ label: t('Any tier'), value: '' }, ...tiers.map((tier) => ({ label: tier.name, value: tier.name }))];
}

export const customersData = () => [['/api/customers'], ['/api/loyalty/settings']];

export function Customers() {
  const [q, setQ] = useState('');
  const [stage, setStage] = useState('');
  const [tier, setTier] = useState('');
  const [segment, setSegment] = useState('');
  const [hold, setHold] = useState(false);
  const [sort, setSort] = useState('');
  const query = { q: useDebounced(q.trim(), 300), stage, tier, segment, hold: hold ? 'true' : '', sort };
  const list = useList('/api/customers', query, 'customers');
  const tierOptions = useTierOptions();
  const filtered = !!(query.q || stage || tier || segment || hold);
  return (
    <Page title={t('Customers')} subtitle={t('One record per shopper: orders, points, reviews, subscriptions and messages')} testId="page-customers">
      <Section title={t('Find customers')}>
        <form role="search" aria-label={t('Customers')} onSubmit={(e) => e.preventDefault()}>
          <Fields>
            <TextField label={t('Search by name or email')} value={q} onChange={setQ} clearable testId="customer-search" />
            <Fields.Row>
              <Select label={t('Buyer stage')} options={tOptions(stageOptions)} value={stage} onChange={setStage} />
              <Select label={t('Tier')} options={tierOptions} value={tier} onChange={setTier} />
              <Select label={t('Segment')} options={tOptions(segmentOptions)} value={segment} onChange={setSegment} />
              <Select label={t('Sort by')} options={tOptions(sortOptions)} value={sort} onChange={setSort} testId="customer-sort" />
            </Fields.Row>
            <Checkbox label={t('Only customers with a message hold')} checked={hold} onChange={setHold} />
          </Fields>
        </form>
      </Section>
      <ErrorBanner error={list.error} title={t('Customers could not be loaded')} onRetry={list.reload} />
      {list.loading ? (
        <LoadingCards count={1} label={t('Loading customers')} />
      ) : (
        <Section testId="customer-list">
          {list.items.length === 0 && !list.error ? (
            filtered ? (
              <Empty heading={t('No customers match')}>{t('Try a broader search or clear a filter.')}</Empty>
            ) : (
              <Empty heading={t('No customers yet')}>
                {t('Customers appear here as soon as the store’s customer and order webhooks arrive. Place a test order to see one.')}
              </Empty>
            )
          ) : (
            <>
              <Table
                caption={t('Customers')}
                columns={[
                  {
                    key: 'name',
                    label: t('Customer'),
                    render: (c) => (
                      <Link url={`/customers/${encodeURIComponent(c.id)}`}>{customerName(c)}</Link>
                    ),
                  },
                  { key: 'email', label: t('Email') },
                  { key: 'stage', label: t('Stage'), render: (c) => (c.stage ? <Badge tone="info">{stageLabel(c.stage)}</Badge> : null) },
                  { key: 'tier', label: t('Tier') },
                  { key: 'orders', label: t('Orders'), numeric: true, render: (c) => num(c.orders) },
                  { key: 'total_spent', label: t('Spent'), numeric: true, render: (c) => money(c.total_spent) },
                  { key: 'last_order_at', label: t('Last order'), render: (c) => (c.last_order_at ? date(c.last_order_at) : '—') },
                  { key: 'balance', label: t('Points'), numeric: true, render: (c) => points(c.balance) },
                  {
                    key: 'holds',
                    label: t('Holds'),
                    numeric: true,
                    render: (c) => (Number(c.holds) > 0 ? <Badge tone="critical">{t('{{count}} on hold', { count: Number(c.holds) })}</Badge> : '0'),
                  },
                ]}
                rows={list.items}
                rowAttrs={() => ({ 'data-testid': 'customer-row' })}
              />
              <More hasMore={list.hasMore} loading={list.more} onClick={list.loadMore} />
              <ExportButton path="/api/customers/export.csv" query={query} filename="customers.csv" testId="customers-export">
                {t('Export these customers (CSV)')}
              </ExportButton>
            </>
          )}
        </Section>
      )}
    </Page>
  );
}

