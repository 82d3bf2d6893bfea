// Loyalty program settings.
import { SettingsForm } from '../settingsForm.jsx';
import { Page } from '../ui/index.js';

const specs = {
  earn_rate: { label: 'Points per 1 unit of currency spent', type: 'number', min: 0, step: 0.01, help: 'Earned on the subtotal after discounts, without shipping or tax.' },
  pending_days: { label: 'Days before earned points can be spent', type: 'integer', min: 0, help: 'Set it to your return window so refunded orders do not leave spendable points.' },
  ignore_test_orders: { label: 'Ignore test orders' },
  bonus: {
    label: 'Bonus points',
    help: 'Points for actions other than buying. 0 switches a bonus off.',
    fields: {
      signup: { label: 'Creating an account', type: 'integer', min: 0 },
      first_review: { label: 'First review', type: 'integer', min: 0 },
      referral: { label: 'Referring a friend who buys', type: 'integer', min: 0 },
      birthday: { label: 'Birthday', type: 'integer', min: 0 },
    },
  },
  rewards: {
    label: 'Rewards',
    itemLabel: 'Reward',
    help: 'What points buy. Each redemption creates a single-use Shopify discount code.',
    empty: 'No rewards: customers can earn points but not spend them.',
    item: {
      name: { label: 'Name' },
      type: { label: 'Discount type', options: [['fixed', 'Fixed amount off'], ['percentage', 'Percentage off']] },
      value: { label: 'Value', type: 'number', min: 0 },
      points_cost: { label: 'Points cost', type: 'integer', min: 1 },
      valid_days: { label: 'Code valid for (days)', type: 'integer', min: 1 },
    },
    newItem: { name: '', type: 'fixed', value: 1, points_cost: 100, valid_days: 180 },
  },
  tier_measure: { label: 'Tiers are reached by', options: [['spend', 'Amount spent'], ['points', 'Points earned']] },
  tier_window: {
    label: 'Counted over',
    options: [['rolling_12_months', 'The last 12 months (rolling)'], ['calendar_year', 'The calendar year'], ['lifetime', 'Lifetime']],
  },
  tiers: {
    label: 'Tiers',
    itemLabel: 'Tier',
    help: 'The threshold is an amount spent or points earned, as chosen above. The multiplier applies to points earned.',
    empty: 'No tiers.',
    item: {
      name: { label: 'Name' },
      threshold: { label: 'Threshold', type: 'number', min: 0 },
      multiplier: { label: 'Points multiplier', type: 'number', min: 0, step: 0.05, suffix: '×' },
    },
    newItem: { name: '', threshold: 0, multiplier: 1 },
  },
  expiry_mode: {
    label: 'Points expiry',
    options: [['off', 'Points never expire'], ['inactivity', 'All points expire after a period without activity'], ['batch', 'Each earning expires on its own date']],
  },
  expiry_months: { label: 'Expire after (months)', type: 'integer', min: 1 },
  reminder_days: { label: 'Send reminders this many days before expiry', type: 'list', help: 'Comma-separated, e.g. 30, 7' },
  referral: {
    label: 'Referrals',
    help: 'Each customer gets a unique link; the friend’s first order pays out both sides.',
    fields: {
      enabled: { label: 'Referrals enabled' },
      referrer_points: { label: 'Points for the referring customer', type: 'integer', min: 0 },
      friend_points: { label: 'Points for the friend', type: 'integer', min: 0 },
    },
  },
};

const groups = [
  { title: 'Earning', keys: ['earn_rate', 'pending_days', 'ignore_test_orders'] },
  { title: 'Bonus actions', keys: ['bonus'] },
  { title: 'Rewards', keys: ['rewards'] },
  { title: 'VIP tiers', keys: ['tier_measure', 'tier_window', 'tiers'] },
  { title: 'Expiry', keys: ['expiry_mode', 'expiry_months', 'reminder_days'] },
  { title: 'Referrals', keys: ['referral'] },
];

export const loyaltyData = () => [['/api/loyalty/settings']];

export function Loyalty() {
  return (
    <Page title="Loyalty program" subtitle="How customers earn, spend and keep points" testId="page-loyalty">
      <SettingsForm path="/api/loyalty/settings" groups={groups} specs={specs} savedMessage="Loyalty settings saved" testId="loyalty-form" saveLabel="Save loyalty settings" />
    </Page>
  );
}
