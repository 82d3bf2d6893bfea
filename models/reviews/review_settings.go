package reviews

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/boomerang-app/boomerang/models"
)

// ReviewSettings are a shop's rules for moderation, review requests and negative reviews.
// Defaults follow the anchors (PRODUCT.md): request 14 days after fulfillment, one reminder 7
// days later, at most 5 review emails per customer per 30 days, one request per product per 12
// months. The promotional hold after a negative review is the messaging policy's
// negative_review_hold_days (one setting for the whole hold policy).
type ReviewSettings struct {
	ShopID               int64     `json:"-" gorm:"primaryKey"`
	AutoPublish          bool      `json:"auto_publish"`
	AutoPublishMinRating int       `json:"auto_publish_min_rating"`
	PendingPublishDays   int       `json:"pending_publish_days"` // held reviews publish after this many days; 0 = never
	RequestsEnabled      bool      `json:"requests_enabled"`
	RequestDelayDays     int       `json:"request_delay_days"`
	DeliveryDelayDays    int       `json:"delivery_delay_days"`
	ReminderEnabled      bool      `json:"reminder_enabled"`
	ReminderDelayDays    int       `json:"reminder_delay_days"`
	EmailsPer30Days      int       `json:"emails_per_30_days" gorm:"column:emails_per_30_days"`
	ProductRepeatMonths  int       `json:"product_repeat_months"`
	ProductsPerRequest   int       `json:"products_per_request"`
	LinkValidDays        int       `json:"link_valid_days"`
	UpdatedAt            time.Time `json:"updated_at"`
}

// DefaultReviewSettings is what a new shop gets.
func DefaultReviewSettings() ReviewSettings {
	return ReviewSettings{AutoPublish: true, AutoPublishMinRating: 4, PendingPublishDays: 14, RequestsEnabled: true,
		RequestDelayDays: 14, DeliveryDelayDays: 7, ReminderEnabled: true, ReminderDelayDays: 7, EmailsPer30Days: 5,
		ProductRepeatMonths: 12, ProductsPerRequest: 3, LinkValidDays: 180}
}

func init() {
	models.RegisterSeeder(func(ctx context.Context, tx *gorm.DB, shopID int64) error {
		return tx.WithContext(ctx).Exec(`INSERT INTO review_settings (shop_id) VALUES (?) ON CONFLICT (shop_id) DO NOTHING`, shopID).Error
	})
}

// GetReviewSettings returns the shop's settings, or the defaults when none were stored yet.
func GetReviewSettings(ctx context.Context, db *gorm.DB, shopID int64) (ReviewSettings, error) {
	var s ReviewSettings
	err := db.WithContext(ctx).Where("shop_id = ?", shopID).First(&s).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		s = DefaultReviewSettings()
		s.ShopID = shopID
		return s, nil
	}
	if err != nil {
		return s, fmt.Errorf("review settings %d: %w", shopID, err)
	}
	return s, nil
}

// Validate names the first field out of range.
func (s ReviewSettings) Validate() error {
	checks := []struct {
		field     string
		v, lo, hi int
	}{
		{"auto_publish_min_rating", s.AutoPublishMinRating, 1, 5},
		{"pending_publish_days", s.PendingPublishDays, 0, 365},
		{"request_delay_days", s.RequestDelayDays, 0, 60},
		{"delivery_delay_days", s.DeliveryDelayDays, 0, 60},
		{"reminder_delay_days", s.ReminderDelayDays, 1, 60},
		{"emails_per_30_days", s.EmailsPer30Days, 1, 30},
		{"product_repeat_months", s.ProductRepeatMonths, 0, 60},
		{"products_per_request", s.ProductsPerRequest, 1, 10},
		{"link_valid_days", s.LinkValidDays, 1, 730},
	}
	for _, c := range checks {
		if c.v < c.lo || c.v > c.hi {
			return models.Invalid(c.field, "must be between %d and %d", c.lo, c.hi)
		}
	}
	return nil
}

// SaveReviewSettings stores the whole settings document after validating it.
func SaveReviewSettings(ctx context.Context, db *gorm.DB, shopID int64, s ReviewSettings) (ReviewSettings, error) {
	if err := s.Validate(); err != nil {
		return s, err
	}
	s.ShopID, s.UpdatedAt = shopID, time.Now().UTC()
	err := db.WithContext(ctx).Exec(`INSERT INTO review_settings (shop_id, auto_publish, auto_publish_min_rating,
			pending_publish_days, requests_enabled, request_delay_days, delivery_delay_days, reminder_enabled,
			reminder_delay_days, emails_per_30_days, product_repeat_months, products_per_request, link_valid_days,
			updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (shop_id) DO UPDATE SET auto_publish = EXCLUDED.auto_publish,
			auto_publish_min_rating = EXCLUDED.auto_publish_min_rating, pending_publish_days = EXCLUDED.pending_publish_days,
			requests_enabled = EXCLUDED.requests_enabled, request_delay_days = EXCLUDED.request_delay_days,
			delivery_delay_days = EXCLUDED.delivery_delay_days, reminder_enabled = EXCLUDED.reminder_enabled,
			reminder_delay_days = EXCLUDED.reminder_delay_days, emails_per_30_days = EXCLUDED.emails_per_30_days,
			product_repeat_months = EXCLUDED.product_repeat_months, products_per_request = EXCLUDED.products_per_request,
			link_valid_days = EXCLUDED.link_valid_days, updated_at = EXCLUDED.updated_at`,
		shopID, s.AutoPublish, s.AutoPublishMinRating, s.PendingPublishDays, s.RequestsEnabled, s.RequestDelayDays,
		s.DeliveryDelayDays, s.ReminderEnabled, s.ReminderDelayDays, s.EmailsPer30Days, s.ProductRepeatMonths,
		s.ProductsPerRequest, s.LinkValidDays, s.UpdatedAt).Error
	if err != nil {
		return s, fmt.Errorf("save review settings %d: %w", shopID, err)
	}
	return s, nil
}

// statusFor applies the moderation rule to a new review.
func (s ReviewSettings) statusFor(rating int) string {
	if s.AutoPublish && rating >= s.AutoPublishMinRating {
		return ReviewPublished
	}
	return ReviewPending
}

func (ReviewSettings) TableName() string { return "review_settings" }
