package models_test

import (
	"context"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/boomerang-app/boomerang/internal/testenv"
	"github.com/boomerang-app/boomerang/models"
)

func countEvents(t *testing.T, db *gorm.DB, shopID int64, kind string) int64 {
	t.Helper()
	var n int64
	db.Raw(`SELECT count(*) FROM events WHERE shop_id = ? AND kind = ?`, shopID, kind).Scan(&n)
	return n
}

func TestSubscriptionOutOfOrderAndDuplicates(t *testing.T) {
	db, _ := testenv.DB(t)
	ctx := context.Background()
	shop := testenv.SeededShop(t, db, "subs")
	t0 := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	wh := int64(0)
	apply := func(topic, status string, rev int64, at time.Time, reason string) models.SubscriptionChange {
		t.Helper()
		wh++
		ch, err := models.ApplySubscriptionContract(ctx, db, shop, models.SubscriptionFact{ContractID: 9001, CustomerID: 3001,
			Status: status, RevisionID: rev, At: at, Topic: "subscription_contracts/" + topic, WebhookEventID: wh,
			CancellationReason: reason}, 14*24*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		return ch
	}
	if ch := apply("create", "active", 1, t0, ""); !ch.Applied || !ch.NeedsLines || ch.Cancelled {
		t.Fatalf("create: %+v", ch)
	}
	if err := models.ReplaceSubscriptionLines(ctx, db, shop, 9001, 1, []models.SubscriptionLine{{ProductID: 7001, VariantID: 70011, Title: "Beans", Quantity: 1}}); err != nil {
		t.Fatal(err)
	}
	// The cancellation arrives before an older update; a duplicate of it arrives too.
	if ch := apply("cancel", "cancelled", 2, t0.Add(48*time.Hour), "Too expensive"); !ch.Applied || !ch.Cancelled || ch.Previous != "active" {
		t.Fatalf("cancel: %+v", ch)
	}
	if ch := apply("update", "cancelled", 2, t0.Add(48*time.Hour), "Too expensive"); ch.Cancelled {
		t.Fatalf("duplicate cancel emitted again: %+v", ch)
	}
	if ch := apply("update", "active", 1, t0.Add(time.Hour), ""); ch.Applied {
		t.Fatalf("stale update applied: %+v", ch)
	}
	c, err := models.GetSubscriptionContract(ctx, db, shop, 9001)
	if err != nil || c.Status != models.SubscriptionCancelled || c.EndedAt == nil || c.CancellationReason != "Too expensive" || len(c.Lines) != 1 {
		t.Fatalf("contract = %+v, %v", c, err)
	}
	if n := countEvents(t, db, shop, models.EventSubscriptionCancelled); n != 1 {
		t.Fatalf("cancellation events = %d, want 1", n)
	}
	var ev models.Event
	db.Where("shop_id = ? AND kind = ?", shop, models.EventSubscriptionCancelled).First(&ev)
	if string(ev.Payload) == "" || ev.CustomerID == nil || *ev.CustomerID != 3001 {
		t.Fatalf("event = %+v", ev)
	}
	holds, _ := models.ActiveHolds(ctx, db, shop, 3001, t0.Add(49*time.Hour))
	if len(holds) != 1 || holds[0].Reason != models.HoldRecentCancellation || !holds[0].Until.Equal(t0.Add(48*time.Hour+14*24*time.Hour)) {
		t.Fatalf("cool-down hold = %+v", holds)
	}
	subs, _ := models.SubscribedProducts(ctx, db, shop, []int64{3001})
	if len(subs[3001]) != 0 {
		t.Fatalf("a cancelled contract still counts as subscribed: %v", subs)
	}

	// Reactivated: subscribed again and the cool-down ends; cancelled again later: a second win-back.
	if ch := apply("activate", "active", 3, t0.Add(72*time.Hour), ""); !ch.Applied {
		t.Fatalf("activate: %+v", ch)
	}
	if holds, _ := models.ActiveHolds(ctx, db, shop, 3001, t0.Add(73*time.Hour)); len(holds) != 0 {
		t.Fatalf("hold kept after reactivation: %+v", holds)
	}
	if subs, _ := models.SubscribedProducts(ctx, db, shop, []int64{3001}); len(subs[3001]) != 1 || subs[3001][0] != 7001 {
		t.Fatalf("subscribed after reactivation = %v", subs)
	}
	if ch := apply("pause", "paused", 4, t0.Add(80*time.Hour), ""); !ch.Applied {
		t.Fatalf("pause: %+v", ch)
	}
	if subs, _ := models.SubscribedProducts(ctx, db, shop, []int64{3001}); len(subs[3001]) != 1 {
		t.Fatalf("a paused subscriber must still count as subscribed: %v", subs)
	}
	if ch := apply("cancel", "cancelled", 5, t0.Add(96*time.Hour), ""); !ch.Cancelled {
		t.Fatalf("second cancel: %+v", ch)
	}
	if n := countEvents(t, db, shop, models.EventSubscriptionCancelled); n != 2 {
		t.Fatalf("cancellation events = %d, want 2", n)
	}
	var history []struct {
		Status  string
		Applied bool
	}
	db.Raw(`SELECT status, applied FROM subscription_status_history WHERE shop_id = ? ORDER BY webhook_event_id`, shop).Scan(&history)
	if len(history) != 7 || history[3].Applied || !history[2].Applied {
		t.Fatalf("history = %+v", history)
	}
	// A replayed webhook (same event id) adds no history.
	wh--
	apply("cancel", "cancelled", 5, t0.Add(96*time.Hour), "")
	var n int64
	db.Raw(`SELECT count(*) FROM subscription_status_history WHERE shop_id = ?`, shop).Scan(&n)
	if n != 7 {
		t.Fatalf("history after replay = %d, want 7", n)
	}

	churn, err := models.SubscriptionChurn(ctx, db, shop, t0.Add(24*time.Hour), t0.Add(30*24*time.Hour))
	if err != nil || churn.ActiveAtStart != 1 || churn.Cancelled != 1 || churn.Rate != 1 || churn.ActiveAtEnd != 0 {
		t.Fatalf("churn = %+v, %v", churn, err)
	}
	reasons, err := models.CancellationReasons(ctx, db, shop, t0, 10)
	if err != nil || len(reasons) != 1 || reasons[0].Reason != "Too expensive" {
		t.Fatalf("reasons = %+v, %v", reasons, err)
	}
	// The reason is a complaint, analysed with negative reviews for the themes.
	var complaints []struct {
		SourceType string
		Quote      string
	}
	db.Raw(`SELECT source_type, quote FROM complaints WHERE shop_id = ?`, shop).Scan(&complaints)
	if len(complaints) != 1 || complaints[0].SourceType != models.ComplaintCancellation || complaints[0].Quote != "Too expensive" {
		t.Fatalf("complaints = %+v", complaints)
	}
}

func TestSubscriptionWithoutRevisionsOrdersByTime(t *testing.T) {
	db, _ := testenv.DB(t)
	ctx := context.Background()
	shop := testenv.SeededShop(t, db, "subs")
	t0 := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	for i, f := range []struct {
		status string
		at     time.Time
		want   bool
	}{
		{"paused", t0.Add(2 * time.Hour), true},
		{"active", t0, false}, // older: ignored
		{"active", t0.Add(3 * time.Hour), true},
	} {
		ch, err := models.ApplySubscriptionContract(ctx, db, shop, models.SubscriptionFact{ContractID: 1, CustomerID: 5,
			Status: f.status, At: f.at, Topic: "subscription_contracts/update", WebhookEventID: int64(i + 1)}, 0)
		if err != nil || ch.Applied != f.want {
			t.Fatalf("fact %d: %+v, %v", i, ch, err)
		}
	}
	c, _ := models.GetSubscriptionContract(ctx, db, shop, 1)
	if c.Status != models.SubscriptionActive || !c.StartedAt.Equal(t0.Add(2*time.Hour)) {
		t.Fatalf("contract = %+v", c)
	}
}
