// The words of a customer's timeline and message decisions. The API sends each timeline event's
// code and facts (and an English title as a fallback); the sentence is made here, in the
// merchant's language.
import { humanize, money, num } from './format.js';
import { msg, t } from './i18n.js';

// The names Boomerang gives its ready-made messages; a merchant's own name is shown as written.
msg('Points earned');
msg('Points expiring reminder');
msg('VIP tier changed');
msg('Apology after a negative review');
msg('Subscription win-back');
msg('Review request');
msg('Review reminder');
msg('One-time buyer win-back');
msg('At-risk customer win-back');
msg('Welcome after the first order');
msg('Reward ready');
msg('Referral rewarded');
msg('Happy birthday');

// messageTitle names what a decision was about: the message, the campaign, or its trigger.
export function messageTitle(m) {
  if (m.campaign_name) return t('Campaign: {{name}}', { name: m.campaign_name });
  if (m.message_name) return t(m.message_name);
  return humanize(m.trigger);
}

const entryVerbs = {
  earn: msg('{{points}} points earned'),
  bonus: msg('{{points}} bonus points'),
  redeem: msg('{{points}} points redeemed'),
  clawback: msg('{{points}} points clawed back'),
  reversal: msg('{{points}} points reversed'),
  expire: msg('{{points}} points expired'),
  adjust: msg('{{points}} points adjusted'),
  history: msg('{{points}} points from history'),
  opening: msg('{{points}} opening points'),
};

const signed = (n) => (Number(n) > 0 ? `+${num(n)}` : num(n));

export function timelineTitle(ev) {
  const a = ev.args || {};
  switch (ev.code) {
    case 'order_placed':
      return t('Placed order {{order}}', { order: a.order });
    case 'order_cancelled':
      return t('Cancelled order {{order}}', { order: a.order });
    case 'refund':
      return t('Refund on order {{order}}', { order: a.order });
    case 'points':
      return entryVerbs[a.kind] ? t(entryVerbs[a.kind], { points: signed(a.points) }) : ev.title;
    case 'review':
      return t('{{rating}}-star review', { rating: a.rating }) + (a.title ? `: ${a.title}` : '');
    case 'case_opened':
      return t('Case {{id}} opened', { id: a.case });
    case 'case_resolved':
      return t('Case {{id}} resolved', { id: a.case });
    case 'subscription_started':
      return t('Subscription started');
    case 'subscription':
      return t('Subscription {{status}}', { status: humanize(a.status).toLowerCase() });
    case 'message':
      return messageTitle(a);
    default:
      return ev.title;
  }
}

export function timelineDetail(ev) {
  const a = ev.args || {};
  const join = (...parts) => parts.filter(Boolean).join(' · ');
  switch (ev.code) {
    case 'order_placed':
      return join(money(a.amount, a.currency), a.test && t('test order'));
    case 'order_cancelled':
      return a.reason ? humanize(a.reason) : '';
    case 'refund':
      return join(t('{{amount}} refunded', { amount: money(a.amount, a.currency) }), a.note);
    case 'points':
      return join(a.reason && t(a.reason), t('balance {{balance}}', { balance: num(a.balance) }));
    case 'review':
      return join(humanize(a.status), a.sentiment && `${t('sentiment')} ${humanize(a.sentiment)} (${Number(a.score).toFixed(2)})`);
    case 'case_opened':
      return t('after review {{id}}', { id: a.review });
    case 'case_resolved':
      return a.note || '';
    case 'subscription_started':
    case 'subscription':
      return join(t('contract {{id}}', { id: a.contract }), a.reason);
    case 'message':
      return humanize(a.channel);
    default:
      return ev.detail;
  }
}
