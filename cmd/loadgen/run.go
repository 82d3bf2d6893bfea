package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// result is what a run achieved.
type result struct {
	Offered     float64        `json:"offered_per_s"` // 0 = as fast as possible
	Seconds     float64        `json:"seconds"`
	Sent        int64          `json:"sent"`
	OK          int64          `json:"ok_200"`
	Statuses    map[int]int64  `json:"non_200_statuses,omitempty"`
	Errors      int64          `json:"transport_errors"`
	Achieved    float64        `json:"achieved_ok_per_s"`
	Latency     map[string]any `json:"latency_ms"`
	Late        int64          `json:"sent_late_over_100ms"` // open loop: requests that left >100 ms after they were due
	FirstError  string         `json:"first_error,omitempty"`
	WebhookRun  string         `json:"webhook_id_prefix"`
	Concurrency int            `json:"concurrency"`
}

type worker struct {
	lat      []time.Duration
	statuses map[int]int64
	errs     int64
	ok       int64
	late     int64
	firstErr string
}

func run(ctx context.Context, o options) result {
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		MaxIdleConns: o.Concurrency, MaxIdleConnsPerHost: o.Concurrency, MaxConnsPerHost: o.Concurrency, IdleConnTimeout: time.Minute}}
	shops := shopNames(o)
	var next atomic.Int64
	start := time.Now()
	end := start.Add(o.Duration)
	workers := make([]*worker, o.Concurrency)
	var wg sync.WaitGroup
	for w := range workers {
		wk := &worker{statuses: map[int]int64{}}
		workers[w] = wk
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				n := next.Add(1) - 1
				due := time.Now()
				if o.Rate > 0 {
					due = start.Add(time.Duration(float64(n) / o.Rate * float64(time.Second)))
					if wait := time.Until(due); wait > 0 {
						time.Sleep(wait)
					} else if -wait > 100*time.Millisecond {
						wk.late++
					}
				}
				if !due.Before(end) || ctx.Err() != nil {
					return
				}
				wk.send(ctx, client, o, shops[n%int64(len(shops))], n, due)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	return summarize(o, workers, elapsed)
}

func (wk *worker) send(ctx context.Context, client *http.Client, o options, shop string, n int64, due time.Time) {
	body := orderBody(1_000_000_000+n, o.BodySize)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, o.URL, bytes.NewReader(body))
	if err != nil {
		wk.fail(err)
		return
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Shopify-Topic", "orders/paid")
	req.Header.Set("X-Shopify-Shop-Domain", shop)
	req.Header.Set("X-Shopify-Api-Version", "2026-10")
	req.Header.Set("X-Shopify-Webhook-Id", fmt.Sprintf("%s-%d", o.RunID, n))
	req.Header.Set("X-Shopify-Triggered-At", time.Now().UTC().Format(time.RFC3339Nano))
	req.Header.Set("X-Shopify-Hmac-Sha256", sign(body, o.Secret))
	resp, err := client.Do(req)
	if err != nil {
		wk.fail(err)
		return
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	wk.lat = append(wk.lat, time.Since(due))
	if resp.StatusCode == http.StatusOK {
		wk.ok++
	} else {
		wk.statuses[resp.StatusCode]++
	}
}

func (wk *worker) fail(err error) {
	wk.errs++
	if wk.firstErr == "" {
		wk.firstErr = err.Error()
	}
}

func summarize(o options, workers []*worker, elapsed time.Duration) result {
	r := result{Offered: o.Rate, Seconds: elapsed.Seconds(), Statuses: map[int]int64{}, WebhookRun: o.RunID, Concurrency: o.Concurrency}
	var lat []time.Duration
	for _, w := range workers {
		lat = append(lat, w.lat...)
		r.OK += w.ok
		r.Errors += w.errs
		r.Late += w.late
		for k, v := range w.statuses {
			r.Statuses[k] += v
		}
		if r.FirstError == "" {
			r.FirstError = w.firstErr
		}
	}
	r.Sent = int64(len(lat)) + r.Errors
	r.Achieved = float64(r.OK) / elapsed.Seconds()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	pct := func(p float64) float64 {
		if len(lat) == 0 {
			return 0
		}
		return ms(lat[min(len(lat)-1, int(p*float64(len(lat))))])
	}
	r.Latency = map[string]any{"p50": pct(.50), "p95": pct(.95), "p99": pct(.99), "p999": pct(.999)}
	if len(lat) > 0 {
		r.Latency["max"] = ms(lat[len(lat)-1])
	}
	return r
}

func (r result) print(w io.Writer, o options) {
	offered := "max"
	if r.Offered > 0 {
		offered = fmt.Sprintf("%.0f/s", r.Offered)
	}
	fmt.Fprintf(w, "offered %s for %.1fs, concurrency %d, ~%d-byte orders/paid bodies, ids %s-*\n", offered, r.Seconds, r.Concurrency, o.BodySize, r.WebhookRun)
	fmt.Fprintf(w, "sent %d, 200 OK %d, other statuses %v, transport errors %d\n", r.Sent, r.OK, r.Statuses, r.Errors)
	fmt.Fprintf(w, "achieved %.0f OK/s\n", r.Achieved)
	fmt.Fprintf(w, "latency ms: p50 %.2f  p95 %.2f  p99 %.2f  p99.9 %.2f  max %.2f\n",
		r.Latency["p50"], r.Latency["p95"], r.Latency["p99"], r.Latency["p999"], r.Latency["max"])
	if r.Late > 0 {
		fmt.Fprintf(w, "requests sent >100 ms after due (generator or connections saturated): %d\n", r.Late)
	}
	if r.FirstError != "" {
		fmt.Fprintf(w, "first error: %s\n", r.FirstError)
	}
}
