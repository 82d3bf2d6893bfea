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

// historySize is the synthetic history both processes agree on.
type historySize struct{ orders, customers, years *int }

func historySizeFlags(fs *flag.FlagSet) historySize {
	return historySize{
		orders:    fs.Int("orders", 1000000, "orders in the bulk result (about 3 line items each)"),
		customers: fs.Int("customers", 100000, "customers they are spread over"),
		years:     fs.Int("years", 2, "years of history, ending now"),
	}
}

// args passes the size on to the child.
func (h historySize) args() []string {
	return []string{"-orders", fmt.Sprint(*h.orders), "-customers", fmt.Sprint(*h.customers), "-years", fmt.Sprint(*h.years)}
}

func runHistoryBench(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("history", flag.ExitOnError)
	db, shop := commonFlags(fs)
	size := historySizeFlags(fs)
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
	// Postgres CPU is read per backend from /proc: a backend the pool closes mid-run would take
	// its CPU time with it, so the bench keeps its connections for the whole run.
	if sqlDB, err := gdb.DB(); err == nil {
		sqlDB.SetConnMaxIdleTime(0)
		sqlDB.SetConnMaxLifetime(0)
	}
	shopID, _, err := models.InstallShop(ctx, gdb, *shop)
	if err != nil {
		return err
	}
	base, stopFake, err := startFakeChild(ctx, *shop, size)
	if err != nil {
		return err
	}
	defer stopFake()

	far := time.Now().AddDate(1, 0, 0)
	tokens := shopify.NewMemoryTokens(shopify.Tokens{AccessToken: benchToken, AccessTokenExpiresAt: &far})
	// The worker logs "history stored" between the two phases: the mark is taken there.
	var stored *cpuMark
	hook := markOn{Handler: slog.Default().Handler(), message: "history stored", mark: func() { m := takeMark(*db); stored = &m }}
	h := jobs.History{DB: gdb, Log: slog.New(hook), Bulk: &shopify.Admin{Store: tokens,
		BaseURL: base, APIVersion: "2026-10", Retries: 3}}
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
	begin := takeMark(*db)
	for {
		again, err := h.Import(ctx, shopID)
		if err != nil {
			return err
		}
		if again == 0 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	end := takeMark(*db)
	imp, err := models.GetHistoryImport(ctx, gdb, shopID)
	if err != nil {
		return err
	}
	n := float64(imp.Orders)
	fmt.Printf("history import: %d orders, %d customers, %d malformed lines, state %s\n", imp.Orders, imp.Customers, imp.ErrorCount, imp.State)
	if stored != nil {
		printPhase("download+store", begin, *stored, n)
		printPhase("derive", *stored, end, n)
	}
	printPhase("end to end", begin, end, n)
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	fmt.Printf("  worker peak RSS %d MB\n", ru.Maxrss/1024)
	return nil
}

// cpuMark is a moment of the run: the time, the worker's and Postgres's CPU so far, the load.
type cpuMark struct {
	at          time.Time
	worker      time.Duration
	pgProcesses map[int]time.Duration // utime+stime of each Postgres backend of the database
	load        string
}

func takeMark(db string) cpuMark {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	load, _ := os.ReadFile("/proc/loadavg")
	return cpuMark{at: time.Now(), worker: tv(ru.Utime) + tv(ru.Stime), pgProcesses: cpuTimes(0, db),
		load: strings.Join(strings.Fields(string(load))[:3], " ")}
}

// printPhase prints a phase's wall time, rate and CPU per order, with the load at both ends.
func printPhase(name string, from, to cpuMark, orders float64) {
	wall := to.at.Sub(from.at)
	worker, pg := to.worker-from.worker, cpuSince(from.pgProcesses, to.pgProcesses)
	fmt.Printf("  %-15s wall %6.1fs  %6.0f orders/s  worker %5.1f µs/order  Postgres %5.1f µs/order  load %s → %s\n",
		name, wall.Seconds(), orders/wall.Seconds(), float64(worker.Microseconds())/orders, float64(pg.Microseconds())/orders,
		from.load, to.load)
}

// markOn passes log records through and calls mark when one carries message.
type markOn struct {
	slog.Handler
	message string
	mark    func()
}

func (h markOn) Handle(ctx context.Context, r slog.Record) error {
	if r.Message == h.message {
		h.mark()
	}
	return h.Handler.Handle(ctx, r)
}

func tv(t syscall.Timeval) time.Duration {
	return time.Duration(t.Sec)*time.Second + time.Duration(t.Usec)*time.Microsecond
}

// startFakeChild runs `seedshop history-serve` and returns the fake's base URL.
func startFakeChild(ctx context.Context, shop string, size historySize) (string, func(), error) {
	cmd := exec.CommandContext(ctx, os.Args[0], append([]string{"history-serve", "-shop", shop}, size.args()...)...)
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
	size := historySizeFlags(fs)
	_ = fs.Parse(args)
	// The file is written before the clock starts and served from disk: Shopify's storage, not
	// this machine, produces the download, so generating it must not take the worker's cores.
	now := time.Now().UTC().Add(-time.Hour).Truncate(time.Second)
	f, err := os.CreateTemp("", "history-*.jsonl")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	gen := fakeshop.OrderHistory(fakeshop.HistorySpec{Orders: *size.orders, Customers: *size.customers,
		From: now.AddDate(-*size.years, 0, 0), To: now, Seed: 1})
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
