package models_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/boomerang-app/boomerang/internal/testenv"
	"github.com/boomerang-app/boomerang/models"
)

func TestInstallShopOnce(t *testing.T) {
	db, _ := testenv.DB(t)
	ctx := context.Background()
	domain := testenv.Shop("install")
	var wg sync.WaitGroup
	ids := make([]int64, 10)
	created := make([]bool, 10)
	errs := make([]error, 10)
	for i := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ids[i], created[i], errs[i] = models.InstallShop(ctx, db, domain)
		}()
	}
	wg.Wait()
	nCreated := 0
	for i := range ids {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if ids[i] != ids[0] || ids[i] == 0 {
			t.Fatalf("different ids: %v", ids)
		}
		if created[i] {
			nCreated++
		}
	}
	if nCreated != 1 {
		t.Fatalf("created reported %d times, want 1", nCreated)
	}
	sh, err := models.GetShop(ctx, db, ids[0])
	if err != nil || sh.Domain != domain || sh.Status != models.ShopInstalled || sh.SeededAt != nil {
		t.Fatalf("new shop: %+v, %v", sh, err)
	}
	if _, err := models.FindShop(ctx, db, "missing.myshopify.com"); models.ErrorCode(err) != models.ENotFound {
		t.Fatalf("missing shop: %v", err)
	}
	if _, err := models.GetShop(ctx, db, -1); models.ErrorCode(err) != models.ENotFound {
		t.Fatalf("missing shop id: %v", err)
	}
}

func TestShopLifecycle(t *testing.T) {
	db, _ := testenv.DB(t)
	ctx := context.Background()
	domain := testenv.Shop("life")
	id, _, _ := models.InstallShop(ctx, db, domain)
	other, _, _ := models.InstallShop(ctx, db, testenv.Shop("life-other"))

	if err := models.UpdateShopProfile(ctx, db, id, models.ShopProfile{Name: "Life", Currency: "EUR"}); err != nil {
		t.Fatal(err)
	}
	if err := models.UpdateShopProfile(ctx, db, id, models.ShopProfile{Timezone: "Europe/Paris"}); err != nil {
		t.Fatal(err)
	}
	sh, _ := models.GetShop(ctx, db, id)
	if sh.Name != "Life" || sh.Currency != "EUR" || sh.Timezone != "Europe/Paris" {
		t.Fatalf("profile: %+v", sh)
	}

	unseeded, _ := models.UnseededShopIDs(ctx, db)
	if !hasShopID(unseeded, id) {
		t.Fatalf("new shop not listed as unseeded: %v", unseeded)
	}
	if err := models.SeedShop(ctx, db, id); err != nil {
		t.Fatal(err)
	}
	if err := models.SeedShop(ctx, db, id); err != nil {
		t.Fatalf("seeding twice: %v", err)
	}
	if unseeded, _ = models.UnseededShopIDs(ctx, db); hasShopID(unseeded, id) {
		t.Fatal("seeded shop still listed")
	}

	if err := db.Exec(`UPDATE shops SET access_token = 'x', refresh_token = 'y', access_token_expires_at = now() WHERE id = ?`, id).Error; err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)
	if err := models.MarkUninstalled(ctx, db, id, at); err != nil {
		t.Fatal(err)
	}
	sh, _ = models.GetShop(ctx, db, id)
	if sh.Status != models.ShopUninstalled || sh.AccessToken != nil || sh.RefreshToken != nil || sh.AccessTokenExpiresAt != nil ||
		sh.UninstalledAt == nil || !sh.UninstalledAt.Equal(at) {
		t.Fatalf("after uninstall: %+v", sh)
	}
	if ids, _ := models.InstalledShopIDs(ctx, db); hasShopID(ids, id) || !hasShopID(ids, other) {
		t.Fatalf("installed shops: %v", ids)
	}
	if _, err := models.LoadTokens(ctx, db, domain); models.ErrorCode(err) != models.ENotFound {
		t.Fatalf("tokens of an uninstalled shop: %v", err)
	}
	if err := models.MarkInstalled(ctx, db, id); err != nil {
		t.Fatal(err)
	}
	if sh, _ = models.GetShop(ctx, db, id); sh.Status != models.ShopInstalled || sh.UninstalledAt != nil {
		t.Fatalf("after reinstall: %+v", sh)
	}
	if err := models.SetScopes(ctx, db, id, "read_orders,write_discounts"); err != nil {
		t.Fatal(err)
	}
	if sh, _ = models.GetShop(ctx, db, id); sh.Scopes != "read_orders,write_discounts" {
		t.Fatalf("scopes = %q", sh.Scopes)
	}
}

