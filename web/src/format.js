// Human wording for the codes the API returns, and numbers, money and dates in the merchant's locale.
import { msg, t } from './i18n.js';
import { locale } from './locale.js';

// Labels are English keys marked with msg() and translated where shown, so the tables can be built
// before the merchant's language is loaded.
const reasonText = {
  negative_review: msg('negative review'),
  promo_hold_negative_review: msg('negative review'),
  open_case: msg('open make-it-right case'),
  open_complaint: msg('open complaint'),
  open_refund: msg('open refund on the order'),
  subscribed_product: msg('already subscribes to a featured product'),
  already_subscribed: msg('already subscribes to a featured product'),
  recent_cancellation: msg('recent subscription cancellation'),
  cancellation_cooldown: msg('recent subscription cancellation'),
  frequency_cap: msg('frequency cap reached'),
  cross_channel_cap: msg('frequency cap reached (email and SMS together)'),
  quiet_hours: msg('quiet hours in the shopper’s time zone'),
  quiet_hours_deferred: msg('quiet hours in the shopper’s time zone'),
  no_consent: msg('no marketing consent'),
  no_email_consent: msg('no email marketing consent'),
  no_sms_consent: msg('no SMS marketing consent'),
  unsubscribed: msg('unsubscribed'),
  no_email: msg('no email address'),
  no_phone: msg('no phone number'),
  review_cap: msg('review request cap reached'),
  already_reviewed: msg('already reviewed'),
  duplicate: msg('already sent'),
  message_disabled: msg('message switched off'),
  coalesced: msg('merged into a newer notice'),
  audience_mismatch: msg('not in the audience'),
  template_error: msg('template error'),
  provider_error: msg('delivery provider error'),
  outcome_unknown: msg('the provider did not confirm it; not re-sent'),
  interrupted: msg('interrupted mid-send; not re-sent'),
  shop_uninstalled: msg('the shop uninstalled Boomerang'),
  bounced: msg('address bounced'),
  test_order: msg('test order'),
  delay: msg('waiting out its delay'),
  no_address: msg('no address on this channel'),
  no_provider: msg('no delivery provider set up'),
  provider_rejected: msg('the provider refused it'),
  ok: '',
  none: '',
};

// codeText names the codes the API returns as statuses, kinds, channels, triggers and themes.
const codeText = {
  // decisions and statuses
  sent: msg('Sent'),
  held: msg('Held'),
  deferred: msg('Deferred'),
  skipped: msg('Skipped'),
  failed: msg('Failed'),
  queued: msg('Queued'),
  sending: msg('Sending'),
  unknown: msg('Outcome unknown'),
  draft: msg('Draft'),
  scheduled: msg('Scheduled'),
  completed: msg('Completed'),
  pending: msg('Pending'),
  published: msg('Published'),
  hidden: msg('Hidden'),
  open: msg('Open'),
  resolved: msg('Resolved'),
  issued: msg('Issued'),
  returned: msg('Returned'),
  rewarded: msg('Rewarded'),
  rejected: msg('Rejected'),
  void: msg('Void'),
  uploaded: msg('Uploaded'),
  ready: msg('Ready'),
  deleting: msg('Deleting'),
  active: msg('Active'),
  paused: msg('Paused'),
  cancelled: msg('Cancelled'),
  expired: msg('Expired'),
  running: msg('Running'),
  done: msg('Done'),
  // message kinds and channels
  promotional: msg('Promotional'),
  transactional: msg('Transactional'),
  email: msg('Email'),
  sms: msg('SMS'),
  both: msg('Email and SMS'),
  // ledger entries
  earn: msg('Earn'),
  bonus: msg('Bonus'),
  redeem: msg('Redeem'),
  clawback: msg('Clawback'),
  reversal: msg('Reversal'),
  expire: msg('Expire'),
  adjust: msg('Adjust'),
  history: msg('History'),
  opening: msg('Opening balance'),
  // triggers
  points_earned: msg('Points earned'),
  points_expiring: msg('Points expiring'),
  tier_changed: msg('Tier changed'),
  tier_at_risk: msg('Tier at risk'),
  negative_review: msg('Negative review'),
  review_submitted: msg('Review submitted'),
  review_request: msg('Review request'),
  review_reminder: msg('Review reminder'),
  subscription_cancelled: msg('Subscription cancelled'),
  one_time_buyer_quiet: msg('One-time buyer gone quiet'),
  at_risk: msg('At risk'),
  first_order: msg('First order'),
  reward_issued: msg('Reward issued'),
  referral_rewarded: msg('Referral rewarded'),
  birthday: msg('Birthday'),
  campaign: msg('Campaign'),
  // complaint themes
  shipping: msg('Shipping'),
  quality: msg('Quality'),
  damaged: msg('Damaged'),
  packaging: msg('Packaging'),
  price: msg('Price'),
  size_fit: msg('Size and fit'),
  support: msg('Support'),
  // timeline and holds
  order: msg('Order'),
  points: msg('Points'),
  review: msg('Review'),
  case: msg('Case'),
  subscription: msg('Subscription'),
  message: msg('Message'),
  promo: msg('Promotions'),
  // segments
  one_time_buyers: msg('One-time buyers'),
  ready_to_buy: msg('Ready to buy'),
  win_back: msg('Win-back'),
  subscribers: msg('Subscribers'),
  // sentiment
  positive: msg('Positive'),
  negative: msg('Negative'),
  neutral: msg('Neutral'),
  mixed: msg('Mixed'),
  unscored: msg('Unscored'),
  // subscription sources
  contract: msg('Subscription contract'),
  orders: msg('Orders'),
  flow: msg('Shopify Flow'),
};

