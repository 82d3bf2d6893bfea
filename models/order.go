package models

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"gorm.io/gorm"
)

// Order is an order fact as last reported by Shopify.
type Order struct {
	ID               int64
	ShopID           int64
	OrderID          int64
	CustomerID       *int64
	Name             string
	Email            string
	Currency         string
	Subtotal         decimal.Decimal // after discounts, before shipping and tax: what points are earned on
	Total            decimal.Decimal
	FinancialStatus  string
	Test             bool
	DiscountCodes    string // comma-separated, as entered at checkout
	LandingSite      string
	CancelReason     string
	CancelledAt      *time.Time
	PaidAt           *time.Time
	ProcessedAt      *time.Time
	ShopifyCreatedAt *time.Time
	ShopifyUpdatedAt *time.Time
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// OrderLine is one line item of an order.
type OrderLine struct {
	ShopID     int64
	OrderID    int64
	LineItemID int64
	ProductID  *int64
	VariantID  *int64
	// SellingPlanID is the selling plan the line was bought on (a subscription); nil for a
	// one-time purchase.
	SellingPlanID *int64
	Title         string
	Quantity      int
	Price         decimal.Decimal
}

// OrderFact is an order as a webhook (or a backfill) describes it.
type OrderFact struct {
	OrderID         int64
	CustomerID      int64
	Name            string
	Email           string
	Currency        string
	Subtotal        decimal.Decimal
	Total           decimal.Decimal
	FinancialStatus string
	Test            bool
	DiscountCodes   []string
	LandingSite     string
	CancelReason    string
	CancelledAt     *time.Time
	Paid            bool // the fact says the order is paid (orders/paid, or financial_status paid)
	ProcessedAt     *time.Time
	CreatedAt       *time.Time
	UpdatedAt       *time.Time
	Lines           []OrderLine
}

// UpsertOrder stores an order fact unless a newer version is stored. Paid and cancelled are
// sticky: once an order was seen paid, an older delivery cannot make it unpaid again.
func UpsertOrder(ctx context.Context, db *gorm.DB, shopID int64, f OrderFact) (applied bool, err error) {
	if f.OrderID == 0 {
		return false, Invalid("order.id", "missing")
	}
	err = db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := EnsureCustomer(ctx, tx, shopID, f.CustomerID); err != nil {
			return err
		}
		stored, err := UpsertOrders(ctx, Tx{tx}, shopID, []OrderFact{f})
		applied = len(stored) == 1
		return err
	})
	if err != nil {
		return false, fmt.Errorf("upsert order %d: %w", f.OrderID, err)
	}
	return applied, nil
}

// UpsertOrders is UpsertOrder for a batch, in the caller's transaction and with the customers
// already stored: one statement for the orders and two for the lines of those that changed. It
// returns the orders as stored now, for those the facts changed. Facts must name distinct orders.
func UpsertOrders(ctx context.Context, t Tx, shopID int64, facts []OrderFact) ([]Order, error) {
	tx := t.Gorm().WithContext(ctx)
	if len(facts) == 0 {
		return nil, nil
	}
	rows := make([]string, len(facts))
	args := make([]any, 0, 18*len(facts))
	ids := make([]int64, len(facts))
	for i, f := range facts {
		if f.OrderID == 0 {
			return nil, Invalid("order.id", "missing")
		}
		ids[i] = f.OrderID
		var paidAt *time.Time
		if f.Paid {
			t := time.Now().UTC()
			if f.ProcessedAt != nil {
				t = *f.ProcessedAt
			}
			paidAt = &t
		}
		var cust *int64
		if f.CustomerID != 0 {
			cust = &f.CustomerID
		}
		rows[i] = "(?, ?, ?, ?, ?, ?, ?::numeric, ?::numeric, ?, ?::boolean, ?, ?, ?, ?::timestamptz, ?::timestamptz, ?::timestamptz, ?::timestamptz, ?::timestamptz)"
		args = append(args, shopID, f.OrderID, cust, f.Name, f.Email, f.Currency, f.Subtotal, f.Total, f.FinancialStatus,
			f.Test, strings.Join(f.DiscountCodes, ","), f.LandingSite, f.CancelReason, f.CancelledAt, paidAt, f.ProcessedAt,
			f.CreatedAt, f.UpdatedAt)
	}
	if err := lockOrders(ctx, tx, shopID, ids); err != nil {
		return nil, err
	}
	var stored []Order
	err := tx.Raw(`INSERT INTO orders (shop_id, order_id, customer_id, name, email, currency, subtotal, total,
			financial_status, test, discount_codes, landing_site, cancel_reason, cancelled_at, paid_at, processed_at,
			shopify_created_at, shopify_updated_at)
		VALUES `+strings.Join(rows, ", ")+`
		ON CONFLICT (shop_id, order_id) DO UPDATE SET
			customer_id = COALESCE(EXCLUDED.customer_id, orders.customer_id), name = EXCLUDED.name,
			email = EXCLUDED.email, currency = EXCLUDED.currency, subtotal = EXCLUDED.subtotal, total = EXCLUDED.total,
			financial_status = EXCLUDED.financial_status, test = EXCLUDED.test, discount_codes = EXCLUDED.discount_codes,
			landing_site = EXCLUDED.landing_site, cancel_reason = EXCLUDED.cancel_reason,
			cancelled_at = COALESCE(orders.cancelled_at, EXCLUDED.cancelled_at),
			paid_at = COALESCE(orders.paid_at, EXCLUDED.paid_at),
			processed_at = EXCLUDED.processed_at, shopify_created_at = EXCLUDED.shopify_created_at,
			shopify_updated_at = EXCLUDED.shopify_updated_at, updated_at = now()
		WHERE orders.shopify_updated_at IS NULL OR EXCLUDED.shopify_updated_at IS NULL
		   OR orders.shopify_updated_at <= EXCLUDED.shopify_updated_at
		   OR (orders.paid_at IS NULL AND EXCLUDED.paid_at IS NOT NULL)
		   OR (orders.cancelled_at IS NULL AND EXCLUDED.cancelled_at IS NOT NULL)
		RETURNING *`, args...).Find(&stored).Error
	if err != nil {
		return nil, err
	}
	changed := make(map[int64]bool, len(stored))
	for _, o := range stored {
		changed[o.OrderID] = true
	}
	var relined []int64
	var lines []OrderLine
	for _, f := range facts {
		if !changed[f.OrderID] || len(f.Lines) == 0 {
			continue
		}
		relined = append(relined, f.OrderID)
		for _, l := range f.Lines {
			l.ShopID, l.OrderID = shopID, f.OrderID
			lines = append(lines, l)
		}
	}
	if len(relined) == 0 {
		return stored, nil
	}
	if err := tx.Exec(`DELETE FROM order_lines WHERE shop_id = ? AND order_id IN ?`, shopID, relined).Error; err != nil {
		return nil, err
	}
	return stored, tx.Create(&lines).Error
}

