package jobs_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/models/messaging"
	"github.com/boomerang-app/boomerang/shopify"
)

// postFlow posts a body to a Flow endpoint as Flow does (signed with secret) and returns the
// status and the answer.
func (s *story) postFlow(path, secret string, body any) (int, map[string]any) {
	s.t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, s.a.Server.URL+path, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Shopify-Hmac-Sha256", shopify.SignWebhook(b, secret))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

// flowAction posts a Flow action run.
func (s *story) flowAction(action, secret string, body map[string]any) (int, map[string]any) {
	s.t.Helper()
	return s.postFlow("/flow/actions/"+action, secret, body)
}

// Marshall's subscription, known from his orders, is cancelled in his subscription app, which
// tells Flow, which runs Boomerang's action: the subscription ends with his reason (one win-back,
// the reason in the complaint themes), however often Flow resends the run. A forged run is
// refused, and so is one for a customer the shop does not have.
func TestFlowSubscriptionCancelled(t *testing.T) {
	s := newStory(t, "flowcancel")
	ctx := context.Background()
	const marshall, email, product = int64(3201), "marshall.flow@example.com", int64(7201)
	s.customer(marshall, "Marshall", email, "subscribed")
	s.planOrder(8201, marshall, product, time.Now().UTC().AddDate(0, 0, -10))
	s.a.Drain(t, 30*time.Second)
	secret := s.a.Cfg.ShopifyAPISecret
	run := func(id string, customer any) map[string]any {
		return map[string]any{"shop_id": 1, "shopify_domain": s.shop, "action_run_id": id, "handle": "subscription-cancelled",
			"properties": map[string]any{"customer_id": customer, "product_ids": []any{"gid://shopify/Product/7201"},
				"reason": "The coffee arrives faster than I drink it"}}
	}

	if st, _ := s.flowAction("subscription-cancelled", "forged-secret", run("run-1", marshall)); st != http.StatusUnauthorized {
		t.Fatalf("a forged run: %d, want 401", st)
	}
	st, out := s.flowAction("subscription-cancelled", secret, run("run-unknown", 999999))
	if e, _ := out["error"].(map[string]any); st != http.StatusUnprocessableEntity || e["field"] != "properties.customer_id" {
		t.Fatalf("an unknown customer: %d %v", st, out)
	}
	for i := range 3 { // Flow resends until it sees 200
		st, out := s.flowAction("subscription-cancelled", secret, run("run-1", shopify.CustomerGID(marshall)))
		if st != http.StatusOK || out["repeat"] != (i > 0) || out["subscriptions"] != float64(1) {
			t.Fatalf("send %d of the run: %d %v", i+1, st, out)
		}
	}
	c, err := models.GetSubscriptionContract(ctx, s.a.DB, s.shopID, models.OrderSubscriptionID(marshall, product))
	if err != nil || c.Status != models.SubscriptionCancelled || c.CancellationReason != "The coffee arrives faster than I drink it" {
		t.Fatalf("his subscription after the Flow run: %+v %v", c, err)
	}
	expectDecision(t, "win-back", s.waitDecision(marshall, models.EventSubscriptionCancelled, 0), messaging.DecisionSent, "")
	s.a.Drain(t, 30*time.Second)
	var events int64
	s.a.Inspect().Raw(`SELECT count(*) FROM events WHERE shop_id = ? AND kind = ?`, s.shopID, models.EventSubscriptionCancelled).Scan(&events)
	reasons, _ := models.CancellationReasons(ctx, s.a.DB, s.shopID, time.Now().AddDate(0, 0, -1), 10)
	if events != 1 || len(reasons) != 1 {
		t.Fatalf("three sends of one run: %d cancellations, %d reasons (want 1 and 1)", events, len(reasons))
	}

	// A cancellation of a subscription Boomerang never saw is recorded as one of its own.
	const sam = int64(3202)
	s.customer(sam, "Sam", "sam.flow@example.com", "subscribed")
	s.a.Drain(t, 30*time.Second)
	if st, out := s.flowAction("subscription-cancelled", secret, run("run-2", sam)); st != http.StatusOK || out["subscriptions"] != float64(1) {
		t.Fatalf("a cancellation of an unknown subscription: %d %v", st, out)
	}
	subs, _ := models.CustomerSubscriptions(ctx, s.a.DB, s.shopID, sam)
	if len(subs) != 1 || subs[0].Source != models.SubscriptionFromFlow || subs[0].Status != models.SubscriptionCancelled {
		t.Fatalf("Sam's subscriptions: %+v", subs)
	}
}
