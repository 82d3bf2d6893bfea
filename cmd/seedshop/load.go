package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"sort"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/boomerang-app/boomerang/shopify"
)

// endpoint is one admin API call measured by `seedshop load`; path may depend on a random
// customer (or a cursor fetched once before the run).
type endpoint struct {
	name string
	path func(r *rand.Rand) string
}

type result struct {
	name      string
	latencies []time.Duration
	statuses  map[int]int
	bytes     int64
	cpu       time.Duration // server and Postgres CPU used by the measured requests (Linux only)
}

func runLoad(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("load", flag.ExitOnError)
	db, shop := commonFlags(fs)
	base := fs.String("url", "http://127.0.0.1:8080", "server base URL")
	apiKey := fs.String("api-key", os.Getenv("SHOPIFY_API_KEY"), "the server's SHOPIFY_API_KEY")
	secret := fs.String("secret", os.Getenv("SHOPIFY_API_SECRET"), "the server's SHOPIFY_API_SECRET (signs session tokens)")
	n := fs.Int("n", 300, "requests per endpoint")
	warm := fs.Int("warmup", 20, "unmeasured requests per endpoint first")
	conc := fs.Int("c", 4, "concurrent requests")
	only := fs.String("only", "", "comma-separated endpoint names to run (default all)")
	out := fs.String("json", "", "also write the results as JSON to this file")
	serverPID := fs.Int("server-pid", 0, "the server's process id: its CPU time is counted with Postgres's")
	_ = fs.Parse(args)
	if *apiKey == "" || *secret == "" {
		return fmt.Errorf("-api-key and -secret (or SHOPIFY_API_KEY / SHOPIFY_API_SECRET) are required")
	}
	dsn, err := withDatabase(serverURL(), *db)
	if err != nil {
		return err
	}
	ids, cursor, err := sampleIDs(ctx, dsn, *shop)
	if err != nil {
		return err
	}
	token, err := shopify.SignSessionToken(*shop, *apiKey, *secret, "1", time.Now(), 2*time.Hour)
	if err != nil {
		return err
	}
	cust := func(r *rand.Rand) int64 { return ids[r.IntN(len(ids))] }
	end := time.Now().UTC()
	endpoints := []endpoint{
		{"scorecard (12 months)", func(*rand.Rand) string { return "/api/metrics/scorecard" }},
		{"scorecard (90 days)", func(*rand.Rand) string {
			return "/api/metrics/scorecard?from=" + end.AddDate(0, 0, -89).Format(time.DateOnly) + "&to=" + end.Format(time.DateOnly)
		}},
		{"scorecard (3 years)", func(*rand.Rand) string {
			return "/api/metrics/scorecard?from=" + end.AddDate(-3, 0, 1).Format(time.DateOnly) + "&to=" + end.Format(time.DateOnly)
		}},
		{"customers", func(*rand.Rand) string { return "/api/customers" }},
		{"customers ?stage=repeat", func(*rand.Rand) string { return "/api/customers?stage=repeat" }},
		{"customers ?tier=Gold", func(*rand.Rand) string { return "/api/customers?tier=Gold" }},
		{"customers ?q=", func(r *rand.Rand) string { return fmt.Sprintf("/api/customers?q=c%d@", r.IntN(100000)) }},
		{"customers ?hold=true", func(*rand.Rand) string { return "/api/customers?hold=true" }},
		{"customers ?segment=at_risk", func(*rand.Rand) string { return "/api/customers?segment=at_risk" }},
		{"customers ?segment=one_time_buyers", func(*rand.Rand) string { return "/api/customers?segment=one_time_buyers" }},
		{"customers ?segment=ready_to_buy", func(*rand.Rand) string { return "/api/customers?segment=ready_to_buy" }},
		{"customers ?segment=win_back", func(*rand.Rand) string { return "/api/customers?segment=win_back" }},
		{"customers ?segment=subscribers", func(*rand.Rand) string { return "/api/customers?segment=subscribers" }},
		{"customer 360", func(r *rand.Rand) string { return fmt.Sprintf("/api/customers/%d", cust(r)) }},
		{"timeline", func(r *rand.Rand) string { return fmt.Sprintf("/api/customers/%d/timeline", cust(r)) }},
		{"reviews", func(*rand.Rand) string { return "/api/reviews" }},
		{"reviews ?rating=1", func(*rand.Rand) string { return "/api/reviews?rating=1" }},
		{"reviews ?status=pending", func(*rand.Rand) string { return "/api/reviews?status=pending" }},
		{"activity", func(*rand.Rand) string { return "/api/activity" }},
		{"activity ?decision=held", func(*rand.Rand) string { return "/api/activity?decision=held" }},
		{"activity ?reason=quiet_hours", func(*rand.Rand) string { return "/api/activity?reason=quiet_hours" }},
		{"activity page 2", func(*rand.Rand) string { return "/api/activity?cursor=" + cursor }},
	}
	if *only != "" {
		keep := map[string]bool{}
		for _, s := range strings.Split(*only, ",") {
			keep[strings.TrimSpace(s)] = true
		}
		var sel []endpoint
		for _, e := range endpoints {
			if keep[e.name] {
				sel = append(sel, e)
			}
		}
		endpoints = sel
	}
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: *conc * 2}}
	var results []result
	for _, e := range endpoints {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		measure(ctx, client, *base, token, e, *warm, *conc, nil)
		res := result{name: e.name, statuses: map[int]int{}}
		before := cpuTimes(*serverPID, *db)
		measure(ctx, client, *base, token, e, *n, *conc, &res)
		res.cpu = cpuSince(before, cpuTimes(*serverPID, *db))
		results = append(results, res)
	}
	report(os.Stdout, results, *n, *conc)
	if *out != "" {
		return writeJSON(*out, results)
	}
	return nil
}

