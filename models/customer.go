package models

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/shopspring/decimal"
	"gorm.io/gorm"
)

// Customer is the one record per shopper that every part of Boomerang reads.
type Customer struct {
	ID               int64
	ShopID           int64
	CustomerID       int64 // Shopify's id
	Email            string
	Phone            string
	FirstName        string
	LastName         string
	State            string
	Tags             string
	EmailConsent     string // Shopify email_marketing_consent.state: subscribed, not_subscribed, unsubscribed, ...
	SMSConsent       string
	Timezone         string // IANA name when known; quiet hours fall back to the shop's
	Birthday         *time.Time
	Stage            string
	OrdersCount      int
	TotalSpent       decimal.Decimal
	FirstOrderAt     *time.Time
	LastOrderAt      *time.Time
	ShopifyUpdatedAt *time.Time
	RedactedAt       *time.Time
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// Buyer stages (PRODUCT.md): messages and rules can target each.
const (
	StageNone    = "none"
	StageNew     = "new"
	StageTwoTime = "two_time"
	StageRepeat  = "repeat"
	StageLoyal   = "loyal"
)

// StageFor maps a count of kept orders to a buyer stage; topTier promotes to loyal.
func StageFor(orders int, topTier bool) string {
	switch {
	case orders >= 5 || (topTier && orders > 0):
		return StageLoyal
	case orders >= 3:
		return StageRepeat
	case orders == 2:
		return StageTwoTime
	case orders == 1:
		return StageNew
	}
	return StageNone
}

// CustomerFact is a customer as Shopify describes it in a webhook.
type CustomerFact struct {
	CustomerID   int64
	Email        string
	Phone        string
	FirstName    string
	LastName     string
	State        string
	Tags         string
	EmailConsent string
	SMSConsent   string
	// ConsentComplete: the fact is a whole customer record (customers/create, customers/update),
	// where Shopify sends a consent as null when the customer has no address on that channel, so
	// an empty consent clears the stored one. Other shapes (an order's customer) may leave
	// consent out, and an empty one keeps what is stored.
	ConsentComplete bool
	Timezone        string
	UpdatedAt       *time.Time
}

// UpsertCustomer stores a customer fact unless a newer one is already stored (webhooks arrive
// out of order) or the customer was redacted. applied reports whether the row changed.
func UpsertCustomer(ctx context.Context, db *gorm.DB, shopID int64, f CustomerFact) (applied bool, err error) {
	if f.CustomerID == 0 {
		return false, Invalid("customer.id", "missing")
	}
	res := db.WithContext(ctx).Exec(`INSERT INTO customers
		(shop_id, customer_id, email, phone, first_name, last_name, state, tags, email_consent, sms_consent, timezone, shopify_updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (shop_id, customer_id) DO UPDATE SET
			email = EXCLUDED.email, phone = EXCLUDED.phone, first_name = EXCLUDED.first_name,
			last_name = EXCLUDED.last_name, state = EXCLUDED.state, tags = EXCLUDED.tags,
			email_consent = CASE WHEN EXCLUDED.email_consent <> '' OR ? THEN EXCLUDED.email_consent ELSE customers.email_consent END,
			sms_consent = CASE WHEN EXCLUDED.sms_consent <> '' OR ? THEN EXCLUDED.sms_consent ELSE customers.sms_consent END,
			timezone = CASE WHEN EXCLUDED.timezone <> '' THEN EXCLUDED.timezone ELSE customers.timezone END,
			shopify_updated_at = EXCLUDED.shopify_updated_at, updated_at = now()
		WHERE customers.redacted_at IS NULL
		  AND (customers.shopify_updated_at IS NULL OR EXCLUDED.shopify_updated_at IS NULL
		       OR customers.shopify_updated_at <= EXCLUDED.shopify_updated_at)`,
		shopID, f.CustomerID, f.Email, f.Phone, f.FirstName, f.LastName, f.State, f.Tags,
		f.EmailConsent, f.SMSConsent, f.Timezone, f.UpdatedAt, f.ConsentComplete, f.ConsentComplete)
	if res.Error != nil {
		return false, fmt.Errorf("upsert customer %d: %w", f.CustomerID, res.Error)
	}
	return res.RowsAffected == 1, nil
}

// EnsureCustomer makes sure a row exists for a customer id seen only through another fact
// (an order, a review, a subscription) so every part can join on it.
func EnsureCustomer(ctx context.Context, db *gorm.DB, shopID, customerID int64) error {
	if customerID == 0 {
		return nil
	}
	return db.WithContext(ctx).Exec(`INSERT INTO customers (shop_id, customer_id) VALUES (?, ?)
		ON CONFLICT (shop_id, customer_id) DO NOTHING`, shopID, customerID).Error
}

// GetCustomer loads one customer by Shopify id.
func GetCustomer(ctx context.Context, db *gorm.DB, shopID, customerID int64) (*Customer, error) {
	var c Customer
	err := Scoped(ctx, db, shopID).Where("customer_id = ?", customerID).First(&c).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, NotFound("customer")
	}
	if err != nil {
		return nil, fmt.Errorf("get customer %d: %w", customerID, err)
	}
	return &c, nil
}

// SetMarketingConsent changes a channel's consent from Boomerang's side (unsubscribe link, SMS STOP).
func SetMarketingConsent(ctx context.Context, db *gorm.DB, shopID, customerID int64, channel, state string) error {
	col := map[string]string{"email": "email_consent", "sms": "sms_consent"}[channel]
	if col == "" {
		return Invalid("channel", "must be email or sms")
	}
	return Scoped(ctx, db, shopID).Model(&Customer{}).Where("customer_id = ?", customerID).
		Updates(map[string]any{col: state, "updated_at": time.Now()}).Error
}

// RefreshCustomerStats recomputes order count, spend, first/last order dates, the gaps the
// segments read and the buyer stage from the stored orders (keptOrderStats: kept orders are not
// cancelled, not test, not fully refunded; spend is net of refunds). Deriving them from facts
// makes the result the same whatever order webhooks arrived in.
func RefreshCustomerStats(ctx context.Context, tx *gorm.DB, shopID, customerID int64, topTier bool) (stage string, err error) {
	if customerID == 0 {
		return "", nil
	}
	var s struct {
		N         int
		Spent     decimal.Decimal
		FirstAt   *time.Time
		LastAt    *time.Time
		MedianGap *float64
		SecondGap *float64
	}
	q, args := positional(keptOrderStats+` SELECT n, spent, first_at, last_at, median_gap, second_gap FROM stats`,
		map[string]any{"shop": shopID, "customer": customerID, "now": time.Now().UTC()})
	if err = tx.WithContext(ctx).Raw(q, args...).Scan(&s).Error; err != nil {
		return "", fmt.Errorf("customer stats %d: %w", customerID, err)
	}
	stage = StageFor(s.N, topTier)
	err = tx.WithContext(ctx).Exec(`UPDATE customers SET orders_count = ?, total_spent = ?, first_order_at = ?,
		last_order_at = ?, median_gap_days = ?, second_order_days = ?, stage = ?, updated_at = now()
		WHERE shop_id = ? AND customer_id = ?`,
		s.N, s.Spent, s.FirstAt, s.LastAt, s.MedianGap, s.SecondGap, stage, shopID, customerID).Error
	return stage, err
}
