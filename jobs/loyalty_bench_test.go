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
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/boomerang-app/boomerang/config"
	"github.com/boomerang-app/boomerang/internal/apptest"
	"github.com/boomerang-app/boomerang/internal/testenv"
	"github.com/boomerang-app/boomerang/models/loyalty"
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
	return s.sendAs(o, fmt.Sprintf("bench-%d", s.seq.Add(1)))
}

func (s *sender) sendAs(o benchOrder, webhookID string) error {
	req, _ := http.NewRequest(http.MethodPost, s.url, bytes.NewReader(o.body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Shopify-Topic", "orders/paid")
	req.Header.Set("X-Shopify-Shop-Domain", s.shop)
	req.Header.Set("X-Shopify-Webhook-Id", webhookID)
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

// cpuMeter adds up the CPU time spent for the benchmark by this process (server, worker and
// load generator), by the Postgres backends serving its database and by its Redis, sampled
// twice a second from /proc. On a machine shared with other work the wall-clock rates depend on
// the neighbours; CPU per order does much less, and 2 cores / CPU per order is the ceiling an
// otherwise idle 2-core machine would give.
type cpuMeter struct {
	a        *apptest.App
	redisPID int
	mu       sync.Mutex
	base     map[int]float64 // backend pid → CPU seconds when first seen (0 if it started during the run)
	last     map[int]float64
	self0    float64
	stop     chan struct{}
	done     chan struct{}
}

func procCPU(pid int) (float64, bool) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, false
	}
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+2:]))
	if len(f) < 13 {
		return 0, false
	}
	ut, _ := strconv.ParseFloat(f[11], 64)
	st, _ := strconv.ParseFloat(f[12], 64)
	return (ut + st) / 100, true // USER_HZ
}

