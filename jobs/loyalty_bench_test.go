package jobs_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/boomerang-app/boomerang/config"
	"github.com/boomerang-app/boomerang/internal/apptest"
	"github.com/boomerang-app/boomerang/internal/testenv"
	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/shopify"
)

// End-to-end loyalty benchmarks: the whole app in process (HTTP ingest, Asynq worker, real
// Postgres and Redis), signed orders/paid webhooks in, points visible in the ledger out. They
// run only with -bench (figures in docs/bench/loyalty.md):
//
//	go test ./jobs/ -run '^$' -bench LoyaltyFlashSale -benchtime 1x        # 50,000 orders
//	go test ./jobs/ -run '^$' -bench LoyaltyLatency -benchtime 1x          # 500 orders/s, p50/p99
//
// LOYALTY_BENCH_ORDERS, LOYALTY_BENCH_RATE and LOYALTY_BENCH_SECONDS change the sizes.

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// benchOrder is a signed orders/paid delivery, shaped like Shopify's REST order payload.
type benchOrder struct {
	id, customer int64
	points       int64
	body         []byte
	sig          string
}

func makeOrders(n, customers int, seed uint64) []benchOrder {
	rng := rand.New(rand.NewPCG(seed, 1))
	now := time.Now().UTC().Format(time.RFC3339)
	out := make([]benchOrder, n)
	for i := range out {
		id := int64(4_000_000 + i)
		cust := int64(1 + i%customers)
		cents := int64(1000 + rng.IntN(9000)) // 10.00–99.99, at most 3 orders each: nobody reaches Silver, so points are known in advance
		sub := fmt.Sprintf("%d.%02d", cents/100, cents%100)
		o := map[string]any{"id": id, "admin_graphql_api_id": fmt.Sprintf("gid://shopify/Order/%d", id),
			"name": fmt.Sprintf("#%d", 1000+i), "email": fmt.Sprintf("shopper%d@example.com", cust), "currency": "USD",
			"subtotal_price": sub, "total_price": sub, "total_tax": "0.00", "financial_status": "paid", "test": false,
			"processed_at": now, "created_at": now, "updated_at": now, "landing_site": "/products/flash-sale",
			"discount_codes": []any{}, "note_attributes": []any{},
			"customer": map[string]any{"id": cust, "email": fmt.Sprintf("shopper%d@example.com", cust), "first_name": "Flash",
				"last_name": "Buyer", "state": "enabled", "updated_at": now,
				"email_marketing_consent": map[string]any{"state": "not_subscribed"},
				"default_address":         map[string]any{"country_code": "US", "province_code": "NY"}},
			"line_items": []map[string]any{{"id": id*10 + 1, "product_id": 9001, "variant_id": 9101, "title": "Flash sale tee",
				"quantity": 1, "price": sub}}}
		body, _ := json.Marshal(o)
		out[i] = benchOrder{id: id, customer: cust, points: cents * 5 / 100, body: body, sig: shopify.SignWebhook(body, testenv.APISecret)}
	}
	return out
}

type sender struct {
	url, shop string
	client    *http.Client
	seq       atomic.Int64
}

func newSender(a *apptest.App, shop string, conns int) *sender {
	tr := &http.Transport{MaxIdleConns: conns, MaxIdleConnsPerHost: conns, IdleConnTimeout: time.Minute}
	return &sender{url: a.Server.URL + "/webhooks", shop: shop, client: &http.Client{Transport: tr, Timeout: 30 * time.Second}}
}