// sampleIDs picks customers that exist in the shop and the cursor of the activity list's
// second page (a realistic "load more").
func sampleIDs(ctx context.Context, dsn, shop string) ([]int64, string, error) {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return nil, "", err
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT c.customer_id FROM customers c JOIN shops s ON s.id = c.shop_id
		WHERE s.domain = $1 ORDER BY random() LIMIT 2000`, shop)
	if err != nil {
		return nil, "", err
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, "", err
	}
	if len(ids) == 0 {
		return nil, "", fmt.Errorf("shop %s has no customers: run `seedshop seed` first", shop)
	}
	var cursor int64
	err = conn.QueryRow(ctx, `SELECT COALESCE(min(id), 1) FROM (SELECT d.id FROM message_decisions d JOIN shops s ON s.id = d.shop_id
		WHERE s.domain = $1 ORDER BY d.id DESC LIMIT 50) x`, shop).Scan(&cursor)
	return ids, fmt.Sprint(cursor), err
}

func measure(ctx context.Context, client *http.Client, base, token string, e endpoint, n, conc int, res *result) {
	var mu sync.Mutex
	var wg sync.WaitGroup
	next := make(chan int)
	go func() {
		defer close(next)
		for i := 0; i < n && ctx.Err() == nil; i++ {
			next <- i
		}
	}()
	for w := 0; w < conc; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(w), 42))
			for range next {
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+e.path(r), nil)
				req.Header.Set("Authorization", "Bearer "+token)
				t := time.Now()
				resp, err := client.Do(req)
				status, size := 0, int64(0)
				if err == nil {
					size, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					status = resp.StatusCode
				}
				d := time.Since(t)
				if res != nil {
					mu.Lock()
					res.latencies = append(res.latencies, d)
					res.statuses[status]++
					res.bytes += size
					mu.Unlock()
				}
			}
		}(w)
	}
	wg.Wait()
}

func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted))*p+0.5) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f", float64(d.Microseconds())/1000) }

func report(w io.Writer, results []result, n, conc int) {
	fmt.Fprintf(w, "%d requests per endpoint, %d concurrent; latency in ms; cpu/req = server + Postgres CPU ms per request\n", n, conc)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "endpoint\tp50\tp95\tp99\tmax\tcpu/req\tstatus\tbytes/resp\t")
	for _, r := range results {
		sort.Slice(r.latencies, func(i, j int) bool { return r.latencies[i] < r.latencies[j] })
		var st []string
		for code, k := range r.statuses {
			st = append(st, fmt.Sprintf("%d×%d", code, k))
		}
		sort.Strings(st)
		per := int64(0)
		if len(r.latencies) > 0 {
			per = r.bytes / int64(len(r.latencies))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t\n", r.name, ms(percentile(r.latencies, 0.5)), ms(percentile(r.latencies, 0.95)),
			ms(percentile(r.latencies, 0.99)), ms(percentile(r.latencies, 1)), cpuPerRequest(r), strings.Join(st, " "), per)
	}
	tw.Flush()
}

func writeJSON(path string, results []result) error {
	type row struct {
		Endpoint string      `json:"endpoint"`
		Ms       [4]float64  `json:"p50_p95_p99_max_ms"`
		CPU      string      `json:"cpu_ms_per_request"`
		Statuses map[int]int `json:"statuses"`
	}
	var out []row
	for _, r := range results {
		sort.Slice(r.latencies, func(i, j int) bool { return r.latencies[i] < r.latencies[j] })
		f := func(p float64) float64 { return float64(percentile(r.latencies, p).Microseconds()) / 1000 }
		out = append(out, row{Endpoint: r.name, Ms: [4]float64{f(0.5), f(0.95), f(0.99), f(1)}, CPU: cpuPerRequest(r), Statuses: r.statuses})
	}
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}
