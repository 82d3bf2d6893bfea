package handlers_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/boomerang-app/boomerang/internal/apptest"
	"github.com/boomerang-app/boomerang/internal/testenv"
	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/shopify/fakeshop"
)

type billingView struct {
	Plan            models.Plan             `json:"plan"`
	Subscription    *models.AppSubscription `json:"subscription"`
	Pending         *models.AppSubscription `json:"pending"`
	OrdersThisMonth int                     `json:"orders_this_month"`
	OverLimit       bool                    `json:"over_limit"`
	Plans           []models.Plan           `json:"plans"`
	ConfirmationURL string                  `json:"confirmation_url"`
}

// A merchant on the free plan goes over its orders: campaigns pause (transactional mail is not
// the API's to stop), an upgrade declined changes nothing, an approved one lifts the limit, its
// webhook is idempotent and a stale one is ignored, and a downgrade cancels the charge.
func TestBilling(t *testing.T) {
	a := apptest.Start(t, apptest.Options{})
	shop := testenv.Shop("billing")
	shopID := a.Install(t, shop)
	ctx := context.Background()
	get := func() billingView {
		t.Helper()
		var b billingView
		if code := a.API(t, shop, "GET", "/api/billing", nil, &b); code != 200 {
			t.Fatalf("GET /api/billing: %d", code)
		}
		return b
	}
	if b := get(); b.Plan.Key != models.PlanFree || b.OverLimit || len(b.Plans) != len(models.Plans) {
		t.Fatalf("a new shop: %+v", b)
	}

	// Over the free plan's orders this month: campaigns refuse to start, with the reason.
	free, _ := models.PlanNamed(models.PlanFree)
	now := time.Now()
	for i := 0; i <= free.OrdersPerMonth; i++ {
		if _, err := models.UpsertOrder(ctx, a.DB, shopID, models.OrderFact{OrderID: int64(9000 + i), Paid: true, ProcessedAt: &now, CreatedAt: &now, UpdatedAt: &now}); err != nil {
			t.Fatal(err)
		}
	}
	if b := get(); !b.OverLimit || b.OrdersThisMonth != free.OrdersPerMonth+1 {
		t.Fatalf("over the limit: %+v", b)
	}
	var camp struct{ ID int64 }
	if code := a.API(t, shop, "POST", "/api/campaigns", map[string]any{"name": "Sale", "channel": "email", "subject": "Sale",
		"body": "<p>Sale</p>", "audience": map[string]any{"stage": "new"}}, &camp); code != 201 {
		t.Fatalf("create campaign: %d", code)
	}
	var refused apiError
	if code := a.API(t, shop, "POST", fmt.Sprintf("/api/campaigns/%d/send", camp.ID), nil, &refused); code != http.StatusConflict ||
		!strings.Contains(refused.Error.Message, "200 the Free plan allows") {
		t.Fatalf("a campaign over the limit: %d %+v", code, refused.Error)
	}

	// Upgrade, declined: still free and still paused.
	var up billingView
	if code := a.API(t, shop, "POST", "/api/billing/plan", map[string]any{"plan": "growth"}, &up); code != 200 || up.ConfirmationURL == "" {
		t.Fatalf("choose growth: %d %+v", code, up)
	}
	subs := a.Fake.Subscriptions(shop)
	if len(subs) != 1 || subs[0].Status != "PENDING" || !subs[0].Test || subs[0].TrialDays != 14 || subs[0].Price != "29" {
		t.Fatalf("subscription asked for: %+v", subs)
	}
	if u, err := url.Parse(subs[0].ReturnURL); err != nil || !strings.HasSuffix(u.Path, "/setup") {
		t.Errorf("return URL %q", subs[0].ReturnURL)
	}
	a.Fake.Decline(subs[0].ID)
	if b := get(); b.Plan.Key != models.PlanFree || b.Pending != nil || !b.OverLimit {
		t.Fatalf("after a decline: %+v", b)
	}

	// Upgrade, approved: the webhook makes it the plan; a copy and a stale report change nothing.
	a.API(t, shop, "POST", "/api/billing/plan", map[string]any{"plan": "growth"}, &up)
	var pending fakeshop.AppSubscription
	for _, s := range a.Fake.Subscriptions(shop) {
		if s.Status == "PENDING" {
			pending = s
		}
	}
	a.Fake.Approve(pending.ID)
	update := func(status string, at time.Time) map[string]any {
		return map[string]any{"app_subscription": map[string]any{"admin_graphql_api_id": pending.ID, "name": pending.Name,
			"status": status, "updated_at": at.UTC().Format(time.RFC3339)}}
	}
	for range 2 {
		a.Webhook(t, shop, "app_subscriptions/update", "sub-active-1", update("ACTIVE", time.Now()))
	}
	a.Webhook(t, shop, "app_subscriptions/update", "", update("PENDING", time.Now().Add(-time.Hour)))
	a.Drain(t, 30*time.Second)
	b, err := models.BillingOf(ctx, a.DB, shopID, time.Now())
	if err != nil || b.Plan.Key != "growth" || b.Subscription == nil || b.Subscription.SubscriptionID != pending.ID || b.OverLimit {
		t.Fatalf("after approval: %+v %v", b, err)
	}
	if code := a.API(t, shop, "POST", fmt.Sprintf("/api/campaigns/%d/send", camp.ID), nil, nil); code != 200 {
		t.Fatalf("a campaign on the paid plan: %d", code)
	}

	// Downgrade: the charge is cancelled in Shopify and the shop is on the free plan again.
	var down billingView
	if code := a.API(t, shop, "POST", "/api/billing/plan", map[string]any{"plan": "free"}, &down); code != 200 || down.Plan.Key != models.PlanFree || !down.OverLimit {
		t.Fatalf("downgrade: %d %+v", code, down)
	}
	for _, s := range a.Fake.Subscriptions(shop) {
		if s.ID == pending.ID && s.Status != "CANCELLED" {
			t.Fatalf("the growth charge is %s in Shopify after a downgrade", s.Status)
		}
	}
	if code := a.API(t, shop, "POST", "/api/billing/plan", map[string]any{"plan": "platinum"}, &refused); code != 422 || refused.Error.Field != "plan" {
		t.Fatalf("an unknown plan: %d %+v", code, refused.Error)
	}
}

