// Package apptest runs the whole app in-process for end-to-end tests: the real HTTP server
// (httptest), the real Asynq worker on a private Redis database, a private Postgres database
// and the fake Shopify Admin API. Tests talk to it the way Shopify and the admin page do:
// signed webhooks, session-token API calls, signed app-proxy requests.
package apptest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"gorm.io/gorm"

	"github.com/boomerang-app/boomerang/config"
	"github.com/boomerang-app/boomerang/handlers"
	"github.com/boomerang-app/boomerang/internal/testenv"
	"github.com/boomerang-app/boomerang/internal/tokenstore"
	"github.com/boomerang-app/boomerang/jobs"
	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/shopify"
	"github.com/boomerang-app/boomerang/shopify/fakeshop"
)

type App struct {
	Cfg        *config.Config
	DB         *gorm.DB
	Queue      *jobs.Queue
	RedisOpt   asynq.RedisConnOpt
	Worker     *jobs.Worker
	Fake       *fakeshop.Server
	Server     *httptest.Server
	Tokens     *tokenstore.Store
	Admin      *shopify.Admin
	Log        *slog.Logger
	asynqSrv   *asynq.Server
	stopDrains func()
}

// Options tune Start.
type Options struct {
	NoWorker bool              // do not start the Asynq server (tests that drive jobs by hand)
	Env      map[string]string // config overrides
	RedisURL string            // a Redis of the test's own (resilience tests stop it); default: a testenv database
}

// Start brings the app up and tears it down at the end of the test.
func Start(t testing.TB, opts Options) *App {
	t.Helper()
	db, dsn := testenv.DB(t)
	redisURL := opts.RedisURL
	if redisURL == "" {
		redisURL = testenv.Redis(t)
	}
	fake := fakeshop.Start(testenv.APISecret)
	t.Cleanup(fake.Close)
	env := map[string]string{"SHOPIFY_BASE_URL": fake.BaseURL()}
	for k, v := range opts.Env {
		env[k] = v
	}
	cfg := testenv.Config(t, dsn, redisURL, env)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if os.Getenv("TEST_LOG") != "" {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	q, opt, err := jobs.NewQueue(redisURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { q.Close() })
	cipher, err := models.NewCipher(cfg.EncryptionKey)
	if err != nil {
		t.Fatal(err)
	}
	tokens := &tokenstore.Store{DB: db, Cipher: cipher}
	tc := &shopify.TokenClient{BaseURL: cfg.ShopifyBaseURL, APIKey: cfg.ShopifyAPIKey, APISecret: cfg.ShopifyAPISecret}
	admin := &shopify.Admin{Store: tokens, Tokens: tc, BaseURL: cfg.ShopifyBaseURL, APIVersion: cfg.ShopifyAPIVersion, Retries: 3}
	a := &App{Cfg: cfg, DB: db, Queue: q, RedisOpt: opt, Fake: fake, Tokens: tokens, Admin: admin, Log: log}
	a.Worker = &jobs.Worker{Cfg: cfg, DB: db, Queue: q, Admin: admin, Log: log, OnUninstall: handlers.ForgetShopToken}
	e := handlers.New(handlers.Deps{Cfg: cfg, DB: db, Queue: q, Admin: admin, Tokens: tokens, Cipher: cipher, Log: log})
	a.Server = httptest.NewServer(e)
	t.Cleanup(a.Server.Close)
	if !opts.NoWorker {
		a.StartWorker(t)
	}
	return a
}

// StartWorker starts the Asynq server (again, after StopWorker).
func (a *App) StartWorker(t testing.TB) {
	t.Helper()
	a.asynqSrv = a.Worker.NewServer(a.RedisOpt)
	if err := a.asynqSrv.Start(a.Worker.Mux()); err != nil {
		t.Fatal(err)
	}
	srv := a.asynqSrv
	a.stopDrains = a.Worker.StartDrains(a.Worker.Cfg.DrainWorkers)
	stop := a.stopDrains
	t.Cleanup(func() { stop(); srv.Shutdown() })
}

// StopWorker shuts the Asynq server down (tasks in flight go back to Redis).
func (a *App) StopWorker() {
	if a.asynqSrv != nil {
		a.stopDrains()
		a.asynqSrv.Shutdown()
		a.asynqSrv = nil
	}
}

// Inspect is the app's database for a test's own assertions across everything the test
// created: its statements may span shops (the shop guard checks the app's statements, not
// the test's look at the result).
func (a *App) Inspect() *gorm.DB { return a.DB.WithContext(models.AllShops(context.Background())) }

// AddShop makes a shop known and installed, without a token or defaults: enough for webhooks
// to be stored for it (a delivery never creates a shop).
func (a *App) AddShop(t testing.TB, shop string) int64 {
	t.Helper()
	id, _, err := models.InstallShop(context.Background(), a.DB, shop)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// Install gives a shop an expiring offline token from the fake, as a first app load would.
func (a *App) Install(t testing.TB, shop string) int64 {
	t.Helper()
	ctx := context.Background()
	id, _, err := models.InstallShop(ctx, a.DB, shop)
	if err != nil {
		t.Fatal(err)
	}
	legacy := "shpat_legacy_" + strconv.FormatInt(id, 10) + "_" + strconv.FormatInt(time.Now().UnixNano(), 36)
	a.Fake.IssueToken(shop, legacy)
	tok, err := a.Admin.Tokens.MigrateLegacy(ctx, shop, legacy)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Tokens.Save(ctx, shop, tok); err != nil {
		t.Fatal(err)
	}
	if err := models.SeedShop(ctx, a.DB, id); err != nil {
		t.Fatal(err)
	}
	return id
}

var webhookSeq int64

// Webhook posts a signed delivery. A zero webhookID gets a fresh unique one.
func (a *App) Webhook(t testing.TB, shop, topic, webhookID string, body any) *http.Response {
	t.Helper()
	b, ok := body.([]byte)
	if !ok {
		var err error
		if b, err = json.Marshal(body); err != nil {
			t.Fatal(err)
		}
	}
	if webhookID == "" {
		webhookSeq++
		webhookID = fmt.Sprintf("wh-%d-%d", time.Now().UnixNano(), webhookSeq)
	}
	req, _ := http.NewRequest(http.MethodPost, a.Server.URL+"/webhooks", bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Shopify-Topic", topic)
	req.Header.Set("X-Shopify-Shop-Domain", shop)
	req.Header.Set("X-Shopify-Webhook-Id", webhookID)
	req.Header.Set("X-Shopify-Api-Version", config.APIVersion)
	req.Header.Set("X-Shopify-Triggered-At", time.Now().UTC().Format(time.RFC3339Nano))
	req.Header.Set("X-Shopify-Hmac-Sha256", shopify.SignWebhook(b, testenv.APISecret))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("webhook %s: status %d", topic, resp.StatusCode)
	}
	return resp
}

// SessionToken mints a valid App Bridge session token for a shop.
func (a *App) SessionToken(t testing.TB, shop string) string {
	t.Helper()
	tok, err := shopify.SignSessionToken(shop, testenv.APIKey, testenv.APISecret, "42", time.Now(), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// API calls the admin API as the shop's staff; out (if non-nil) receives the JSON body.
func (a *App) API(t testing.TB, shop, method, path string, in, out any) int {
	t.Helper()
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			t.Fatal(err)
		}
		body = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, a.Server.URL+path, body)
	req.Header.Set("Authorization", "Bearer "+a.SessionToken(t, shop))
	req.Header.Set("Content-Type", "application/json")
	return do(t, req, out)
}

// Proxy calls an app-proxy route as Shopify forwards it: signed query, optional logged-in customer.
func (a *App) Proxy(t testing.TB, shop, method, path string, customerID int64, extra url.Values, in, out any) int {
	t.Helper()
	q := url.Values{"shop": {shop}, "path_prefix": {"/apps/boomerang"}, "timestamp": {strconv.FormatInt(time.Now().Unix(), 10)}}
	q.Set("logged_in_customer_id", "")
	if customerID != 0 {
		q.Set("logged_in_customer_id", strconv.FormatInt(customerID, 10))
	}
	for k, vs := range extra {
		q[k] = vs
	}
	q = shopify.SignProxyQuery(q, testenv.APISecret)
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			t.Fatal(err)
		}
		body = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, a.Server.URL+path+"?"+q.Encode(), body)
	req.Header.Set("Content-Type", "application/json")
	return do(t, req, out)
}

