package jobs_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/models/messaging"
	"github.com/boomerang-app/boomerang/shopify"
	"github.com/boomerang-app/boomerang/shopify/fakeshop"
)

// planOrder delivers an orders/paid webhook shaped like API 2026-10's: its line names the
// selling plan it was bought on.
func (s *story) planOrder(id, customerID, productID int64, at time.Time) {
	s.t.Helper()
	s.a.Webhook(s.t, s.shop, "orders/paid", "", map[string]any{"id": id, "name": fmt.Sprintf("#%d", id),
		"currency": "USD", "subtotal_price": "24.00", "total_price": "24.00", "financial_status": "paid",
		"processed_at": rfc(at), "created_at": rfc(at), "updated_at": rfc(at), "customer": s.customers[customerID],
		"line_items": []any{map[string]any{"id": id*10 + 1, "product_id": productID, "variant_id": productID*10 + 1,
			"title": "Coffee beans, every two weeks", "quantity": 1, "price": "24.00", "selling_plan_id": 690_001}}})
}

// Marshall subscribes through an app Boomerang cannot read: no contract webhook ever comes, only
// his orders, whose lines name their selling plan. He is a subscriber from his orders on (the
// promotion featuring his product is held); when his renewal is overdue past the grace period
// the subscription lapses (one win-back, counted in churn); a renewal afterwards restores it
// without a second win-back and takes the lapse out of churn.
func TestStoryMarshallFromOrders(t *testing.T) {
	s := newStory(t, "marshallorders")
	ctx := context.Background()
	const marshall, email, product = int64(3101), "marshall.orders@example.com", int64(7101)
	s.customer(marshall, "Marshall", email, "subscribed")
	now := time.Now().UTC()
	// Every two weeks, the last one 36 days ago: due 22 days ago, lapsed 1 day ago (14 days of
	// interval, then one interval and 7 days of grace).
	s.planOrder(8101, marshall, product, now.AddDate(0, 0, -50))
	s.planOrder(8102, marshall, product, now.AddDate(0, 0, -36))
	s.a.Drain(t, 30*time.Second)
	subs, err := models.SubscribedProducts(ctx, s.a.DB, s.shopID, []int64{marshall})
	if err != nil || len(subs[marshall]) != 1 || subs[marshall][0] != product {
		t.Fatalf("subscribed products = %v, %v; want [%d] from his orders", subs, err, product)
	}
	id := models.OrderSubscriptionID(marshall, product)
	c, err := models.GetSubscriptionContract(ctx, s.a.DB, s.shopID, id)
	wantLapse := now.AddDate(0, 0, -36+14+14+7) // the last renewal, one interval, one more, 7 days of grace
	if err != nil || c.Source != models.SubscriptionFromOrders || c.DeliveryIntervalCount != 14 || c.LapseAt == nil ||
		c.LapseAt.Sub(wantLapse).Abs() > time.Minute {
		t.Fatalf("subscription from orders: %+v (lapse at %v, want %v), %v", c, c.LapseAt, wantLapse, err)
	}

	camp := s.campaign(map[string]any{"name": "Coffee promo", "channel": "email", "subject": "Fresh coffee beans, 15% off",
		"body": "<p>Beans</p>", "featured_product_ids": []int64{product}, "audience": map[string]any{"customer_ids": []int64{marshall}}})
	expectDecision(t, "Marshall's promotion", s.waitDecision(marshall, "", camp), messaging.DecisionHeld, messaging.ReasonSubscribedProduct)

	// The daily scan finds the renewal overdue: it lapses, once, however often the scan runs.
	scan := func() {
		t.Helper()
		if _, err := messaging.ScanScheduled(ctx, s.a.DB, s.shopID, time.Now()); err != nil {
			t.Fatal(err)
		}
		if err := s.a.Queue.EnqueueDispatch(ctx, s.shopID); err != nil { // as the scan task does
			t.Fatal(err)
		}
	}
	scan()
	scan()
	expectDecision(t, "win-back", s.waitDecision(marshall, models.EventSubscriptionCancelled, 0), messaging.DecisionSent, "")
	s.waitMail(email, "We'll miss you, Marshall")
	churn, err := models.SubscriptionChurn(ctx, s.a.DB, s.shopID, now.AddDate(0, 0, -30), now.Add(time.Hour))
	if err != nil || churn.Cancelled != 1 || churn.BySource[models.SubscriptionFromOrders].Cancelled != 1 {
		t.Fatalf("churn after the lapse = %+v, %v", churn, err)
	}

	// He renews after all: subscribed again, no second win-back, and the lapse was no churn.
	s.planOrder(8103, marshall, product, now)
	s.a.Drain(t, 30*time.Second)
	scan()
	s.a.Drain(t, 30*time.Second)
	c, _ = models.GetSubscriptionContract(ctx, s.a.DB, s.shopID, id)
	winbacks := 0
	for _, d := range s.decisions(marshall) {
		if d.Trigger == models.EventSubscriptionCancelled {
			winbacks++
		}
	}
	churn, _ = models.SubscriptionChurn(ctx, s.a.DB, s.shopID, now.AddDate(0, 0, -30), now.Add(time.Hour))
	if c.Status != models.SubscriptionActive || winbacks != 1 || churn.Cancelled != 0 {
		t.Fatalf("after the renewal: status %s, %d win-backs, churn %+v (want active, 1, no cancellation)", c.Status, winbacks, churn)
	}
}

// With read_products (write_products is a required scope), a subscription recognised from orders expects its
// renewal on its selling plan's schedule from the first order (every 2 weeks here, where the
// orders alone would assume a month), and each plan is read from Shopify once.
func TestSellingPlanInterval(t *testing.T) {
	s := newStory(t, "sellingplan")
	ctx := context.Background()
	s.a.Fake.SetSellingPlan(shopify.SellingPlanGID(690_001), fakeshop.SellingPlan{Interval: "WEEK", IntervalCount: 2})
	const marshall, product = int64(3301), int64(7301)
	s.customer(marshall, "Marshall", "marshall.plan@example.com", "subscribed")
	s.a.Drain(t, 30*time.Second)
	first := time.Now().UTC().AddDate(0, 0, -10)
	s.planOrder(8301, marshall, product, first)
	s.a.Drain(t, 30*time.Second)
	c, err := models.GetSubscriptionContract(ctx, s.a.DB, s.shopID, models.OrderSubscriptionID(marshall, product))
	want := first.AddDate(0, 0, 14+14+7)
	if err != nil || c.DeliveryIntervalCount != 14 || c.LapseAt == nil || c.LapseAt.Sub(want).Abs() > time.Minute {
		t.Fatalf("from the plan: interval %d days, lapse at %v (want 14 days, %v), %v", c.DeliveryIntervalCount, c.LapseAt, want, err)
	}
	s.planOrder(8302, marshall, product, first.AddDate(0, 0, 9)) // an early renewal: the plan still says 14
	s.a.Drain(t, 30*time.Second)
	c, _ = models.GetSubscriptionContract(ctx, s.a.DB, s.shopID, models.OrderSubscriptionID(marshall, product))
	if c.DeliveryIntervalCount != 14 {
		t.Errorf("after a renewal 9 days on: interval %d days, want the plan's 14", c.DeliveryIntervalCount)
	}
	if n := len(s.a.Fake.CallsTo("node")); n != 1 {
		t.Errorf("the plan was read %d times, want once", n)
	}
}
