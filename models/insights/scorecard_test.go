package insights_test

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/boomerang-app/boomerang/internal/testenv"
	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/models/insights"
	"github.com/boomerang-app/boomerang/models/loyalty"
	"github.com/boomerang-app/boomerang/models/messaging"
)

// metricsShop writes facts straight into the tables, the way the ingest path leaves them, so
// each scorecard figure can be checked against numbers worked out by hand.
type metricsShop struct {
	t   *testing.T
	ctx context.Context
	db  *gorm.DB
	id  int64
}

func newMetricsShop(t *testing.T, db *gorm.DB, tz string) *metricsShop {
	t.Helper()
	ctx := context.Background()
	id, _, err := models.InstallShop(ctx, db, testenv.Shop("metrics"))
	if err != nil {
		t.Fatal(err)
	}
	s := &metricsShop{t: t, ctx: ctx, db: db, id: id}
	s.exec(`UPDATE shops SET timezone = ? WHERE id = ?`, tz, id)
	return s
}

func (s *metricsShop) exec(sql string, args ...any) {
	s.t.Helper()
	if err := s.db.WithContext(s.ctx).Exec(sql, args...).Error; err != nil {
		s.t.Fatalf("%s: %v", sql, err)
	}
}

func day(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t, err = time.Parse(time.DateOnly, s)
		if err != nil {
			panic(err)
		}
		t = t.Add(12 * time.Hour) // midday UTC unless a time is given
	}
	return t
}

type orderOpt struct {
	cancelled, test bool
}

// order stores a kept (unless opts say otherwise) order; customer 0 is a guest.
func (s *metricsShop) order(orderID, customer int64, at string, subtotal string, opts ...orderOpt) {
	s.t.Helper()
	var o orderOpt
	if len(opts) > 0 {
		o = opts[0]
	}
	var cust any
	if customer != 0 {
		cust = customer
	}
	var cancelled any
	if o.cancelled {
		cancelled = day(at).Add(time.Hour)
	}
	s.exec(`INSERT INTO orders (shop_id, order_id, customer_id, subtotal, total, financial_status, test,
			cancelled_at, paid_at, processed_at, shopify_created_at, shopify_updated_at)
		VALUES (?, ?, ?, ?, ?, 'paid', ?, ?, ?, ?, ?, ?)`,
		s.id, orderID, cust, subtotal, subtotal, o.test, cancelled, day(at), day(at), day(at), day(at))
}

func (s *metricsShop) refund(refundID, orderID int64, subtotal string) {
	s.exec(`INSERT INTO refunds (shop_id, refund_id, order_id, subtotal, shopify_created_at) VALUES (?, ?, ?, ?, now())`,
		s.id, refundID, orderID, subtotal)
}

func (s *metricsShop) decision(customer int64, decision, reason, at string) {
	var sent any
	if decision == messaging.DecisionSent {
		sent = day(at)
	}
	s.exec(`INSERT INTO message_decisions (shop_id, message_id, customer_id, trigger, entity_key, dedupe_key, kind, channel,
			decision, reason, not_before, created_at, updated_at, sent_at)
		VALUES (?, 1, ?, 'points_earned', ?, 'k', 'transactional', 'email', ?, ?, ?, ?, now(), ?)`,
		s.id, customer, decision+at, decision, reason, day(at), day(at), sent)
}

func (s *metricsShop) ledger(customer int64, kind, source string, points int64, at string) {
	s.exec(`INSERT INTO ledger_entries (shop_id, customer_id, kind, points, balance_after, source_type, source_id,
			occurred_at, available_at) VALUES (?, ?, ?, ?, 0, ?, ?, ?, ?)`,
		s.id, customer, kind, points, source, kind+at, day(at), day(at))
}

