package messaging

import (
	"context"
	"encoding/json"
	"fmt"

	"gorm.io/gorm"

	"github.com/boomerang-app/boomerang/models"
)

// The ready set every new shop gets, switched on: the three stories (points, expiry, tier;
// apology; subscription win-back), review request and reminder, win-backs and welcome. The copy
// uses only the documented template variables (messaging.SampleVars plus tier.previous and
// tier.direction), so every default renders for every shopper.

// footer is the visible unsubscribe line of every email: the ready set's templates end with it,
// and a campaign gets it too (Campaign.EmailHTML).
const footer = `<p style="color:#6b7280;font-size:12px">You are receiving this because you shop at {{ shop.name }}.
<a href="{{ unsubscribe_link }}">Unsubscribe</a></p>`

const textFooter = "\n\n--\nYou are receiving this because you shop at {{ shop.name }}.\nUnsubscribe: {{ unsubscribe_link }}"

func preset(key, name, trigger, kind string, delay int, subject, html, text, sms string) Message {
	return Message{Preset: key, Name: name, Trigger: trigger, Kind: kind, Channel: ChannelEmail, DelayMinutes: delay,
		Templates:    MessageTemplates{Subject: subject, HTML: html + "\n" + footer, Text: text + textFooter, SMS: sms},
		Translations: defaultTranslations(key), FeaturedProductIDs: []int64{}, Enabled: true}
}

