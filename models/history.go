package models

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgtype"
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

// historyBatchMax bounds a batch (and so a transaction's size and the arrays sent with it).
const historyBatchMax = 2000

// StoreHistory stores a batch of past orders in one transaction with one statement per table.
// Each statement takes the batch as one array per column and unnests it: its text is the same
// whatever the batch's size, so Postgres plans it once and the raw-SQL guard checks it once,
// and the driver sends the values in binary, at close to COPY's speed.
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
		// The import can lose its last transactions in a crash without harm: the position
		// commits with the batch, so it resumes from the last batch that is really stored.
		if err := tx.Exec(`SET LOCAL synchronous_commit = off`).Error; err != nil {
			return err
		}
		if n.Customers, err = storeHistoryCustomers(tx, shopID, batch); err != nil {
			return err
		}
		added, err := storeHistoryOrders(tx, shopID, batch)
		if err != nil {
			return err
		}
		n.Orders = int64(len(added))
		if n.Lines, err = storeHistoryLines(tx, shopID, batch, added); err != nil {
			return err
		}
		n.Refunds, err = storeHistoryRefunds(tx, shopID, batch, added)
		return err
	})
	if err != nil {
		return HistoryCounts{}, fmt.Errorf("store history of shop %d: %w", shopID, err)
	}
	return n, nil
}

// Array passes a slice as one Postgres array parameter (GORM would spell a plain slice out as
// a list of parameters).
func Array[T any](s []T) pgtype.Array[T] {
	return pgtype.Array[T]{Elements: s, Dims: []pgtype.ArrayDimension{{Length: int32(len(s)), LowerBound: 1}}, Valid: true}
}

// storeHistoryCustomers adds the customers not known yet and fills what a known one lacks (an
// order webhook may have created the row with its id alone); what a live webhook said stays.
func storeHistoryCustomers(tx *gorm.DB, shopID int64, batch []HistoryOrder) (int64, error) {
	// In id order: two batches stored at once then lock the customers they share in the same
	// order, and cannot deadlock.
	byID := map[int64]*CustomerFact{}
	for _, h := range batch {
		if c := h.Customer; c != nil && c.CustomerID != 0 && byID[c.CustomerID] == nil {
			byID[c.CustomerID] = c
		}
	}
	keys := slices.Sorted(maps.Keys(byID))
	var ids []int64
	var email, phone, first, last, emailConsent, smsConsent, locale []string
	var updated []*time.Time
	for _, id := range keys {
		c := byID[id]
		ids = append(ids, c.CustomerID)
		email, phone, first, last = append(email, c.Email), append(phone, c.Phone), append(first, c.FirstName), append(last, c.LastName)
		emailConsent, smsConsent = append(emailConsent, c.EmailConsent), append(smsConsent, c.SMSConsent)
		locale, updated = append(locale, c.Locale), append(updated, c.UpdatedAt)
	}
	if len(ids) == 0 {
		return 0, nil
	}
	res := tx.Exec(`INSERT INTO customers (shop_id, customer_id, email, phone, first_name, last_name, email_consent,
			sms_consent, locale, shopify_updated_at)
		SELECT ?::bigint, v.* FROM unnest(?::bigint[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::timestamptz[]) AS v
		ON CONFLICT (shop_id, customer_id) DO UPDATE SET
			email = CASE WHEN customers.email = '' THEN EXCLUDED.email ELSE customers.email END,
			phone = CASE WHEN customers.phone = '' THEN EXCLUDED.phone ELSE customers.phone END,
			first_name = CASE WHEN customers.first_name = '' THEN EXCLUDED.first_name ELSE customers.first_name END,
			last_name = CASE WHEN customers.last_name = '' THEN EXCLUDED.last_name ELSE customers.last_name END,
			email_consent = CASE WHEN customers.email_consent = '' THEN EXCLUDED.email_consent ELSE customers.email_consent END,
			sms_consent = CASE WHEN customers.sms_consent = '' THEN EXCLUDED.sms_consent ELSE customers.sms_consent END,
			locale = CASE WHEN customers.locale = '' THEN EXCLUDED.locale ELSE customers.locale END,
			shopify_updated_at = COALESCE(customers.shopify_updated_at, EXCLUDED.shopify_updated_at)
		WHERE customers.shop_id = EXCLUDED.shop_id AND customers.redacted_at IS NULL
		  AND (customers.email = '' OR customers.first_name = '' OR customers.email_consent = '' OR (customers.locale = '' AND EXCLUDED.locale <> ''))`,
		shopID, Array(ids), Array(email), Array(phone), Array(first), Array(last), Array(emailConsent), Array(smsConsent), Array(locale), Array(updated))
	return res.RowsAffected, res.Error
}

