// Home: the retention scorecard for a period.
import { useState } from 'react';
import { date, decisionLabel, humanize, isoDay, money, num, pct } from '../format.js';
import { useResource } from '../hooks.js';
import { PlanNotice } from './Plan.jsx';
import {
  BarChart,
  BarList,
  Button,
  Columns,
  Empty,
  ErrorBanner,
  Fields,
  LineChart,
  LoadingCards,
  Metric,
  Page,
  Section,
  Stack,
  Table,
  Text,
  TextField,
} from '../ui/index.js';
import { msg, t } from '../i18n.js';

function defaultPeriod() {
  const to = new Date();
  const from = new Date(to.getTime() - 90 * 86400000);
  return { from: isoDay(from), to: isoDay(to) };
}

const validDay = (s) => /^\d{4}-\d{2}-\d{2}$/.test(s);

function PeriodPicker({ period, onApply }) {
  const [draft, setDraft] = useState(period);
  const error =
    !validDay(draft.from) || !validDay(draft.to) ? t('Enter both dates') : draft.from > draft.to ? t('The start must be before the end') : null;
  return (
    <Section title={t('Period')} testId="period-picker">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (!error) onApply(draft);
        }}
      >
        <Fields>
          <Fields.Row>
            <TextField label={t('From')} type="date" value={draft.from} onChange={(v) => setDraft({ ...draft, from: v })} error={error && !validDay(draft.from) ? error : undefined} />
            <TextField label={t('To')} type="date" value={draft.to} onChange={(v) => setDraft({ ...draft, to: v })} error={error && validDay(draft.from) ? error : undefined} />
          </Fields.Row>
          <Button submit primary testId="period-apply" disabled={!!error}>
            {t('Show period')}
          </Button>
        </Fields>
      </form>
    </Section>
  );
}

// Cell colour scales with retention so the curve reads at a glance; the number stays in the cell.
function heat(v) {
  const a = Math.max(0, Math.min(1, Number(v) || 0));
  return { background: `rgba(0, 91, 211, ${(0.08 + a * 0.55).toFixed(2)})` };
}

function Cohorts({ cohorts }) {
  if (!cohorts || cohorts.length === 0) {
    return <Empty heading={t('No cohorts yet')}>{t('Cohorts appear once customers in this period place their first orders.')}</Empty>;
  }
  const width = Math.max(...cohorts.map((c) => (c.retention || []).length));
  const columns = [
    { key: 'month', label: t('First order month') },
    { key: 'size', label: t('Customers'), numeric: true, render: (c) => num(c.size) },
    ...Array.from({ length: width }, (_, i) => ({
      key: 'm' + i,
      label: t('Month {{n}}', { n: i }),
      render: (c) => {
        const v = (c.retention || [])[i];
        return v === undefined ? '' : <CellHeat value={v}>{pct(v, 0)}</CellHeat>;
      },
    })),
  ];
  return (
    <div className="bm-heat">
      <Table
        caption={t('Share of each monthly cohort that ordered again, by months since the first order')}
        hideCaption={false}
        columns={columns}
        rows={cohorts}
        rowKey={(c) => c.month}
        testId="cohort-table"
      />
    </div>
  );
}

function CellHeat({ value, children }) {
  return (
    <span style={{ ...heat(value), display: 'block', borderRadius: 4, padding: '2px 4px' }}>{children}</span>
  );
}

function MessagesBlock({ messages }) {
  const m = messages || {};
  const totals = ['sent', 'held', 'deferred', 'skipped', 'failed'].map((k) => ({ key: humanize(k), value: Number(m[k]) || 0 }));
  const reasons = Object.entries(m.by_reason || {}).map(([reason, count]) => ({ reason, count: Number(count) || 0 }));
  reasons.sort((a, b) => b.count - a.count);
  const total = totals.reduce((s, x) => s + x.value, 0);
  return (
    <Section title={t('Messages sent vs held')} testId="messages-summary">
      {total === 0 ? (
        <Empty heading={t('No messages in this period')}>
          {t('Switch on a retention message under Messages; every send or hold is counted here.')}
        </Empty>
      ) : (
        <Stack>
          <BarChart label={t('Messages by decision')} integers series={[{ name: t('Messages'), data: totals }]} />
          <Text>
            {totals.map((x) => `${x.key}: ${num(x.value)}`).join(' · ')}
          </Text>
          {reasons.length > 0 && (
            <BarList
              label={t('Messages held or skipped, by reason')}
              items={reasons.map((r) => ({ key: r.reason, label: decisionLabel('held', r.reason), value: r.count }))}
              format={num}
              testId="held-by-reason"
            />
          )}
        </Stack>
      )}
    </Section>
  );
}

