package jobs_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/boomerang-app/boomerang/internal/apptest"
	"github.com/boomerang-app/boomerang/internal/testenv"
	"github.com/boomerang-app/boomerang/models"
)

// fillShop gives a shop rows in the foundation's tables through its webhooks: a customer with
// two orders (lines, a refund, a fulfillment), a domain event and a data request.
func fillShop(t *testing.T, a *apptest.App, shop string, customer int64) int64 {
	t.Helper()
	id := a.Install(t, shop)
	a.Webhook(t, shop, "customers/create", "", map[string]any{"id": customer, "email": "jane@example.com", "phone": "+15555550100",
		"first_name": "Jane", "last_name": "Roe", "tags": "vip", "updated_at": ts("05"), // newer than the orders' embedded customer
		"email_marketing_consent": map[string]any{"state": "subscribed"}, "default_address": map[string]any{"country_code": "FR"}})
	a.Webhook(t, shop, "orders/paid", "", orderBody(customer*10+1, customer, "paid", "30.00", ts("02"), map[string]any{"email": "jane@example.com"}))
	a.Webhook(t, shop, "orders/paid", "", orderBody(customer*10+2, customer, "paid", "20.00", ts("03"), map[string]any{"email": "jane@example.com"}))
	a.Webhook(t, shop, "refunds/create", "", map[string]any{"id": customer*100 + 1, "order_id": customer*10 + 1, "created_at": ts("04"),
		"refund_line_items": []any{map[string]any{"subtotal": "5.00"}}})
	a.Webhook(t, shop, "fulfillments/create", "", map[string]any{"id": customer*1000 + 1, "order_id": customer*10 + 2, "status": "success", "updated_at": ts("04")})
	a.Drain(t, drainWait)
	if _, err := models.Emit(context.Background(), a.DB, id, customer, "k", models.NegativeReviewPayload{Title: "jane@example.com wrote this"}, time.Now()); err != nil {
		t.Fatal(err)
	}
	return id
}