// DefaultMessages returns the ready set (fresh values on each call).
func DefaultMessages() []Message {
	return []Message{
		preset("points_earned", "Points earned", models.EventPointsEarned, KindTransactional, 0,
			`You earned {{ points.earned }} points at {{ shop.name }}`,
			`<p>Hi {{ customer.first_name | default: "there" }},</p>
<p>You just earned <strong>{{ points.earned }} points</strong>. Your balance is now <strong>{{ points.balance }} points</strong>.</p>
<p><a href="{{ shop.url }}">Visit {{ shop.name }}</a></p>`,
			`Hi {{ customer.first_name | default: "there" }},

You just earned {{ points.earned }} points. Your balance is now {{ points.balance }} points.
Visit {{ shop.name }}: {{ shop.url }}`,
			`{{ shop.name }}: you earned {{ points.earned }} points, balance {{ points.balance }}. Reply STOP to opt out.`),

		preset("points_expiring", "Points expiring reminder", models.EventPointsExpiring, KindTransactional, 0,
			`{{ points.expiring }} of your points expire soon`,
			`<p>Hi {{ customer.first_name | default: "there" }},</p>
<p><strong>{{ points.expiring }} points</strong> of your {{ points.balance }}-point balance expire on
<strong>{{ points.expiring_at | date: "%B %-d, %Y" }}</strong>. Use them on your next order, or earn more to keep them.</p>
<p><a href="{{ shop.url }}">Use my points</a></p>`,
			`Hi {{ customer.first_name | default: "there" }},

{{ points.expiring }} points of your {{ points.balance }}-point balance expire on {{ points.expiring_at | date: "%B %-d, %Y" }}.
Use them at {{ shop.url }}`,
			`{{ shop.name }}: {{ points.expiring }} points expire {{ points.expiring_at | date: "%b %-d" }}. Reply STOP to opt out.`),

		preset("tier_changed", "VIP tier changed", models.EventTierChanged, KindTransactional, 0,
			`{% if tier.direction == "down" %}Your {{ shop.name }} tier is now {{ tier.name }}{% else %}Welcome to {{ tier.name }}!{% endif %}`,
			`<p>Hi {{ customer.first_name | default: "there" }},</p>
{% if tier.direction == "down" %}<p>Your tier changed from {{ tier.previous }} to <strong>{{ tier.name }}</strong>.{% if tier.next %} You are {{ tier.points_to_next }} points from {{ tier.next }} again.{% endif %}</p>
{% else %}<p>You reached <strong>{{ tier.name }}</strong>! Enjoy your new perks.{% if tier.next %} {{ tier.points_to_next }} more points to reach {{ tier.next }}.{% endif %}</p>{% endif %}
<p><a href="{{ shop.url }}">See my rewards</a></p>`,
			`Hi {{ customer.first_name | default: "there" }},

{% if tier.direction == "down" %}Your tier changed from {{ tier.previous }} to {{ tier.name }}.{% else %}You reached {{ tier.name }}!{% endif %}
{{ shop.url }}`,
			`{{ shop.name }}: your tier is now {{ tier.name }}. Reply STOP to opt out.`),

		preset("apology", "Apology after a negative review", models.EventNegativeReview, KindTransactional, 0,
			`We're sorry, {{ customer.first_name | default: "and we want to make it right" }}`,
			`<p>Hi {{ customer.first_name | default: "there" }},</p>
<p>Thank you for telling us about your experience. We are sorry it fell short, and someone from {{ shop.name }} will be in touch to make it right.</p>
{% if offer.code %}<p>In the meantime, here is {{ offer.value }} on your next order: <strong>{{ offer.code }}</strong></p>{% endif %}
<p>You can simply reply to this email to reach us.</p>`,
			`Hi {{ customer.first_name | default: "there" }},

Thank you for telling us about your experience. We are sorry it fell short, and someone from {{ shop.name }} will be in touch to make it right.
{% if offer.code %}Here is {{ offer.value }} on your next order: {{ offer.code }}{% endif %}`,
			`{{ shop.name }}: we're sorry about your experience and will be in touch to make it right.`),

		preset("subscription_winback", "Subscription win-back", models.EventSubscriptionCancelled, KindPromotional, 0,
			`We'll miss you, {{ customer.first_name | default: "friend" }}`,
			`<p>Hi {{ customer.first_name | default: "there" }},</p>
<p>Your subscription with {{ shop.name }} is cancelled. If something was not right, just reply: we read every message.</p>
{% if offer.code %}<p>Come back any time with {{ offer.value }} off: <strong>{{ offer.code }}</strong></p>{% endif %}
<p><a href="{{ shop.url }}">Restart my subscription</a></p>`,
			`Hi {{ customer.first_name | default: "there" }},

Your subscription with {{ shop.name }} is cancelled. If something was not right, just reply.
Restart any time: {{ shop.url }}`,
			`{{ shop.name }}: sorry to see you go. Restart any time at {{ shop.url }} Reply STOP to opt out.`),

		preset("review_request", "Review request", models.EventReviewRequest, KindTransactional, 0,
			`How was your order from {{ shop.name }}?`,
			`<p>Hi {{ customer.first_name | default: "there" }},</p>
<p>We hope you are enjoying your order. Would you tell other shoppers what you think? It takes a minute.</p>
<p><a href="{{ review_link }}">Write a review</a></p>`,
			`Hi {{ customer.first_name | default: "there" }},

We hope you are enjoying your order. Would you tell other shoppers what you think?
Write a review: {{ review_link }}`,
			`{{ shop.name }}: how was your order? Review it here: {{ review_link }}`),

		preset("review_reminder", "Review reminder", models.EventReviewReminder, KindTransactional, 0,
			`A quick reminder: review your {{ shop.name }} order`,
			`<p>Hi {{ customer.first_name | default: "there" }},</p>
<p>Your opinion helps other shoppers and helps us improve. If you have a minute, we would love your review.</p>
<p><a href="{{ review_link }}">Write a review</a></p>`,
			`Hi {{ customer.first_name | default: "there" }},

If you have a minute, we would love your review: {{ review_link }}`,
			`{{ shop.name }}: we'd love your review: {{ review_link }}`),

		preset("one_time_winback", "One-time buyer win-back", models.EventOneTimeBuyerQuiet, KindPromotional, 0,
			`We miss you at {{ shop.name }}`,
			`<p>Hi {{ customer.first_name | default: "there" }},</p>
<p>It has been a while since your first order. Come and see what is new at {{ shop.name }}.</p>
{% if offer.code %}<p>Here is {{ offer.value }} off your next order: <strong>{{ offer.code }}</strong></p>{% endif %}
<p><a href="{{ shop.url }}">Shop now</a></p>`,
			`Hi {{ customer.first_name | default: "there" }},

It has been a while since your first order. Come and see what is new: {{ shop.url }}`,
			`{{ shop.name }}: we miss you! See what's new: {{ shop.url }} Reply STOP to opt out.`),

		preset("at_risk_winback", "At-risk customer win-back", models.EventAtRisk, KindPromotional, 0,
			`It's been a while, {{ customer.first_name | default: "friend" }}`,
			`<p>Hi {{ customer.first_name | default: "there" }},</p>
<p>We noticed it has been longer than usual since your last order. Here is what is new at {{ shop.name }}.</p>
{% if points.balance > 0 %}<p>You still have <strong>{{ points.balance }} points</strong> to spend.</p>{% endif %}
<p><a href="{{ shop.url }}">Shop now</a></p>`,
			`Hi {{ customer.first_name | default: "there" }},

It has been longer than usual since your last order. See what is new: {{ shop.url }}`,
			`{{ shop.name }}: it's been a while! See what's new: {{ shop.url }} Reply STOP to opt out.`),

		preset("welcome", "Welcome after the first order", models.EventFirstOrder, KindPromotional, 0,
			`Welcome to {{ shop.name }}, {{ customer.first_name | default: "friend" }}`,
			`<p>Hi {{ customer.first_name | default: "there" }},</p>
<p>Thank you for your first order! You earn points on every purchase{% if points.balance > 0 %} and already have {{ points.balance }}{% endif %}.</p>
{% if referral_link %}<p>Share your link with friends and you both get a reward: <a href="{{ referral_link }}">{{ referral_link }}</a></p>{% endif %}`,
			`Hi {{ customer.first_name | default: "there" }},

Thank you for your first order! You earn points on every purchase.
{% if referral_link %}Share your link with friends and you both get a reward: {{ referral_link }}{% endif %}`,
			`{{ shop.name }}: thanks for your first order! Reply STOP to opt out.`),

		preset("reward_issued", "Reward ready", models.EventRewardIssued, KindTransactional, 0,
			`Your {{ shop.name }} reward is ready`,
			`<p>Hi {{ customer.first_name | default: "there" }},</p>
<p>Your reward is ready{% if offer.code %}: <strong>{{ offer.value }}</strong> with code <strong>{{ offer.code }}</strong>{% endif %}.</p>
<p><a href="{{ shop.url }}">Use it now</a></p>`,
			`Hi {{ customer.first_name | default: "there" }},

Your reward is ready{% if offer.code %}: {{ offer.value }} with code {{ offer.code }}{% endif %}.`,
			`{{ shop.name }}: your reward is ready{% if offer.code %}: code {{ offer.code }}{% endif %}.`),

		preset("referral_rewarded", "Referral rewarded", models.EventReferralRewarded, KindTransactional, 0,
			`Thanks for the referral!`,
			`<p>Hi {{ customer.first_name | default: "there" }},</p>
<p>A friend you referred just placed an order, and you have been rewarded. Your balance is {{ points.balance }} points.</p>
{% if referral_link %}<p>Keep sharing: <a href="{{ referral_link }}">{{ referral_link }}</a></p>{% endif %}`,
			`Hi {{ customer.first_name | default: "there" }},

A friend you referred just placed an order, and you have been rewarded.`,
			`{{ shop.name }}: your referral paid off! Balance: {{ points.balance }} points.`),

		preset("birthday", "Happy birthday", models.EventBirthday, KindPromotional, 0,
			`Happy birthday from {{ shop.name }}!`,
			`<p>Happy birthday, {{ customer.first_name | default: "friend" }}!</p>
{% if offer.code %}<p>Here is a gift: {{ offer.value }} with code <strong>{{ offer.code }}</strong>.</p>{% endif %}
<p><a href="{{ shop.url }}">Treat yourself</a></p>`,
			`Happy birthday, {{ customer.first_name | default: "friend" }}!`,
			`{{ shop.name }}: happy birthday! Reply STOP to opt out.`),
	}
}

