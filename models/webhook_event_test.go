package models_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/boomerang-app/boomerang/internal/testenv"
	"github.com/boomerang-app/boomerang/models"
)

func TestStoreDeliveryOnce(t *testing.T) {
	db, _ := testenv.DB(t)
	ctx := context.Background()
	shop := testenv.Shop("inbox")
	if _, _, err := models.InstallShop(ctx, db, shop); err != nil {
		t.Fatal(err)
	}
	trig := time.Date(2023, 3, 29, 18, 0, 27, 877041000, time.UTC)
	d := models.Delivery{ShopDomain: shop, Topic: "orders/paid", WebhookID: "b54557e4", EventID: "ev-1",
		TriggeredAt: &trig, APIVersion: "2026-10", Body: []byte(`{"id":1}`)}

	// Ten concurrent deliveries of the same webhook: one row, one fresh answer, one id.
	var wg sync.WaitGroup
	res := make([]models.Stored, 10)
	errs := make([]error, 10)
	for i := range res {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res[i], errs[i] = models.StoreDelivery(ctx, db, d)
		}()
	}
	wg.Wait()
	fresh := 0
	for i, r := range res {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if r.EventID == 0 || r.EventID != res[0].EventID {
			t.Fatalf("event ids differ: %+v", res)
		}
		if r.Fresh {
			fresh++
		}
	}
	if fresh != 1 {
		t.Fatalf("fresh %d, want 1", fresh)
	}
	ev, err := models.LoadWebhookEvent(ctx, db, res[0].EventID)
	if err != nil {
		t.Fatal(err)
	}
	if ev.Topic != "orders/paid" || ev.WebhookID != "b54557e4" || ev.EventID != "ev-1" || string(ev.Body) != `{"id":1}` ||
		ev.APIVersion != "2026-10" || ev.TriggeredAt == nil || !ev.TriggeredAt.Equal(trig) || ev.ProcessedAt != nil {
		t.Fatalf("stored event: %+v", ev)
	}

	// The same webhook id from another shop is another delivery.
	d2 := d
	d2.ShopDomain = testenv.Shop("inbox2")
	if _, _, err := models.InstallShop(ctx, db, d2.ShopDomain); err != nil {
		t.Fatal(err)
	}
	if st, err := models.StoreDelivery(ctx, db, d2); err != nil || !st.Fresh || st.EventID == res[0].EventID {
		t.Fatalf("other shop: %+v, %v", st, err)
	}
	if _, err := models.LoadWebhookEvent(ctx, db, -5); models.ErrorCode(err) != models.ENotFound {
		t.Fatalf("missing event: %v", err)
	}
}

func TestUnprocessedEvents(t *testing.T) {
	db, _ := testenv.DB(t)
	ctx := context.Background()
	shop := testenv.Shop("pending")
	if _, _, err := models.InstallShop(ctx, db, shop); err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, w := range []string{"a", "b", "c"} {
		st, err := models.StoreDelivery(ctx, db, models.Delivery{ShopDomain: shop, Topic: "t", WebhookID: w, Body: []byte(`{}`)})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, st.EventID)
	}
	if got, _ := models.UnprocessedEvents(ctx, db, time.Now().Add(-time.Hour), 0, 10); len(got) != 0 {
		t.Fatalf("events newer than the cutoff listed: %v", got)
	}
	got, err := models.UnprocessedEvents(ctx, db, time.Now().Add(time.Second), 0, 10)
	if err != nil || len(got) != 3 || got[0] != ids[0] {
		t.Fatalf("pending = %v, %v (want oldest first %v)", got, err, ids)
	}
	if got, _ = models.UnprocessedEvents(ctx, db, time.Now().Add(time.Second), 0, 2); len(got) != 2 {
		t.Fatalf("limit ignored: %v", got)
	}

	ev, _ := models.LoadWebhookEvent(ctx, db, ids[1])
	long := errors.New(strings.Repeat("x", 900))
	if err := models.MarkFailed(ctx, db, ev, long); err != nil {
		t.Fatal(err)
	}
	ev, _ = models.LoadWebhookEvent(ctx, db, ids[1])
	if ev.Attempts != 1 || len(ev.LastError) != 500 || ev.ProcessedAt != nil {
		t.Fatalf("after failure: attempts %d, error length %d", ev.Attempts, len(ev.LastError))
	}
	if err := models.MarkProcessed(ctx, db, ev); err != nil {
		t.Fatal(err)
	}
	ev, _ = models.LoadWebhookEvent(ctx, db, ids[1])
	if ev.Attempts != 2 || ev.LastError != "" || ev.ProcessedAt == nil {
		t.Fatalf("after success: %+v", ev)
	}
	got, _ = models.UnprocessedEvents(ctx, db, time.Now().Add(time.Second), 0, 10)
	if len(got) != 2 || hasShopID(got, ids[1]) {
		t.Fatalf("processed event still pending: %v", got)
	}
	if got, _ = models.UnprocessedEvents(ctx, db, time.Now().Add(time.Second), ids[0], 10); len(got) != 1 || got[0] != ids[2] {
		t.Fatalf("after %d: %v, want [%d]", ids[0], got, ids[2])
	}

	// A dead event leaves the sweeper's way, is listed and counted, and a replay brings it back.
	ev, _ = models.LoadWebhookEvent(ctx, db, ids[2])
	if err := models.MarkDead(ctx, db, ev, errors.New("webhook body does not parse")); err != nil {
		t.Fatal(err)
	}
	if got, _ = models.UnprocessedEvents(ctx, db, time.Now().Add(time.Second), 0, 10); len(got) != 1 || got[0] != ids[0] {
		t.Fatalf("pending with a dead event: %v", got)
	}
	failed, err := models.FailedEvents(ctx, db, 10)
	if err != nil || len(failed) != 1 || failed[0].ID != ids[2] || failed[0].Shop != shop || failed[0].LastError != "webhook body does not parse" {
		t.Fatalf("failed list: %+v, %v", failed, err)
	}
	counts, err := models.CountFailedEvents(ctx, db)
	if err != nil || len(counts) != 1 || counts[0].Topic != "t" || counts[0].N != 1 {
		t.Fatalf("failed counts: %+v, %v", counts, err)
	}
	if _, err := models.ReplayFailedEvents(ctx, db, models.ReplayFilter{}); models.ErrorCode(err) != models.EInvalid {
		t.Fatalf("replay without a filter: %v", err)
	}
	if got, err := models.ReplayFailedEvents(ctx, db, models.ReplayFilter{Shop: "other.myshopify.com"}); err != nil || len(got) != 0 {
		t.Fatalf("replay of another shop: %v, %v", got, err)
	}
	replayed, err := models.ReplayFailedEvents(ctx, db, models.ReplayFilter{Shop: shop})
	if err != nil || len(replayed) != 1 || replayed[0] != ids[2] {
		t.Fatalf("replay: %v, %v", replayed, err)
	}
	if got, _ = models.UnprocessedEvents(ctx, db, time.Now().Add(time.Second), 0, 10); len(got) != 2 {
		t.Fatalf("pending after replay: %v", got)
	}

	// An event attempted more often than its task allows is given up on.
	if err := db.Exec(`UPDATE webhook_events SET attempts = 13, last_error = 'timeout' WHERE shop_id = ? AND id = ?`, ev.ShopID, ids[0]).Error; err != nil {
		t.Fatal(err)
	}
	if n, err := models.GiveUpExhausted(ctx, db, 13); err != nil || n != 1 {
		t.Fatalf("give up: %d, %v", n, err)
	}
	if ev, _ = models.LoadWebhookEvent(ctx, db, ids[0]); ev.FailedAt == nil || ev.LastError != "gave up after 13 attempts: timeout" {
		t.Fatalf("exhausted event: %+v", ev)
	}
}

