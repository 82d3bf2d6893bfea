// Loyalty program settings.
import { SettingsForm } from '../settingsForm.jsx';
import { Page } from '../ui/index.js';
import { msg, t } from '../i18n.js';

const specs = {
  earn_rate: { label: msg('Points per 1 unit of currency spent'), type: 'number', min: 0, step: 0.01, help: msg('Earned on the subtotal after discounts, without shipping or tax.') },
  pending_days: { label: msg('Days before earned points can be spent'), type: 'integer', min: 0, help: msg('Set it to your return window so refunded orders do not leave spendable points.') },
  ignore_test_orders: { label: msg('Ignore test orders') },
  bonus: {
    label: msg('Bonus points'),
    help: msg('Points for actions other than buying. 0 switches a bonus off.'),
    fields: {
      signup: { label: msg('Creating an account'), type: 'integer', min: 0 },
      first_review: { label: msg('First review'), type: 'integer', min: 0 },
      referral: { label: msg('Referring a friend who buys'), type: 'integer', min: 0 },
      birthday: { label: msg('Birthday'), type: 'integer', min: 0 },
    },
  },
  rewards: {
    label: msg('Rewards'),
    itemLabel: msg('Reward'),
    help: msg('What points buy. Each redemption creates a single-use Shopify discount code.'),
    empty: msg('No rewards: customers can earn points but not spend them.'),
    item: {
      name: { label: msg('Name') },
      type: { label: msg('Discount type'), options: [['fixed', msg('Fixed amount off')], ['percentage', msg('Percentage off')]] },
      value: { label: msg('Value'), type: 'number', min: 0 },
      points_cost: { label: msg('Points cost'), type: 'integer', min: 1 },
      valid_days: { label: msg('Code valid for (days)'), type: 'integer', min: 1 },
    },
    newItem: { name: '', type: 'fixed', value: 1, points_cost: 100, valid_days: 180 },
  },
  tier_measure: { label: msg('Tiers are reached by'), options: [['spend', msg('Amount spent')], ['points', msg('Points earned')]] },
  tier_window: {
    label: msg('Counted over'),
    options: [['rolling_12_months', msg('The last 12 months (rolling)')], ['calendar_year', msg('The calendar year')], ['lifetime', msg('Lifetime')]],
  },
  tiers: {
    label: msg('Tiers'),
    itemLabel: msg('Tier'),
    help: msg('The threshold is an amount spent or points earned, as chosen above. The multiplier applies to points earned.'),
    empty: msg('No tiers.'),
    item: {
      name: { label: msg('Name') },
      threshold: { label: msg('Threshold'), type: 'number', min: 0 },
      multiplier: { label: msg('Points multiplier'), type: 'number', min: 0, step: 0.05, suffix: '×' },
    },
    newItem: { name: '', threshold: 0, multiplier: 1 },
  },
  expiry_mode: {
    label: msg('Points expiry'),
    options: [['off', msg('Points never expire')], ['inactivity', msg('All points expire after a period without activity')], ['batch', msg('Each earning expires on its own date')]],
  },
  expiry_months: { label: msg('Expire after (months)'), type: 'integer', min: 1 },
  reminder_days: { label: msg('Send reminders this many days before expiry'), type: 'list', help: msg('Comma-separated, e.g. 30, 7') },
  referral: {
    label: msg('Referrals'),
    help: msg('Each customer gets a unique link; the friend’s first order pays out both sides.'),
    fields: {
      enabled: { label: msg('Referrals enabled') },
      referrer_points: { label: msg('Points for the referring customer'), type: 'integer', min: 0 },
      friend_points: { label: msg('Points for the friend'), type: 'integer', min: 0 },
    },
  },
};

const groups = [
  { title: msg('Earning'), keys: ['earn_rate', 'pending_days', 'ignore_test_orders'] },
  { title: msg('Bonus actions'), keys: ['bonus'] },
  { title: msg('Rewards'), keys: ['rewards'] },
  { title: msg('VIP tiers'), keys: ['tier_measure', 'tier_window', 'tiers'] },
  { title: msg('Expiry'), keys: ['expiry_mode', 'expiry_months', 'reminder_days'] },
  { title: msg('Referrals'), keys: ['referral'] },
];

export const loyaltyData = () => [['/api/loyalty/settings']];

export function Loyalty() {
  return (
    <Page title={t('Loyalty program')} subtitle={t('How customers earn, spend and keep points')} testId="page-loyalty">
      <SettingsForm path="/api/loyalty/settings" groups={groups} specs={specs} savedMessage={t('Loyalty settings saved')} testId="loyalty-form" saveLabel={t('Save loyalty settings')} />
    </Page>
  );
}
