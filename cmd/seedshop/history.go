package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"

	"github.com/boomerang-app/boomerang/jobs"
	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/shopify"
	"github.com/boomerang-app/boomerang/shopify/fakeshop"
)

// The history import benchmark (issue 11): a fake Shopify in a child process serves a bulk
// result of -orders orders; this process is the worker and runs the import as the task does,
// so its CPU time and peak RSS are the worker's alone (the generator's are the child's).

const benchToken = "shpat_history_bench"

func runHistoryBench(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("history", flag.ExitOnError)
	db, shop := commonFlags(fs)
	orders := fs.Int("orders", 1000000, "orders in the bulk result (about 3 line items each)")
	customers := fs.Int("customers", 100000, "customers they are spread over")
	years := fs.Int("years", 2, "years of history, ending now")
	drop := fs.Bool("drop", false, "drop and recreate the database if it exists")
	profile := fs.String("cpuprofile", "", "write the worker's CPU profile here")
	_ = fs.Parse(args)
	if !dbName.MatchString(*db) || *db == "postgres" {
		return fmt.Errorf("-db %q: a plain lower-case database name other than postgres", *db)
	}
	gdb, _, err := freshDatabase(ctx, *db, *drop)
	if err != nil {
		return err
	}
	shopID, _, err := models.InstallShop(ctx, gdb, *shop)
	if err != nil {
		return err
	}
	base, stopFake, err := startFakeChild(ctx, *shop, *orders, *customers, *years)
	if err != nil {
		return err
	}
	defer stopFake()

	far := time.Now().AddDate(1, 0, 0)
	tokens := shopify.NewMemoryTokens(shopify.Tokens{AccessToken: benchToken, AccessTokenExpiresAt: &far})
	w := &jobs.Worker{DB: gdb, Log: slog.Default(), Admin: &shopify.Admin{Store: tokens,
		BaseURL: base, APIVersion: "2026-10", Retries: 3}}
	load0, _ := os.ReadFile("/proc/loadavg")
	pg0 := cpuTimes(0, *db)
	var ru0 syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru0)
	if *profile != "" {
		f, err := os.Create(*profile)
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	start := time.Now()
	for {
		again, err := w.ImportHistory(ctx, shopID)
		if err != nil {
			return err
		}
		if again == 0 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	took := time.Since(start)
	var ru1 syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru1)
	pgCPU := cpuSince(pg0, cpuTimes(0, *db))
	load1, _ := os.ReadFile("/proc/loadavg")
	imp, err := models.GetHistoryImport(ctx, gdb, shopID)
	if err != nil {
		return err
	}
	workerCPU := tv(ru1.Utime) + tv(ru1.Stime) - tv(ru0.Utime) - tv(ru0.Stime)
	n := float64(imp.Orders)
	fmt.Printf("history import: %d orders, %d customers, %d malformed lines, state %s\n", imp.Orders, imp.Customers, imp.ErrorCount, imp.State)
	fmt.Printf("  wall %.1fs  %.0f orders/s\n", took.Seconds(), n/took.Seconds())
	fmt.Printf("  worker CPU %.1fs = %.1f µs/order   Postgres CPU %.1fs = %.1f µs/order\n",
		workerCPU.Seconds(), float64(workerCPU.Microseconds())/n, pgCPU.Seconds(), float64(pgCPU.Microseconds())/n)
	fmt.Printf("  worker peak RSS %d MB\n", ru1.Maxrss/1024)
	fmt.Printf("  load average before: %s  after: %s\n", strings.TrimSpace(string(load0)), strings.TrimSpace(string(load1)))
	return nil
}

func tv(t syscall.Timeval) time.Duration {
	return time.Duration(t.Sec)*time.Second + time.Duration(t.Usec)*time.Microsecond
}

// startFakeChild runs `seedshop history-serve` and returns the fake's base URL.
func startFakeChild(ctx context.Context, shop string, orders, customers, years int) (string, func(), error) {
	cmd := exec.CommandContext(ctx, os.Args[0], "history-serve", "-shop", shop,
		"-orders", fmt.Sprint(orders), "-customers", fmt.Sprint(customers), "-years", fmt.Sprint(years))
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return "", nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return "", nil, err
	}
	if err := cmd.Start(); err != nil {
		return "", nil, err
	}
	stop := func() { _ = stdin.Close(); _ = cmd.Wait() }
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		stop()
		return "", nil, fmt.Errorf("fake Shopify did not start: %w", err)
	}
	return strings.TrimSpace(line), stop, nil
}

// runHistoryServe is the child: a fake Shopify whose bulk operations return the synthetic
// history. It prints its base URL and serves until its stdin closes.
func runHistoryServe(_ context.Context, args []string) error {
	fs := flag.NewFlagSet("history-serve", flag.ExitOnError)
	_, shop := commonFlags(fs)
	orders := fs.Int("orders", 1000000, "orders")
	customers := fs.Int("customers", 100000, "customers")
	years := fs.Int("years", 2, "years")
	_ = fs.Parse(args)
	// The file is written before the clock starts and served from disk: Shopify's storage, not
	// this machine, produces the download, so generating it must not take the worker's cores.
	now := time.Now().UTC().Add(-time.Hour).Truncate(time.Second)
	f, err := os.CreateTemp("", "history-*.jsonl")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	gen := fakeshop.OrderHistory(fakeshop.HistorySpec{Orders: *orders, Customers: *customers,
		From: now.AddDate(-*years, 0, 0), To: now, Seed: 1})
	if err := gen(f); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	fake := fakeshop.Start("history-bench-secret")
	defer fake.Close()
	fake.IssueToken(*shop, benchToken)
	fake.SetBulkResult(*shop, func(w io.Writer) error {
		r, err := os.Open(f.Name())
		if err != nil {
			return err
		}
		defer r.Close()
		_, err = io.Copy(w, r)
		return err
	})
	fmt.Println(fake.BaseURL())
	_, _ = bufio.NewReader(os.Stdin).ReadString('\n') // until the parent closes it
	return nil
}