// settle dates every fact's change time an hour back, as if written long before the next
// refresh (a refresh re-reads the last minutes of changes to catch late commits).
func (s *metricsShop) settle() {
	for _, q := range []string{
		`UPDATE orders SET updated_at = now() - interval '1 hour' WHERE shop_id = ?`,
		`UPDATE refunds SET created_at = now() - interval '1 hour' WHERE shop_id = ?`,
		`UPDATE ledger_entries SET created_at = now() - interval '1 hour' WHERE shop_id = ?`,
		`UPDATE message_decisions SET updated_at = now() - interval '1 hour' WHERE shop_id = ?`,
		`UPDATE reviews SET updated_at = now() - interval '1 hour' WHERE shop_id = ?`,
	} {
		s.exec(q, s.id)
	}
}

func (s *metricsShop) refresh(opt insights.RefreshOptions) insights.MetricsRefresh {
	s.t.Helper()
	r, err := insights.RefreshMetrics(s.ctx, s.db, s.id, opt)
	if err != nil {
		s.t.Fatal(err)
	}
	return r
}

func (s *metricsShop) scorecard(from, to string) *insights.Scorecard {
	s.t.Helper()
	p, err := insights.ParsePeriod(from, to, time.Now(), time.UTC)
	if err != nil {
		s.t.Fatal(err)
	}
	sc, err := insights.GetScorecard(s.ctx, s.db, s.id, p)
	if err != nil {
		s.t.Fatal(err)
	}
	return sc
}

// seedHandComputed is the dataset the expected figures below were worked out from. The period
// is 2025-04-01..2025-06-30 (91 days); the previous period 2024-12-31..2025-03-31.
func (s *metricsShop) seedHandComputed() {
	s.order(1, 101, "2025-01-10", "100") // A: before, and in the period → repeat; previous → not churned
	s.order(2, 101, "2025-05-05", "50")
	s.order(3, 102, "2025-04-10", "30") // B: three orders in the period (April cohort)
	s.order(4, 102, "2025-04-20", "70")
	s.order(5, 102, "2025-06-10", "10")
	s.order(6, 103, "2025-05-15", "40")                            // C: one order (May cohort)
	s.order(7, 104, "2025-02-01", "60")                            // D: previous period only → churned
	s.order(8, 105, "2025-03-15", "20")                            // E: previous period…
	s.order(9, 105, "2025-06-01", "80", orderOpt{cancelled: true}) // …and a cancelled order → churned
	s.order(10, 106, "2025-04-02", "100")                          // F: fully refunded → not kept
	s.refund(1, 10, "100")
	s.order(11, 106, "2025-07-05", "10")  // F: after the period
	s.order(12, 107, "2025-04-15", "200") // G: partly refunded, net 150 (April cohort)
	s.refund(2, 12, "50")
	s.order(13, 107, "2025-05-01", "500", orderOpt{test: true}) // G: test order → ignored
	s.order(14, 0, "2025-05-20", "25")                          // a guest
	s.order(15, 108, "2024-11-01", "90")                        // H: long before

	s.decision(103, messaging.DecisionSent, "", "2025-05-10")           // C orders 5 days later → attributed
	s.decision(101, messaging.DecisionSent, "", "2025-04-01")           // A orders 34 days later → not
	s.decision(102, messaging.DecisionSent, "", "2025-04-20T13:00:00Z") // after B's order that day → not
	s.decision(107, messaging.DecisionHeld, "negative_review", "2025-05-01")
	s.decision(104, messaging.DecisionSkipped, "frequency_cap", "2025-06-01")
	s.decision(105, messaging.DecisionDeferred, "quiet_hours", "2025-06-02")
	s.decision(101, messaging.DecisionSent, "", "2025-03-01") // outside the period

	s.ledger(101, loyalty.EntryEarn, "order", 500, "2025-01-10") // outside
	s.ledger(101, loyalty.EntryEarn, "order", 250, "2025-05-05")
	s.ledger(102, loyalty.EntryEarn, "order", 150, "2025-04-10")
	s.ledger(103, loyalty.EntryBonus, "signup", 50, "2025-04-01")
	s.ledger(101, loyalty.EntryRedeem, "redemption", -100, "2025-06-01")
	s.ledger(102, loyalty.EntryRedeem, "redemption", -200, "2025-06-02")
	s.ledger(102, loyalty.EntryReversal, "redemption", 200, "2025-06-02T12:00:00Z") // code not issued: released
	s.ledger(103, loyalty.EntryAdjust, "adjustment", 30, "2025-06-03")              // neither earned nor redeemed
	for cust, bal := range map[int64]int64{101: 650, 102: 150, 103: -10, 104: 0} {
		s.exec(`INSERT INTO loyalty_accounts (shop_id, customer_id, balance) VALUES (?, ?, ?)`, s.id, cust, bal)
	}

	review := func(at string, score any) {
		s.exec(`INSERT INTO reviews (shop_id, rating, status, source, sentiment_score, created_at) VALUES (?, 4, 'published', 'import', ?, ?)`,
			s.id, score, day(at))
	}
	review("2025-04-07", 0.8) // week of Monday 2025-04-07
	review("2025-04-09", 0.4)
	review("2025-05-14", -0.5) // week of 2025-05-12
	review("2025-05-15", nil)  // not scored yet
	review("2025-03-30", 0.9)  // before the period

	contract := func(id int64, status, started string, ended any) {
		s.exec(`INSERT INTO subscription_contracts (shop_id, contract_id, customer_id, status, status_at, started_at, ended_at)
			VALUES (?, ?, 101, ?, now(), ?, ?)`, s.id, id, status, day(started), ended)
	}
	contract(1, "active", "2025-01-01", nil)
	contract(2, "cancelled", "2025-02-01", day("2025-05-01"))
	contract(3, "active", "2025-05-01", nil)
	s.exec(`INSERT INTO subscription_status_history (shop_id, contract_id, customer_id, topic, status, occurred_at, webhook_event_id, applied)
		VALUES (?, 2, 101, 'subscription_contracts/cancel', 'cancelled', ?, 1, true)`, s.id, day("2025-05-01"))
}

