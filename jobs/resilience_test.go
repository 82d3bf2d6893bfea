package jobs_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os/exec"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
	"github.com/shopspring/decimal"

	"github.com/boomerang-app/boomerang/internal/apptest"
	"github.com/boomerang-app/boomerang/internal/testenv"
	"github.com/boomerang-app/boomerang/jobs"
	"github.com/boomerang-app/boomerang/models"
)

// privateRedis is a redis-server of the test's own, without persistence, so it can be stopped
// and restarted empty (the shared one on 6379 is never touched).
type privateRedis struct {
	port int
	cmd  *exec.Cmd
}

func startPrivateRedis(t *testing.T, port int) *privateRedis {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Skip("redis-server not installed")
	}
	if port == 0 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port = l.Addr().(*net.TCPAddr).Port
		l.Close()
	}
	cmd := exec.Command("redis-server", "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	r := &privateRedis{port: port, cmd: cmd}
	t.Cleanup(r.stop)
	c := redis.NewClient(&redis.Options{Addr: r.addr()})
	defer c.Close()
	for deadline := time.Now().Add(10 * time.Second); c.Ping(context.Background()).Err() != nil; {
		if time.Now().After(deadline) {
			t.Fatalf("private redis on %d did not start", port)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return r
}

func (r *privateRedis) addr() string { return fmt.Sprintf("127.0.0.1:%d", r.port) }
func (r *privateRedis) url() string  { return "redis://" + r.addr() + "/0" }

// stop kills this test's own redis-server (by its pid) and waits for it to exit.
func (r *privateRedis) stop() {
	if r.cmd != nil && r.cmd.Process != nil {
		_ = r.cmd.Process.Kill()
		_ = r.cmd.Wait()
		r.cmd = nil
	}
}

func customerBody(id int) map[string]any {
	return map[string]any{"id": id, "email": fmt.Sprintf("c%d@example.com", id), "updated_at": "2026-03-01T00:00:00Z"}
}

// Redis dies while webhooks arrive: they are still acknowledged and stored; after Redis comes
// back (empty: no persistence) the sweeper re-enqueues them and each is processed exactly once.
func TestRedisRestartDuringIngest(t *testing.T) {
	r := startPrivateRedis(t, 0)
	a := apptest.Start(t, apptest.Options{RedisURL: r.url()})
	shop := testenv.Shop("redisdown")
	a.AddShop(t, shop)
	ctx := context.Background()

	for i := 1; i <= 5; i++ {
		a.Webhook(t, shop, "customers/create", fmt.Sprintf("before-%d", i), customerBody(i))
	}
	a.Drain(t, drainWait)

	r.stop()
	var slowest time.Duration
	for i := 6; i <= 25; i++ {
		start := time.Now()
		a.Webhook(t, shop, "customers/create", fmt.Sprintf("during-%d", i), customerBody(i)) // fails the test unless 200
		slowest = max(slowest, time.Since(start))
	}
	t.Logf("slowest acknowledgement while Redis was down: %v", slowest)
	var stored int64
	a.Inspect().Raw(`SELECT count(*) FROM webhook_events WHERE webhook_id LIKE 'during-%'`).Scan(&stored)
	if stored != 20 {
		t.Fatalf("%d of 20 webhooks stored while Redis was down", stored)
	}

	startPrivateRedis(t, r.port)
	// Clients reconnect on their own; the sweeper would simply retry on its next run.
	waitFor(t, drainWait, func() bool { return a.Queue.Ping(ctx) == nil })
	// A duplicate of an event that arrived during the outage, delivered after it, is enqueued
	// now; the sweep below must not make it run twice.
	a.Webhook(t, shop, "customers/create", "during-6", customerBody(6))
	if err := a.Worker.Sweep(ctx, time.Now()); err != nil {
		t.Fatalf("sweep after restart: %v", err)
	}
	a.Drain(t, 2*drainWait)

	var rows []struct {
		WebhookID string
		Attempts  int
	}
	a.Inspect().Raw(`SELECT webhook_id, attempts FROM webhook_events WHERE processed_at IS NOT NULL ORDER BY id`).Scan(&rows)
	if len(rows) != 25 {
		t.Fatalf("%d events processed, want 25", len(rows))
	}
	for _, row := range rows {
		if row.Attempts != 1 {
			t.Errorf("%s processed %d times", row.WebhookID, row.Attempts)
		}
	}
	id := shopID(t, a, shop)
	var customers int64
	a.DB.Raw(`SELECT count(*) FROM customers WHERE shop_id = ?`, id).Scan(&customers)
	if customers != 25 {
		t.Fatalf("%d customers, want 25", customers)
	}
}

// fingerprint summarises a shop's effects in every shop_id table: row counts and the sums of
// numeric columns that are not ids (amounts, points, balances, counts). The inbox itself is
// left out: its attempt counters legitimately differ after a crash.
func fingerprint(t *testing.T, a *apptest.App, shopID int64) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, tb := range shopTables(t, a) {
		if tb == "webhook_events" {
			continue
		}
		var n int64
		a.DB.Raw(`SELECT count(*) FROM `+tb+` WHERE shop_id = ?`, shopID).Scan(&n)
		out[tb] = strconv.FormatInt(n, 10)
		var cols []string
		a.DB.Raw(`SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = ?
			AND data_type IN ('integer', 'bigint', 'smallint', 'numeric') AND column_name <> 'id' AND column_name NOT LIKE '%\_id'
			ORDER BY column_name`, tb).Scan(&cols)
		for _, col := range cols {
			var sum string
			a.DB.Raw(`SELECT COALESCE(sum(`+col+`), 0)::text FROM `+tb+` WHERE shop_id = ?`, shopID).Scan(&sum)
			out[tb+"."+col] = sum
		}
	}
	return out
}

func sameFingerprint(t *testing.T, what string, got, want map[string]string) {
	t.Helper()
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %s = %s, want %s", what, k, got[k], v)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("%s: unexpected %s", what, k)
		}
	}
}

