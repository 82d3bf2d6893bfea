package insights_test

import (
	"errors"
	"testing"
	"time"

	"github.com/boomerang-app/boomerang/internal/testenv"
	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/models/insights"
	"github.com/boomerang-app/boomerang/models/loyalty"
	"github.com/boomerang-app/boomerang/models/messaging"
)

func TestCustomerTimeline(t *testing.T) {
	db, _ := testenv.DB(t)
	s := newMetricsShop(t, db, "UTC")
	other := newMetricsShop(t, db, "UTC")
	for _, sh := range []*metricsShop{s, other} {
		sh.exec(`INSERT INTO customers (shop_id, customer_id, email) VALUES (?, 101, 'a@example.com'), (?, 102, 'b@example.com')`, sh.id, sh.id)
	}
	s.order(1, 101, "2025-01-10", "100")
	s.exec(`UPDATE orders SET name = '#1001', currency = 'EUR' WHERE shop_id = ? AND order_id = 1`, s.id)
	s.order(2, 101, "2025-02-10", "40", orderOpt{cancelled: true})
	s.refund(1, 1, "25")
	s.exec(`UPDATE refunds SET shopify_created_at = ? WHERE shop_id = ?`, day("2025-01-20"), s.id)
	s.ledger(101, loyalty.EntryEarn, "order", 500, "2025-01-10")
	// Booked today for an order of 2025 (as the history import books them): the timeline places the
	// points at the order's time, not the booking's.
	s.exec(`UPDATE ledger_entries SET created_at = now(), balance_after = 500 WHERE shop_id = ?`, s.id)
	var reviewID int64
	s.db.Raw(`INSERT INTO reviews (shop_id, customer_id, product_id, rating, title, status, source, sentiment_score, sentiment_label, created_at)
		VALUES (?, 101, 9, 1, 'Broke', 'published', 'storefront', -0.9, 'negative', ?) RETURNING id`, s.id, day("2025-03-01")).Scan(&reviewID)
	s.exec(`INSERT INTO cases (shop_id, customer_id, review_id, status, note, opened_at, resolved_at)
		VALUES (?, 101, ?, 'resolved', 'refunded', ?, ?)`, s.id, reviewID, day("2025-03-01T13:00:00Z"), day("2025-03-05"))
	s.exec(`INSERT INTO subscription_contracts (shop_id, contract_id, customer_id, status, status_at, started_at)
		VALUES (?, 77, 101, 'cancelled', now(), ?)`, s.id, day("2025-02-01"))
	s.exec(`INSERT INTO subscription_status_history (shop_id, contract_id, customer_id, topic, status, reason, occurred_at, webhook_event_id, applied)
		VALUES (?, 77, 101, 'subscription_contracts/create', 'active', '', ?, 1, true),
		       (?, 77, 101, 'subscription_contracts/cancel', 'cancelled', 'too much coffee', ?, 2, true),
		       (?, 77, 101, 'subscription_contracts/update', 'active', '', ?, 3, false)`,
		s.id, day("2025-02-01"), s.id, day("2025-04-01"), s.id, day("2025-03-20"))
	s.decision(101, messaging.DecisionHeld, "negative_review", "2025-03-02")
	// Noise: another customer of the shop, and the same customer id in another shop.
	s.order(3, 102, "2025-03-03", "10")
	other.order(4, 101, "2025-03-04", "10")
	other.decision(101, messaging.DecisionSent, "", "2025-03-04")

	events, err := insights.CustomerTimeline(s.ctx, db, s.id, 101, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct{ kind, title, detail, decision string }{
		{"subscription", "Subscription cancelled", "contract 77 · too much coffee", ""},
		{"case", "Case 1 resolved", "refunded", ""},
		{"message", "points_earned", "email", "held"},
		{"case", "Case 1 opened", "", ""},
		{"review", "1-star review: Broke", "published · sentiment negative (-0.90)", ""},
		{"order", "Cancelled order 2", "", ""},
		{"order", "Placed order 2", "40.00", ""},
		{"subscription", "Subscription started", "contract 77", ""},
		{"order", "Refund on order #1001", "€25 refunded", ""},
		{"order", "Placed order #1001", "€100", ""},
		{"points", "+500 points earned", "balance 500", ""},
	}
	if len(events) != len(want) {
		for _, e := range events {
			t.Logf("%s %s %q %q", e.At.Format(time.RFC3339), e.Kind, e.Title, e.Detail)
		}
		t.Fatalf("%d events, want %d", len(events), len(want))
	}
	for i, w := range want {
		e := events[i]
		if e.Kind != w.kind || e.Title != w.title || (w.detail != "" && e.Detail != w.detail) || e.Decision != w.decision {
			t.Errorf("event %d = %s %q %q %q, want %s %q %q %q", i, e.Kind, e.Title, e.Detail, e.Decision, w.kind, w.title, w.detail, w.decision)
		}
		if i > 0 && e.At.After(events[i-1].At) {
			t.Errorf("event %d is newer than the one before it", i)
		}
	}
	if events[2].Reason != "negative_review" {
		t.Errorf("held decision reason %q", events[2].Reason)
	}

	short, err := insights.CustomerTimeline(s.ctx, db, s.id, 101, 3)
	if err != nil || len(short) != 3 || short[0].Title != want[0].title {
		t.Errorf("limit 3: %d events (%v)", len(short), err)
	}
	_, err = insights.CustomerTimeline(s.ctx, db, s.id, 999, 0)
	var e *models.Error
	if !errors.As(err, &e) || e.Code != models.ENotFound {
		t.Errorf("unknown customer: %v, want not found", err)
	}
}
