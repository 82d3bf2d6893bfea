// The shop's plan: what it pays through Shopify, its orders this month against the plan's, and the
// way up or down. Over the limit, campaigns pause (PlanNotice says so on the pages that send them).
import { useState } from 'react';
import { api } from '../api.js';
import { count, date, money, num } from '../format.js';
import { useResource } from '../hooks.js';
import { Badge, Button, ErrorBanner, Link, Notice, Progress, Section, Stack, Text } from '../ui/index.js';

function OverLimit({ b }) {
  return (
    <Notice tone="warning" title="Campaigns are paused" testId="plan-over-limit">
      This month&apos;s {count(b.orders_this_month, 'order')} are over the {b.plan.name} plan&apos;s {num(b.plan.orders_per_month)}. Loyalty points,
      reviews and transactional messages keep going; campaigns wait for an upgrade or the next month.
    </Notice>
  );
}

// PlanNotice shows the over-limit banner where it matters, with the way to upgrade.
export function PlanNotice() {
  const { data: b } = useResource('/api/billing');
  if (!b || !b.over_limit) return null;
  return (
    <Stack gap="200">
      <OverLimit b={b} />
      <Link url="/setup">See plans</Link>
    </Stack>
  );
}

export function Plan() {
  const { data: b, error, reload } = useResource('/api/billing');
  const [busy, setBusy] = useState(null);
  const [failure, setFailure] = useState(null);
  const choose = async (key) => {
    setBusy(key);
    setFailure(null);
    try {
      const out = await api.post('/api/billing/plan', { plan: key });
      if (out && out.confirmation_url) {
        // Shopify's approval page opens in the whole window, then returns to this page.
        window.open(out.confirmation_url, '_top');
        return;
      }
      reload();
    } catch (err) {
      setFailure(err);
    } finally {
      setBusy(null);
    }
  };
  if (!b) return <ErrorBanner error={error} title="The plan could not be loaded" />;
  const used = b.plan.orders_per_month ? (100 * b.orders_this_month) / b.plan.orders_per_month : 0;
  const pendingPlan = b.pending && b.plans.find((p) => p.key === b.pending.plan);
  return (
    <Section title="Your plan" testId="setup-plan">
      <Stack gap="300">
        <ErrorBanner error={failure} title="The plan was not changed" onDismiss={() => setFailure(null)} />
        <Text>
          <strong data-testid="plan-name">{b.plan.name}</strong>: {count(b.orders_this_month, 'order')} since {date(b.month_starts)}, of{' '}
          {num(b.plan.orders_per_month)} a month.
        </Text>
        <Progress value={used} label="Orders this month against the plan" />
        {b.over_limit && <OverLimit b={b} />}
        {pendingPlan && <Text muted>The {pendingPlan.name} plan waits for your approval in Shopify.</Text>}
        <ul className="bm-plans" aria-label="Plans">
          {b.plans.map((p) => (
            <li key={p.key} data-testid={`plan-${p.key}`}>
              <Text>
                <strong>{p.name}</strong> · {Number(p.price) ? `${money(p.price, 'USD')} every 30 days` : 'free'} · up to {count(p.orders_per_month, 'order')} a
                month{p.trial_days ? `, ${count(p.trial_days, 'day')} free to try` : ''}
              </Text>{' '}
              {p.key === b.plan.key ? (
                <Badge tone="success">Current</Badge>
              ) : (
                <Button size="slim" loading={busy === p.key} disabled={!!busy} onClick={() => choose(p.key)} testId={`choose-${p.key}`}>
                  {Number(p.price) > Number(b.plan.price) ? `Upgrade to ${p.name}` : `Switch to ${p.name}`}
                </Button>
              )}
            </li>
          ))}
        </ul>
      </Stack>
    </Section>
  );
}