// seedMessaging installs the ready set and the default policy, once.
func seedMessaging(ctx context.Context, tx *gorm.DB, shopID int64) error {
	if err := tx.Exec(`INSERT INTO message_policies (shop_id) VALUES (?) ON CONFLICT (shop_id) DO NOTHING`, shopID).Error; err != nil {
		return fmt.Errorf("seed policy: %w", err)
	}
	for _, m := range DefaultMessages() {
		m.ShopID = shopID
		var exists int64
		if err := tx.Raw(`SELECT count(*) FROM messages WHERE shop_id = ? AND preset = ?`, shopID, m.Preset).Scan(&exists).Error; err != nil {
			return err
		}
		if exists > 0 {
			// Shops seeded before the ready set spoke other languages get its copies now; a
			// message the merchant gave copies of their own keeps them.
			if err := tx.Exec(`UPDATE messages SET translations = ? WHERE shop_id = ? AND preset = ? AND translations = '{}'::jsonb`,
				jsonText(m.Translations), shopID, m.Preset).Error; err != nil {
				return fmt.Errorf("seed translations of %s: %w", m.Preset, err)
			}
			continue
		}
		if err := tx.Create(&m).Error; err != nil {
			return fmt.Errorf("seed message %s: %w", m.Preset, err)
		}
	}
	return nil
}

func init() { models.RegisterSeeder(seedMessaging) }

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
