package insights_test

import (
	"testing"
	"time"

	"github.com/boomerang-app/boomerang/internal/testenv"
	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/models/insights"
)

// benchShop fills a shop with 5,000 customers and 50,000 orders over two years (plus one
// ledger entry and one decision per order) with generate_series. The million-order figures
// come from cmd/seedshop (docs/bench/admin.md); this keeps a quick, repeatable number in
// `go test -bench`.
func benchShop(b *testing.B) *metricsShop {
	db, _ := testenv.DB(b)
	s := &metricsShop{t: nil, ctx: b.Context(), db: db}
	id, _, err := models.InstallShop(s.ctx, db, testenv.Shop("bench"))
	if err != nil {
		b.Fatal(err)
	}
	s.id = id
	for _, q := range []string{
		`INSERT INTO orders (shop_id, order_id, customer_id, subtotal, total, financial_status, paid_at, processed_at, shopify_created_at, updated_at)
		 SELECT ?, g, 1000 + (g * 7919) % 5000, 10 + g % 90, 10 + g % 90, 'paid', t, t, t, now() - interval '1 day'
		 FROM generate_series(1, 50000) g, LATERAL (SELECT now() - interval '2 years' + (g * interval '21 minutes') AS t) x`,
		`INSERT INTO refunds (shop_id, refund_id, order_id, subtotal, created_at) SELECT ?, g, g, 5, now() - interval '1 day'
		 FROM generate_series(1, 50000, 20) g`,
		`INSERT INTO ledger_entries (shop_id, customer_id, kind, points, balance_after, source_type, source_id, occurred_at, available_at, created_at)
		 SELECT shop_id, customer_id, 'earn', (subtotal * 5)::bigint, 0, 'order', order_id::text, processed_at, processed_at, now() - interval '1 day'
		 FROM orders WHERE shop_id = ?`,
		`INSERT INTO message_decisions (shop_id, message_id, customer_id, trigger, entity_key, dedupe_key, kind, channel, decision, reason, not_before, created_at, updated_at, sent_at)
		 SELECT shop_id, 1, customer_id, 'points_earned', order_id::text, 'k', 'transactional', 'email',
		        CASE WHEN order_id % 10 = 0 THEN 'held' ELSE 'sent' END, CASE WHEN order_id % 10 = 0 THEN 'negative_review' ELSE '' END,
		        processed_at, processed_at, now() - interval '1 day', processed_at + interval '1 minute'
		 FROM orders WHERE shop_id = ?`,
	} {
		if err := db.Exec(q, id).Error; err != nil {
			b.Fatal(err)
		}
	}
	if _, err := insights.RefreshMetrics(s.ctx, db, id, insights.RefreshOptions{}); err != nil {
		b.Fatal(err)
	}
	if err := db.Exec(`VACUUM ANALYZE`).Error; err != nil {
		b.Fatal(err)
	}
	return s
}

func BenchmarkScorecard(b *testing.B) {
	s := benchShop(b)
	p, err := insights.ParsePeriod("", "", time.Now(), time.UTC)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := insights.GetScorecard(s.ctx, s.db, s.id, p); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMetricsRefresh is the refresh a scorecard request does when ten new orders arrived
// since the last one.
func BenchmarkMetricsRefresh(b *testing.B) {
	s := benchShop(b)
	n := 0
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		for range 10 {
			n++
			if err := s.db.Exec(`INSERT INTO orders (shop_id, order_id, customer_id, subtotal, total, financial_status, processed_at)
				VALUES (?, ?, ?, 20, 20, 'paid', now())`, s.id, 1_000_000+n, 1000+n%5000).Error; err != nil {
				b.Fatal(err)
			}
		}
		b.StartTimer()
		if _, err := insights.RefreshMetrics(s.ctx, s.db, s.id, insights.RefreshOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