// storeHistoryOrders adds the orders not stored yet and returns their ids: an order a live
// webhook stored stays as it is, with its lines and refunds.
func storeHistoryOrders(tx *gorm.DB, shopID int64, batch []HistoryOrder) (map[int64]bool, error) {
	k := len(batch)
	ids, custs := make([]int64, k), make([]*int64, k)
	names, emails, currencies, statuses, codes, landing := make([]string, k), make([]string, k), make([]string, k),
		make([]string, k), make([]string, k), make([]string, k)
	subtotals, totals := make([]string, k), make([]string, k)
	tests := make([]bool, k)
	cancelled, paid, processed, created, updated := make([]*time.Time, k), make([]*time.Time, k), make([]*time.Time, k),
		make([]*time.Time, k), make([]*time.Time, k)
	for i, h := range batch {
		f := h.Order
		if f.CustomerID != 0 {
			custs[i] = &f.CustomerID
		}
		paidAt := f.ProcessedAt
		if !f.Paid {
			paidAt = nil
		} else if paidAt == nil {
			paidAt = f.CreatedAt
		}
		ids[i], names[i], emails[i], currencies[i] = f.OrderID, f.Name, f.Email, f.Currency
		subtotals[i], totals[i], statuses[i], tests[i] = f.Subtotal.String(), f.Total.String(), f.FinancialStatus, f.Test
		codes[i], landing[i] = strings.Join(f.DiscountCodes, ","), f.LandingSite
		cancelled[i], paid[i], processed[i], created[i], updated[i] = f.CancelledAt, paidAt, f.ProcessedAt, f.CreatedAt, f.UpdatedAt
	}
	var added []int64
	err := tx.Raw(`INSERT INTO orders (shop_id, order_id, customer_id, name, email, currency, subtotal, total,
			financial_status, test, discount_codes, landing_site, cancelled_at, paid_at, processed_at,
			shopify_created_at, shopify_updated_at)
		SELECT ?::bigint, v.* FROM unnest(?::bigint[], ?::bigint[], ?::text[], ?::text[], ?::text[], ?::numeric[], ?::numeric[],
			?::text[], ?::boolean[], ?::text[], ?::text[], ?::timestamptz[], ?::timestamptz[], ?::timestamptz[],
			?::timestamptz[], ?::timestamptz[]) AS v
		ON CONFLICT (shop_id, order_id) DO NOTHING
		RETURNING order_id`,
		shopID, Array(ids), Array(custs), Array(names), Array(emails), Array(currencies), Array(subtotals), Array(totals),
		Array(statuses), Array(tests), Array(codes), Array(landing), Array(cancelled), Array(paid), Array(processed),
		Array(created), Array(updated)).Find(&added).Error
	set := make(map[int64]bool, len(added))
	for _, id := range added {
		set[id] = true
	}
	return set, err
}

// storeHistoryLines adds the lines of the orders this batch added.
func storeHistoryLines(tx *gorm.DB, shopID int64, batch []HistoryOrder, added map[int64]bool) (int64, error) {
	var orders, items []int64
	var products, variants, plans []*int64
	var titles, prices []string
	var qtys []int32
	for _, h := range batch {
		if !added[h.Order.OrderID] {
			continue
		}
		for _, l := range h.Order.Lines {
			orders, items = append(orders, h.Order.OrderID), append(items, l.LineItemID)
			products, variants, plans = append(products, l.ProductID), append(variants, l.VariantID), append(plans, l.SellingPlanID)
			titles, prices, qtys = append(titles, l.Title), append(prices, l.Price.String()), append(qtys, int32(l.Quantity))
		}
	}
	if len(orders) == 0 {
		return 0, nil
	}
	res := tx.Exec(`INSERT INTO order_lines (shop_id, order_id, line_item_id, product_id, variant_id, selling_plan_id, title,
			quantity, price)
		SELECT ?::bigint, v.* FROM unnest(?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::text[], ?::int[],
			?::numeric[]) AS v
		ON CONFLICT (shop_id, order_id, line_item_id) DO NOTHING`,
		shopID, Array(orders), Array(items), Array(products), Array(variants), Array(plans), Array(titles), Array(qtys),
		Array(prices))
	return res.RowsAffected, res.Error
}

// storeHistoryRefunds records what was refunded of the orders this batch added (a live order's
// refunds come from its webhooks).
func storeHistoryRefunds(tx *gorm.DB, shopID int64, batch []HistoryOrder, added map[int64]bool) (int64, error) {
	var ids, orders []int64
	var amounts []string
	for _, h := range batch {
		if added[h.Order.OrderID] && h.Refunded.IsPositive() {
			ids, orders, amounts = append(ids, -h.Order.OrderID), append(orders, h.Order.OrderID), append(amounts, h.Refunded.String())
		}
	}
	if len(ids) == 0 {
		return 0, nil
	}
	res := tx.Exec(`INSERT INTO refunds (shop_id, refund_id, order_id, subtotal, note)
		SELECT ?::bigint, v.refund_id, v.order_id, v.subtotal, 'refunded before install'
		FROM unnest(?::bigint[], ?::bigint[], ?::numeric[]) AS v(refund_id, order_id, subtotal)
		ON CONFLICT (shop_id, refund_id) DO NOTHING`, shopID, Array(ids), Array(orders), Array(amounts))
	return res.RowsAffected, res.Error
}