func selfCPU() float64 {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

func startCPUMeter(a *apptest.App) *cpuMeter {
	m := &cpuMeter{a: a, base: map[int]float64{}, last: map[int]float64{}, stop: make(chan struct{}), done: make(chan struct{})}
	if info, err := a.Queue.Redis.Info(context.Background(), "server").Result(); err == nil {
		for _, l := range strings.Split(info, "\n") {
			if v, ok := strings.CutPrefix(strings.TrimSpace(l), "process_id:"); ok {
				m.redisPID, _ = strconv.Atoi(v)
			}
		}
	}
	m.sample(true)
	m.self0 = selfCPU()
	go func() {
		defer close(m.done)
		for {
			select {
			case <-m.stop:
				m.sample(false)
				return
			case <-time.After(500 * time.Millisecond):
				m.sample(false)
			}
		}
	}()
	return m
}

func (m *cpuMeter) sample(first bool) {
	var pids []int
	m.a.DB.Raw(`SELECT pid FROM pg_stat_activity WHERE datname = current_database()`).Scan(&pids)
	if m.redisPID != 0 {
		pids = append(pids, -m.redisPID) // negative: Redis, kept apart
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, p := range pids {
		pid := max(p, -p)
		c, ok := procCPU(pid)
		if !ok {
			continue
		}
		if _, seen := m.base[p]; !seen {
			m.base[p] = 0
			if first || p < 0 {
				m.base[p] = c
			}
		}
		m.last[p] = c
	}
}

// result returns CPU seconds: this process, Postgres, Redis.
func (m *cpuMeter) result() (app, pg, rd float64) {
	close(m.stop)
	<-m.done
	m.mu.Lock()
	defer m.mu.Unlock()
	for p, c := range m.last {
		if p < 0 {
			rd += c - m.base[p]
		} else {
			pg += c - m.base[p]
		}
	}
	return selfCPU() - m.self0, pg, rd
}

func reportCPU(b *testing.B, m *cpuMeter, orders int) {
	app, pg, rd := m.result()
	per := func(s float64) float64 { return s * 1000 / float64(orders) }
	b.ReportMetric(per(app), "ms_cpu_app/order")
	b.ReportMetric(per(pg), "ms_cpu_pg/order")
	b.ReportMetric(per(rd), "ms_cpu_redis/order")
	b.ReportMetric(2000/per(app+pg+rd), "orders/s_2core_ceiling")
	if load, err := os.ReadFile("/proc/loadavg"); err == nil {
		b.Logf("load average at the end: %s", strings.TrimSpace(string(load)))
	}
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
	a.DB.Raw(`SELECT count(*), count(DISTINCT order_id) FROM ledger_entries WHERE shop_id = ? AND kind = 'earn' AND customer_id < ?`, shopID, historyBase).Row().Scan(&earns, &distinct)
	if earns != int64(len(orders)) || distinct != earns {
		b.Fatalf("%d earn entries for %d distinct orders, want %d", earns, distinct, len(orders))
	}
	var rows []struct {
		CustomerID int64
		Balance    int64
	}
	a.DB.Raw(`SELECT customer_id, balance FROM loyalty_accounts WHERE shop_id = ? AND customer_id < ?`, shopID, historyBase).Scan(&rows)
	for _, r := range rows {
		if want[r.CustomerID] != r.Balance {
			b.Fatalf("customer %d: balance %d, want %d", r.CustomerID, r.Balance, want[r.CustomerID])
		}
		delete(want, r.CustomerID)
	}
	if len(want) != 0 {
		b.Fatalf("%d customers have no account", len(want))
	}
	if _, err := loyalty.VerifyLedger(context.Background(), a.DB); err != nil {
		b.Fatal(err)
	}
}

// waitEarned waits until n orders have their earn entry and returns the time since start.
func waitEarned(b *testing.B, a *apptest.App, shopID int64, n int, start time.Time, timeout time.Duration) time.Duration {
	b.Helper()
	for {
		var got int64
		a.DB.Raw(`SELECT count(*) FROM ledger_entries WHERE shop_id = ? AND kind = 'earn' AND customer_id < ?`, shopID, historyBase).Scan(&got)
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
		seedHistory(b, a, shopID, envInt("LOYALTY_BENCH_HISTORY", 50_000))
		orders := makeOrders(n, n/3, 42)
		deliveries := append([]benchOrder(nil), orders...)
		for i := 0; i < n/20; i++ {
			deliveries = append(deliveries, orders[(i*7919)%n])
		}
		s := newSender(a, shop, 32)
		meter := startCPUMeter(a)
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
		credited := waitEarned(b, a, shopID, n, start, 60*time.Minute)
		a.Drain(b, 60*time.Minute) // the rest: messaging's dispatch of the events the orders raised
		drained := time.Since(start)
		b.StopTimer()
		reportCPU(b, meter, n)
		checkLedger(b, a, shopID, orders)
		b.ReportMetric(float64(len(deliveries))/ingested.Seconds(), "webhooks/s_ingest")
		b.ReportMetric(float64(n)/credited.Seconds(), "orders/s_credited")
		b.ReportMetric(credited.Seconds(), "s_to_all_points")
		b.ReportMetric(drained.Seconds(), "s_to_drained")
		b.StartTimer()
	}
}

// BenchmarkLoyaltyLatency paces orders/paid webhooks at a fixed rate and measures, per order,
// the time from sending the webhook to the end of its processing (webhook_events.processed_at,
// stamped right after the transaction that credited the points committed: the points were
// visible a little earlier, so the figure is an upper bound).
func BenchmarkLoyaltyLatency(b *testing.B) {
	rate := envInt("LOYALTY_BENCH_RATE", 500)
	secs := envInt("LOYALTY_BENCH_SECONDS", 20)
	for range b.N {
		a := apptest.Start(b, apptest.Options{})
		shop := testenv.Shop("latency")
		shopID := a.Install(b, shop)
		seedHistory(b, a, shopID, envInt("LOYALTY_BENCH_HISTORY", 50_000))
		n := rate * secs
		orders := makeOrders(n, n/2, 43)
		s := newSender(a, shop, 64)
		sent := make([]time.Time, n)
		meter := startCPUMeter(a)
		var wg sync.WaitGroup
		var failed atomic.Int64
		tick := time.Second / time.Duration(rate)
		begin := time.Now()
		for i := range orders {
			time.Sleep(time.Until(begin.Add(time.Duration(i) * tick)))
			sent[i] = time.Now()
			wg.Add(1)
			go func(o benchOrder) {
				defer wg.Done()
				if err := s.sendAs(o, "lat-"+strconv.FormatInt(o.id, 10)); err != nil {
					failed.Add(1)
				}
			}(orders[i])
		}
		wg.Wait()
		sendSecs := time.Since(begin).Seconds()
		if failed.Load() > 0 {
			b.Fatalf("%d webhooks failed", failed.Load())
		}
		waitEarned(b, a, shopID, n, begin, 60*time.Minute)
		for deadline := time.Now().Add(time.Minute); ; time.Sleep(20 * time.Millisecond) {
			var left int64 // credited, but the job may not have stamped processed_at yet
			a.DB.Raw(`SELECT count(*) FROM webhook_events WHERE shop_id = ? AND processed_at IS NULL`, shopID).Scan(&left)
			if left == 0 || time.Now().After(deadline) {
				break
			}
		}
		b.StopTimer()
		var rows []struct {
			WebhookID   string
			ProcessedAt *time.Time
		}
		a.DB.Raw(`SELECT webhook_id, processed_at FROM webhook_events WHERE shop_id = ? AND webhook_id LIKE 'lat-%'`, shopID).Scan(&rows)
		lat := make([]float64, 0, n)
		for _, r := range rows {
			id, err := strconv.ParseInt(strings.TrimPrefix(r.WebhookID, "lat-"), 10, 64)
			if err != nil || r.ProcessedAt == nil {
				continue
			}
			lat = append(lat, r.ProcessedAt.Sub(sent[id-4_000_000]).Seconds()*1000)
		}
		if len(lat) != n {
			b.Fatalf("%d of %d deliveries processed", len(lat), n)
		}
		slices.Sort(lat)
		pct := func(p float64) float64 { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }
		b.ReportMetric(float64(n)/sendSecs, "orders/s_offered")
		b.ReportMetric(pct(0.50), "ms_p50")
		b.ReportMetric(pct(0.99), "ms_p99")
		b.ReportMetric(lat[len(lat)-1], "ms_max")
		a.Drain(b, 60*time.Minute)
		reportCPU(b, meter, n)
		checkLedger(b, a, shopID, orders)
		b.StartTimer()
	}
}
