package messaging

import (
	"context"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/boomerang-app/boomerang/models"
)

// MessagePolicy is a shop's sending policy as the merchant edits it (GET|PUT /api/policy).
type MessagePolicy struct {
	ShopID                   int64  `json:"-" gorm:"primaryKey"`
	FrequencyCapCount        int    `json:"frequency_cap_count"`
	FrequencyCapHours        int    `json:"frequency_cap_hours"`
	QuietStart               string `json:"quiet_start"` // "21:00", shopper's local time
	QuietEnd                 string `json:"quiet_end"`
	NegativeReviewHoldDays   int    `json:"negative_review_hold_days"`
	CancellationCooldownDays int    `json:"cancellation_cooldown_days"`
	// SubscriptionGraceDays: a subscription recognised from orders lapses when no renewal came
	// by the expected date plus one interval plus these days.
	SubscriptionGraceDays int `json:"subscription_grace_days"`
	// NoticeWindowMinutes: notices about the same thing within this window collapse into one
	// with the latest state (CoalescedTriggers); 0 sends each.
	NoticeWindowMinutes int       `json:"notice_window_minutes"`
	SenderName          string    `json:"sender_name"` // display name on emails; the shop name when empty
	ReplyTo             string    `json:"reply_to"`    // the shop's contact email when empty
	UpdatedAt           time.Time `json:"-"`
}

// DefaultMessagePolicy is what a new shop starts with (PRODUCT.md defaults).
func DefaultMessagePolicy(shopID int64) MessagePolicy {
	return MessagePolicy{ShopID: shopID, FrequencyCapCount: 1, FrequencyCapHours: 16, QuietStart: "21:00", QuietEnd: "08:00",
		NegativeReviewHoldDays: 14, CancellationCooldownDays: 14, SubscriptionGraceDays: 7, NoticeWindowMinutes: 10}
}

// GetMessagePolicy returns the shop's policy, the defaults when none was saved.
func GetMessagePolicy(ctx context.Context, db *gorm.DB, shopID int64) (MessagePolicy, error) {
	var ps []MessagePolicy
	if err := models.Scoped(ctx, db, shopID).Limit(1).Find(&ps).Error; err != nil {
		return MessagePolicy{}, fmt.Errorf("load policy of shop %d: %w", shopID, err)
	}
	if len(ps) == 0 {
		return DefaultMessagePolicy(shopID), nil
	}
	return ps[0], nil
}

// Validate checks every field and names the first bad one.
func (p *MessagePolicy) Validate() error {
	switch {
	case p.FrequencyCapCount < 0 || p.FrequencyCapCount > 100:
		return models.Invalid("frequency_cap_count", "must be between 0 (no cap) and 100")
	case p.FrequencyCapHours < 1 || p.FrequencyCapHours > 24*30:
		return models.Invalid("frequency_cap_hours", "must be between 1 and 720")
	case p.NegativeReviewHoldDays < 0 || p.NegativeReviewHoldDays > 365:
		return models.Invalid("negative_review_hold_days", "must be between 0 and 365")
	case p.CancellationCooldownDays < 0 || p.CancellationCooldownDays > 365:
		return models.Invalid("cancellation_cooldown_days", "must be between 0 and 365")
	case p.SubscriptionGraceDays < 0 || p.SubscriptionGraceDays > 90:
		return models.Invalid("subscription_grace_days", "must be between 0 and 90")
	case p.NoticeWindowMinutes < 0 || p.NoticeWindowMinutes > 24*60:
		return models.Invalid("notice_window_minutes", "must be between 0 (off) and 1440")
	case len(p.SenderName) > 100 || strings.ContainsAny(p.SenderName, "\r\n"):
		return models.Invalid("sender_name", "must be one line of at most 100 characters")
	}
	if _, ok := clockMinutes(p.QuietStart); !ok {
		return models.Invalid("quiet_start", "must be a time like 21:00")
	}
	if _, ok := clockMinutes(p.QuietEnd); !ok {
		return models.Invalid("quiet_end", "must be a time like 08:00")
	}
	if p.ReplyTo != "" {
		if a, err := mail.ParseAddress(p.ReplyTo); err != nil || a.Name != "" {
			return models.Invalid("reply_to", "must be an email address")
		}
	}
	return nil
}

