// Human wording for the codes the API returns. Unknown codes still read well: "some_code" → "Some code".
import { locale } from './locale.js';

const reasonText = {
  negative_review: 'negative review',
  promo_hold_negative_review: 'negative review',
  open_case: 'open make-it-right case',
  open_complaint: 'open complaint',
  open_refund: 'open refund on the order',
  subscribed_product: 'already subscribes to a featured product',
  already_subscribed: 'already subscribes to a featured product',
  recent_cancellation: 'recent subscription cancellation',
  cancellation_cooldown: 'recent subscription cancellation',
  frequency_cap: 'frequency cap reached',
  cross_channel_cap: 'frequency cap reached (email and SMS together)',
  quiet_hours: 'quiet hours in the shopper’s time zone',
  quiet_hours_deferred: 'quiet hours in the shopper’s time zone',
  no_consent: 'no marketing consent',
  no_email_consent: 'no email marketing consent',
  no_sms_consent: 'no SMS marketing consent',
  unsubscribed: 'unsubscribed',
  no_email: 'no email address',
  no_phone: 'no phone number',
  review_cap: 'review request cap reached',
  already_reviewed: 'already reviewed',
  duplicate: 'already sent',
  message_disabled: 'message switched off',
  coalesced: 'merged into a newer notice',
  audience_mismatch: 'not in the audience',
  template_error: 'template error',
  provider_error: 'delivery provider error',
  outcome_unknown: 'the provider did not confirm it; not re-sent',
  interrupted: 'interrupted mid-send; not re-sent',
  shop_uninstalled: 'the shop uninstalled Boomerang',
  bounced: 'address bounced',
  test_order: 'test order',
  ok: '',
  none: '',
};

const decisionText = {
  sent: 'Sent',
  held: 'Held',
  deferred: 'Deferred',
  skipped: 'Skipped',
  failed: 'Failed',
  queued: 'Queued',
  unknown: 'Outcome unknown',
};

export function humanize(code) {
  if (code === null || code === undefined || code === '') return '';
  const s = String(code).replace(/[_-]+/g, ' ').trim();
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export function reasonLabel(reason) {
  if (!reason) return '';
  if (Object.prototype.hasOwnProperty.call(reasonText, reason)) return reasonText[reason];
  return humanize(reason).toLowerCase();
}

// decisionLabel renders a policy decision the way a merchant reads it, e.g. "Held: negative review".
export function decisionLabel(decision, reason) {
  const d = decisionText[decision] || humanize(decision) || 'Unknown';
  const r = reasonLabel(reason);
  return r ? `${d}: ${r}` : d;
}

export const stageLabels = { new: 'New', two_time: 'Two-time', 'two-time': 'Two-time', repeat: 'Repeat', loyal: 'Loyal' };
export function stageLabel(stage) {
  return stageLabels[stage] || humanize(stage);
}

export function pct(v, digits = 1) {
  if (v === null || v === undefined || Number.isNaN(Number(v))) return '—';
  return `${(Number(v) * 100).toFixed(digits)}%`;
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

const plurals = new Intl.PluralRules('en');

// count says how many of a thing, in the plural form the number takes: count(1, 'order') is
// "1 order", count(3, 'order') "3 orders", count(2, 'reply', 'replies') "2 replies".
export function count(n, one, other = `${one}s`) {
  return `${num(n)} ${plurals.select(Number(n) || 0) === 'one' ? one : other}`;
}

// bonusReasons name the bonus a ledger entry paid (its source_type); older entries stored the
// bare key ("first_review bonus") as their reason.
const bonusReasons = {
  signup: 'Sign-up bonus',
  first_review: 'First review bonus',
  referral: 'Referral bonus',
  birthday: 'Birthday bonus',
};

// ledgerReason is what a ledger entry's Reason column says.
export function ledgerReason(e) {
  if (e.kind === 'bonus' && bonusReasons[e.source_type]) return bonusReasons[e.source_type];
  if (e.reason) return e.reason;
  return e.source_type ? `${humanize(e.source_type)} ${e.source_id || ''}`.trim() : '';
}

export function num(v) {
  if (v === null || v === undefined || v === '') return '—';
  const n = Number(v);
  return Number.isNaN(n) ? String(v) : new Intl.NumberFormat(locale).format(n);
}

export function points(v) {
  return `${num(v)} pts`;
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
  return name || c.email || `Customer ${c.id}`;
}

export function sentimentLabel(s) {
  if (!s) return '—';
  const score = typeof s.score === 'number' ? ` (${s.score.toFixed(2)})` : '';
  return `${humanize(s.label || 'unscored')}${score}`;
}