func TestCustomersDataRequest(t *testing.T) {
	a := apptest.Start(t, apptest.Options{})
	shop := testenv.Shop("datareq")
	id := fillShop(t, a, shop, 191167)
	a.Webhook(t, shop, "customers/data_request", "", map[string]any{"shop_id": 954889, "shop_domain": shop,
		"orders_requested": []int64{1911671, 1911672}, "customer": map[string]any{"id": 191167, "email": "jane@example.com", "phone": "555-625-1199"},
		"data_request": map[string]any{"id": 9999}})
	a.Drain(t, drainWait)

	ctx := context.Background()
	list, err := models.ListDataRequests(ctx, a.DB, id)
	if err != nil || len(list) != 1 || list[0].RequestID != 9999 || list[0].CustomerID != 191167 || list[0].Status != "completed" {
		t.Fatalf("data requests = %+v, %v", list, err)
	}
	dr, err := models.GetDataRequest(ctx, a.DB, id, list[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	var export map[string]json.RawMessage
	if err := json.Unmarshal(dr.Export, &export); err != nil {
		t.Fatal(err)
	}
	for _, part := range []string{"profile", "orders", "events"} {
		if len(export[part]) == 0 || string(export[part]) == "null" {
			t.Errorf("export has no %q part: %s", part, dr.Export)
		}
	}
	if !strings.Contains(string(export["profile"]), "jane@example.com") || !strings.Contains(string(export["orders"]), "1911672") {
		t.Fatalf("export misses the customer's data: %s", dr.Export)
	}
}

func TestCustomersRedact(t *testing.T) {
	a := apptest.Start(t, apptest.Options{})
	shop := testenv.Shop("custredact")
	id := fillShop(t, a, shop, 7)
	// A second customer keeps everything.
	a.Webhook(t, shop, "customers/create", "", map[string]any{"id": 8, "email": "keep@example.com", "updated_at": ts("01")})
	a.Drain(t, drainWait)
	ctx := context.Background()
	before, _ := models.GetCustomer(ctx, a.DB, id, 7)

	a.Webhook(t, shop, "customers/redact", "", map[string]any{"shop_id": 1, "shop_domain": shop,
		"customer": map[string]any{"id": 7, "email": "jane@example.com", "phone": "+15555550100"}, "orders_to_redact": []int64{71, 72}})
	a.Drain(t, drainWait)

	c, _ := models.GetCustomer(ctx, a.DB, id, 7)
	if c.RedactedAt == nil || c.Email != "" || c.Phone != "" || c.FirstName != "" || c.LastName != "" || c.Tags != "" || c.Timezone != "" {
		t.Fatalf("PII left: %+v", c)
	}
	if c.OrdersCount != before.OrdersCount || !c.TotalSpent.Equal(before.TotalSpent) || !c.TotalSpent.Equal(decimal.NewFromInt(45)) {
		t.Fatalf("amounts changed by the redaction: %d/%s, before %d/%s", c.OrdersCount, c.TotalSpent, before.OrdersCount, before.TotalSpent)
	}
	for _, oid := range []int64{71, 72} {
		o, err := models.GetOrder(ctx, a.DB, id, oid)
		if err != nil || o.Email != "" || o.Subtotal.IsZero() || o.PaidAt == nil {
			t.Fatalf("order %d after redaction: %+v, %v", oid, o, err)
		}
	}
	var rows int64
	a.DB.Raw(`SELECT count(*) FROM refunds WHERE shop_id = ? AND subtotal = 5`, id).Scan(&rows)
	if rows != 1 {
		t.Fatal("the refund amount was lost")
	}
	// Nothing in the shop's tables still holds the customer's email or phone.
	for _, table := range shopTables(t, a) {
		var n int64
		if err := a.DB.Raw(`SELECT count(*) FROM `+table+` t WHERE shop_id = ? AND (t::text LIKE '%jane@example.com%' OR t::text LIKE '%5555550100%')`, id).Scan(&n).Error; err != nil {
			t.Fatal(err)
		}
		if n != 0 && table != "webhook_events" { // the raw deliveries are erased with the shop (shop/redact)
			t.Errorf("%s: %d rows still hold the redacted customer's email or phone", table, n)
		}
	}
	// A late customers/update (retried from before the request) does not bring the data back.
	a.Webhook(t, shop, "customers/update", "", map[string]any{"id": 7, "email": "jane@example.com", "updated_at": ts("20")})
	a.Drain(t, drainWait)
	if c, _ = models.GetCustomer(ctx, a.DB, id, 7); c.Email != "" {
		t.Fatal("a late update restored the redacted email")
	}
	if other, _ := models.GetCustomer(ctx, a.DB, id, 8); other.Email != "keep@example.com" {
		t.Fatalf("another customer was redacted: %+v", other)
	}
}

// shopTables lists every table with a shop_id column, whichever part created it.
func shopTables(t *testing.T, a *apptest.App) []string {
	t.Helper()
	var tables []string
	if err := a.DB.Raw(`SELECT table_name FROM information_schema.columns
		WHERE table_schema = 'public' AND column_name = 'shop_id' ORDER BY table_name`).Scan(&tables).Error; err != nil {
		t.Fatal(err)
	}
	if len(tables) < 8 {
		t.Fatalf("only %d tables with shop_id: %v", len(tables), tables)
	}
	return tables
}

func TestShopRedact(t *testing.T) {
	a := apptest.Start(t, apptest.Options{})
	shop := testenv.Shop("shopredact")
	keep := testenv.Shop("shopkeep")
	id := fillShop(t, a, shop, 5)
	other := fillShop(t, a, keep, 6)
	a.Webhook(t, shop, "customers/data_request", "", map[string]any{"customer": map[string]any{"id": 5}, "data_request": map[string]any{"id": 1}})
	a.Drain(t, drainWait)

	tables := shopTables(t, a)
	count := func(shopID int64) map[string]int64 {
		out := map[string]int64{}
		for _, tb := range tables {
			var n int64
			if err := a.DB.Raw(`SELECT count(*) FROM `+tb+` WHERE shop_id = ?`, shopID).Scan(&n).Error; err != nil {
				t.Fatal(err)
			}
			out[tb] = n
		}
		return out
	}
	before := count(id)
	for _, tb := range []string{"webhook_events", "customers", "orders", "order_lines", "refunds", "fulfillments", "events", "data_requests"} {
		if before[tb] == 0 {
			t.Fatalf("setup left %s empty for the shop: the test would prove nothing", tb)
		}
	}
	keptBefore := count(other)

	a.Webhook(t, shop, "app/uninstalled", "", map[string]any{"id": 1})
	a.Drain(t, drainWait) // shop/redact comes 48 hours after the uninstall
	a.Webhook(t, shop, "shop/redact", "", map[string]any{"shop_id": 954889, "shop_domain": shop})
	a.Drain(t, drainWait)

	for tb, n := range count(id) {
		if n != 0 {
			t.Errorf("%s keeps %d rows of the redacted shop", tb, n)
		}
	}
	var n int64
	a.DB.Raw(`SELECT count(*) FROM shops WHERE id = ? OR domain = ?`, id, shop).Scan(&n)
	if n != 0 {
		t.Error("the shop row survived shop/redact")
	}
	if kept := count(other); !equalCounts(kept, keptBefore) {
		t.Fatalf("another shop lost rows: %v, before %v", kept, keptBefore)
	}
}

func equalCounts(a, b map[string]int64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// After shop/redact the merchant may install again: the shop starts over, empty.
func TestReinstallAfterShopRedact(t *testing.T) {
	a := apptest.Start(t, apptest.Options{})
	shop := testenv.Shop("redo")
	old := fillShop(t, a, shop, 3)
	a.Webhook(t, shop, "app/uninstalled", "", map[string]any{"id": 1})
	a.Drain(t, drainWait)
	a.Webhook(t, shop, "shop/redact", "", map[string]any{"shop_domain": shop})
	a.Drain(t, drainWait)

	var out struct{ Domain string }
	if st := a.API(t, shop, http.MethodGet, "/api/shop", nil, &out); st != http.StatusOK || out.Domain != shop {
		t.Fatalf("load after redaction: %d %+v", st, out)
	}
	sh, err := models.FindShop(context.Background(), a.DB, shop)
	if err != nil || sh.ID == old || sh.Status != models.ShopInstalled || sh.AccessToken == nil {
		t.Fatalf("reinstalled shop: %+v, %v (old id %d)", sh, err, old)
	}
	var n int64
	a.DB.Raw(`SELECT count(*) FROM customers WHERE shop_id = ?`, sh.ID).Scan(&n)
	if n != 0 {
		t.Fatalf("the new shop sees %d old customers", n)
	}
}

// shop/redact comes 48 hours after an uninstall; a merchant who installed again in between keeps
// their shop's data.
func TestShopRedactAfterReinstallKeepsData(t *testing.T) {
	a := apptest.Start(t, apptest.Options{})
	shop := testenv.Shop("back")
	id := fillShop(t, a, shop, 3)
	a.Webhook(t, shop, "app/uninstalled", "", map[string]any{"id": 1})
	a.Drain(t, drainWait)
	var out struct{ Domain string }
	if st := a.API(t, shop, http.MethodGet, "/api/shop", nil, &out); st != http.StatusOK {
		t.Fatalf("reinstall: %d", st)
	}
	a.Webhook(t, shop, "shop/redact", "", map[string]any{"shop_domain": shop})
	a.Drain(t, drainWait)
	sh, err := models.FindShop(context.Background(), a.DB, shop)
	if err != nil || sh.ID != id || sh.Status != models.ShopInstalled {
		t.Fatalf("after a late shop/redact: %+v, %v (id %d)", sh, err, id)
	}
	var n int64
	a.DB.Raw(`SELECT count(*) FROM customers WHERE shop_id = ?`, id).Scan(&n)
	if n == 0 {
		t.Fatal("a late shop/redact erased a shop that installed again")
	}
}

// The same when shop/redact ran in the worker process: the web process still remembers the
// deleted shop's id.
func TestReinstallAfterShopRedactInAnotherProcess(t *testing.T) {
	a := apptest.Start(t, apptest.Options{NoWorker: true})
	shop := testenv.Shop("redo2")
	var out struct{ Domain string }
	if st := a.API(t, shop, http.MethodGet, "/api/shop", nil, &out); st != http.StatusOK {
		t.Fatalf("first load: %d", st)
	}
	old, _, _ := models.InstallShop(context.Background(), a.DB, shop)
	if err := models.DeleteShop(context.Background(), a.DB, old, shop); err != nil { // shop/redact, in the worker process
		t.Fatal(err)
	}
	if st := a.API(t, shop, http.MethodGet, "/api/shop", nil, &out); st != http.StatusOK || out.Domain != shop {
		t.Fatalf("load after redaction elsewhere: %d %+v", st, out)
	}
	sh, err := models.FindShop(context.Background(), a.DB, shop)
	if err != nil || sh.ID == old || sh.AccessToken == nil {
		t.Fatalf("reinstalled shop: %+v, %v (old id %d)", sh, err, old)
	}
}
