package loyalty_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/boomerang-app/boomerang/internal/testenv"
	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/models/loyalty"
)

// BenchmarkLoyaltySettleOrder is the loyalty part of the order path alone: store the order fact
// and settle its points (earn, tier, stats, stage, points_earned event) for new paid orders of
// 5,000 customers, from 20 goroutines like the worker's 20 slots. The end-to-end figures, with
// ingest and the other parts, are in jobs/loyalty_bench_test.go.
func BenchmarkLoyaltySettleOrder(b *testing.B) {
	db, _ := testenv.DB(b)
	ctx := context.Background()
	shop, _, err := models.InstallShop(ctx, db, testenv.Shop("bench"))
	if err != nil {
		b.Fatal(err)
	}
	if err := models.SeedShop(ctx, db, shop); err != nil {
		b.Fatal(err)
	}
	var seq atomic.Int64
	now := time.Now().UTC().Truncate(time.Second)
	b.SetParallelism(10)
	pg0, self0 := backendsCPU(db), selfCPU()
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			id := seq.Add(1)
			f := testenv.PaidOrder(id, 1+id%5000, "42.00", now)
			if _, err := models.UpsertOrder(ctx, db, shop, f); err != nil {
				b.Error(err)
				return
			}
			if _, err := loyalty.SettleOrderLoyaltyFor(ctx, db, shop, f.CustomerID, id, now); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "orders/s")
	b.StopTimer()
	app, pg := selfCPU()-self0, 0.0
	for pid, c := range backendsCPU(db) {
		pg += c - pg0[pid]
	}
	b.ReportMetric(app*1000/float64(b.N), "ms_cpu_app/order")
	b.ReportMetric(pg*1000/float64(b.N), "ms_cpu_pg/order")
	b.ReportMetric(2/(app/float64(b.N)+pg/float64(b.N)), "orders/s_2core_ceiling")
	if _, err := loyalty.VerifyLedger(ctx, db); err != nil {
		b.Fatal(err)
	}
}

// backendsCPU reads the CPU seconds of the Postgres backends serving db (the pool keeps them
// open for the length of a benchmark), and selfCPU this process's: CPU per order is what
// another workload on a shared machine disturbs least.
func backendsCPU(db *gorm.DB) map[int]float64 {
	var pids []int
	db.Raw(`SELECT pid FROM pg_stat_activity WHERE datname = current_database()`).Scan(&pids)
	out := map[int]float64{}
	for _, pid := range pids {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			continue
		}
		f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+2:]))
		ut, _ := strconv.ParseFloat(f[11], 64)
		st, _ := strconv.ParseFloat(f[12], 64)
		out[pid] = (ut + st) / 100
	}
	return out
}

func selfCPU() float64 {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}
