package models

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/shopspring/decimal"
	"gorm.io/gorm"
)

// Plans and billing. A shop pays through Shopify (the Billing API's app subscriptions): free up
// to a monthly order count, paid plans above it. A paid plan's orders beyond its own count are
// charged by the block through the subscription's usage line, up to the plan's usage cap
// (billing_usage.go). Going over what the plan allows never loses data or stops loyalty
// accounting: promotional campaigns pause until the next month or an upgrade, with a banner
// saying so, and transactional messages keep going.

// Plan is one price point.
type Plan struct {
	Key            string          `json:"key"`
	Name           string          `json:"name"`
	Price          decimal.Decimal `json:"price"` // USD every 30 days; 0 for the free plan
	OrdersPerMonth int             `json:"orders_per_month"`
	TrialDays      int             `json:"trial_days"`
	// Above OrdersPerMonth: OveragePrice for each started block of OverageBlock orders, at most
	// UsageCap a month (zero on the free plan, which stops at its count).
	OverageBlock int             `json:"overage_block"`
	OveragePrice decimal.Decimal `json:"overage_price"`
	UsageCap     decimal.Decimal `json:"usage_cap"`
}

// The plans. Free is the default: a shop without an active subscription is on it.
var Plans = []Plan{
	{Key: PlanFree, Name: "Free", Price: decimal.Zero, OrdersPerMonth: 200},
	{Key: "growth", Name: "Growth", Price: decimal.NewFromInt(29), OrdersPerMonth: 2_000, TrialDays: 14,
		OverageBlock: 1_000, OveragePrice: decimal.NewFromInt(10), UsageCap: decimal.NewFromInt(50)},
	{Key: "scale", Name: "Scale", Price: decimal.NewFromInt(99), OrdersPerMonth: 10_000, TrialDays: 14,
		OverageBlock: 1_000, OveragePrice: decimal.NewFromInt(8), UsageCap: decimal.NewFromInt(200)},
}

// OrdersAllowed is how many orders a month the plan takes before campaigns pause: its own, plus
// the blocks its usage cap pays for.
func (p Plan) OrdersAllowed() int {
	return p.OrdersPerMonth + p.usageBlocks()*p.OverageBlock
}

// usageBlocks is how many blocks of orders the usage cap pays for in a month.
func (p Plan) usageBlocks() int {
	if !p.OveragePrice.IsPositive() || p.OverageBlock <= 0 {
		return 0
	}
	return int(p.UsageCap.Div(p.OveragePrice).IntPart())
}

// PlanFree is the plan without a subscription.
const PlanFree = "free"

// PlanNamed returns the plan with key.
func PlanNamed(key string) (Plan, bool) {
	i := slices.IndexFunc(Plans, func(p Plan) bool { return p.Key == key })
	if i < 0 {
		return Plan{}, false
	}
	return Plans[i], true
}

// App subscription statuses (AppSubscriptionStatus).
const (
	AppSubscriptionPending = "PENDING"
	AppSubscriptionActive  = "ACTIVE"
)

// AppSubscription is one subscription Boomerang asked Shopify for.
type AppSubscription struct {
	ShopID         int64     `json:"-"`
	SubscriptionID string    `json:"id" gorm:"primaryKey"`
	Plan           string    `json:"plan"`
	Status         string    `json:"status"`
	Test           bool      `json:"test"`
	StatusAt       time.Time `json:"status_at"`
	CreatedAt      time.Time `json:"created_at"`
}

// Billing is a shop's plan and its use this month.
type Billing struct {
	Plan            Plan             `json:"plan"`
	Subscription    *AppSubscription `json:"subscription"` // the active one; nil on the free plan
	Pending         *AppSubscription `json:"pending"`      // asked for and not yet approved or declined
	OrdersThisMonth int              `json:"orders_this_month"`
	OrdersAllowed   int              `json:"orders_allowed"` // the plan's orders and those its usage cap pays for
	UsageCharged    decimal.Decimal  `json:"usage_charged"`  // charged above the plan this month
	OverLimit       bool             `json:"over_limit"`     // promotional campaigns pause
	MonthStarts     time.Time        `json:"month_starts"`
}