// BenchmarkStoreDelivery is the database half of the ingest path: one ~2 KB delivery, fresh id.
func BenchmarkStoreDelivery(b *testing.B) {
	db, _ := testenv.DB(b)
	ctx := context.Background()
	shop := testenv.Shop("bench")
	if _, _, err := models.InstallShop(ctx, db, shop); err != nil {
		b.Fatal(err)
	}
	body := []byte(`{"id":1,"note":"` + strings.Repeat("x", 2000) + `"}`)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, err := models.StoreDelivery(ctx, db, models.Delivery{ShopDomain: shop, Topic: "orders/paid",
			WebhookID: fmt.Sprintf("b-%d", i), APIVersion: "2026-10", Body: body}); err != nil {
			b.Fatal(err)
		}
	}
}

// An order delivery the drain has not tried is the drain's for DrainTrust: the sweeper leaves it
// alone until then, and takes it at once once it was handed off to the one-at-a-time task.
func TestSweeperLeavesOrdersToTheDrain(t *testing.T) {
	db, _ := testenv.DB(t)
	ctx := context.Background()
	shop := testenv.Shop("drainsweep")
	shopID, _, err := models.InstallShop(ctx, db, shop)
	if err != nil {
		t.Fatal(err)
	}
	st, err := models.StoreDelivery(ctx, db, models.Delivery{ShopDomain: shop, Topic: "orders/paid", WebhookID: "o1", Body: []byte(`{}`)})
	if err != nil {
		t.Fatal(err)
	}
	soon := time.Now().Add(time.Second)
	if got, _ := models.UnprocessedEvents(ctx, db, soon, 0, 10); len(got) != 0 {
		t.Fatalf("the sweeper took a fresh order delivery from the drain: %v", got)
	}
	if err := db.Exec(`UPDATE webhook_events SET received_at = now() - interval '11 minutes' WHERE shop_id = ? AND id = ?`, shopID, st.EventID).Error; err != nil {
		t.Fatal(err)
	}
	if got, _ := models.UnprocessedEvents(ctx, db, soon, 0, 10); len(got) != 1 {
		t.Fatalf("an order delivery waiting past DrainTrust was not swept: %v", got)
	}
	st2, _ := models.StoreDelivery(ctx, db, models.Delivery{ShopDomain: shop, Topic: "orders/paid", WebhookID: "o2", Body: []byte(`{}`)})
	if err := models.HandOff(ctx, db, shopID, []int64{st2.EventID}, "test"); err != nil {
		t.Fatal(err)
	}
	if got, _ := models.UnprocessedEvents(ctx, db, soon, 0, 10); len(got) != 2 {
		t.Fatalf("a handed-off delivery waits for the sweeper's age only: %v", got)
	}
}
