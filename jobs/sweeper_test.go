package jobs_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/boomerang-app/boomerang/internal/apptest"
	"github.com/boomerang-app/boomerang/internal/testenv"
	"github.com/boomerang-app/boomerang/jobs"
	"github.com/boomerang-app/boomerang/models"
)

func queueSize(t *testing.T, a *apptest.App, queue string) int {
	t.Helper()
	insp := asynq.NewInspector(a.RedisOpt)
	defer insp.Close()
	info, err := insp.GetQueueInfo(queue)
	if err != nil {
		return 0
	}
	return info.Pending + info.Active + info.Scheduled + info.Retry
}

// Events stored but never enqueued (the process died between the commit and the enqueue, or
// Redis was away) are found by the sweeper and processed exactly once.
func TestSweepRecoversUnenqueuedEvents(t *testing.T) {
	a := apptest.Start(t, apptest.Options{NoWorker: true})
	ctx := context.Background()
	shop := testenv.Shop("sweep")
	a.AddShop(t, shop)
	for i := 0; i < 5; i++ {
		body := fmt.Sprintf(`{"id":%d,"email":"s%d@example.com","updated_at":"2026-03-01T00:00:00Z"}`, 100+i, i)
		if _, err := models.StoreDelivery(ctx, a.DB, models.Delivery{ShopDomain: shop, Topic: "customers/create",
			WebhookID: fmt.Sprintf("lost-%d", i), Body: []byte(body)}); err != nil {
			t.Fatal(err)
		}
	}
	if n := queueSize(t, a, jobs.QueueCritical); n != 0 {
		t.Fatalf("%d tasks queued before the sweep", n)
	}
	// The scheduled sweep leaves events younger than its age alone: their enqueue may be in flight.
	mux := a.Worker.Mux()
	if err := mux.ProcessTask(ctx, asynq.NewTask(jobs.TypeSweepWebhooks, nil)); err != nil {
		t.Fatal(err)
	}
	if n := queueSize(t, a, jobs.QueueCritical); n != 0 {
		t.Fatalf("the sweep took %d fresh events", n)
	}
	a.Worker.Now = func() time.Time { return time.Now().Add(31 * time.Second) }
	if err := mux.ProcessTask(ctx, asynq.NewTask(jobs.TypeSweepWebhooks, nil)); err != nil {
		t.Fatal(err)
	}
	if n := queueSize(t, a, jobs.QueueCritical); n != 5 {
		t.Fatalf("%d tasks after the sweep, want 5", n)
	}
	// Sweeping again while they wait adds nothing (task ids).
	if err := a.Worker.Sweep(ctx, time.Now().Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	if n := queueSize(t, a, jobs.QueueCritical); n != 5 {
		t.Fatalf("%d tasks after a second sweep, want 5", n)
	}
	// The shop became known through a webhook whose install task was lost too: the sweep seeds it.
	if n := queueSize(t, a, jobs.QueueDefault); n != 1 {
		t.Fatalf("%d install tasks, want 1", n)
	}

	a.Worker.Now = nil
	a.StartWorker(t)
	a.Drain(t, drainWait)
	var rows []struct{ Attempts int }
	a.Inspect().Raw(`SELECT attempts FROM webhook_events WHERE processed_at IS NOT NULL`).Scan(&rows)
	if len(rows) != 5 {
		t.Fatalf("%d events processed, want 5", len(rows))
	}
	for _, r := range rows {
		if r.Attempts != 1 {
			t.Fatalf("an event was processed %d times", r.Attempts)
		}
	}
	id, _, _ := models.InstallShop(ctx, a.DB, shop)
	if sh, _ := models.GetShop(ctx, a.DB, id); sh.SeededAt == nil {
		t.Fatal("the sweep did not get the shop seeded")
	}
	var n int64
	a.DB.Raw(`SELECT count(*) FROM customers WHERE shop_id = ?`, id).Scan(&n)
	if n != 5 {
		t.Fatalf("%d customers, want 5", n)
	}
}

// Undispatched domain events are handed to messaging by the sweep, once per shop.
func TestSweepDispatchesPendingEvents(t *testing.T) {
	a := apptest.Start(t, apptest.Options{NoWorker: true})
	ctx := context.Background()
	id := a.Install(t, testenv.Shop("dispatch"))
	for i := 0; i < 3; i++ {
		if _, err := models.Emit(ctx, a.DB, id, 5, fmt.Sprint(i), models.FirstOrderPayload{}, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.Worker.Sweep(ctx, time.Now()); err != nil {
		t.Fatal(err)
	}
	insp := asynq.NewInspector(a.RedisOpt)
	defer insp.Close()
	tasks, err := insp.ListPendingTasks(jobs.QueueDefault)
	if err != nil {
		t.Fatal(err)
	}
	dispatch := 0
	for _, tk := range tasks {
		if tk.Type == jobs.TypeDispatchEvents && string(tk.Payload) == fmt.Sprintf(`{"id":%d}`, id) {
			dispatch++
		}
	}
	if dispatch != 1 {
		t.Fatalf("%d dispatch tasks for the shop, want 1 (pending: %d tasks)", dispatch, len(tasks))
	}
}
