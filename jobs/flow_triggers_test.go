package jobs_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/models/reviews"
	"github.com/boomerang-app/boomerang/shopify/fakeshop"
)

// flowLifecycle posts Flow's trigger lifecycle callback, signed with secret.
func (s *story) flowLifecycle(secret, trigger string, enabled bool, at time.Time) (int, map[string]any) {
	s.t.Helper()
	return s.postFlow("/flow/lifecycle", secret, map[string]any{"flow_trigger_definition_id": trigger, "has_enabled_flow": enabled,
		"shop_id": 1, "shopify_domain": s.shop, "timestamp": at.UTC().Format(time.RFC3339Nano)})
}

func flowSent(fake *fakeshop.Server, shop, handle string) []fakeshop.FlowTrigger {
	var out []fakeshop.FlowTrigger
	for _, tr := range fake.FlowTriggers(shop) {
		if tr.Handle == handle {
			out = append(out, tr)
		}
	}
	return out
}

// Naomi's story told to the merchant's Flow: her 1-star review, the hold it places and its
// release each start a workflow with her customer id, once, however often the causes are seen
// again; a trigger no enabled workflow uses is never sent, and Flow turning one off stops it.
func TestFlowTriggersOut(t *testing.T) {
	s := newStory(t, "flowtriggers")
	ctx := context.Background()
	secret := s.a.Cfg.ShopifyAPISecret
	const naomi = int64(2301)
	s.customer(naomi, "Naomi", "naomi.flow@example.com", "subscribed")
	s.order(6301, naomi, 77, "35.00", time.Now())
	s.a.Drain(t, 30*time.Second)

	// The lifecycle callback: forged is refused; Flow names triggers by name or handle; an older
	// callback than the one stored changes nothing.
	now := time.Now()
	if st, _ := s.flowLifecycle("forged-secret", "Negative review received", true, now); st != http.StatusUnauthorized {
		t.Fatalf("forged lifecycle callback: %d, want 401", st)
	}
	for _, tr := range []string{"Negative review received", models.FlowTriggerHoldPlaced, "Promotional hold released"} {
		if st, out := s.flowLifecycle(secret, tr, true, now); st != http.StatusOK || out["applied"] != true {
			t.Fatalf("enable %s: %d %v", tr, st, out)
		}
	}
	if st, out := s.flowLifecycle(secret, "Promotional hold released", false, now.Add(-time.Hour)); st != http.StatusOK || out["applied"] != false {
		t.Fatalf("an older callback: %d %v, want 200 and not applied", st, out)
	}
	if st, _ := s.flowLifecycle(secret, "", true, now); st != http.StatusUnprocessableEntity && st != http.StatusBadRequest {
		t.Fatalf("a callback without a trigger id: %d, want 4xx", st)
	}

	// The review: the case opens, the hold is placed, Flow hears both.
	if code := s.a.Proxy(t, s.shop, "POST", "/proxy/reviews", naomi, nil, map[string]any{"product_id": 77, "rating": 1,
		"order_id": 6301, "title": "Broke after one day", "body": "Terrible quality, it broke the day after it arrived."}, nil); code != 201 && code != 200 {
		t.Fatalf("review submission: %d", code)
	}
	s.waitDecision(naomi, models.EventNegativeReview, 0)
	s.a.Drain(t, 30*time.Second)
	if _, err := models.SyncHoldTags(ctx, s.a.DB, s.a.Admin, s.shopID, time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := models.SendFlowTriggers(ctx, s.a.DB, s.a.Admin, s.shopID, time.Now()); err != nil {
		t.Fatal(err)
	}
	neg := flowSent(s.a.Fake, s.shop, models.FlowTriggerNegativeReview)
	if len(neg) != 1 || neg[0].Payload["customer_id"] != float64(naomi) || neg[0].Payload["Rating"] != float64(1) ||
		neg[0].Payload["Review title"] != "Broke after one day" || neg[0].Payload["Product ID"] != "77" {
		t.Fatalf("negative review triggers: %+v", neg)
	}
	placed := flowSent(s.a.Fake, s.shop, models.FlowTriggerHoldPlaced)
	if len(placed) != 1 || placed[0].Payload["customer_id"] != float64(naomi) || placed[0].Payload["Reason"] != models.HoldNegativeReview {
		t.Fatalf("hold placed triggers: %+v", placed)
	}

	// Seen again (a dispatch rerun marks nothing new; a hold sync finds nothing unsynced; the
	// sender runs again): nothing is sent twice.
	s.a.DB.Exec(`UPDATE events SET dispatched_at = NULL WHERE shop_id = ? AND kind = ?`, s.shopID, models.EventNegativeReview)
	if _, err := s.a.Worker.DispatchEvents(ctx, s.shopID); err != nil {
		t.Fatal(err)
	}
	if _, err := models.SendFlowTriggers(ctx, s.a.DB, s.a.Admin, s.shopID, time.Now()); err != nil {
		t.Fatal(err)
	}
	if n := len(flowSent(s.a.Fake, s.shop, models.FlowTriggerNegativeReview)); n != 1 {
		t.Fatalf("the review's trigger was sent %d times", n)
	}

	// Throttled: the send stays queued and goes out once on the retry.
	var caseID int64
	s.a.DB.Raw(`SELECT id FROM cases WHERE shop_id = ? AND customer_id = ?`, s.shopID, naomi).Scan(&caseID)
	if _, err := reviews.ResolveCase(ctx, s.a.DB, s.shopID, caseID, "refunded", "staff", time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := models.SyncHoldTags(ctx, s.a.DB, s.a.Admin, s.shopID, time.Now()); err != nil {
		t.Fatal(err)
	}
	s.a.Fake.Throttle(10) // more than go-shopify's retries
	if _, err := models.SendFlowTriggers(ctx, s.a.DB, s.a.Admin, s.shopID, time.Now()); err == nil {
		t.Fatal("a throttled send reported success")
	}
	s.a.Fake.Throttle(0)
	if _, err := models.SendFlowTriggers(ctx, s.a.DB, s.a.Admin, s.shopID, time.Now()); err != nil {
		t.Fatal(err)
	}
	released := flowSent(s.a.Fake, s.shop, models.FlowTriggerHoldReleased)
	if len(released) != 1 || released[0].Payload["customer_id"] != float64(naomi) {
		t.Fatalf("hold released triggers: %+v", released)
	}

	// Triggers no enabled workflow uses are never queued; turning one off stops it.
	for _, tr := range s.a.Fake.FlowTriggers(s.shop) {
		switch tr.Handle {
		case models.FlowTriggerNegativeReview, models.FlowTriggerHoldPlaced, models.FlowTriggerHoldReleased:
		default:
			t.Errorf("sent %s, which no workflow uses", tr.Handle)
		}
	}
	if st, _ := s.flowLifecycle(secret, "Negative review received", false, time.Now()); st != http.StatusOK {
		t.Fatal(st)
	}
	const olga = int64(2302)
	s.customer(olga, "Olga", "olga.flow@example.com", "subscribed")
	s.order(6302, olga, 78, "20.00", time.Now())
	s.a.Drain(t, 30*time.Second)
	if code := s.a.Proxy(t, s.shop, "POST", "/proxy/reviews", olga, nil, map[string]any{"product_id": 78, "rating": 1,
		"order_id": 6302, "title": "Wrong size", "body": "It arrived in the wrong size and nobody answered my emails."}, nil); code != 201 && code != 200 {
		t.Fatalf("review submission: %d", code)
	}
	s.waitDecision(olga, models.EventNegativeReview, 0)
	s.a.Drain(t, 30*time.Second)
	if _, err := models.SyncHoldTags(ctx, s.a.DB, s.a.Admin, s.shopID, time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := models.SendFlowTriggers(ctx, s.a.DB, s.a.Admin, s.shopID, time.Now()); err != nil {
		t.Fatal(err)
	}
	if n := len(flowSent(s.a.Fake, s.shop, models.FlowTriggerNegativeReview)); n != 1 {
		t.Errorf("negative review trigger sent %d times, want 1: it was turned off before Olga's review", n)
	}
	if placed := flowSent(s.a.Fake, s.shop, models.FlowTriggerHoldPlaced); len(placed) != 2 || placed[1].Payload["customer_id"] != float64(olga) {
		t.Errorf("hold placed triggers: %+v, want Naomi's then Olga's", placed)
	}
}
