package handlers_test

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/boomerang-app/boomerang/internal/apptest"
	"github.com/boomerang-app/boomerang/internal/testenv"
	"github.com/boomerang-app/boomerang/shopify"
)

func postTo(t testing.TB, url string, body []byte, h map[string]string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	for k, v := range h {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func queued(t *testing.T, a *apptest.App, queue string) int {
	t.Helper()
	insp := asynq.NewInspector(a.RedisOpt)
	defer insp.Close()
	info, err := insp.GetQueueInfo(queue)
	if err != nil {
		return 0
	}
	return info.Pending + info.Active + info.Scheduled + info.Retry
}

// Twenty copies of one delivery arriving at once: all acknowledged, one row, one task (a topic
// with a task of its own; order deliveries are claimed by the drain, with no task).
func TestWebhookConcurrentDuplicates(t *testing.T) {
	a := apptest.Start(t, apptest.Options{NoWorker: true})
	shop := testenv.Shop("dupes")
	a.AddShop(t, shop)
	body := []byte(`{"id":450789469,"email":"dupe@example.com"}`)
	var wg sync.WaitGroup
	var non200 atomic.Int64
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if st := post(t, a.Server.URL, body, headers(shop, "customers/update", "same-delivery", body, testenv.APISecret)); st != http.StatusOK {
				non200.Add(1)
			}
		}()
	}
	wg.Wait()
	if non200.Load() != 0 {
		t.Fatalf("%d duplicate deliveries were not acknowledged", non200.Load())
	}
	var n int64
	a.Inspect().Raw(`SELECT count(*) FROM webhook_events WHERE webhook_id = 'same-delivery'`).Scan(&n)
	if n != 1 {
		t.Fatalf("stored %d rows, want 1", n)
	}
	if q := queued(t, a, "critical"); q != 1 {
		t.Fatalf("%d webhook tasks queued, want 1", q)
	}
	// The same event delivered through a second subscription (new webhook id) is a new delivery;
	// its effects are deduplicated on business keys by the jobs.
	if st := post(t, a.Server.URL, body, headers(shop, "customers/update", "second-subscription", body, testenv.APISecret)); st != http.StatusOK {
		t.Fatalf("second subscription: %d", st)
	}
	a.Inspect().Raw(`SELECT count(*) FROM webhook_events`).Scan(&n)
	if n != 2 {
		t.Fatalf("rows = %d, want 2", n)
	}
}

func TestWebhookHeaderAndSizeLimits(t *testing.T) {
	a := apptest.Start(t, apptest.Options{NoWorker: true})
	shop := testenv.Shop("limits")
	a.AddShop(t, shop)
	body := []byte(`{"id":1}`)
	h := func(mut func(map[string]string)) map[string]string {
		m := headers(shop, "customers/update", fmt.Sprintf("lim-%d", time.Now().UnixNano()), body, testenv.APISecret)
		mut(m)
		return m
	}
	cases := []struct {
		name string
		h    map[string]string
		want int
	}{
		{"no topic", h(func(m map[string]string) { delete(m, "X-Shopify-Topic") }), 400},
		{"no webhook id", h(func(m map[string]string) { delete(m, "X-Shopify-Webhook-Id") }), 400},
		{"webhook id too long", h(func(m map[string]string) { m["X-Shopify-Webhook-Id"] = strings.Repeat("w", 201) }), 400},
		{"topic too long", h(func(m map[string]string) { m["X-Shopify-Topic"] = strings.Repeat("t", 101) }), 400},
		{"no shop", h(func(m map[string]string) { delete(m, "X-Shopify-Shop-Domain") }), 400},
		{"hmac of another body", h(func(m map[string]string) {
			m["X-Shopify-Hmac-Sha256"] = shopify.SignWebhook([]byte(`{"id":2}`), testenv.APISecret)
		}), 401},
		{"hmac in hex", h(func(m map[string]string) { m["X-Shopify-Hmac-Sha256"] = strings.Repeat("ab", 32) }), 401},
		// Signature first: an unsigned request learns nothing about header validation.
		{"unsigned with bad shop", h(func(m map[string]string) { m["X-Shopify-Shop-Domain"] = "evil.com"; m["X-Shopify-Hmac-Sha256"] = "x" }), 401},
		{"upper-case shop", h(func(m map[string]string) { m["X-Shopify-Shop-Domain"] = strings.ToUpper(shop) }), 200},
	}
	for _, c := range cases {
		if got := post(t, a.Server.URL, body, c.h); got != c.want {
			t.Errorf("%s: status %d, want %d", c.name, got, c.want)
		}
	}
	var n int64
	a.DB.Raw(`SELECT count(*) FROM webhook_events e JOIN shops s ON s.id = e.shop_id WHERE s.domain = ?`, shop).Scan(&n)
	if n != 1 {
		t.Fatalf("stored %d rows, want only the upper-case-shop delivery under the normalized domain", n)
	}

	// Exactly 1 MiB is accepted; one byte more is not.
	max := bytes.Repeat([]byte("a"), 1<<20)
	if got := post(t, a.Server.URL, max, headers(shop, "orders/create", "max", max, testenv.APISecret)); got != 200 {
		t.Fatalf("1 MiB body: %d", got)
	}
	over := append(max, 'a')
	if got := post(t, a.Server.URL, over, headers(shop, "orders/create", "over", over, testenv.APISecret)); got != 413 {
		t.Fatalf("1 MiB + 1 body: %d", got)
	}
	// Any subscription path under /webhooks lands in the same inbox.
	if got := postTo(t, a.Server.URL+"/webhooks/compliance", body, headers(shop, "customers/redact", "sub-path", body, testenv.APISecret)); got != 200 {
		t.Fatalf("/webhooks/compliance: %d", got)
	}
	resp, err := http.Get(a.Server.URL + "/webhooks")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("GET /webhooks: %d", resp.StatusCode)
	}
}

