package models

import (
	"context"
	"fmt"
	"strings"

	"github.com/shopspring/decimal"
	"gorm.io/gorm"
)

// The shop's past, imported at install (issue 11). History is facts, not events: it lands in the
// same tables the webhooks fill, and nothing here emits an event, credits points, opens a case
// or schedules a message. An order a live webhook already stored is left as that webhook left it
// (the live copy is at least as new), so an order seen by both is one order, and storing the same
// batch again changes nothing.

// HistoryOrder is one past order with its customer (nil for a guest checkout).
type HistoryOrder struct {
	Order    OrderFact
	Customer *CustomerFact
	// Refunded is the merchandise refunded before the import. It is stored as one refund with
	// refund_id = -order_id, an id no Shopify refund has.
	Refunded decimal.Decimal
}

// HistoryCounts is what a batch added.
type HistoryCounts struct {
	Customers, Orders, Lines, Refunds int64
}

// historyBatchMax bounds a batch: 17 parameters an order stay far below Postgres's 65,535.
const historyBatchMax = 1000

// StoreHistory stores a batch of past orders in one transaction with one multi-row statement
// per table.
func StoreHistory(ctx context.Context, db *gorm.DB, shopID int64, batch []HistoryOrder) (HistoryCounts, error) {
	var n HistoryCounts
	if len(batch) == 0 {
		return n, nil
	}
	if len(batch) > historyBatchMax {
		return n, fmt.Errorf("history batch of %d orders: at most %d", len(batch), historyBatchMax)
	}
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		if n.Customers, err = storeHistoryCustomers(tx, shopID, batch); err != nil {
			return err
		}
		if n.Orders, err = storeHistoryOrders(tx, shopID, batch); err != nil {
			return err
		}
		if n.Lines, err = storeHistoryLines(tx, shopID, batch); err != nil {
			return err
		}
		n.Refunds, err = storeHistoryRefunds(tx, shopID, batch)
		return err
	})
	if err != nil {
		return HistoryCounts{}, fmt.Errorf("store history of shop %d: %w", shopID, err)
	}
	return n, nil
}

// values returns "(?::t1, ?::t2, …), …" for rows of the given column types. The casts are
// needed: Postgres types the parameters of a multi-row VALUES as text otherwise.
func values(rows int, types ...string) string {
	cols := make([]string, len(types))
	for i, t := range types {
		cols[i] = "?::" + t
	}
	one := "(" + strings.Join(cols, ", ") + ")"
	return strings.TrimSuffix(strings.Repeat(one+", ", rows), ", ")
}

// storeHistoryCustomers adds the customers not known yet and fills what a known one lacks (an
// order webhook may have created the row with its id alone); what a live webhook said stays.
func storeHistoryCustomers(tx *gorm.DB, shopID int64, batch []HistoryOrder) (int64, error) {
	seen := map[int64]bool{}
	var args []any
	rows := 0
	for _, h := range batch {
		c := h.Customer
		if c == nil || c.CustomerID == 0 || seen[c.CustomerID] {
			continue
		}
		seen[c.CustomerID] = true
		args = append(args, shopID, c.CustomerID, c.Email, c.Phone, c.FirstName, c.LastName, c.EmailConsent, c.SMSConsent, c.UpdatedAt)
		rows++
	}
	if rows == 0 {
		return 0, nil
	}
	res := tx.Exec(`INSERT INTO customers (shop_id, customer_id, email, phone, first_name, last_name, email_consent,
			sms_consent, shopify_updated_at)
		VALUES `+values(rows, "bigint", "bigint", "text", "text", "text", "text", "text", "text", "timestamptz")+`
		ON CONFLICT (shop_id, customer_id) DO UPDATE SET
			email = CASE WHEN customers.email = '' THEN EXCLUDED.email ELSE customers.email END,
			phone = CASE WHEN customers.phone = '' THEN EXCLUDED.phone ELSE customers.phone END,
			first_name = CASE WHEN customers.first_name = '' THEN EXCLUDED.first_name ELSE customers.first_name END,
			last_name = CASE WHEN customers.last_name = '' THEN EXCLUDED.last_name ELSE customers.last_name END,
			email_consent = CASE WHEN customers.email_consent = '' THEN EXCLUDED.email_consent ELSE customers.email_consent END,
			sms_consent = CASE WHEN customers.sms_consent = '' THEN EXCLUDED.sms_consent ELSE customers.sms_consent END,
			shopify_updated_at = COALESCE(customers.shopify_updated_at, EXCLUDED.shopify_updated_at)
		WHERE customers.shop_id = EXCLUDED.shop_id AND customers.redacted_at IS NULL
		  AND (customers.email = '' OR customers.first_name = '' OR customers.email_consent = '')`, args...)
	return res.RowsAffected, res.Error
}