func TestScorecardHandComputed(t *testing.T) {
	db, _ := testenv.DB(t)
	s := newMetricsShop(t, db, "UTC")
	s.seedHandComputed()
	if r := s.refresh(insights.RefreshOptions{}); !r.Rebuilt {
		t.Fatalf("first refresh should build everything: %+v", r)
	}
	sc := s.scorecard("2025-04-01", "2025-06-30")

	c := sc.Counts
	// Kept orders in the period: A 50; B 30, 70, 10; C 40; G 200-50; guest 25.
	if c.Orders != 7 || c.Revenue.String() != "375" {
		t.Errorf("orders %d revenue %s, want 7 and 375", c.Orders, c.Revenue)
	}
	if sc.AOV.String() != "53.57" { // 375 / 7
		t.Errorf("aov %s, want 53.57", sc.AOV)
	}
	// Active: A, B, C, G; repeat: A (earlier order), B (three in the period).
	if c.Customers != 4 || c.RepeatCustomers != 2 || sc.RepeatPurchaseRate != 0.5 {
		t.Errorf("repeat: %d of %d = %v, want 2 of 4", c.RepeatCustomers, c.Customers, sc.RepeatPurchaseRate)
	}
	// Previous period: A, D, E; D and E have no kept order in the period.
	if c.PreviousCustomers != 3 || c.ChurnedCustomers != 2 || sc.CustomerChurnRate != 2.0/3 {
		t.Errorf("churn: %d of %d = %v, want 2 of 3", c.ChurnedCustomers, c.PreviousCustomers, sc.CustomerChurnRate)
	}
	// By 2025-06-30: A 150, B 110, C 40, D 60, E 20, G 150, H 90 = 620 over 7 customers (F's only
	// kept order is in July; the guest is nobody's).
	if c.CustomersToDate != 7 || c.CustomerRevenueToDate.String() != "620" || sc.CLV.String() != "88.57" {
		t.Errorf("clv: %s / %d = %s, want 620 / 7 = 88.57", c.CustomerRevenueToDate, c.CustomersToDate, sc.CLV)
	}
	wantCohorts := []insights.Cohort{
		{Month: "2025-04", Size: 2, Retention: []float64{1, 0, 0.5}}, // B and G; B again in June
		{Month: "2025-05", Size: 1, Retention: []float64{1, 0}},      // C
	}
	if !reflect.DeepEqual(sc.Cohorts, wantCohorts) {
		t.Errorf("cohorts %+v, want %+v", sc.Cohorts, wantCohorts)
	}
	if sc.OrdersAfterMessage != 1 {
		t.Errorf("orders after message %d, want 1 (C's)", sc.OrdersAfterMessage)
	}
	m := sc.Messages
	if m.Sent != 3 || m.Held != 1 || m.Skipped != 1 || m.Deferred != 1 || m.Failed != 0 {
		t.Errorf("messages %+v, want 3 sent, 1 held, 1 skipped, 1 deferred", m)
	}
	if want := map[string]int64{"negative_review": 1, "frequency_cap": 1, "quiet_hours": 1}; !reflect.DeepEqual(m.ByReason, want) {
		t.Errorf("by reason %v, want %v", m.ByReason, want)
	}
	// Earned 250 + 150 + 50; redeemed 100 + 200 − 200 released.
	if c.PointsEarned != 450 || c.PointsRedeemed != 100 || sc.RedemptionRate != 100.0/450 {
		t.Errorf("points earned %d redeemed %d rate %v", c.PointsEarned, c.PointsRedeemed, sc.RedemptionRate)
	}
	// Positive balances 650 + 150; the default cheapest reward is 100 points for 1.00.
	if sc.PointsLiability != 800 || sc.PointsLiabilityValue.String() != "8" {
		t.Errorf("liability %d (%s), want 800 (8)", sc.PointsLiability, sc.PointsLiabilityValue)
	}
	wantTrend := []insights.SentimentWeek{{Week: "2025-04-07", Average: 0.6, Count: 2}, {Week: "2025-05-12", Average: -0.5, Count: 1}}
	if !reflect.DeepEqual(sc.SentimentTrend, wantTrend) {
		t.Errorf("sentiment %+v, want %+v", sc.SentimentTrend, wantTrend)
	}
	// Running at 2025-04-01: contracts 1 and 2; contract 2 cancelled in May.
	if c.SubscriptionsAtStart != 2 || c.SubscriptionsEnded != 1 || sc.SubscriptionChurnRate != 0.5 {
		t.Errorf("subscription churn %d of %d = %v", c.SubscriptionsEnded, c.SubscriptionsAtStart, sc.SubscriptionChurnRate)
	}
}