// SaveMessagePolicy validates and stores the whole policy document.
func SaveMessagePolicy(ctx context.Context, db *gorm.DB, shopID int64, p MessagePolicy) (MessagePolicy, error) {
	p.ShopID = shopID
	p.SenderName = strings.TrimSpace(p.SenderName)
	p.ReplyTo = strings.TrimSpace(p.ReplyTo)
	if err := p.Validate(); err != nil {
		return p, err
	}
	m, _ := clockMinutes(p.QuietStart)
	p.QuietStart = fmt.Sprintf("%02d:%02d", m/60, m%60)
	m, _ = clockMinutes(p.QuietEnd)
	p.QuietEnd = fmt.Sprintf("%02d:%02d", m/60, m%60)
	err := db.WithContext(ctx).Exec(`INSERT INTO message_policies (shop_id, frequency_cap_count, frequency_cap_hours,
			quiet_start, quiet_end, negative_review_hold_days, cancellation_cooldown_days, subscription_grace_days,
			notice_window_minutes, sender_name, reply_to)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (shop_id) DO UPDATE SET frequency_cap_count = EXCLUDED.frequency_cap_count,
			frequency_cap_hours = EXCLUDED.frequency_cap_hours, quiet_start = EXCLUDED.quiet_start,
			quiet_end = EXCLUDED.quiet_end, negative_review_hold_days = EXCLUDED.negative_review_hold_days,
			cancellation_cooldown_days = EXCLUDED.cancellation_cooldown_days,
			subscription_grace_days = EXCLUDED.subscription_grace_days,
			notice_window_minutes = EXCLUDED.notice_window_minutes, sender_name = EXCLUDED.sender_name,
			reply_to = EXCLUDED.reply_to, updated_at = now()`,
		shopID, p.FrequencyCapCount, p.FrequencyCapHours, p.QuietStart, p.QuietEnd, p.NegativeReviewHoldDays,
		p.CancellationCooldownDays, p.SubscriptionGraceDays, p.NoticeWindowMinutes, p.SenderName, p.ReplyTo).Error
	if err != nil {
		return p, fmt.Errorf("save policy of shop %d: %w", shopID, err)
	}
	return p, nil
}

// Settings converts the document into the engine's form.
func (p MessagePolicy) Settings() PolicySettings {
	s := DefaultPolicySettings
	s.CapCount = p.FrequencyCapCount
	s.CapWindow = time.Duration(p.FrequencyCapHours) * time.Hour
	if m, ok := clockMinutes(p.QuietStart); ok {
		s.QuietStart = m
	}
	if m, ok := clockMinutes(p.QuietEnd); ok {
		s.QuietEnd = m
	}
	s.NoticeWindow = time.Duration(p.NoticeWindowMinutes) * time.Minute
	return s
}

// clockMinutes parses "HH:MM" (24 h) into minutes after midnight.
func clockMinutes(s string) (int, bool) {
	t, err := time.Parse("15:04", strings.TrimSpace(s))
	if err != nil {
		return 0, false
	}
	return t.Hour()*60 + t.Minute(), true
}

// SubscriptionGrace is the grace after one missed interval before a subscription recognised
// from orders lapses.
func (p MessagePolicy) SubscriptionGrace() time.Duration {
	return time.Duration(p.SubscriptionGraceDays) * 24 * time.Hour
}

// SubscriptionTiming is what the subscription facts need of the policy.
func (p MessagePolicy) SubscriptionTiming() models.SubscriptionTiming {
	return models.SubscriptionTiming{Cooldown: p.CancellationCooldown(), Grace: p.SubscriptionGrace()}
}

// CancellationCooldown is how long promotions wait after a subscription ends.
func (p MessagePolicy) CancellationCooldown() time.Duration {
	return time.Duration(p.CancellationCooldownDays) * 24 * time.Hour
}
