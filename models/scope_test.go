package models_test

import (
	"context"
	"errors"
	"testing"

	"gorm.io/gorm/clause"

	"github.com/boomerang-app/boomerang/internal/testenv"
	"github.com/boomerang-app/boomerang/models"
)

// The shop guard turns a forgotten shop_id condition into an error instead of a query over
// every merchant's rows.
func TestShopGuard(t *testing.T) {
	db, _ := testenv.DB(t)
	ctx := context.Background()
	a, _, _ := models.InstallShop(ctx, db, testenv.Shop("guard-a"))
	b, _, _ := models.InstallShop(ctx, db, testenv.Shop("guard-b"))
	for _, id := range []int64{a, b} {
		if _, err := models.UpsertCustomer(ctx, db, id, models.CustomerFact{CustomerID: 1, Email: "x@example.com"}); err != nil {
			t.Fatal(err)
		}
	}

	var cs []models.Customer
	if err := db.WithContext(ctx).Where("customer_id = ?", 1).Find(&cs).Error; !errors.Is(err, models.ErrUnscoped) {
		t.Fatalf("unscoped find: err %v, %d rows", err, len(cs))
	}
	if err := db.WithContext(ctx).Find(&cs).Error; !errors.Is(err, models.ErrUnscoped) {
		t.Fatalf("find without any condition: %v", err)
	}
	if err := db.WithContext(ctx).Model(&models.Customer{}).Where("customer_id = ?", 1).Update("email", "").Error; !errors.Is(err, models.ErrUnscoped) {
		t.Fatalf("unscoped update: %v", err)
	}
	if err := db.WithContext(ctx).Where("customer_id = ?", 1).Delete(&models.Customer{}).Error; !errors.Is(err, models.ErrUnscoped) {
		t.Fatalf("unscoped delete: %v", err)
	}
	if err := db.WithContext(ctx).Create(&models.Customer{CustomerID: 2}).Error; !errors.Is(err, models.ErrUnscoped) {
		t.Fatalf("create without shop id: %v", err)
	}
	// Nothing was changed by the refused statements.
	var n int64
	db.WithContext(models.AllShops(ctx)).Raw(`SELECT count(*) FROM customers WHERE email = 'x@example.com'`).Scan(&n)
	if n != 2 {
		t.Fatalf("refused statements changed rows: %d customers keep their email, want 2", n)
	}

	if err := models.Scoped(ctx, db, a).Find(&cs).Error; err != nil || len(cs) != 1 || cs[0].ShopID != a {
		t.Fatalf("scoped find: %v, %+v", err, cs)
	}
	if err := db.WithContext(ctx).Scopes(models.ShopScope(b)).Where("customer_id = ?", 1).Find(&cs).Error; err != nil || len(cs) != 1 || cs[0].ShopID != b {
		t.Fatalf("ShopScope: %v, %+v", err, cs)
	}
	if err := db.WithContext(ctx).Where("shop_id = ? AND customer_id = ?", a, 1).Find(&cs).Error; err != nil || len(cs) != 1 {
		t.Fatalf("hand-written shop_id condition: %v", err)
	}
	if err := db.WithContext(ctx).Where(clause.IN{Column: "shop_id", Values: []any{a, b}}).Find(&cs).Error; err != nil || len(cs) != 2 {
		t.Fatalf("shop_id IN: %v, %d rows", err, len(cs))
	}
	if err := db.WithContext(models.AllShops(ctx)).Find(&cs).Error; err != nil || len(cs) != 2 {
		t.Fatalf("AllShops: %v, %d rows", err, len(cs))
	}
	if err := db.WithContext(ctx).Create(&models.Customer{ShopID: a, CustomerID: 3}).Error; err != nil {
		t.Fatalf("create with shop id: %v", err)
	}
	// Shops themselves are not shop-owned rows.
	var shops []models.Shop
	if err := db.WithContext(ctx).Find(&shops).Error; err != nil || len(shops) < 2 {
		t.Fatalf("shops: %v", err)
	}
}