// humanize renders a code the API returns: a known one in the merchant's language, an unknown one
// still readable ("some_code" → "Some code").
export function humanize(code) {
  if (code === null || code === undefined || code === '') return '';
  const known = codeText[String(code).toLowerCase()];
  if (known) return t(known);
  const s = String(code).replace(/[_-]+/g, ' ').trim();
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export function reasonLabel(reason) {
  if (!reason) return '';
  if (Object.prototype.hasOwnProperty.call(reasonText, reason)) return reasonText[reason] ? t(reasonText[reason]) : '';
  return humanize(reason).toLowerCase();
}

// decisionLabel renders a policy decision the way a merchant reads it, e.g. "Held: negative review".
export function decisionLabel(decision, reason) {
  const d = humanize(decision) || t('Unknown');
  const r = reasonLabel(reason);
  return r ? t('{{decision}}: {{reason}}', { decision: d, reason: r }) : d;
}

const stageLabels = { new: msg('New'), two_time: msg('Two-time'), 'two-time': msg('Two-time'), repeat: msg('Repeat'), loyal: msg('Loyal') };
export function stageLabel(stage) {
  return stageLabels[stage] ? t(stageLabels[stage]) : humanize(stage);
}

export function pct(v, digits = 1) {
  if (v === null || v === undefined || Number.isNaN(Number(v))) return '—';
  return new Intl.NumberFormat(locale, { style: 'percent', minimumFractionDigits: digits, maximumFractionDigits: digits }).format(Number(v));
}

let currency = 'USD';
export function setCurrency(c) {
  if (c) currency = c;
}

export function money(v, cur = currency) {
  if (v === null || v === undefined || v === '') return '—';
  const n = Number(v);
  if (Number.isNaN(n)) return String(v);
  try {
    return new Intl.NumberFormat(locale, { style: 'currency', currency: cur }).format(n);
  } catch {
    return n.toFixed(2);
  }
}

// bonusReasons name the bonus a ledger entry paid (its source_type); older entries stored the
// bare key ("first_review bonus") as their reason.
const bonusReasons = {
  signup: msg('Sign-up bonus'),
  first_review: msg('First review bonus'),
  referral: msg('Referral bonus'),
  birthday: msg('Birthday bonus'),
};

// The reasons Boomerang itself writes on ledger entries; a merchant's own adjustment reason is
// shown as written.
msg('order cancelled');
msg('refund');
msg('opening balance for an order before install');
msg('referred by a friend');
msg('friend referred');

// ledgerReason is what a ledger entry's Reason column says.
export function ledgerReason(e) {
  if (e.kind === 'bonus' && bonusReasons[e.source_type]) return t(bonusReasons[e.source_type]);
  if (e.reason) return t(e.reason);
  return e.source_type ? `${humanize(e.source_type)} ${e.source_id || ''}`.trim() : '';
}

export function num(v) {
  if (v === null || v === undefined || v === '') return '—';
  const n = Number(v);
  return Number.isNaN(n) ? String(v) : new Intl.NumberFormat(locale).format(n);
}

export function points(v) {
  return t('{{points}} pts', { points: num(v) });
}

export function date(v) {
  if (!v) return '—';
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) return String(v);
  return d.toLocaleDateString(locale, { year: 'numeric', month: 'short', day: 'numeric' });
}

export function dateTime(v) {
  if (!v) return '—';
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) return String(v);
  return d.toLocaleString(locale, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

export function isoDay(d) {
  return d.toISOString().slice(0, 10);
}

export function customerName(c) {
  if (!c) return '';
  const name = [c.first_name, c.last_name].filter(Boolean).join(' ');
  return name || c.email || t('Customer {{id}}', { id: c.id });
}

export function sentimentLabel(s) {
  if (!s) return '—';
  const score = typeof s.score === 'number' ? ` (${s.score.toFixed(2)})` : '';
  return `${humanize(s.label || 'unscored')}${score}`;
}
