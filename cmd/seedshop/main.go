// Command seedshop fills one shop with a large, internally consistent history (customers,
// orders, refunds, points ledger, reviews and cases, subscriptions, message decisions) through
// COPY, and measures the admin API against a running `boomerang serve`.
//
//	seedshop seed -db boomerang_bench               # 100,000 customers, 1,000,000 orders
//	seedshop load -url http://127.0.0.1:8080 -db boomerang_bench
//	seedshop refresh -db boomerang_bench -rebuild
//
// The data is synthetic and deterministic for a given -seed. It never touches a database other
// than the one named by -db (created when missing; -drop recreates it). See docs/bench/admin.md.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"os/signal"
	"syscall"
)

func usage() {
	fmt.Fprint(os.Stderr, `usage: seedshop <command> [flags]

commands:
  seed     create (or recreate) a database and fill one shop with a large history
  load     measure admin API latency per endpoint against a running server
  refresh  time a rebuild (or an incremental refresh) of the shop's scorecard rollups
  history  benchmark the history import: a fake bulk result imported and derived by this process

Run "seedshop <command> -h" for the flags.
`)
}

func main() {
	if len(os.Args) < 2 {
		usage()
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo})))
	var err error
	switch os.Args[1] {
	case "seed":
		err = runSeed(ctx, os.Args[2:])
	case "load":
		err = runLoad(ctx, os.Args[2:])
	case "refresh":
		err = runRefresh(ctx, os.Args[2:])
	case "history":
		err = runHistoryBench(ctx, os.Args[2:])
	case "history-serve":
		err = runHistoryServe(ctx, os.Args[2:])
	default:
		usage()
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "seedshop:", err)
		os.Exit(1)
	}
}

// serverURL is the Postgres server (DATABASE_URL or local trust auth), whatever database it names.
func serverURL() string {
	if v := os.Getenv("DATABASE_URL"); v != "" {
		return v
	}
	return "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
}

// withDatabase points a Postgres URL at another database on the same server.
func withDatabase(dsn, name string) (string, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return "", fmt.Errorf("database url: %w", err)
	}
	u.Path = "/" + name
	return u.String(), nil
}

func commonFlags(fs *flag.FlagSet) (db, shop *string) {
	db = fs.String("db", "boomerang_bench", "database name on the server of DATABASE_URL")
	shop = fs.String("shop", "bench-shop.myshopify.com", "shop domain")
	return db, shop
}
