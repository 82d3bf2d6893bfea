package jobs_test

import (
	"context"
	"testing"
	"time"

	"github.com/boomerang-app/boomerang/internal/apptest"
	"github.com/boomerang-app/boomerang/internal/testenv"
	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/shopify/fakeshop"
)

// A store that has not granted read_all_orders gets 60 days of history, and the import says so;
// granting it later (app/scopes_update) imports the rest.
func TestHistoryImportWithoutReadAllOrders(t *testing.T) {
	a := apptest.Start(t, apptest.Options{NoWorker: true})
	shop := testenv.Shop("history60")
	required := "read_orders,read_customers,write_customers,write_discounts,write_products,read_own_subscription_contracts,write_app_proxy"
	a.Fake.SetScopes(shop, required)
	id := a.Install(t, shop)
	ctx := context.Background()

	now := time.Now().UTC().Truncate(time.Second)
	spec := fakeshop.HistorySpec{Orders: 730, Customers: 100, From: now.AddDate(-2, 0, 0), To: now, Seed: 3}
	recent := 0 // orders the spec places in the last 60 days
	step := spec.To.Sub(spec.From) / time.Duration(spec.Orders)
	for i := range spec.Orders {
		if !spec.From.Add(time.Duration(i) * step).Before(now.AddDate(0, 0, -60)) {
			recent++
		}
	}
	a.Fake.SetBulkResult(shop, fakeshop.OrderHistory(spec))
	if err := runImport(t, a, id); err != nil {
		t.Fatal(err)
	}
	imp, _ := models.GetHistoryImport(ctx, a.DB, id)
	if imp.State != models.ImportDone || imp.AllOrders || imp.Orders < int64(recent-1) || imp.Orders > int64(recent+1) {
		t.Fatalf("without read_all_orders: %+v (want done, all_orders false, about %d orders)", imp, recent)
	}

	// The merchant grants it in the admin: Shopify says so with app/scopes_update.
	a.Fake.SetScopes(shop, required+",read_all_orders")
	a.Webhook(t, shop, "app/scopes_update", "scopes-1", map[string]any{
		"id": 1, "previous": []string{"read_orders"}, "current": []string{"read_orders", "read_all_orders", "read_customers"},
		"updated_at": now.Format(time.RFC3339)})
	process(t, a, deliverID(t, a, shop, "scopes-1"))
	imp, _ = models.GetHistoryImport(ctx, a.DB, id)
	if imp.State != models.ImportPending {
		t.Fatalf("after read_all_orders was granted: %+v (want a new import pending)", imp)
	}
	if err := runImport(t, a, id); err != nil {
		t.Fatal(err)
	}
	var orders int64
	a.Inspect().Raw(`SELECT count(*) FROM orders WHERE shop_id = ?`, id).Scan(&orders)
	imp, _ = models.GetHistoryImport(ctx, a.DB, id)
	if !imp.AllOrders || imp.State != models.ImportDone || orders != int64(spec.Orders) {
		t.Fatalf("after the second import: %+v, %d orders stored (want all %d)", imp, orders, spec.Orders)
	}
}
