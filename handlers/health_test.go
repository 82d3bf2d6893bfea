package handlers_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/boomerang-app/boomerang/internal/apptest"
	"github.com/boomerang-app/boomerang/internal/testenv"
)

func TestHealthAndReadiness(t *testing.T) {
	a := apptest.Start(t, apptest.Options{NoWorker: true})
	if st, _, body := apiGet(t, a.Server.URL, "/healthz", ""); st != http.StatusOK || string(body) != "ok" {
		t.Fatalf("/healthz: %d %q", st, body)
	}
	var ready map[string]string
	st, _, body := apiGet(t, a.Server.URL, "/readyz", "")
	if st != http.StatusOK || json.Unmarshal(body, &ready) != nil || ready["postgres"] != "ok" || ready["redis"] != "ok" {
		t.Fatalf("/readyz with both up: %d %s", st, body)
	}

	// Postgres gone: not ready (a load balancer must stop sending webhooks here).
	sqlDB, _ := a.DB.DB()
	sqlDB.Close()
	st, _, body = apiGet(t, a.Server.URL, "/readyz", "")
	if st != http.StatusServiceUnavailable || json.Unmarshal(body, &ready) != nil || ready["postgres"] == "ok" || ready["redis"] != "ok" {
		t.Fatalf("/readyz without Postgres: %d %s", st, body)
	}
	if st, _, _ := apiGet(t, a.Server.URL, "/healthz", ""); st != http.StatusOK {
		t.Fatalf("/healthz is liveness only, got %d", st)
	}
}

// Without Redis the process still stores and acknowledges webhooks (the sweeper enqueues them
// later), so it stays ready; the body says Redis is away.
func TestReadinessWithoutRedis(t *testing.T) {
	a := apptest.Start(t, apptest.Options{NoWorker: true, RedisURL: "redis://127.0.0.1:1/0"})
	var ready map[string]string
	st, _, body := apiGet(t, a.Server.URL, "/readyz", "")
	if st != http.StatusOK || json.Unmarshal(body, &ready) != nil || ready["redis"] == "ok" || ready["postgres"] != "ok" {
		t.Fatalf("/readyz without Redis: %d %s", st, body)
	}
	shop := testenv.Shop("noredis")
	b := []byte(`{"id":5}`)
	if got := post(t, a.Server.URL, b, headers(shop, "customers/create", "nr-1", b, testenv.APISecret)); got != http.StatusOK {
		t.Fatalf("webhook without Redis: %d, want 200", got)
	}
}
