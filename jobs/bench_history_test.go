package jobs_test

import (
	"database/sql"
	"testing"

	"github.com/boomerang-app/boomerang/internal/apptest"
)

// historyBase is where the seeded history's customer ids start; its order ids are ten times
// larger, far above the benchmark's own (4,000,000 + i).
const historyBase = 10_000_000

// seedHistory gives the shop what a real store has before its flash sale: years of customers,
// orders, fulfillments, points and events, and planner statistics for them. On empty tables a
// benchmark measures plans made for empty tables (pgx keeps them per connection, and
// autovacuum's analyze comes a minute later), and misses scans that grow with the store.
func seedHistory(b *testing.B, a *apptest.App, id int64, customers int) {
	b.Helper()
	for _, q := range []string{
		`INSERT INTO customers (shop_id, customer_id, email, first_name, last_name, orders_count, total_spent, stage)
		 SELECT @shop, g, 'n' || g || '@example.com', 'N', 'Buyer', 3, 150, 'repeat' FROM generate_series(CAST(@lo AS bigint), CAST(@hi AS bigint)) g`,
		`INSERT INTO orders (shop_id, order_id, customer_id, name, subtotal, total, financial_status, paid_at, processed_at)
		 SELECT @shop, c * 10 + k, c, '#' || (c * 10 + k), 50, 50, 'paid', now() - (k || ' months')::interval,
		        now() - (k || ' months')::interval
		 FROM generate_series(CAST(@lo AS bigint), CAST(@hi AS bigint)) c, generate_series(1, 3) k`,
		`INSERT INTO order_lines (shop_id, order_id, line_item_id, product_id, title, quantity, price)
		 SELECT shop_id, order_id, order_id * 10, 7000 + order_id % 50, 'Tee', 1, 50 FROM orders WHERE shop_id = @shop AND @n > 0`,
		`INSERT INTO fulfillments (shop_id, fulfillment_id, order_id, status, shopify_created_at)
		 SELECT shop_id, order_id, order_id, 'success', processed_at FROM orders WHERE shop_id = @shop AND @n > 0`,
		`INSERT INTO loyalty_accounts (shop_id, customer_id, balance) SELECT @shop, g, 750 FROM generate_series(CAST(@lo AS bigint), CAST(@hi AS bigint)) g`,
		`INSERT INTO ledger_entries (shop_id, customer_id, kind, points, balance_after, remaining, amount, order_id,
		        source_type, source_id, occurred_at, available_at)
		 SELECT o.shop_id, o.customer_id, 'earn', 250, 250 * row_number() OVER (PARTITION BY o.customer_id ORDER BY o.order_id),
		        250, 50, o.order_id, 'order', o.order_id::text, o.processed_at, o.processed_at
		 FROM orders o WHERE o.shop_id = @shop AND @n > 0`,
		`INSERT INTO events (shop_id, customer_id, kind, key, occurred_at, dispatched_at)
		 SELECT shop_id, customer_id, 'points_earned', 'order:' || order_id, processed_at, processed_at
		 FROM orders WHERE shop_id = @shop AND @n > 0`,
		`INSERT INTO webhook_events (shop_id, topic, webhook_id, body, received_at, processed_at)
		 SELECT shop_id, 'orders/paid', 'old-' || order_id, '{}', processed_at, processed_at FROM orders WHERE shop_id = @shop AND @n > 0`,
	} {
		if err := a.DB.Exec(q, sql.Named("shop", id), sql.Named("n", customers), sql.Named("lo", int64(historyBase)), sql.Named("hi", int64(historyBase+customers-1))).Error; err != nil {
			b.Fatalf("seed history: %v", err)
		}
	}
	if err := a.DB.Exec(`ANALYZE`).Error; err != nil {
		b.Fatal(err)
	}
}