func (s *sender) send(o benchOrder) error {
	req, _ := http.NewRequest(http.MethodPost, s.url, bytes.NewReader(o.body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Shopify-Topic", "orders/paid")
	req.Header.Set("X-Shopify-Shop-Domain", s.shop)
	req.Header.Set("X-Shopify-Webhook-Id", fmt.Sprintf("bench-%d", s.seq.Add(1)))
	req.Header.Set("X-Shopify-Api-Version", config.APIVersion)
	req.Header.Set("X-Shopify-Triggered-At", time.Now().UTC().Format(time.RFC3339Nano))
	req.Header.Set("X-Shopify-Hmac-Sha256", o.sig)
	resp, err := s.client.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("webhook status %d", resp.StatusCode)
	}
	return nil
}

// checkLedger proves nothing was lost or doubled: one earn per order, the expected points per
// customer, and the ledger invariants.
func checkLedger(b *testing.B, a *apptest.App, shopID int64, orders []benchOrder) {
	b.Helper()
	want := map[int64]int64{}
	for _, o := range orders {
		want[o.customer] += o.points
	}
	var earns, distinct int64
	a.DB.Raw(`SELECT count(*), count(DISTINCT order_id) FROM ledger_entries WHERE shop_id = ? AND kind = 'earn'`, shopID).Row().Scan(&earns, &distinct)
	if earns != int64(len(orders)) || distinct != earns {
		b.Fatalf("%d earn entries for %d distinct orders, want %d", earns, distinct, len(orders))
	}
	var rows []struct {
		CustomerID int64
		Balance    int64
	}
	a.DB.Raw(`SELECT customer_id, balance FROM loyalty_accounts WHERE shop_id = ?`, shopID).Scan(&rows)
	for _, r := range rows {
		if want[r.CustomerID] != r.Balance {
			b.Fatalf("customer %d: balance %d, want %d", r.CustomerID, r.Balance, want[r.CustomerID])
		}
		delete(want, r.CustomerID)
	}
	if len(want) != 0 {
		b.Fatalf("%d customers have no account", len(want))
	}
	if _, err := models.VerifyLedger(context.Background(), a.DB); err != nil {
		b.Fatal(err)
	}
}

// waitEarned waits until n orders have their earn entry and returns the time since start.
func waitEarned(b *testing.B, a *apptest.App, shopID int64, n int, start time.Time, timeout time.Duration) time.Duration {
	b.Helper()
	for {
		var got int64
		a.DB.Raw(`SELECT count(*) FROM ledger_entries WHERE shop_id = ? AND kind = 'earn'`, shopID).Scan(&got)
		if got >= int64(n) {
			return time.Since(start)
		}
		if time.Since(start) > timeout {
			b.Fatalf("%d of %d orders credited after %v", got, n, timeout)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// BenchmarkLoyaltyFlashSale: 50,000 paid orders (plus 5 % redelivered by "Shopify" under new
// webhook ids) posted by 32 connections as fast as ingest accepts them, while the worker
// credits them; then drained and checked for zero lost or doubled points.
func BenchmarkLoyaltyFlashSale(b *testing.B) {
	n := envInt("LOYALTY_BENCH_ORDERS", 50_000)
	for range b.N {
		a := apptest.Start(b, apptest.Options{})
		shop := testenv.Shop("flash")
		shopID := a.Install(b, shop)
		orders := makeOrders(n, n/3, 42)
		deliveries := append([]benchOrder(nil), orders...)
		for i := 0; i < n/20; i++ {
			deliveries = append(deliveries, orders[(i*7919)%n])
		}
		s := newSender(a, shop, 32)
		var next atomic.Int64
		var wg sync.WaitGroup
		errs := make(chan error, 32)
		start := time.Now()
		for w := 0; w < 32; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					i := int(next.Add(1)) - 1
					if i >= len(deliveries) {
						return
					}
					if err := s.send(deliveries[i]); err != nil {
						errs <- err
						return
					}
				}
			}()
		}
		wg.Wait()
		ingested := time.Since(start)
		close(errs)
		for err := range errs {
			b.Fatal(err)
		}
		credited := waitEarned(b, a, shopID, n, start, 30*time.Minute)
		a.Drain(b, 30*time.Minute) // the rest: messaging's dispatch of the events the orders raised
		drained := time.Since(start)
		b.StopTimer()
		checkLedger(b, a, shopID, orders)
		b.ReportMetric(float64(len(deliveries))/ingested.Seconds(), "webhooks/s_ingest")
		b.ReportMetric(float64(n)/credited.Seconds(), "orders/s_credited")
		b.ReportMetric(credited.Seconds(), "s_to_all_points")
		b.ReportMetric(drained.Seconds(), "s_to_drained")
		b.StartTimer()
	}
}

// BenchmarkLoyaltyLatency paces orders/paid webhooks at a fixed rate and measures, per order,
// the time from sending the webhook to its points being visible in the ledger (a poller reads
// new earn entries every 5 ms, so the figure includes up to 5 ms of polling delay).
func BenchmarkLoyaltyLatency(b *testing.B) {
	rate := envInt("LOYALTY_BENCH_RATE", 500)
	secs := envInt("LOYALTY_BENCH_SECONDS", 20)
	for range b.N {
		a := apptest.Start(b, apptest.Options{})
		shop := testenv.Shop("latency")
		shopID := a.Install(b, shop)
		n := rate * secs
		orders := makeOrders(n, n/2, 43)
		s := newSender(a, shop, 64)
		sent := make([]time.Time, n)
		seen := make([]time.Time, n)
		var found atomic.Int64
		stop := make(chan struct{})
		pollDone := make(chan struct{})
		go func() { // the poller: what an admin page reading the ledger would see
			defer close(pollDone)
			var last int64
			for {
				select {
				case <-stop:
					return
				case <-time.After(5 * time.Millisecond):
				}
				rows, err := a.DB.Raw(`SELECT id, order_id FROM ledger_entries WHERE shop_id = ? AND id > ? AND kind = 'earn' ORDER BY id`,
					shopID, last).Rows()
				if err != nil {
					continue
				}
				now := time.Now()
				for rows.Next() {
					var id, oid int64
					if rows.Scan(&id, &oid) == nil {
						last = id
						seen[oid-4_000_000] = now
						found.Add(1)
					}
				}
				rows.Close()
			}
		}()
		var wg sync.WaitGroup
		var failed atomic.Int64
		tick := time.Second / time.Duration(rate)
		begin := time.Now()
		for i := range orders {
			at := begin.Add(time.Duration(i) * tick)
			time.Sleep(time.Until(at))
			sent[i] = time.Now()
			wg.Add(1)
			go func(o benchOrder) {
				defer wg.Done()
				if err := s.send(o); err != nil {
					failed.Add(1)
				}
			}(orders[i])
		}
		wg.Wait()
		sendSecs := time.Since(begin).Seconds()
		deadline := time.Now().Add(5 * time.Minute)
		for found.Load() < int64(n) && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		close(stop)
		<-pollDone
		b.StopTimer()
		if failed.Load() > 0 || found.Load() != int64(n) {
			b.Fatalf("%d webhooks failed, %d of %d orders credited", failed.Load(), found.Load(), n)
		}
		lat := make([]float64, n)
		for i := range lat {
			lat[i] = seen[i].Sub(sent[i]).Seconds() * 1000
		}
		slices.Sort(lat)
		pct := func(p float64) float64 { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }
		b.ReportMetric(float64(n)/sendSecs, "orders/s_offered")
		b.ReportMetric(pct(0.50), "ms_p50")
		b.ReportMetric(pct(0.99), "ms_p99")
		b.ReportMetric(lat[len(lat)-1], "ms_max")
		a.Drain(b, 5*time.Minute)
		checkLedger(b, a, shopID, orders)
		b.StartTimer()
	}
}