func storeHistoryOrders(tx *gorm.DB, shopID int64, batch []HistoryOrder) (int64, error) {
	args := make([]any, 0, 17*len(batch))
	for _, h := range batch {
		f := h.Order
		var cust *int64
		if f.CustomerID != 0 {
			cust = &f.CustomerID
		}
		paidAt := f.ProcessedAt
		if !f.Paid {
			paidAt = nil
		} else if paidAt == nil {
			paidAt = f.CreatedAt
		}
		args = append(args, shopID, f.OrderID, cust, f.Name, f.Email, f.Currency, f.Subtotal, f.Total, f.FinancialStatus,
			f.Test, strings.Join(f.DiscountCodes, ","), f.LandingSite, f.CancelledAt, paidAt, f.ProcessedAt, f.CreatedAt, f.UpdatedAt)
	}
	res := tx.Exec(`INSERT INTO orders (shop_id, order_id, customer_id, name, email, currency, subtotal, total,
			financial_status, test, discount_codes, landing_site, cancelled_at, paid_at, processed_at,
			shopify_created_at, shopify_updated_at)
		VALUES `+values(len(batch), "bigint", "bigint", "bigint", "text", "text", "text", "numeric", "numeric", "text",
		"boolean", "text", "text", "timestamptz", "timestamptz", "timestamptz", "timestamptz", "timestamptz")+`
		ON CONFLICT (shop_id, order_id) DO NOTHING`, args...)
	return res.RowsAffected, res.Error
}

// storeHistoryLines adds the lines of the orders this import stored: an order a live webhook
// stored keeps the lines that webhook gave it.
func storeHistoryLines(tx *gorm.DB, shopID int64, batch []HistoryOrder) (int64, error) {
	var args []any
	rows := 0
	for _, h := range batch {
		for _, l := range h.Order.Lines {
			args = append(args, shopID, h.Order.OrderID, l.LineItemID, l.ProductID, l.VariantID, l.Title, l.Quantity, l.Price)
			rows++
		}
	}
	if rows == 0 {
		return 0, nil
	}
	res := tx.Exec(`INSERT INTO order_lines (shop_id, order_id, line_item_id, product_id, variant_id, title, quantity, price)
		SELECT v.* FROM (VALUES `+values(rows, "bigint", "bigint", "bigint", "bigint", "bigint", "text", "int", "numeric")+`)
			AS v(shop_id, order_id, line_item_id, product_id, variant_id, title, quantity, price)
		WHERE NOT EXISTS (SELECT 1 FROM order_lines l WHERE l.shop_id = v.shop_id AND l.order_id = v.order_id
		                    AND l.line_item_id <> v.line_item_id)
		ON CONFLICT (shop_id, order_id, line_item_id) DO NOTHING`, args...)
	return res.RowsAffected, res.Error
}

func storeHistoryRefunds(tx *gorm.DB, shopID int64, batch []HistoryOrder) (int64, error) {
	var args []any
	rows := 0
	for _, h := range batch {
		if !h.Refunded.IsPositive() {
			continue
		}
		args = append(args, shopID, -h.Order.OrderID, h.Order.OrderID, h.Refunded)
		rows++
	}
	if rows == 0 {
		return 0, nil
	}
	res := tx.Exec(`INSERT INTO refunds (shop_id, refund_id, order_id, subtotal, note)
		SELECT v.shop_id, v.refund_id, v.order_id, v.subtotal, 'refunded before install'
		FROM (VALUES `+values(rows, "bigint", "bigint", "bigint", "numeric")+`) AS v(shop_id, refund_id, order_id, subtotal)
		ON CONFLICT (shop_id, refund_id) DO NOTHING`, args...)
	return res.RowsAffected, res.Error
}
