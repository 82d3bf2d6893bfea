package jobs_test

import (
	"context"
	"testing"
	"time"

	"github.com/boomerang-app/boomerang/internal/apptest"
	"github.com/boomerang-app/boomerang/internal/testenv"
	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/models/messaging"
	"github.com/boomerang-app/boomerang/shopify"
	"github.com/boomerang-app/boomerang/shopify/fakeshop"
)

// A throttled Admin API neither fails the webhook nor loses the lines: they are fetched by a
// retried task once the bucket refills.
func TestSubscriptionLinesWhenThrottled(t *testing.T) {
	a := apptest.Start(t, apptest.Options{})
	shop := testenv.Shop("subthrottle")
	shopID := a.Install(t, shop)
	ctx := context.Background()
	a.Fake.SetContract(fakeshop.Contract{ID: "gid://shopify/SubscriptionContract/55", Lines: []fakeshop.ContractLine{
		{ProductID: shopify.ProductGID(901), VariantID: "gid://shopify/ProductVariant/9011", Title: "Tea", Quantity: 2}}})
	a.Fake.Throttle(4) // more than go-shopify's own retries (3)
	a.Webhook(t, shop, "subscription_contracts/create", "", map[string]any{"id": 55, "customer_id": 77, "status": "active",
		"revision_id": 1, "admin_graphql_api_id": "gid://shopify/SubscriptionContract/55"})
	deadline := time.Now().Add(90 * time.Second)
	for {
		c, err := models.GetSubscriptionContract(ctx, a.DB, shopID, 55)
		if err == nil && len(c.Lines) == 1 {
			if c.Lines[0].ProductID != 901 || c.Lines[0].Quantity != 2 || c.Status != models.SubscriptionActive {
				t.Fatalf("contract = %+v", c)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("lines never fetched: %+v %v", c, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	var processed int64
	a.DB.Raw(`SELECT count(*) FROM webhook_events WHERE shop_id = ? AND processed_at IS NOT NULL`, shopID).Scan(&processed)
	if processed != 1 {
		t.Fatalf("the webhook was not processed despite the throttle")
	}
	if n := len(a.Fake.CallsTo("subscriptionContract")); n < 5 {
		t.Fatalf("subscriptionContract calls = %d, want the throttled ones and the retry", n)
	}
}

// Hold tags follow the holds: added, kept while any hold is in force, removed when the last
// one ends (released or expired), and a throttled call is retried rather than skipped.
func TestHoldTagSync(t *testing.T) {
	a := apptest.Start(t, apptest.Options{NoWorker: true})
	shop := testenv.Shop("tags")
	shopID := a.Install(t, shop)
	ctx := context.Background()
	now := time.Now()
	soon := now.Add(time.Hour)
	models.PlaceHold(ctx, a.DB, shopID, 1, models.HoldNegativeReview, "case", "1", nil)
	models.PlaceHold(ctx, a.DB, shopID, 1, models.HoldOpenCase, "case", "1", &soon)
	models.PlaceHold(ctx, a.DB, shopID, 2, models.HoldRecentCancellation, models.HoldSourceSubscription, "9", &soon)
	has := func(customer int64) bool {
		for _, tag := range a.Fake.Tags(shopify.CustomerGID(customer)) {
			if tag == models.HoldTag {
				return true
			}
		}
		return false
	}
	a.Fake.Throttle(4)
	if _, err := models.SyncHoldTags(ctx, a.DB, a.Admin, shopID, time.Now()); err == nil {
		t.Fatal("a throttled sync must return its error so the task is retried")
	}
	if _, err := models.SyncHoldTags(ctx, a.DB, a.Admin, shopID, time.Now()); err != nil {
		t.Fatal(err)
	}
	if !has(1) || !has(2) {
		t.Fatalf("tags after placing holds: 1=%v 2=%v", has(1), has(2))
	}
	calls := len(a.Fake.CallsTo("tagsAdd"))
	if _, err := models.SyncHoldTags(ctx, a.DB, a.Admin, shopID, time.Now()); err != nil || len(a.Fake.CallsTo("tagsAdd")) != calls {
		t.Fatalf("a synced shop was synced again: %v", err)
	}
	// One of customer 1's holds ends: still held, tag stays.
	models.ReleaseHolds(ctx, a.DB, shopID, "case", "1")
	models.PlaceHold(ctx, a.DB, shopID, 1, models.HoldNegativeReview, "case", "2", nil)
	models.SyncHoldTags(ctx, a.DB, a.Admin, shopID, time.Now())
	if !has(1) {
		t.Fatal("tag removed while a hold is still in force")
	}
	models.ReleaseHolds(ctx, a.DB, shopID, "case", "2")
	models.SyncHoldTags(ctx, a.DB, a.Admin, shopID, time.Now())
	if has(1) {
		t.Fatal("tag kept after the last hold was released")
	}
	// Customer 2's cool-down simply runs out.
	if n, err := models.ExpireHolds(ctx, a.DB, now.Add(2*time.Hour)); err != nil || n != 1 {
		t.Fatalf("expired %d holds: %v", n, err)
	}
	models.SyncHoldTags(ctx, a.DB, a.Admin, shopID, time.Now())
	if has(2) {
		t.Fatal("tag kept after the hold expired")
	}
}

// The daily scan emits the scheduled triggers once: a one-time buyer past the win-back delay,
// an at-risk regular, a birthday; running it again emits nothing new.
func TestScheduledTriggers(t *testing.T) {
	a := apptest.Start(t, apptest.Options{NoWorker: true})
	shop := testenv.Shop("scan")
	shopID := a.Install(t, shop)
	ctx := context.Background()
	day := 24 * time.Hour
	for id, orders := range map[int64][]time.Duration{
		1: {65 * day},           // one order 65 days ago: past the 60-day default
		2: {10 * day},           // one order 10 days ago: not yet
		3: {95 * day, 65 * day}, // every 30 days, quiet for 65 (> 2 × 30): at risk
		4: {400 * day},          // gone quiet long ago: not messaged out of the blue
	} {
		models.UpsertCustomer(ctx, a.DB, shopID, models.CustomerFact{CustomerID: id, Email: "x@example.com"})
		for k, ago := range orders {
			oid := id*100 + int64(k)
			at := time.Now().Add(-ago)
			models.UpsertOrder(ctx, a.DB, shopID, models.OrderFact{OrderID: oid, CustomerID: id, Paid: true, ProcessedAt: &at, CreatedAt: &at, UpdatedAt: &at})
		}
		models.RefreshCustomerStats(ctx, a.DB, shopID, id, false)
	}
	a.DB.Exec(`UPDATE customers SET birthday = ? WHERE shop_id = ? AND customer_id = 2`, time.Now().AddDate(-30, 0, 0).Format("2006-01-02"), shopID)
	for i := 0; i < 2; i++ {
		if _, err := messaging.ScanScheduled(ctx, a.DB, shopID, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	var got []struct {
		Kind       string
		CustomerID int64
	}
	a.DB.Raw(`SELECT kind, customer_id FROM events WHERE shop_id = ? AND kind IN (?, ?, ?) ORDER BY kind, customer_id`, shopID,
		models.EventOneTimeBuyerQuiet, models.EventAtRisk, models.EventBirthday).Scan(&got)
	want := []struct {
		Kind       string
		CustomerID int64
	}{{models.EventAtRisk, 3}, {models.EventBirthday, 2}, {models.EventOneTimeBuyerQuiet, 1}}
	if len(got) != len(want) {
		t.Fatalf("events = %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("events = %+v, want %+v", got, want)
		}
	}
}
