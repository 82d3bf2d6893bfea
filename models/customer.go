package models

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
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
	Locale           string // the shopper's locale as Shopify knows it (fr, pt-BR); messages fall back to the shop's
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
	Locale          string
	UpdatedAt       *time.Time
}

// UpsertCustomer stores a customer fact unless a newer one is already stored (webhooks arrive
// out of order) or the customer was redacted. applied reports whether the row changed.
func UpsertCustomer(ctx context.Context, db *gorm.DB, shopID int64, f CustomerFact) (applied bool, err error) {
	n, err := UpsertCustomers(ctx, db, shopID, []CustomerFact{f})
	return n == 1, err
}

// UpsertCustomers is UpsertCustomer for many facts (a batch of orders): one statement for each
// shape of fact (ConsentComplete or not). Facts must name distinct customers; it returns how
// many rows changed.
func UpsertCustomers(ctx context.Context, db *gorm.DB, shopID int64, facts []CustomerFact) (int64, error) {
	var n int64
	for _, complete := range []bool{false, true} {
		var rows []string
		var args []any
		for _, f := range facts {
			if f.CustomerID == 0 {
				return n, Invalid("customer.id", "missing")
			}
			if f.ConsentComplete == complete {
				rows = append(rows, "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
				args = append(args, shopID, f.CustomerID, f.Email, f.Phone, f.FirstName, f.LastName, f.State, f.Tags,
					f.EmailConsent, f.SMSConsent, f.Timezone, f.Locale, f.UpdatedAt)
			}
		}
		if len(rows) == 0 {
			continue
		}
		res := db.WithContext(ctx).Exec(`INSERT INTO customers
			(shop_id, customer_id, email, phone, first_name, last_name, state, tags, email_consent, sms_consent, timezone, locale, shopify_updated_at)
			VALUES `+strings.Join(rows, ", ")+`
			ON CONFLICT (shop_id, customer_id) DO UPDATE SET
				email = EXCLUDED.email, phone = EXCLUDED.phone, first_name = EXCLUDED.first_name,
				last_name = EXCLUDED.last_name, state = EXCLUDED.state, tags = EXCLUDED.tags,
				email_consent = CASE WHEN EXCLUDED.email_consent <> '' OR ? THEN EXCLUDED.email_consent ELSE customers.email_consent END,
				sms_consent = CASE WHEN EXCLUDED.sms_consent <> '' OR ? THEN EXCLUDED.sms_consent ELSE customers.sms_consent END,
				timezone = CASE WHEN EXCLUDED.timezone <> '' THEN EXCLUDED.timezone ELSE customers.timezone END,
				locale = CASE WHEN EXCLUDED.locale <> '' THEN EXCLUDED.locale ELSE customers.locale END,
				shopify_updated_at = EXCLUDED.shopify_updated_at, updated_at = now()
			WHERE customers.redacted_at IS NULL
			  AND (customers.shopify_updated_at IS NULL OR EXCLUDED.shopify_updated_at IS NULL
			       OR customers.shopify_updated_at <= EXCLUDED.shopify_updated_at)`, append(args, complete, complete)...)
		if res.Error != nil {
			return n, fmt.Errorf("upsert %d customers: %w", len(rows), res.Error)
		}
		n += res.RowsAffected
	}
	return n, nil
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
func RefreshCustomerStats(ctx context.Context, tx *gorm.DB, shopID, customerID int64, topTier bool) (OrderStats, error) {
	if customerID == 0 {
		return OrderStats{}, nil
	}
	st, err := RefreshCustomersStats(ctx, tx, shopID, []StatsRefresh{{CustomerID: customerID, TopTier: topTier}}, nil)
	return st[customerID], err
}

// StatsRefresh names a customer whose stats are due, and whether they hold the top tier.
type StatsRefresh struct {
	CustomerID int64
	TopTier    bool
}

// RefreshCustomersStats is RefreshCustomerStats for several customers in one statement (a
// drained batch's). Each customer's OrderStats also lists which of `orders` are among their
// kept orders, so the batch can tell the count each of its orders brought in turn.
func RefreshCustomersStats(ctx context.Context, tx *gorm.DB, shopID int64, due []StatsRefresh, orders []int64) (map[int64]OrderStats, error) {
	out := make(map[int64]OrderStats, len(due))
	if len(due) == 0 {
		return out, nil
	}
	ids, tops := make(Int64Array, len(due)), make([]string, len(due))
	for i, d := range due {
		ids[i], tops[i] = d.CustomerID, strconv.FormatBool(d.TopTier)
	}
	named := map[string]any{"shop": shopID, "customers": ids, "tops": "{" + strings.Join(tops, ",") + "}",
		"orders": Int64Array(orders), "now": time.Now().UTC()}
	for n := 0; n <= stageCounts; n++ {
		named[stageParam(n, false)], named[stageParam(n, true)] = StageFor(n, false), StageFor(n, true)
	}
	// One statement: the stats, and the stage that follows from them (stageCase).
	q, args := Positional(keptOrderStats+`, batch AS (
			SELECT customer_id, array_agg(order_id ORDER BY order_id) AS kept FROM kept
			WHERE order_id = ANY (@orders::bigint[]) GROUP BY customer_id)
		UPDATE customers c SET orders_count = COALESCE(s.n, 0), total_spent = COALESCE(s.spent, 0),
			first_order_at = s.first_at, last_order_at = s.last_at, median_gap_days = s.median_gap,
			second_order_days = s.second_gap, updated_at = now(),
			stage = CASE WHEN t.top THEN `+stageCase(true)+` ELSE `+stageCase(false)+` END
		FROM unnest(@customers::bigint[], @tops::bool[]) AS t (customer_id, top)
			LEFT JOIN stats s ON s.customer_id = t.customer_id
			LEFT JOIN batch b ON b.customer_id = t.customer_id
		WHERE c.shop_id = @shop::bigint AND c.customer_id = t.customer_id
		RETURNING c.customer_id, c.stage, c.orders_count AS orders, b.kept`, named)
	var rows []struct {
		CustomerID int64
		Stage      string
		Orders     int
		Kept       Int64Array
	}
	if err := tx.WithContext(ctx).Raw(q, args...).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("stats of %d customers: %w", len(due), err)
	}
	for _, r := range rows {
		out[r.CustomerID] = OrderStats{Orders: r.Orders, Stage: r.Stage, Kept: r.Kept}
	}
	return out, nil
}

// OrderStats is what RefreshCustomerStats leaves on the customer: kept orders and buyer stage.
type OrderStats struct {
	Orders int
	Stage  string
	Kept   []int64 // of the orders RefreshCustomersStats was asked about, those that count
}

// stageCounts is the order count from which StageFor no longer changes with the count.
const stageCounts = 5

// stageCase is the stage StageFor gives each kept-order count, as SQL over the parameters
// RefreshCustomersStats fills from StageFor itself, so the rule keeps its one definition.
func stageCase(top bool) string {
	c := "CASE LEAST(COALESCE(s.n, 0), " + strconv.Itoa(stageCounts) + ")"
	for n := 0; n <= stageCounts; n++ {
		c += fmt.Sprintf(" WHEN %d THEN @%s::text", n, stageParam(n, top))
	}
	return c + " END"
}

// stageParam names the parameter of count n (@name parameters are letters and underscores).
func stageParam(n int, top bool) string {
	if top {
		return "stage_top_" + string(rune('a'+n))
	}
	return "stage_" + string(rune('a'+n))
}