// A worker dies in the middle of webhook tasks; after restart each task completes and no
// effect is doubled.
//
// Method: a kill -9 leaves the task "active" in Redis until its lease expires and Asynq's
// recoverer runs (about a minute), too slow for a test. The crash is simulated the way Asynq
// treats a worker that stops without finishing: a first server runs a handler that never
// returns and is shut down with a 1 s timeout; Asynq puts the unfinished tasks back in the
// queue and cancels their contexts. Two crash points are covered: before any effect (the
// handler blocks at once) and after the effects committed but before the event was marked
// processed (the handler runs the real webhook handler, then clears processed_at — exactly the
// state a crash between those two statements leaves — and blocks). A normal worker then takes
// the requeued tasks. The crashed shop must end identical (row counts and numeric sums in every
// table) to a reference shop that received the same webhooks without a crash.
func TestWorkerKilledMidTask(t *testing.T) {
	a := apptest.Start(t, apptest.Options{NoWorker: true})
	crashed, reference := testenv.Shop("crash"), testenv.Shop("nocrash")
	crashedID, referenceID := a.Install(t, crashed), a.Install(t, reference)
	// Order deliveries have no task of their own (the drain claims them); these two are handed off
	// to the one-at-a-time task, as a batch that failed hands off its deliveries.
	orders := func(shop, prefix string) (int64, int64) {
		ids := []int64{deliver(t, a, shop, "orders/paid", prefix+"-501", orderBody(501, 9, "paid", "30.00", ts("02"), nil)),
			deliver(t, a, shop, "orders/paid", prefix+"-502", orderBody(502, 9, "paid", "20.00", ts("03"), nil))}
		if err := models.HandOff(context.Background(), a.DB, shopID(t, a, shop), ids, "test"); err != nil {
			t.Fatal(err)
		}
		for _, id := range ids {
			if err := a.Queue.EnqueueWebhook(context.Background(), id, ""); err != nil {
				t.Fatal(err)
			}
		}
		return ids[0], ids[1]
	}
	before, after := orders(crashed, "crash")

	real := a.Worker.Mux()
	var started, effects atomic.Int64
	doomed := asynq.NewServer(a.RedisOpt, asynq.Config{Concurrency: 2, ShutdownTimeout: time.Second,
		Queues: map[string]int{jobs.QueueCritical: 1}, TaskCheckInterval: 50 * time.Millisecond, LogLevel: asynq.FatalLevel})
	mux := asynq.NewServeMux()
	mux.HandleFunc(jobs.TypeWebhook, func(tctx context.Context, task *asynq.Task) error {
		started.Add(1)
		if taskEventID(task) == after {
			if err := real.ProcessTask(tctx, task); err != nil {
				return err
			}
			if err := a.Inspect().Exec(`UPDATE webhook_events SET processed_at = NULL WHERE id = ?`, after).Error; err != nil {
				return err
			}
			effects.Add(1)
		}
		<-tctx.Done() // the process "dies" here: no result ever reaches Asynq
		return tctx.Err()
	})
	if err := doomed.Start(mux); err != nil {
		t.Fatal(err)
	}
	waitFor(t, drainWait, func() bool { return started.Load() == 2 && effects.Load() == 1 })
	doomed.Shutdown()

	var pending int64
	a.Inspect().Raw(`SELECT count(*) FROM webhook_events WHERE id IN (?, ?) AND processed_at IS NULL`, before, after).Scan(&pending)
	if pending != 2 {
		t.Fatalf("%d of the 2 interrupted events are unprocessed, want 2", pending)
	}
	if n := queueSize(t, a, jobs.QueueCritical); n != 2 {
		t.Fatalf("%d tasks back in the queue after the crash, want 2", n)
	}

	// The reference applies the orders in the crashed shop's effective order (502, then 501), so
	// order-dependent columns such as a ledger's running balance compare too.
	refBefore, refAfter := orders(reference, "ref")
	process(t, a, refAfter, refBefore)
	a.StartWorker(t)
	a.Drain(t, 2*drainWait)

	ctx := context.Background()
	c, err := models.GetCustomer(ctx, a.DB, crashedID, 9)
	if err != nil {
		t.Fatal(err)
	}
	if c.OrdersCount != 2 || !c.TotalSpent.Equal(decimal.NewFromInt(50)) {
		t.Fatalf("customer after recovery: %d orders, %s spent; want 2 and 50", c.OrdersCount, c.TotalSpent)
	}
	want := fingerprint(t, a, referenceID)
	if want["orders"] != "2" || want["order_lines"] != "4" {
		t.Fatalf("reference shop: %v", want)
	}
	sameFingerprint(t, "crashed shop after recovery", fingerprint(t, a, crashedID), want)

	// And once more: replaying every event (the sweeper after another lost ack) changes nothing.
	if err := a.Inspect().Exec(`UPDATE webhook_events SET processed_at = NULL`).Error; err != nil {
		t.Fatal(err)
	}
	process(t, a, before, after, refBefore, refAfter)
	sameFingerprint(t, "crashed shop after a full replay", fingerprint(t, a, crashedID), want)
	sameFingerprint(t, "reference shop after a full replay", fingerprint(t, a, referenceID), want)
}

func taskEventID(task *asynq.Task) int64 {
	var p struct{ ID int64 }
	if err := json.Unmarshal(task.Payload(), &p); err != nil {
		return 0
	}
	return p.ID
}