// A delivery never creates a shop: not for a shop that never installed, not for one erased by
// shop/redact (its tombstone), and an uninstalled shop takes only the compliance topics.
func TestStoreDeliveryNeverCreatesShops(t *testing.T) {
	db, _ := testenv.DB(t)
	ctx := context.Background()
	store := func(domain, topic, webhookID string) models.Stored {
		t.Helper()
		st, err := models.StoreDelivery(ctx, db, models.Delivery{ShopDomain: domain, Topic: topic, WebhookID: webhookID, Body: []byte(`{}`)})
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	stranger := testenv.Shop("never")
	if st := store(stranger, "orders/paid", "w1"); st.Dropped != models.DropUnknownShop || st.EventID != 0 {
		t.Fatalf("never-installed shop: %+v", st)
	}
	if _, err := models.FindShop(ctx, db, stranger); models.ErrorCode(err) != models.ENotFound {
		t.Fatalf("a delivery created the shop row: %v", err)
	}

	domain := testenv.Shop("gone")
	id, _, _ := models.InstallShop(ctx, db, domain)
	first := store(domain, "orders/paid", "w1")
	if first.Dropped != "" || !first.Fresh || first.ShopID != id {
		t.Fatalf("installed shop: %+v", first)
	}
	if dup := store(domain, "orders/paid", "w1"); dup.Fresh || dup.EventID != first.EventID || dup.Dropped != "" {
		t.Fatalf("duplicate: %+v", dup)
	}
	if err := models.MarkUninstalled(ctx, db, id, time.Now()); err != nil {
		t.Fatal(err)
	}
	if st := store(domain, "orders/paid", "w2"); st.Dropped != models.DropUninstalled {
		t.Fatalf("order after uninstall: %+v", st)
	}
	if st := store(domain, "customers/redact", "w3"); st.Dropped != "" || !st.Fresh {
		t.Fatalf("compliance topic after uninstall: %+v", st)
	}
	if err := models.DeleteShop(ctx, db, id, domain); err != nil {
		t.Fatal(err)
	}
	if st := store(domain, "orders/paid", "w4"); st.Dropped != models.DropUnknownShop {
		t.Fatalf("order after redaction: %+v", st)
	}
	if dead, _ := models.IsTombstoned(ctx, db, domain); !dead {
		t.Fatal("no tombstone after shop/redact")
	}
	if _, err := models.LookupShop(ctx, db, domain); models.ErrorCode(err) != models.ENotFound {
		t.Fatalf("lookup of a redacted shop: %v", err)
	}
	// A real reinstall starts a fresh record and lifts the tombstone.
	again, created, err := models.InstallShop(ctx, db, domain)
	if err != nil || !created || again == id {
		t.Fatalf("reinstall: id %d (old %d), created %v, %v", again, id, created, err)
	}
	if dead, _ := models.IsTombstoned(ctx, db, domain); dead {
		t.Fatal("tombstone kept after a reinstall")
	}
	if st := store(domain, "orders/paid", "w4"); st.Dropped != "" || st.ShopID != again {
		t.Fatalf("after reinstall: %+v", st)
	}
}

func TestDeleteShopCascades(t *testing.T) {
	db, _ := testenv.DB(t)
	ctx := context.Background()
	domain := testenv.Shop("del")
	id, _, _ := models.InstallShop(ctx, db, domain)
	if _, err := models.StoreDelivery(ctx, db, models.Delivery{ShopDomain: domain, Topic: "customers/create", WebhookID: "w", Body: []byte(`{}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := models.UpsertOrder(ctx, db, id, models.OrderFact{OrderID: 5, CustomerID: 6, Lines: []models.OrderLine{{LineItemID: 1, Quantity: 1}}}); err != nil {
		t.Fatal(err)
	}
	if err := models.DeleteShop(ctx, db, id, domain); err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"webhook_events", "customers", "orders", "order_lines"} {
		var n int64
		db.Raw(`SELECT count(*) FROM `+table+` WHERE shop_id = ?`, id).Scan(&n)
		if n != 0 {
			t.Errorf("%s keeps %d rows of the deleted shop", table, n)
		}
	}
	// A reinstall gets a new shop.
	again, created, err := models.InstallShop(ctx, db, domain)
	if err != nil || !created || again == id {
		t.Fatalf("after delete: id %d (old %d), created %v, %v", again, id, created, err)
	}
}

func hasShopID(ids []int64, id int64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}
