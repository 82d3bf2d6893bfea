package models_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/boomerang-app/boomerang/internal/testenv"
	"github.com/boomerang-app/boomerang/models"
)

// BenchmarkLoyaltySettleOrder is the loyalty part of the order path alone: store the order fact
// and settle its points (earn, tier, stats, stage, points_earned event) for new paid orders of
// 5,000 customers, from 20 goroutines like the worker's 20 slots. The end-to-end figures, with
// ingest and the other parts, are in jobs/loyalty_bench_test.go.
func BenchmarkLoyaltySettleOrder(b *testing.B) {
	db, _ := testenv.DB(b)
	ctx := context.Background()
	shop, _, err := models.EnsureShop(ctx, db, testenv.Shop("bench"))
	if err != nil {
		b.Fatal(err)
	}
	if err := models.SeedShop(ctx, db, shop); err != nil {
		b.Fatal(err)
	}
	var seq atomic.Int64
	now := time.Now().UTC().Truncate(time.Second)
	b.SetParallelism(10)
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			id := seq.Add(1)
			f := paidOrder(id, 1+id%5000, "42.00", now)
			if _, err := models.UpsertOrder(ctx, db, shop, f); err != nil {
				b.Error(err)
				return
			}
			if err := models.SettleOrderLoyaltyFor(ctx, db, shop, f.CustomerID, id, now); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "orders/s")
	b.StopTimer()
	if _, err := models.VerifyLedger(ctx, db); err != nil {
		b.Fatal(err)
	}
}
