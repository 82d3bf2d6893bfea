package jobs_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/boomerang-app/boomerang/internal/apptest"
	"github.com/boomerang-app/boomerang/internal/testenv"
	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/shopify"
)

// The fault run that broke the first sweeper: thousands of deliveries that can never succeed,
// then Redis goes down while valid orders arrive, then Redis comes back empty. The poison is
// recorded as failed and out of the way, so the sweeper reaches every valid order.
func TestPoisonNeverBlocksTheSweeper(t *testing.T) {
	if testing.Short() {
		t.Skip("5,000 deliveries")
	}
	const poison, valid = 5000, 50
	r := startPrivateRedis(t, 0)
	a := apptest.Start(t, apptest.Options{RedisURL: r.url()})
	shop := testenv.Shop("poison")
	id := a.Install(t, shop)
	ctx := context.Background()

	bad := []byte(`{"id":"order-1","customer":{"id":"abc"}}`)
	postMany(t, a, shop, poison, func(i int) (string, []byte) { return fmt.Sprintf("poison-%d", i), bad })
	waitFor(t, 3*drainWait, func() bool { // every poison delivery tried (Drain would wait for them to succeed)
		var tried int64
		a.DB.Raw(`SELECT count(*) FROM webhook_events WHERE shop_id = ? AND attempts > 0`, id).Scan(&tried)
		return tried == poison
	})

	r.stop()
	for i := 1; i <= valid; i++ {
		a.Webhook(t, shop, "orders/paid", fmt.Sprintf("valid-%d", i),
			orderBody(int64(9000+i), int64(500+i), "paid", "20.00", "2026-03-01T00:00:00Z", nil))
	}
	startPrivateRedis(t, r.port)
	waitFor(t, drainWait, func() bool { return a.Queue.Ping(ctx) == nil })
	if err := a.Worker.Sweep(ctx, time.Now().Add(time.Second)); err != nil {
		t.Fatalf("sweep after restart: %v", err)
	}
	var processed int64
	for deadline := time.Now().Add(2 * drainWait); processed < valid && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		a.DB.Raw(`SELECT count(*) FROM webhook_events WHERE shop_id = ? AND webhook_id LIKE 'valid-%' AND processed_at IS NOT NULL`, id).Scan(&processed)
	}
	if processed != valid {
		t.Fatalf("%d of %d valid orders processed after the outage", processed, valid)
	}
	a.Drain(t, drainWait)
	var orders int64
	a.DB.Raw(`SELECT count(*) FROM orders WHERE shop_id = ?`, id).Scan(&orders)
	if orders != valid {
		t.Fatalf("%d orders stored, want %d", orders, valid)
	}
	var failed int64
	a.DB.Raw(`SELECT count(*) FROM webhook_events WHERE shop_id = ? AND failed_at IS NOT NULL`, id).Scan(&failed)
	if failed != poison {
		t.Fatalf("%d of %d poison deliveries recorded as failed", failed, poison)
	}
	// The operator's list shows the poison with its reason.
	list, err := models.FailedEvents(ctx, a.DB, 5)
	if err != nil || len(list) != 5 || list[0].Shop != shop || list[0].LastError == "" {
		t.Fatalf("failed list: %+v, %v", list, err)
	}
}

// postMany sends n signed orders/paid deliveries from 8 connections at once.
func postMany(t *testing.T, a *apptest.App, shop string, n int, next func(i int) (string, []byte)) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	work := make(chan int)
	client := &http.Client{Timeout: 10 * time.Second}
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				webhookID, body := next(i)
				req, _ := http.NewRequest(http.MethodPost, a.Server.URL+"/webhooks", bytes.NewReader(body))
				req.Header.Set("X-Shopify-Topic", "orders/paid")
				req.Header.Set("X-Shopify-Shop-Domain", shop)
				req.Header.Set("X-Shopify-Webhook-Id", webhookID)
				req.Header.Set("X-Shopify-Hmac-Sha256", shopify.SignWebhook(body, testenv.APISecret))
				resp, err := client.Do(req)
				if err == nil {
					resp.Body.Close()
					if resp.StatusCode != http.StatusOK {
						err = fmt.Errorf("%s: status %d", webhookID, resp.StatusCode)
					}
				}
				if err != nil {
					select {
					case errs <- err:
					default:
					}
				}
			}
		}()
	}
	for i := 0; i < n; i++ {
		work <- i
	}
	close(work)
	wg.Wait()
	select {
	case err := <-errs:
		t.Fatal(err)
	default:
	}
}