func do(t testing.TB, req *http.Request, out any) int {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil && len(b) > 0 {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: status %d, body %q: %v", req.Method, req.URL.Path, resp.StatusCode, b, err)
		}
	}
	return resp.StatusCode
}

// Drain waits until every queue is empty and nothing is in flight, or fails after timeout.
// Pending events get dispatched on the way (the sweeper's job) so message decisions settle.
func (a *App) Drain(t testing.TB, timeout time.Duration) {
	t.Helper()
	insp := asynq.NewInspector(a.RedisOpt)
	defer insp.Close()
	deadline := time.Now().Add(timeout)
	for {
		busy := 0
		queues, _ := insp.Queues()
		for _, qn := range queues {
			info, err := insp.GetQueueInfo(qn)
			if err == nil {
				busy += info.Pending + info.Active // scheduled (delayed) tasks are the future, not backlog
			}
		}
		if busy == 0 {
			var pending int64
			a.Inspect().Raw(`SELECT count(*) FROM webhook_events WHERE processed_at IS NULL AND failed_at IS NULL`).Scan(&pending)
			if pending == 0 {
				return
			}
			// An event still unprocessed with nothing queued is waiting out a retry's backoff (an
			// order that arrived before its customer, under load): run the retries now rather
			// than wait seconds for the backoff.
			for _, qn := range queues {
				_, _ = insp.RunAllRetryTasks(qn)
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("queues not drained after %v (%d tasks busy)", timeout, busy)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
