package main

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/boomerang-app/boomerang/handlers"
	"github.com/boomerang-app/boomerang/internal/testenv"
	"github.com/boomerang-app/boomerang/jobs"
	"github.com/boomerang-app/boomerang/models"
)

// A failed delivery shows on the ops page and in /metrics, and replay-webhooks sends it back to
// the workers, even past an archived task that holds its id.
func TestFailedWebhooksOpsAndReplay(t *testing.T) {
	db, dsn := testenv.DB(t)
	redisURL := testenv.Redis(t)
	ctx := context.Background()
	shop := testenv.Shop("replay")
	if _, _, err := models.InstallShop(ctx, db, shop); err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, w := range []string{"r1", "r2"} {
		st, err := models.StoreDelivery(ctx, db, models.Delivery{ShopDomain: shop, Topic: "orders/paid", WebhookID: w, Body: []byte(`{}`)})
		if err != nil {
			t.Fatal(err)
		}
		ev, _ := models.LoadWebhookEvent(ctx, db, st.EventID)
		if err := models.MarkDead(ctx, db, ev, errors.New("webhook body does not parse: <bad>")); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, st.EventID)
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(handlers.FailedWebhooksCollector(db))
	mfs, err := reg.Gather()
	if err != nil || len(mfs) != 1 || mfs[0].GetMetric()[0].GetGauge().GetValue() != 2 {
		t.Fatalf("failed-webhook gauge: %v, %v", mfs, err)
	}

	env := map[string]string{"BOOMERANG_ENV": "development", "SHOPIFY_API_KEY": testenv.APIKey, "SHOPIFY_API_SECRET": testenv.APISecret,
		"APP_URL": "http://127.0.0.1:0", "DATABASE_URL": dsn, "REDIS_URL": redisURL, "ENCRYPTION_KEY": testenv.EncryptionKey,
		"OPS_PASSWORD": "opspass", "LOG_LEVEL": "error"}
	getenv := func(k string) string { return env[k] }
	a, err := newApp(getenv)
	if err != nil {
		t.Fatal(err)
	}
	defer a.close()
	e := a.httpServer()
	for _, c := range []struct {
		user, pass string
		want       int
	}{{"", "", 401}, {"ops", "wrong", 401}, {"ops", "opspass", 200}} {
		req, _ := http.NewRequest(http.MethodGet, "/ops/webhooks/failed", nil)
		if c.user != "" {
			req.SetBasicAuth(c.user, c.pass)
		}
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		if rec.Code != c.want {
			t.Fatalf("ops page as %q: %d, want %d", c.user, rec.Code, c.want)
		}
		if c.want == 200 && (!strings.Contains(rec.Body.String(), "does not parse: &lt;bad&gt;") || !strings.Contains(rec.Body.String(), shop)) {
			t.Fatalf("ops page does not list the failure: %s", rec.Body.String())
		}
	}

	// An archived task from an older version holds the first event's task id.
	q, _, _ := jobs.NewQueue(redisURL)
	defer q.Close()
	if _, err := q.Client.Enqueue(jobs.NewWebhookTask(ids[0]), asynq.TaskID(jobs.WebhookTaskID(ids[0])), asynq.Queue(jobs.QueueCritical)); err != nil {
		t.Fatal(err)
	}
	insp := asynq.NewInspector(a.redisOpt)
	defer insp.Close()
	if err := insp.ArchiveTask(jobs.QueueCritical, jobs.WebhookTaskID(ids[0])); err != nil {
		t.Fatal(err)
	}

	if err := runReplayWebhooks(ctx, getenv, []string{"-id", "x"}, io.Discard); err == nil {
		t.Fatal("a bad id was accepted")
	}
	if err := runReplayWebhooks(ctx, getenv, nil, io.Discard); models.ErrorCode(err) != models.EInvalid {
		t.Fatalf("replay without a filter: %v", err)
	}
	var out strings.Builder
	if err := runReplayWebhooks(ctx, getenv, []string{"-id", strconv.FormatInt(ids[0], 10) + "," + strconv.FormatInt(ids[1], 10)}, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "replayed 2") {
		t.Fatalf("output: %q", out.String())
	}
	info, err := insp.GetQueueInfo(jobs.QueueCritical)
	if err != nil || info.Pending != 2 || info.Archived != 0 {
		t.Fatalf("queue after replay: %+v, %v (want 2 pending)", info, err)
	}
	if left, _ := models.FailedEvents(ctx, db, 10); len(left) != 0 {
		t.Fatalf("still failed after replay: %+v", left)
	}
}