// TestScorecardIncremental changes facts after a refresh and checks the incremental refresh
// both gets the new figures and agrees with a full rebuild.
func TestScorecardIncremental(t *testing.T) {
	db, _ := testenv.DB(t)
	s := newMetricsShop(t, db, "UTC")
	s.seedHandComputed()
	s.settle()
	s.refresh(insights.RefreshOptions{})
	if r := s.refresh(insights.RefreshOptions{}); r.Customers != 0 || r.Days != 0 {
		t.Fatalf("nothing changed, nothing to recompute: %+v", r)
	}

	s.order(20, 104, "2025-06-15", "45")                                                                          // D comes back: no longer churned, now a repeat buyer
	s.refund(3, 6, "40")                                                                                          // C's only order fully refunded: C drops out
	s.exec(`UPDATE orders SET cancelled_at = now(), updated_at = now() WHERE shop_id = ? AND order_id = 5`, s.id) // B's June order
	s.decision(104, messaging.DecisionSent, "", "2025-06-10")                                                     // D's new order is 5 days after a send
	s.ledger(104, loyalty.EntryEarn, "order", 225, "2025-06-15")
	s.exec(`UPDATE reviews SET sentiment_score = 0.1, updated_at = now() WHERE shop_id = ? AND created_at = ?`, s.id, day("2025-05-14")) // rescored

	r := s.refresh(insights.RefreshOptions{})
	if r.Rebuilt || r.Customers != 3 {
		t.Fatalf("want an incremental refresh of 3 customers (B, C, D), got %+v", r)
	}
	inc := s.scorecard("2025-04-01", "2025-06-30")
	c := inc.Counts
	// Active: A, B, D, G; repeat: A, B (two April orders), D (February order).
	if c.Customers != 4 || c.RepeatCustomers != 3 {
		t.Errorf("repeat %d of %d, want 3 of 4", c.RepeatCustomers, c.Customers)
	}
	if c.ChurnedCustomers != 1 {
		t.Errorf("churned %d, want 1 (E)", c.ChurnedCustomers)
	}
	// Orders: A 50, B 30 70, D 45, G 150, guest 25 = 370 over 6.
	if c.Orders != 6 || c.Revenue.String() != "370" || inc.OrdersAfterMessage != 1 {
		t.Errorf("orders %d revenue %s after message %d, want 6, 370, 1 (D's)", c.Orders, c.Revenue, inc.OrdersAfterMessage)
	}
	wantCohorts := []insights.Cohort{{Month: "2025-04", Size: 2, Retention: []float64{1, 0, 0}}}
	if !reflect.DeepEqual(inc.Cohorts, wantCohorts) {
		t.Errorf("cohorts %+v, want %+v", inc.Cohorts, wantCohorts)
	}
	if c.PointsEarned != 675 {
		t.Errorf("points earned %d, want 675", c.PointsEarned)
	}
	if len(inc.SentimentTrend) != 2 || inc.SentimentTrend[1].Average != 0.1 {
		t.Errorf("sentiment %+v, want the rescored week at 0.1", inc.SentimentTrend)
	}

	s.refresh(insights.RefreshOptions{Rebuild: true})
	full := s.scorecard("2025-04-01", "2025-06-30")
	inc.AsOf, full.AsOf = nil, nil
	if !reflect.DeepEqual(inc, full) {
		t.Errorf("incremental and rebuilt scorecards differ:\n inc  %+v\n full %+v", inc, full)
	}
}

