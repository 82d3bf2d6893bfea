package reviews_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/boomerang-app/boomerang/internal/testenv"
	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/models/reviews"
)

func testLinker(g reviews.ReviewGrant, exp time.Time) string {
	return fmt.Sprintf("link:%s:%d:%d:%v:%d", g.Shop, g.CustomerID, g.OrderID, g.ProductIDs, exp.Unix())
}

func (s *reviewShop) process(at time.Time) reviews.RequestRun {
	s.t.Helper()
	run, err := reviews.ProcessDueReviewRequests(s.ctx, s.db, s.id, at, testLinker, 100)
	if err != nil {
		s.t.Fatal(err)
	}
	return run
}

func (s *reviewShop) sync(orderID int64, at time.Time) {
	s.t.Helper()
	if err := reviews.SyncReviewRequest(s.ctx, s.db, s.id, orderID, at); err != nil {
		s.t.Fatal(err)
	}
}

func (s *reviewShop) request(orderID int64) *reviews.ReviewRequest {
	s.t.Helper()
	r, err := reviews.GetReviewRequest(s.ctx, s.db, s.id, orderID)
	if err != nil {
		s.t.Fatal(err)
	}
	return r
}

func payloadOf(t *testing.T, ev models.Event) models.ReviewRequestPayload {
	t.Helper()
	var p models.ReviewRequestPayload
	if err := json.Unmarshal(ev.Payload, &p); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestReviewRequestScheduleSendRemind(t *testing.T) {
	db, _ := testenv.DB(t)
	s := newReviewShop(t, db)
	t0 := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	s.order(1, 42, t0, 11, 12, 13, 14) // prices 10, 20, 30, 40
	s.sync(1, t0)
	if _, err := reviews.GetReviewRequest(s.ctx, db, s.id, 1); models.ErrorCode(err) != models.ENotFound {
		t.Fatalf("request before fulfillment: %v", err)
	}
	s.fulfill(1, 101, t0.Add(time.Hour), nil)
	s.sync(1, t0)
	if r := s.request(1); r.Status != reviews.RequestScheduled || !r.DueAt.Equal(t0.Add(time.Hour+14*24*time.Hour)) {
		t.Fatalf("after fulfillment: %s due %v", r.Status, r.DueAt)
	}
	// Delivery known: due 7 days after it instead.
	delivered := t0.Add(3 * 24 * time.Hour)
	s.fulfill(1, 101, t0.Add(time.Hour), &delivered)
	s.sync(1, t0)
	due := delivered.Add(7 * 24 * time.Hour)
	if r := s.request(1); !r.DueAt.Equal(due) {
		t.Fatalf("after delivery: due %v, want %v", r.DueAt, due)
	}
	// A replayed fact changes nothing.
	s.sync(1, t0)
	if n := s.count(`SELECT count(*) FROM review_requests WHERE shop_id = ?`, s.id); n != 1 {
		t.Fatalf("%d requests", n)
	}

	if run := s.process(due.Add(-time.Minute)); run.Sent != 0 {
		t.Fatalf("sent early: %+v", run)
	}
	if run := s.process(due); run.Sent != 1 {
		t.Fatalf("not sent when due: %+v", run)
	}
	evs := s.events(models.EventReviewRequest)
	if len(evs) != 1 || *evs[0].CustomerID != 42 {
		t.Fatalf("request events %+v", evs)
	}
	p := payloadOf(t, evs[0])
	if fmt.Sprint(p.ProductIDs) != "[14 13 12]" || p.OrderID != 1 || p.Products[0].Title != "Product 14" {
		t.Fatalf("payload %+v", p)
	}
	exp := due.Add(180 * 24 * time.Hour)
	if want := testLinker(reviews.ReviewGrant{Shop: s.name, CustomerID: 42, OrderID: 1, ProductIDs: []int64{14, 13, 12}}, exp); p.ReviewLink != want {
		t.Fatalf("link %q, want %q", p.ReviewLink, want)
	}
	r := s.request(1)
	if r.Status != reviews.RequestSent || r.ReminderDueAt == nil || !r.ReminderDueAt.Equal(due.Add(7*24*time.Hour)) {
		t.Fatalf("after send: %+v", r)
	}
	// Processing again at the same moment sends nothing twice.
	if run := s.process(due); run.Sent+run.Reminded != 0 {
		t.Fatalf("second run: %+v", run)
	}
	if run := s.process(due.Add(7 * 24 * time.Hour)); run.Reminded != 1 {
		t.Fatalf("reminder: %+v", run)
	}
	rem := s.events(models.EventReviewReminder)
	if len(rem) != 1 || fmt.Sprint(payloadOf(t, rem[0]).ProductIDs) != "[14 13 12]" {
		t.Fatalf("reminder events %+v", rem)
	}
	if run := s.process(due.Add(30 * 24 * time.Hour)); run.Reminded+run.Sent != 0 {
		t.Fatalf("second reminder: %+v", run)
	}
}

func TestReviewRequestSkips(t *testing.T) {
	db, _ := testenv.DB(t)
	s := newReviewShop(t, db)
	t0 := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	later := t0.Add(15 * 24 * time.Hour)

	// Refund before the request is due: never sent.
	s.order(1, 50, t0, 21)
	s.fulfill(1, 201, t0, nil)
	s.sync(1, t0)
	if _, err := models.RecordRefund(s.ctx, db, s.id, models.Refund{RefundID: 9001, OrderID: 1, Subtotal: decimal.NewFromInt(10)}); err != nil {
		t.Fatal(err)
	}
	s.sync(1, t0)
	if r := s.request(1); r.Status != reviews.RequestSkipped || r.SkipReason != reviews.SkipRefunded {
		t.Fatalf("refunded: %+v", r)
	}
	// Cancelled after fulfillment.
	s.order(2, 51, t0, 22)
	s.fulfill(2, 202, t0, nil)
	s.sync(2, t0)
	cancelled := t0.Add(time.Hour)
	if _, err := models.UpsertOrder(s.ctx, db, s.id, models.OrderFact{OrderID: 2, CustomerID: 51, CancelledAt: &cancelled, UpdatedAt: &cancelled}); err != nil {
		t.Fatal(err)
	}
	s.sync(2, t0)
	if r := s.request(2); r.Status != reviews.RequestSkipped || r.SkipReason != reviews.SkipCancelled {
		t.Fatalf("cancelled: %+v", r)
	}
	// A refund that arrives after the request went out stops the reminder.
	s.order(3, 52, t0, 23)
	s.fulfill(3, 203, t0, nil)
	s.sync(3, t0)
	if run := s.process(later); run.Sent != 1 {
		t.Fatalf("order 3 not sent: %+v", run)
	}
	if _, err := models.RecordRefund(s.ctx, db, s.id, models.Refund{RefundID: 9003, OrderID: 3, Subtotal: decimal.NewFromInt(10)}); err != nil {
		t.Fatal(err)
	}
	s.sync(3, later)
	if run := s.process(later.Add(8 * 24 * time.Hour)); run.Reminded != 0 {
		t.Fatalf("reminded after refund: %+v", run)
	}
	// Test order and guest order.
	at := t0
	if _, err := models.UpsertOrder(s.ctx, db, s.id, models.OrderFact{OrderID: 4, CustomerID: 53, Test: true, UpdatedAt: &at,
		Lines: []models.OrderLine{{LineItemID: 1, ProductID: ptr(24)}}}); err != nil {
		t.Fatal(err)
	}
	s.fulfill(4, 204, t0, nil)
	s.sync(4, t0)
	if r := s.request(4); r.Status != reviews.RequestSkipped || r.SkipReason != reviews.SkipTestOrder {
		t.Fatalf("test order: %+v", r)
	}
	s.order(5, 0, t0, 25)
	s.fulfill(5, 205, t0, nil)
	s.sync(5, t0)
	if r := s.request(5); r.Status != reviews.RequestSkipped || r.SkipReason != reviews.SkipNoCustomer {
		t.Fatalf("guest order: %+v", r)
	}
	if n := len(s.events(models.EventReviewRequest)); n != 1 {
		t.Fatalf("%d request events, want only order 3's", n)
	}
}

func ptr(n int64) *int64 { return &n }

func TestReviewRequestWaitsForOpenCase(t *testing.T) {
	db, _ := testenv.DB(t)
	s := newReviewShop(t, db)
	t0 := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	s.order(1, 60, t0, 31)
	s.order(2, 60, t0.Add(time.Hour), 32)
	s.fulfill(2, 302, t0.Add(time.Hour), nil)
	s.sync(2, t0)
	// The customer complains about order 1's product: a case opens.
	r := s.submit(60, 31, 1, "", "Broken on arrival", t0.Add(2*time.Hour))
	out, err := reviews.ScoreReview(s.ctx, db, s.id, r.ID, t0.Add(2*time.Hour))
	if err != nil || out.CaseID == 0 {
		t.Fatalf("case: %+v %v", out, err)
	}
	due := s.request(2).DueAt
	if run := s.process(due); run.Sent != 0 || run.Waiting != 1 {
		t.Fatalf("sent during open case: %+v", run)
	}
	if w := s.request(2); w.WaitReason != reviews.WaitOpenCase || !w.DueAt.After(due) || w.Status != reviews.RequestScheduled {
		t.Fatalf("waiting request %+v", w)
	}
	if _, err := reviews.ResolveCase(s.ctx, db, s.id, out.CaseID, "refunded", "staff", due.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if run := s.process(due.Add(25 * time.Hour)); run.Sent != 1 {
		t.Fatalf("not sent after the case was resolved: %+v", run)
	}
	// Waiting forever is not an option: a request still blocked 60 days past due is dropped.
	s.order(3, 61, t0, 33)
	s.fulfill(3, 303, t0, nil)
	s.sync(3, t0)
	r2 := s.submit(61, 99, 1, "", "awful", t0)
	if _, err := reviews.ScoreReview(s.ctx, db, s.id, r2.ID, t0); err != nil {
		t.Fatal(err)
	}
	first := s.request(3).FirstDueAt
	s.process(first)
	if run := s.process(first.Add(61 * 24 * time.Hour)); run.Skipped != 1 {
		t.Fatalf("not expired: %+v", run)
	}
	if r := s.request(3); r.SkipReason != reviews.SkipExpired {
		t.Fatalf("expired request %+v", r)
	}
}

func TestReviewRequestProductRulesAndEmailCap(t *testing.T) {
	db, _ := testenv.DB(t)
	s := newReviewShop(t, db)
	t0 := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	send := func(orderID, cust int64, at time.Time, products ...int64) *reviews.ReviewRequest {
		t.Helper()
		s.order(orderID, cust, at, products...)
		s.fulfill(orderID, orderID+1000, at, nil)
		s.sync(orderID, at)
		s.process(at.Add(14 * 24 * time.Hour))
		return s.request(orderID)
	}
	if r := send(1, 70, t0, 41, 42); r.Status != reviews.RequestSent {
		t.Fatalf("first: %+v", r)
	}
	// Product 41 was asked about within 12 months: only 43 is asked.
	if r := send(2, 70, t0.Add(20*24*time.Hour), 41, 43); r.Status != reviews.RequestSent || fmt.Sprint(r.ProductIDs) != "[43]" {
		t.Fatalf("repeat product: %+v", r)
	}
	if r := send(3, 70, t0.Add(40*24*time.Hour), 42); r.Status != reviews.RequestSkipped || r.SkipReason != reviews.SkipRecentlyRequested {
		t.Fatalf("only repeat products: %+v", r)
	}
	// A year later it may be asked again.
	if r := send(4, 70, t0.Add(380*24*time.Hour), 42); r.Status != reviews.RequestSent {
		t.Fatalf("after 12 months: %+v", r)
	}
	// Already reviewed: no request.
	s.submit(71, 44, 5, "", "", t0)
	if r := send(5, 71, t0, 44); r.Status != reviews.RequestSkipped || r.SkipReason != reviews.SkipAlreadyReviewed {
		t.Fatalf("already reviewed: %+v", r)
	}

	// Cap: six orders due at the same moment; five emails go, the sixth waits for the window.
	for i := int64(0); i < 6; i++ {
		s.order(100+i, 80, t0, 500+i)
		s.fulfill(100+i, 1100+i, t0, nil)
		s.sync(100+i, t0)
	}
	due := t0.Add(14 * 24 * time.Hour)
	run := s.process(due)
	if run.Sent != 5 || run.Waiting != 1 {
		t.Fatalf("cap run: %+v", run)
	}
	var waiting *reviews.ReviewRequest
	for i := int64(0); i < 6; i++ {
		if r := s.request(100 + i); r.Status == reviews.RequestScheduled {
			waiting = r
		}
	}
	if waiting == nil || waiting.WaitReason != reviews.WaitEmailCap || waiting.DueAt.Before(due.Add(30*24*time.Hour)) {
		t.Fatalf("waiting request %+v", waiting)
	}
	// Reminders would exceed the cap too: all five are dropped, none sent.
	if run := s.process(due.Add(7 * 24 * time.Hour)); run.Reminded != 0 || run.Skipped != 5 {
		t.Fatalf("reminders under cap: %+v", run)
	}
	var emails int64 = s.count(`SELECT count(*) FROM events WHERE shop_id = ? AND customer_id = 80 AND kind IN ('review_request', 'review_reminder')`, s.id)
	if emails != 5 {
		t.Fatalf("%d review emails in 30 days", emails)
	}
	if run := s.process(waiting.DueAt); run.Sent != 1 {
		t.Fatalf("waiting request after the window: %+v", run)
	}
}

func TestReviewRequestCompletedByLinkReview(t *testing.T) {
	db, _ := testenv.DB(t)
	s := newReviewShop(t, db)
	t0 := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	s.order(1, 90, t0, 61, 62)
	s.fulfill(1, 401, t0, nil)
	s.sync(1, t0)
	due := s.request(1).DueAt
	s.process(due)
	r, err := reviews.SubmitReview(s.ctx, db, s.id, reviews.ReviewInput{ProductID: 62, Rating: 5, Body: "great", CustomerID: 90,
		OrderID: 1, Source: reviews.SourceLink, LinkProducts: []int64{62, 61}}, due.Add(time.Hour))
	if err != nil || !r.VerifiedBuyer || r.RequestID == nil {
		t.Fatalf("link review %+v %v", r, err)
	}
	if q := s.request(1); q.Status != reviews.RequestCompleted {
		t.Fatalf("request after review: %+v", q)
	}
	if run := s.process(due.Add(8 * 24 * time.Hour)); run.Reminded != 0 {
		t.Fatalf("reminded after review: %+v", run)
	}
}
