package models_test

import (
	"context"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/boomerang-app/boomerang/internal/testenv"
	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/models/messaging"
)

// The history's selling-plan orders become subscriptions when the import is derived: a current
// subscriber is active (no promotions for the product), one whose renewals stopped long ago is
// lapsed at that date and counts in that period's churn, and nothing is sent for either.
func TestSubscriptionsFromHistory(t *testing.T) {
	db, shop := testenv.NewShop(t, "loyalty")
	ctx := context.Background()
	now := time.Now().UTC()
	plan := int64(690_001)
	var batch []models.HistoryOrder
	add := func(id, cust int64, at time.Time) {
		o := testenv.PastOrder(id, cust, "24.00", at, 1)
		o.Order.Lines[0].SellingPlanID = &plan
		batch = append(batch, o)
	}
	for i := range 6 { // customer 31: monthly, the last one 20 days ago
		add(int64(100+i), 31, now.AddDate(0, -5+i, -20))
	}
	for i := range 4 { // customer 32: monthly until eight months ago
		add(int64(200+i), 32, now.AddDate(0, -11+i, 0))
	}
	if _, err := models.StoreHistory(ctx, db, shop, batch); err != nil {
		t.Fatal(err)
	}
	if err := models.DeriveFromHistory(ctx, db, shop, shopGrace(t, db, shop), ""); err != nil {
		t.Fatal(err)
	}
	active, err := models.GetSubscriptionContract(ctx, db, shop, models.OrderSubscriptionID(31, 7001))
	if err != nil || active.Status != models.SubscriptionActive || active.Source != models.SubscriptionFromOrders ||
		active.DeliveryIntervalCount < 28 || active.DeliveryIntervalCount > 31 {
		t.Fatalf("the current subscriber: %+v %v", active, err)
	}
	lapsed, err := models.GetSubscriptionContract(ctx, db, shop, models.OrderSubscriptionID(32, 7001))
	if err != nil || lapsed.Status != models.SubscriptionCancelled || lapsed.EndedAt == nil || !lapsed.EndedAt.Before(now.AddDate(0, -5, 0)) {
		t.Fatalf("the lapsed subscriber: %+v %v", lapsed, err)
	}
	subs, _ := models.SubscribedProducts(ctx, db, shop, []int64{31, 32})
	if len(subs[31]) != 1 || len(subs[32]) != 0 {
		t.Fatalf("subscribed products: %v", subs)
	}
	var events int64
	db.Raw(`SELECT count(*) FROM events WHERE shop_id = ?`, shop).Scan(&events)
	churn, _ := models.SubscriptionChurn(ctx, db, shop, lapsed.EndedAt.AddDate(0, 0, -15), lapsed.EndedAt.AddDate(0, 0, 15))
	if events != 0 || churn.Cancelled != 1 {
		t.Fatalf("%d events (want none), churn around the lapse %+v (want 1 cancellation)", events, churn)
	}
	// Deriving again records nothing new.
	if n, err := models.InferSubscriptionsFromHistory(ctx, db, shop, shopGrace(t, db, shop), now); err != nil || n != 0 {
		t.Fatalf("a second pass recorded %d (%v)", n, err)
	}
}

// shopGrace is the shop's subscription grace as its message policy sets it.
func shopGrace(t *testing.T, db *gorm.DB, shopID int64) time.Duration {
	t.Helper()
	pol, err := messaging.GetMessagePolicy(context.Background(), db, shopID)
	if err != nil {
		t.Fatal(err)
	}
	return pol.SubscriptionGrace()
}
