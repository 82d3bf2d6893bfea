// The shop's plan: what it pays through Shopify, its orders this month against the plan's, and the
// way up or down. Over the limit, campaigns pause (PlanNotice says so on the pages that send them).
import { useState } from 'react';
import { api } from '../api.js';
import { date, money, num } from '../format.js';
import { useResource } from '../hooks.js';
import { Badge, Button, ErrorBanner, Link, Notice, Progress, Section, Stack, Text } from '../ui/index.js';
import { msg, t } from '../i18n.js';

// Plan names are shown as Shopify's billing page shows them, except the free plan's.
msg('Free');

function OverLimit({ b }) {
  return (
    <Notice tone="warning" title={t('Campaigns are paused')} testId="plan-over-limit">
      {t('This month’s {{count}} orders are over the {{plan}} plan’s {{limit}}.', {
        count: Number(b.orders_this_month) || 0,
        plan: t(b.plan.name),
        limit: num(b.orders_allowed ?? b.plan.orders_per_month),
      })}{' '}
      {t('Loyalty points, reviews and transactional messages keep going; campaigns wait for an upgrade or the next month.')}
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
      <Link url="/setup">{t('See plans')}</Link>
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
  if (!b) return <ErrorBanner error={error} title={t('The plan could not be loaded')} />;
  const allowed = b.orders_allowed || b.plan.orders_per_month;
  const used = allowed ? (100 * b.orders_this_month) / allowed : 0;
  const pendingPlan = b.pending && b.plans.find((p) => p.key === b.pending.plan);
  return (
    <Section title={t('Your plan')} testId="setup-plan">
      <Stack gap="300">
        <ErrorBanner error={failure} title={t('The plan was not changed')} onDismiss={() => setFailure(null)} />
        <Text>
          <strong data-testid="plan-name">{t(b.plan.name)}</strong>:{' '}
          {t('{{count}} orders since {{date}}, of {{limit}} a month.', {
            count: Number(b.orders_this_month) || 0,
            date: date(b.month_starts),
            limit: num(b.plan.orders_per_month),
          })}
        </Text>
        <Progress value={used} label={t('Orders this month against the plan')} />
        {Number(b.plan.usage_cap) > 0 && (
          <Text muted testId="plan-usage">
            {t('Charged for orders above the plan this month: {{charged}} of at most {{cap}}.', {
              charged: money(b.usage_charged || 0, 'USD'),
              cap: money(b.plan.usage_cap, 'USD'),
            })}
          </Text>
        )}
        {b.over_limit && <OverLimit b={b} />}
        {pendingPlan && <Text muted>{t('The {{plan}} plan waits for your approval in Shopify.', { plan: t(pendingPlan.name) })}</Text>}
        <ul className="bm-plans" aria-label={t('Plans')}>
          {b.plans.map((p) => (
            <li key={p.key} data-testid={`plan-${p.key}`}>
              <Text>
                <strong>{t(p.name)}</strong> · {Number(p.price) ? `${t('{{price}} every 30 days', { price: money(p.price, 'USD') })} · ` : ''}
                {t('up to {{count}} orders a month', { count: Number(p.orders_per_month) || 0 })}
                {p.trial_days ? `, ${t('{{count}} days free to try', { count: p.trial_days })}` : ''}
                {Number(p.usage_cap) > 0
                  ? `; ${t('then {{price}} per {{block}} more orders, at most {{cap}} a month', {
                      price: money(p.overage_price, 'USD'),
                      block: num(p.overage_block),
                      cap: money(p.usage_cap, 'USD'),
                    })}`
                  : ''}
              </Text>{' '}
              {p.key === b.plan.key ? (
                <Badge tone="success">{t('Current')}</Badge>
              ) : (
                <Button size="slim" loading={busy === p.key} disabled={!!busy} onClick={() => choose(p.key)} testId={`choose-${p.key}`}>
                  {Number(p.price) > Number(b.plan.price) ? t('Upgrade to {{plan}}', { plan: t(p.name) }) : t('Switch to {{plan}}', { plan: t(p.name) })}
                </Button>
              )}
            </li>
          ))}
        </ul>
      </Stack>
    </Section>
  );
}