function SentimentBlock({ trend }) {
  const weeks = trend || [];
  return (
    <Section title={t('Review sentiment trend')} testId="sentiment-trend">
      {weeks.length === 0 ? (
        <Empty heading={t('No reviews in this period')}>{t('Reviews collected or imported are scored and charted by week.')}</Empty>
      ) : (
        <Stack>
          <LineChart
            label={t('Average review sentiment by week (−1 negative to +1 positive)')}
            series={[{ name: t('Average sentiment'), data: weeks.map((w) => ({ key: w.week, value: Number(w.average) || 0 })) }]}
          />
          <Text muted>
            {t('{{count}} weeks', { count: weeks.length })}, {t('{{count}} reviews', { count: weeks.reduce((s, w) => s + (Number(w.count) || 0), 0) })}.{' '}
            {t('Latest week average {{average}}.', { average: num(Number(weeks[weeks.length - 1].average || 0).toFixed(2)) })}
          </Text>
        </Stack>
      )}
    </Section>
  );
}

// The first frame's GETs, for preloading (main.jsx).
export const homeData = () => [['/api/metrics/scorecard', defaultPeriod()]];

const sourceNames = { contract: msg('contracts'), orders: msg('from orders'), flow: msg('via Flow') };

// churnBySource lists the churn of each source of subscriptions, when there is more than one.
function churnBySource(by) {
  const entries = Object.entries(by || {});
  if (entries.length < 2) return undefined;
  return entries.map(([src, rate]) => `${sourceNames[src] ? t(sourceNames[src]) : src} ${pct(rate)}`).join(' · ');
}

export function Home() {
  const [period, setPeriod] = useState(defaultPeriod);
  const { data, error, loading, reload } = useResource('/api/metrics/scorecard', period);
  return (
    <Page title={t('Retention scorecard')} subtitle={t('{{from}} to {{to}}', { from: date(period.from), to: date(period.to) })} testId="page-home">
      <PlanNotice />
      <PeriodPicker period={period} onApply={setPeriod} />
      <ErrorBanner error={error} title={t('The scorecard could not be loaded')} onRetry={reload} />
      {loading && <LoadingCards count={3} label={t('Loading scorecard')} />}
      {data && !loading && (
        <>
          <Section title={t('Customers')} testId="scorecard-customers">
            <Columns count={4}>
              <Metric label={t('Repeat purchase rate')} value={pct(data.repeat_purchase_rate)} hint={t('Customers with 2+ orders')} testId="metric-repeat-purchase-rate" />
              <Metric label={t('Customer churn')} value={pct(data.customer_churn_rate)} hint={t('Lapsed customers')} testId="metric-customer-churn" />
              <Metric label={t('Average order value')} value={money(data.aov)} testId="metric-aov" />
              <Metric label={t('Customer lifetime value')} value={money(data.clv)} testId="metric-clv" />
            </Columns>
          </Section>
          <Section title={t('Loyalty and subscriptions')} testId="scorecard-loyalty">
            <Columns count={4}>
              <Metric
                label={t('Subscription churn')}
                value={pct(data.subscription_churn_rate)}
                hint={churnBySource(data.subscription_churn_by_source)}
                testId="metric-subscription-churn"
              />
              <Metric
                label={t('Points liability')}
                value={money(data.points_liability_value)}
                hint={t('{{count}} unredeemed points, priced at your cheapest reward', { count: Number(data.points_liability) || 0 })}
                testId="metric-points-liability"
              />
              <Metric label={t('Redemption rate')} value={pct(data.redemption_rate)} hint={t('Points redeemed / earned')} testId="metric-redemption-rate" />
              <Metric label={t('Orders after a message')} value={num(data.orders_after_message)} hint={t('Within 7 days of a message')} testId="metric-orders-after-message" />
            </Columns>
          </Section>
          <Section title={t('Monthly cohort retention')} testId="cohorts">
            <Cohorts cohorts={data.cohorts} />
          </Section>
          <Columns count={2}>
            <SentimentBlock trend={data.sentiment_trend} />
            <MessagesBlock messages={data.messages} />
          </Columns>
        </>
      )}
    </Page>
  );
}
