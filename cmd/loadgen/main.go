// Command loadgen drives signed Shopify webhooks at a Boomerang server on this machine and
// reports what it achieved: the benchmark of the ingest path (docs/bench/ingest.md).
//
//	loadgen -url http://127.0.0.1:8080/webhooks -secret S -rate 1000 -duration 30s -concurrency 64
//	loadgen -secret S -rate 0 -duration 30s -concurrency 32     # as fast as the server answers
//
// Every request is an orders/paid delivery of about 2 KB with a fresh webhook id and order id,
// signed like Shopify signs it. With -rate the load is open-loop: request i is due at
// start + i/rate and its latency counts from that moment, so a slow server is not hidden by the
// generator waiting for it (coordinated omission). Only loopback targets are accepted.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/url"
	"os"
	"time"
)

type options struct {
	URL         string
	Secret      string
	Rate        float64
	Duration    time.Duration
	Concurrency int
	Shops       int
	BodySize    int
	RunID       string
	JSON        bool
	DB          string
}

// maxDuration bounds every run: this is a benchmark tool, not a soak test.
const maxDuration = 10 * time.Minute

func main() {
	var o options
	flag.StringVar(&o.URL, "url", "http://127.0.0.1:8080/webhooks", "webhook endpoint (loopback only)")
	flag.StringVar(&o.Secret, "secret", os.Getenv("SHOPIFY_API_SECRET"), "client secret that signs the bodies (default $SHOPIFY_API_SECRET)")
	flag.Float64Var(&o.Rate, "rate", 1000, "requests per second to offer; 0 sends as fast as the workers get answers")
	flag.DurationVar(&o.Duration, "duration", 30*time.Second, "how long to send (at most 10m)")
	flag.IntVar(&o.Concurrency, "concurrency", 64, "requests in flight at most (HTTP connections)")
	flag.IntVar(&o.Shops, "shops", 20, "spread deliveries over this many shops")
	flag.IntVar(&o.BodySize, "body", 2048, "approximate body size in bytes")
	flag.StringVar(&o.RunID, "run", fmt.Sprintf("lg%d", time.Now().Unix()), "prefix of webhook ids (keeps runs apart)")
	flag.BoolVar(&o.JSON, "json", false, "print the result as JSON")
	flag.StringVar(&o.DB, "db", os.Getenv("DATABASE_URL"), "the server's Postgres, where the run's shops are installed first (default $DATABASE_URL)")
	flag.Parse()
	if err := o.check(); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), o.Duration+time.Minute)
	defer cancel()
	if o.DB == "" {
		fmt.Fprintln(os.Stderr, "loadgen: -db (or $DATABASE_URL) is required: the run's shops must be installed, a webhook never creates a shop")
		os.Exit(2)
	}
	if err := installShops(ctx, o.DB, shopNames(o)); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
	res := run(ctx, o)
	if o.JSON {
		_ = json.NewEncoder(os.Stdout).Encode(res)
		return
	}
	res.print(os.Stdout, o)
}

func (o options) check() error {
	if o.Secret == "" {
		return errors.New("-secret is required")
	}
	if o.Duration <= 0 || o.Duration > maxDuration {
		return fmt.Errorf("-duration must be in (0, %v]", maxDuration)
	}
	if o.Concurrency < 1 || o.Concurrency > 4096 || o.Shops < 1 || o.Rate < 0 || o.BodySize < 256 {
		return errors.New("-concurrency must be 1..4096, -shops >= 1, -rate >= 0, -body >= 256")
	}
	u, err := url.Parse(o.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return fmt.Errorf("-url %q is not an http(s) URL", o.URL)
	}
	host := u.Hostname()
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("-url must target this machine (127.0.0.1, ::1 or localhost), got %q", host)
	}
	return nil
}