// BillingOf reads a shop's plan and counts its orders since the start of the month in the shop's
// time zone.
func BillingOf(ctx context.Context, db *gorm.DB, shopID int64, now time.Time) (Billing, error) {
	b, err := planInForce(ctx, db, shopID)
	if err != nil {
		return b, err
	}
	sh, err := GetShop(ctx, db, shopID)
	if err != nil {
		return Billing{}, err
	}
	return b.withUsage(ctx, db, sh, now)
}

// withUsage fills the month's usage into the plan in force: orders counted since the month
// began in the shop's time zone, and the usage charged for them.
func (b Billing) withUsage(ctx context.Context, db *gorm.DB, sh *Shop, now time.Time) (Billing, error) {
	shopID := sh.ID
	loc := Location(sh.Timezone)
	local := now.In(loc)
	b.MonthStarts = time.Date(local.Year(), local.Month(), 1, 0, 0, 0, 0, loc)
	var n int64
	if err := db.WithContext(ctx).Raw(`SELECT count(*) FROM orders WHERE shop_id = ? AND NOT test
		AND COALESCE(processed_at, shopify_created_at, created_at) >= ?`, shopID, b.MonthStarts).Find(&n).Error; err != nil {
		return Billing{}, fmt.Errorf("orders this month of shop %d: %w", shopID, err)
	}
	b.OrdersThisMonth = int(n)
	b.OrdersAllowed = b.Plan.OrdersAllowed()
	b.OverLimit = b.OrdersThisMonth > b.OrdersAllowed
	if b.Subscription != nil {
		if err := db.WithContext(ctx).Raw(`SELECT COALESCE(sum(price), 0) FROM app_usage_charges
			WHERE shop_id = ? AND subscription_id = ? AND month = ?`, shopID, b.Subscription.SubscriptionID, b.MonthStarts.Format(time.DateOnly)).
			Scan(&b.UsageCharged).Error; err != nil {
			return Billing{}, fmt.Errorf("usage charged to shop %d: %w", shopID, err)
		}
	}
	return b, nil
}

// planInForce reads the shop's active and pending subscriptions and the plan in force (the
// latest active one's, else the free plan); it fills no usage.
func planInForce(ctx context.Context, db *gorm.DB, shopID int64) (Billing, error) {
	var subs []AppSubscription
	if err := Scoped(ctx, db, shopID).Where("status IN ?", []string{AppSubscriptionActive, AppSubscriptionPending}).
		Order("status_at DESC").Find(&subs).Error; err != nil {
		return Billing{}, fmt.Errorf("app subscriptions of shop %d: %w", shopID, err)
	}
	b := Billing{}
	b.Plan, _ = PlanNamed(PlanFree)
	for i := range subs {
		s := &subs[i]
		switch {
		case s.Status == AppSubscriptionActive && b.Subscription == nil:
			if p, ok := PlanNamed(s.Plan); ok {
				b.Plan, b.Subscription = p, s
			}
		case s.Status == AppSubscriptionPending && b.Pending == nil:
			b.Pending = s
		}
	}
	return b, nil
}

// CheckPromotionsAllowed returns a conflict naming the plan and its limit when the shop is over
// it: promotional campaigns wait for an upgrade or the next month.
func CheckPromotionsAllowed(ctx context.Context, db *gorm.DB, shopID int64, now time.Time) error {
	b, err := BillingOf(ctx, db, shopID, now)
	if err != nil || !b.OverLimit {
		return err
	}
	return Conflict("this month's %d orders are over the %d the %s plan allows: campaigns are paused until you upgrade or the month ends; transactional messages keep going",
		b.OrdersThisMonth, b.OrdersAllowed, b.Plan.Name)
}

