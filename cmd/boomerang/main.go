// Command boomerang is the one binary: serve (HTTP), worker (jobs and schedule), migrate,
// dev (everything in one process with a demo shop), verify (ledger invariants) and version.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

// version is set at build time: -ldflags "-X main.version=...".
var version = "dev"

const usage = `usage: boomerang <command>

commands:
  serve     run the HTTP server (installs, webhooks, admin API, app proxy)
  worker    run the background worker and the periodic schedule
  migrate   apply database migrations (advisory-locked; safe to run from many processes)
  dev       migrate + serve + worker in one process, development settings and a demo shop
  verify    check ledger invariants for every account
  replay-webhooks [-id 1,2] [-shop x.myshopify.com] [-all]
            send failed webhook deliveries (see /ops/webhooks/failed) to the workers again
  version   print the version
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	switch os.Args[1] {
	case "serve":
		err = runServe(ctx, os.Getenv)
	case "worker":
		err = runWorker(ctx, os.Getenv)
	case "migrate":
		err = runMigrate(ctx, os.Getenv)
	case "dev":
		err = runDev(ctx)
	case "verify":
		err = runVerify(ctx, os.Getenv)
	case "replay-webhooks":
		err = runReplayWebhooks(ctx, os.Getenv, os.Args[2:], os.Stdout)
	case "version":
		fmt.Println(version)
	default:
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "boomerang:", err)
		os.Exit(1)
	}
}