// A paid plan's orders above its own are charged by the block through the subscription's usage
// line, once each however often the charge runs, up to the plan's usage cap; past what the cap
// pays for, campaigns pause as on the free plan.
func TestUsageChargesAboveThePlan(t *testing.T) {
	a := apptest.Start(t, apptest.Options{})
	shop := testenv.Shop("usage")
	shopID := a.Install(t, shop)
	ctx := context.Background()
	growth, _ := models.PlanNamed("growth")
	var up billingView
	if code := a.API(t, shop, "POST", "/api/billing/plan", map[string]any{"plan": "growth"}, &up); code != 200 {
		t.Fatalf("choose growth: %d", code)
	}
	sub := a.Fake.Subscriptions(shop)[0]
	if sub.CappedAmount != "50" || !strings.Contains(sub.Terms, "1000 orders over 2000") {
		t.Fatalf("the subscription's usage line: %+v", sub)
	}
	a.Fake.Approve(sub.ID)
	if err := models.SyncAppSubscriptions(ctx, a.DB, a.Admin, shopID, time.Now()); err != nil {
		t.Fatal(err)
	}
	orders := func(n int) {
		t.Helper()
		if err := a.DB.Exec(`INSERT INTO orders (shop_id, order_id, processed_at)
			SELECT ?, 700000 + g, now() FROM generate_series(1, ?) g ON CONFLICT DO NOTHING`, shopID, n).Error; err != nil {
			t.Fatal(err)
		}
	}
	charge := func(want int) models.Billing {
		t.Helper()
		n, err := models.ChargeUsage(ctx, a.DB, a.Admin, shopID, time.Now())
		if err != nil || n != want {
			t.Fatalf("charged %d blocks (%v), want %d", n, err, want)
		}
		b, err := models.BillingOf(ctx, a.DB, shopID, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	orders(growth.OrdersPerMonth)
	if b := charge(0); !b.UsageCharged.IsZero() || b.OverLimit {
		t.Fatalf("within the plan: %+v", b)
	}
	orders(growth.OrdersPerMonth + 2_500) // three blocks started
	if b := charge(3); b.UsageCharged.String() != "30" || b.OverLimit || b.OrdersAllowed != 7_000 {
		t.Fatalf("three blocks over: %+v", b)
	}
	charge(0)                             // again: nothing more
	orders(growth.OrdersPerMonth + 5_500) // six blocks started; the cap pays for five
	b := charge(2)
	if b.UsageCharged.String() != "50" || !b.OverLimit {
		t.Fatalf("past the cap: %+v", b)
	}
	recs := a.Fake.Subscriptions(shop)[0].Usage
	if len(recs) != 5 || !strings.HasPrefix(recs[0].Description, "Orders 2001–3000 of ") {
		t.Fatalf("usage records in Shopify: %+v", recs)
	}
	// Shopify refuses a charge past the capped amount, whatever Boomerang believes.
	if _, err := a.Admin.CreateUsageRecord(ctx, shop, sub.ID, growth.OveragePrice, "extra", "extra-1"); !errors.Is(err, models.ErrUsageCapReached) {
		t.Fatalf("a charge past the cap: %v", err)
	}
	var camp struct{ ID int64 }
	a.API(t, shop, "POST", "/api/campaigns", map[string]any{"name": "Sale", "channel": "email", "subject": "Sale",
		"body": "<p>Sale</p>", "audience": map[string]any{"stage": "new"}}, &camp)
	if code := a.API(t, shop, "POST", fmt.Sprintf("/api/campaigns/%d/send", camp.ID), nil, nil); code != http.StatusConflict {
		t.Fatalf("a campaign past what the plan allows: %d", code)
	}
}