// RecordAppSubscription stores a subscription just created in Shopify (PENDING until the
// merchant approves it). Recording it again changes nothing.
func RecordAppSubscription(ctx context.Context, db *gorm.DB, shopID int64, id, plan string, test bool, at time.Time) error {
	return db.WithContext(ctx).Exec(`INSERT INTO app_subscriptions (shop_id, subscription_id, plan, status, test, status_at)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (shop_id, subscription_id) DO NOTHING`, shopID, id, plan, AppSubscriptionPending, test, statusTime(at)).Error
}

// SetAppSubscriptionStatus applies a status Shopify reports as of `at`; a report older than the
// status held changes nothing (applied false), and so does one for a subscription Boomerang did
// not ask for.
func SetAppSubscriptionStatus(ctx context.Context, db *gorm.DB, shopID int64, id, status string, at time.Time) (applied bool, err error) {
	res := db.WithContext(ctx).Exec(`UPDATE app_subscriptions SET status = ?, status_at = ?
		WHERE shop_id = ? AND subscription_id = ? AND status_at <= ?`, status, statusTime(at), shopID, id, statusTime(at))
	return res.RowsAffected == 1, res.Error
}

// statusTime is a status's time to the second, as Shopify's webhooks give it: a report in the
// same second as the status held is not older than it.
func statusTime(at time.Time) time.Time { return at.UTC().Truncate(time.Second) }

// AppBilling is the Billing API (shopify.Admin).
type AppBilling interface {
	CreateAppSubscription(ctx context.Context, shop string, p Plan, returnURL string, test bool) (id, confirmationURL string, err error)
	CancelAppSubscription(ctx context.Context, shop, id string) (status string, err error)
	AppSubscriptionStatus(ctx context.Context, shop, id string) (status string, err error)
}

// ChoosePlan starts the change to plan: a paid plan is a new subscription the merchant approves
// at confirmationURL (Shopify replaces the current one when they do); the free plan cancels the
// active subscription at once.
func ChoosePlan(ctx context.Context, db *gorm.DB, billing AppBilling, shopID int64, key, returnURL string, test bool, now time.Time) (confirmationURL string, err error) {
	p, ok := PlanNamed(key)
	if !ok {
		return "", Invalid("plan", "unknown plan %q", key)
	}
	sh, err := GetShop(ctx, db, shopID)
	if err != nil {
		return "", err
	}
	b, err := planInForce(ctx, db, shopID)
	if err != nil {
		return "", err
	}
	if b.Plan.Key == p.Key {
		return "", Invalid("plan", "the shop is on the %s plan already", p.Name)
	}
	if p.Key == PlanFree {
		status, err := billing.CancelAppSubscription(ctx, sh.Domain, b.Subscription.SubscriptionID)
		if err != nil {
			return "", err
		}
		_, err = SetAppSubscriptionStatus(ctx, db, shopID, b.Subscription.SubscriptionID, status, now)
		return "", err
	}
	id, url, err := billing.CreateAppSubscription(ctx, sh.Domain, p, returnURL, test)
	if err != nil {
		return "", err
	}
	return url, RecordAppSubscription(ctx, db, shopID, id, p.Key, test, now)
}

// SyncAppSubscriptions asks Shopify about a pending subscription and keeps what it says (the
// merchant approved or declined it and is back before the webhook), so the admin shows the
// plan in force at once.
func SyncAppSubscriptions(ctx context.Context, db *gorm.DB, billing AppBilling, shopID int64, now time.Time) error {
	b, err := planInForce(ctx, db, shopID)
	if err != nil || b.Pending == nil {
		return err
	}
	sh, err := GetShop(ctx, db, shopID)
	if err != nil {
		return err
	}
	status, err := billing.AppSubscriptionStatus(ctx, sh.Domain, b.Pending.SubscriptionID)
	if err != nil || status == "" || status == AppSubscriptionPending {
		return err
	}
	_, err = SetAppSubscriptionStatus(ctx, db, shopID, b.Pending.SubscriptionID, status, now)
	return err
}