// TestScorecardTimezone: days are the shop's calendar days.
func TestScorecardTimezone(t *testing.T) {
	db, _ := testenv.DB(t)
	s := newMetricsShop(t, db, "America/New_York")
	s.order(1, 201, "2025-07-01T02:00:00Z", "10") // 22:00 on June 30 in New York
	s.order(2, 202, "2025-04-01T03:00:00Z", "20") // 23:00 on March 31 in New York
	s.refresh(insights.RefreshOptions{})
	sc := s.scorecard("2025-04-01", "2025-06-30")
	if sc.Counts.Orders != 1 || sc.Counts.Revenue.String() != "10" {
		t.Errorf("orders %d revenue %s, want only the June 30 (local) order", sc.Counts.Orders, sc.Counts.Revenue)
	}
	if len(sc.Cohorts) != 1 || sc.Cohorts[0].Month != "2025-06" {
		t.Errorf("cohorts %+v, want one June cohort", sc.Cohorts)
	}

	// Moving the shop to another zone rebuilds the rollups in it.
	s.exec(`UPDATE shops SET timezone = 'UTC' WHERE id = ?`, s.id)
	if r := s.refresh(insights.RefreshOptions{}); !r.Rebuilt {
		t.Fatalf("a time zone change should rebuild: %+v", r)
	}
	sc = s.scorecard("2025-04-01", "2025-06-30")
	if sc.Counts.Orders != 1 || sc.Counts.Revenue.String() != "20" {
		t.Errorf("in UTC: orders %d revenue %s, want only the April 1 order", sc.Counts.Orders, sc.Counts.Revenue)
	}
}

func TestScorecardEmptyShop(t *testing.T) {
	db, _ := testenv.DB(t)
	s := newMetricsShop(t, db, "UTC")
	s.refresh(insights.RefreshOptions{})
	sc := s.scorecard("", "")
	if sc.Cohorts == nil || sc.SentimentTrend == nil || sc.Messages.ByReason == nil {
		t.Fatal("empty lists must be [] not null")
	}
	if sc.RepeatPurchaseRate != 0 || !sc.AOV.IsZero() || sc.PointsLiability != 0 {
		t.Errorf("empty shop should be all zeros: %+v", sc)
	}
}

