package messaging_test

import (
	"context"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/boomerang-app/boomerang/internal/testenv"
	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/models/messaging"
)

// A featured product read from Shopify is named and linked to its page; one only seen on an order
// is titled from the order line and linked to a search; an unknown one links to the shop.
func TestFeaturedProductsNameAndLink(t *testing.T) {
	db, _ := testenv.DB(t)
	ctx := context.Background()
	shopID := testenv.SeededShop(t, db, "featured")
	shop, err := models.GetShop(ctx, db, shopID)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	p1, p2 := int64(7001), int64(7002)
	if _, err := models.UpsertOrder(ctx, db, shopID, models.OrderFact{OrderID: 1, Paid: true, ProcessedAt: &now, CreatedAt: &now, UpdatedAt: &now,
		Lines: []models.OrderLine{{LineItemID: 11, ProductID: &p1, Title: "Morning Blend", Quantity: 1, Price: decimal.NewFromInt(9)},
			{LineItemID: 12, ProductID: &p2, Title: "Old mug name", Quantity: 1, Price: decimal.NewFromInt(9)}}}); err != nil {
		t.Fatal(err)
	}
	if err := models.StoreProducts(ctx, db, shopID, []models.ProductCard{{ID: 7002, Title: "Ceramic Mug", Handle: "ceramic-mug"}}, now); err != nil {
		t.Fatal(err)
	}
	got, err := messaging.FeaturedProducts(ctx, db, shop, []int64{7001, 7002, 7003})
	if err != nil {
		t.Fatal(err)
	}
	base := "https://" + shop.Domain
	want := []map[string]any{
		{"id": int64(7001), "title": "Morning Blend", "url": base + "/search?q=Morning+Blend"},
		{"id": int64(7002), "title": "Ceramic Mug", "url": base + "/products/ceramic-mug"},
		{"id": int64(7003), "title": "", "url": base},
	}
	for i, w := range want {
		g := got[i].(map[string]any)
		for k, v := range w {
			if g[k] != v {
				t.Errorf("product %d %s = %v, want %v", i, k, g[k], v)
			}
		}
	}
}
