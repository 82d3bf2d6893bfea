package jobs_test

import (
	"context"
	"testing"
	"time"

	"github.com/boomerang-app/boomerang/internal/apptest"
	"github.com/boomerang-app/boomerang/internal/testenv"
)

// firstOrderCase delivers a batch's worth of recent orders after one order applied alone:
// a new customer's two orders (the first is welcomed), a regular's next order (no welcome; it
// takes her from Bronze to Silver, priced with the measure the batch reads ahead), and a new
// customer whose first order was cancelled before her second (the second is welcomed). It
// returns the deliveries left for the batch.
func firstOrderCase(t *testing.T, a *apptest.App, shop string) []int64 {
	t.Helper()
	at := time.Now().UTC().Add(-time.Hour).Format(time.RFC3339)
	recent := func(id, customer int64, subtotal string, extra map[string]any) map[string]any {
		o := orderBody(id, customer, "paid", subtotal, at, extra)
		o["created_at"], o["processed_at"] = at, at
		return o
	}
	process(t, a, deliver(t, a, shop, "orders/paid", "w-103", recent(103, 22, "300.00", nil)))
	return []int64{
		deliver(t, a, shop, "orders/paid", "w-101", recent(101, 21, "20.00", nil)),
		deliver(t, a, shop, "orders/paid", "w-104", recent(104, 22, "300.00", nil)),
		deliver(t, a, shop, "orders/paid", "w-105", recent(105, 23, "15.00", map[string]any{"cancelled_at": at})),
		deliver(t, a, shop, "orders/paid", "w-102", recent(102, 21, "35.00", nil)),
		deliver(t, a, shop, "orders/paid", "w-106", recent(106, 23, "15.00", nil)),
	}
}

// A batch refreshes its customers' stats once, after all its orders, and works out from them
// the count each order brought in turn: it welcomes the same first orders, and leaves the same
// points, tiers, stats and stages, as the deliveries applied one at a time.
func TestDrainWelcomesTheFirstOrdersOneAtATimeWould(t *testing.T) {
	a := apptest.Start(t, apptest.Options{NoWorker: true})
	drained, single := testenv.Shop("welcomedrained"), testenv.Shop("welcomesingle")
	drainedID, singleID := a.Install(t, drained), a.Install(t, single)

	batch := firstOrderCase(t, a, drained)
	if n, err := a.Worker.DrainBatch(context.Background(), drainedID); err != nil || n != len(batch) {
		t.Fatalf("drained %d of %d: %v", n, len(batch), err)
	}
	process(t, a, firstOrderCase(t, a, single)...)

	welcomes := func(shopID int64) (out []string) {
		a.Inspect().Raw(`SELECT key || ' order ' || (payload->>'order_id') FROM events WHERE shop_id = ? AND kind = 'first_order'
			ORDER BY key`, shopID).Scan(&out)
		return out
	}
	want := []string{"customer:21 order 101", "customer:22 order 103", "customer:23 order 106"}
	for _, shop := range []struct {
		name string
		id   int64
	}{{"one at a time", singleID}, {"drained", drainedID}} {
		if got := welcomes(shop.id); len(got) != len(want) || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
			t.Errorf("%s: welcomes %q, want %q", shop.name, got, want)
		}
	}
	var tier string
	a.Inspect().Raw(`SELECT tier FROM loyalty_accounts WHERE shop_id = ? AND customer_id = 22`, drainedID).Scan(&tier)
	if tier != "Silver" {
		t.Errorf("the regular's tier after the batch: %q, want Silver", tier)
	}
	stage := func(shopID int64) (out []string) {
		a.Inspect().Raw(`SELECT customer_id || ' ' || stage || ' ' || orders_count FROM customers WHERE shop_id = ? ORDER BY customer_id`,
			shopID).Scan(&out)
		return out
	}
	if got, want := stage(drainedID), stage(singleID); len(got) != 3 || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Errorf("stages drained %q, one at a time %q", got, want)
	}
	sameFingerprint(t, "drained shop", fingerprint(t, a, drainedID), fingerprint(t, a, singleID))
}