// A redelivery after processing is acknowledged and changes nothing.
func TestWebhookRedeliveryAfterProcessing(t *testing.T) {
	a := apptest.Start(t, apptest.Options{})
	shop := testenv.Shop("redeliver")
	a.AddShop(t, shop)
	cust := map[string]any{"id": 5, "email": "r@example.com", "updated_at": "2026-03-01T00:00:00Z"}
	a.Webhook(t, shop, "customers/create", "redeliver-1", cust)
	a.Drain(t, 10*time.Second)
	var first struct {
		ProcessedAt time.Time
		Attempts    int
	}
	a.Inspect().Raw(`SELECT processed_at, attempts FROM webhook_events WHERE webhook_id = 'redeliver-1'`).Scan(&first)
	a.Webhook(t, shop, "customers/create", "redeliver-1", cust)
	a.Drain(t, 10*time.Second)
	var again struct {
		ProcessedAt time.Time
		Attempts    int
	}
	a.Inspect().Raw(`SELECT processed_at, attempts FROM webhook_events WHERE webhook_id = 'redeliver-1'`).Scan(&again)
	if first.Attempts != 1 || again.Attempts != 1 || !again.ProcessedAt.Equal(first.ProcessedAt) {
		t.Fatalf("redelivery reprocessed the event: %+v then %+v", first, again)
	}
}

// BenchmarkWebhookIngest measures the in-process ingest path (verify, store, enqueue) with
// ~2 KB orders/paid bodies and fresh webhook ids; cmd/loadgen measures the real server.
func BenchmarkWebhookIngest(b *testing.B) {
	a := apptest.Start(b, apptest.Options{NoWorker: true})
	shop := testenv.Shop("bench")
	a.AddShop(b, shop)
	body := []byte(`{"id":450789469,"admin_graphql_api_id":"gid://shopify/Order/450789469","name":"#1001","email":"bob@example.com",` +
		`"financial_status":"paid","currency":"USD","subtotal_price":"398.00","total_price":"409.94",` + `"note":"` +
		strings.Repeat("x", 1800) + `"}`)
	sig := shopify.SignWebhook(body, testenv.APISecret)
	var seq atomic.Int64
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	b.SetBytes(int64(len(body)))
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, _ := http.NewRequest(http.MethodPost, a.Server.URL+"/webhooks", bytes.NewReader(body))
			req.Header.Set("X-Shopify-Topic", "orders/paid")
			req.Header.Set("X-Shopify-Shop-Domain", shop)
			req.Header.Set("X-Shopify-Webhook-Id", fmt.Sprintf("bench-%d", seq.Add(1)))
			req.Header.Set("X-Shopify-Hmac-Sha256", sig)
			resp, err := client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				b.Fatalf("status %d", resp.StatusCode)
			}
		}
	})
}
