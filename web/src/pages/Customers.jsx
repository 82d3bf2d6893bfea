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

export const stageOptions = [
  { label: 'Any stage', value: '' },
  { label: 'New (1 order)', value: 'new' },
  { label: 'Two-time (2 orders)', value: 'two_time' },
  { label: 'Repeat (3–4 orders)', value: 'repeat' },
  { label: 'Loyal (5+ or top tier)', value: 'loyal' },
];

export const segmentOptions = [
  { label: 'Any segment', value: '' },
  { label: 'One-time buyers', value: 'one_time_buyers' },
  { label: 'At risk', value: 'at_risk' },
  { label: 'Ready to buy', value: 'ready_to_buy' },
  { label: 'Win-back', value: 'win_back' },
  { label: 'Subscribers', value: 'subscribers' },
];

const sortOptions = [
  { label: 'Newest first', value: '' },
  { label: 'Most spent', value: 'spend' },
  { label: 'Most orders', value: 'orders' },
  { label: 'Latest order', value: 'last_order' },
  { label: 'Most points', value: 'balance' },
];

function useTierOptions() {
  const { data } = useResource('/api/loyalty/settings');
  const tiers = (data && Array.isArray(data.tiers) && data.tiers) || [];
  return [{ label: 'Any tier', value: '' }, ...tiers.map((t) => ({ label: t.name, value: t.name }))];
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
    <Page title="Customers" subtitle="One record per shopper: orders, points, reviews, subscriptions and messages" testId="page-customers">
      <Section title="Find customers">
        <form role="search" aria-label="Customers" onSubmit={(e) => e.preventDefault()}>
          <Fields>
            <TextField label="Search by name or email" value={q} onChange={setQ} clearable testId="customer-search" />
            <Fields.Row>
              <Select label="Buyer stage" options={stageOptions} value={stage} onChange={setStage} />
              <Select label="Tier" options={tierOptions} value={tier} onChange={setTier} />
              <Select label="Segment" options={segmentOptions} value={segment} onChange={setSegment} />
              <Select label="Sort by" options={sortOptions} value={sort} onChange={setSort} testId="customer-sort" />
            </Fields.Row>
            <Checkbox label="Only customers with a message hold" checked={hold} onChange={setHold} />
          </Fields>
        </form>
      </Section>
      <ErrorBanner error={list.error} title="Customers could not be loaded" onRetry={list.reload} />
      {list.loading ? (
        <LoadingCards count={1} label="Loading customers" />
      ) : (
        <Section testId="customer-list">
          {list.items.length === 0 && !list.error ? (
            filtered ? (
              <Empty heading="No customers match">Try a broader search or clear a filter.</Empty>
            ) : (
              <Empty heading="No customers yet">
                Customers appear here as soon as the store’s customer and order webhooks arrive. Place a test order to see one.
              </Empty>
            )
          ) : (
            <>
              <Table
                caption="Customers"
                columns={[
                  {
                    key: 'name',
                    label: 'Customer',
                    render: (c) => (
                      <Link url={`/customers/${encodeURIComponent(c.id)}`}>{customerName(c)}</Link>
                    ),
                  },
                  { key: 'email', label: 'Email' },
                  { key: 'stage', label: 'Stage', render: (c) => (c.stage ? <Badge tone="info">{stageLabel(c.stage)}</Badge> : null) },
                  { key: 'tier', label: 'Tier' },
                  { key: 'orders', label: 'Orders', numeric: true, render: (c) => num(c.orders) },
                  { key: 'total_spent', label: 'Spent', numeric: true, render: (c) => money(c.total_spent) },
                  { key: 'last_order_at', label: 'Last order', render: (c) => (c.last_order_at ? date(c.last_order_at) : '—') },
                  { key: 'balance', label: 'Points', numeric: true, render: (c) => points(c.balance) },
                  {
                    key: 'holds',
                    label: 'Holds',
                    numeric: true,
                    render: (c) => (Number(c.holds) > 0 ? <Badge tone="critical">{`${num(c.holds)} on hold`}</Badge> : '0'),
                  },
                ]}
                rows={list.items}
                rowAttrs={() => ({ 'data-testid': 'customer-row' })}
              />
              <More hasMore={list.hasMore} loading={list.more} onClick={list.loadMore} />
              <ExportButton path="/api/customers/export.csv" query={query} filename="customers.csv" testId="customers-export">
                Export these customers (CSV)
              </ExportButton>
            </>
          )}
        </Section>
      )}
    </Page>
  );
}