// GetOrder loads one order by Shopify id.
func GetOrder(ctx context.Context, db *gorm.DB, shopID, orderID int64) (*Order, error) {
	return FindOne[Order](ctx, db, shopID, "order", "order_id", orderID)
}

// OrderLines loads an order's lines.
func OrderLines(ctx context.Context, db *gorm.DB, shopID, orderID int64) ([]OrderLine, error) {
	var lines []OrderLine
	err := Scoped(ctx, db, shopID).Where("order_id = ?", orderID).Order("line_item_id").Find(&lines).Error
	return lines, err
}

// Refund is a refund fact.
type Refund struct {
	ID               int64
	ShopID           int64
	RefundID         int64
	OrderID          int64
	Subtotal         decimal.Decimal
	Note             string
	ShopifyCreatedAt *time.Time
	CreatedAt        time.Time
}

// RecordRefund stores a refund once; fresh is false for a repeated delivery.
func RecordRefund(ctx context.Context, db *gorm.DB, shopID int64, r Refund) (fresh bool, err error) {
	if r.RefundID == 0 || r.OrderID == 0 {
		return false, Invalid("refund.id", "refund and order ids are required")
	}
	err = underOrderLock(ctx, db, shopID, r.OrderID, func(tx *gorm.DB) error {
		res := tx.Exec(`INSERT INTO refunds (shop_id, refund_id, order_id, subtotal, note, shopify_created_at)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (shop_id, refund_id) DO NOTHING`,
			shopID, r.RefundID, r.OrderID, r.Subtotal, r.Note, r.ShopifyCreatedAt)
		fresh = res.RowsAffected == 1
		return res.Error
	})
	if err != nil {
		return false, fmt.Errorf("record refund %d: %w", r.RefundID, err)
	}
	return fresh, nil
}

// RefundsForOrder lists an order's refunds, oldest first.
func RefundsForOrder(ctx context.Context, db *gorm.DB, shopID, orderID int64) ([]Refund, error) {
	var rs []Refund
	err := Scoped(ctx, db, shopID).Where("order_id = ?", orderID).Order("id").Find(&rs).Error
	return rs, err
}

// Fulfillment is a fulfillment fact; review requests are scheduled from it.
type Fulfillment struct {
	ID               int64
	ShopID           int64
	FulfillmentID    int64
	OrderID          int64
	Status           string
	ShipmentStatus   string
	DeliveredAt      *time.Time
	ShopifyCreatedAt *time.Time
	ShopifyUpdatedAt *time.Time
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// UpsertFulfillment stores a fulfillment unless a newer version is stored.
func UpsertFulfillment(ctx context.Context, db *gorm.DB, shopID int64, f Fulfillment) (applied bool, err error) {
	var res *gorm.DB
	err = underOrderLock(ctx, db, shopID, f.OrderID, func(tx *gorm.DB) error {
		res = tx.Exec(`INSERT INTO fulfillments (shop_id, fulfillment_id, order_id, status, shipment_status,
			delivered_at, shopify_created_at, shopify_updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (shop_id, fulfillment_id) DO UPDATE SET status = EXCLUDED.status,
			shipment_status = EXCLUDED.shipment_status,
			delivered_at = COALESCE(fulfillments.delivered_at, EXCLUDED.delivered_at),
			shopify_updated_at = EXCLUDED.shopify_updated_at, updated_at = now()
		WHERE fulfillments.shopify_updated_at IS NULL OR EXCLUDED.shopify_updated_at IS NULL
		   OR fulfillments.shopify_updated_at <= EXCLUDED.shopify_updated_at`,
			shopID, f.FulfillmentID, f.OrderID, f.Status, f.ShipmentStatus, f.DeliveredAt, f.ShopifyCreatedAt, f.ShopifyUpdatedAt)
		return res.Error
	})
	if err != nil {
		return false, fmt.Errorf("upsert fulfillment %d: %w", f.FulfillmentID, err)
	}
	return res.RowsAffected == 1, nil
}