func TestParsePeriod(t *testing.T) {
	now := time.Date(2026, 3, 10, 3, 0, 0, 0, time.UTC)
	ny, _ := time.LoadLocation("America/New_York")
	p, err := insights.ParsePeriod("", "", now, ny) // still March 9 in New York
	if err != nil {
		t.Fatal(err)
	}
	if p.From.Format(time.DateOnly) != "2025-03-10" || p.To.Format(time.DateOnly) != "2026-03-09" {
		t.Errorf("default period %v..%v, want 2025-03-10..2026-03-09", p.From, p.To)
	}
	for _, c := range []struct{ from, to, field string }{
		{"2025-13-01", "", "from"}, {"", "tomorrow", "to"}, {"2025-05-02", "2025-05-01", "from"}, {"1990-01-01", "2025-01-01", "from"},
	} {
		_, err := insights.ParsePeriod(c.from, c.to, now, time.UTC)
		var e *models.Error
		if !errors.As(err, &e) || e.Code != models.EInvalid || e.Field != c.field {
			t.Errorf("ParsePeriod(%q, %q) = %v, want invalid %s", c.from, c.to, err, c.field)
		}
	}
}

// TestRefreshLimits: a request never rebuilds a large shop, and concurrent refreshes of one
// shop do not queue behind each other.
func TestRefreshLimits(t *testing.T) {
	db, _ := testenv.DB(t)
	s := newMetricsShop(t, db, "UTC")
	s.order(1, 101, "2025-01-10", "10")
	s.order(2, 102, "2025-01-11", "10")
	s.order(3, 103, "2025-01-12", "10")
	if r := s.refresh(insights.RefreshOptions{InlineLimit: 2}); !r.Deferred || r.Rebuilt {
		t.Fatalf("3 orders over an inline limit of 2 must defer: %+v", r)
	}
	if sc := s.scorecard("2025-01-01", "2025-01-31"); sc.AsOf != nil || sc.Counts.Orders != 0 {
		t.Errorf("nothing was built yet: %+v", sc.Counts)
	}
	if r := s.refresh(insights.RefreshOptions{InlineLimit: 3}); !r.Rebuilt {
		t.Fatalf("3 orders within the limit must rebuild: %+v", r)
	}

	tx := db.Begin()
	defer tx.Rollback()
	if err := tx.Exec(`SELECT pg_advisory_xact_lock(hashtextextended('metrics:' || ?::bigint, 0))`, s.id).Error; err != nil {
		t.Fatal(err)
	}
	if r := s.refresh(insights.RefreshOptions{}); !r.Skipped {
		t.Errorf("a refresh while another holds the shop's lock must skip: %+v", r)
	}
}

// TestRebuildDropsCustomers: a full rebuild removes customers left without kept orders and
// leaves unchanged rows alone.
func TestRebuildDropsCustomers(t *testing.T) {
	db, _ := testenv.DB(t)
	s := newMetricsShop(t, db, "UTC")
	s.order(1, 101, "2025-01-10", "10")
	s.order(2, 102, "2025-01-11", "10")
	s.refresh(insights.RefreshOptions{})
	var before int64
	db.Raw(`SELECT xmin::text::bigint FROM metrics_customers WHERE shop_id = ? AND customer_id = 101`, s.id).Scan(&before)
	s.exec(`UPDATE orders SET cancelled_at = now() WHERE shop_id = ? AND order_id = 2`, s.id)
	s.refresh(insights.RefreshOptions{Rebuild: true})
	if sc := s.scorecard("2025-01-01", "2025-01-31"); sc.Counts.Customers != 1 || sc.Counts.CustomersToDate != 1 {
		t.Errorf("customers %d (to date %d), want only 101", sc.Counts.Customers, sc.Counts.CustomersToDate)
	}
	var after int64
	db.Raw(`SELECT xmin::text::bigint FROM metrics_customers WHERE shop_id = ? AND customer_id = 101`, s.id).Scan(&after)
	if after != before {
		t.Errorf("customer 101 did not change but its row was rewritten")
	}
}
