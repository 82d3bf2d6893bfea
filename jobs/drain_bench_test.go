package jobs_test

import (
	"context"
	"testing"

	"github.com/boomerang-app/boomerang/internal/apptest"
	"github.com/boomerang-app/boomerang/internal/testenv"
)

// BenchmarkDrainBatch is the drain alone: b.N batches of 100 paid orders, each of another
// customer, stored as deliveries by the real ingest first, then drained by one loop in a shop
// with history (LOYALTY_BENCH_HISTORY). It reports the CPU this process and the database's
// backends spent per order while draining, which the webhook senders and the HTTP server do
// not blur (docs/benchmarks.md):
//
//	go test ./jobs/ -run '^$' -bench DrainBatch -benchtime 50x
func BenchmarkDrainBatch(b *testing.B) {
	a := apptest.Start(b, apptest.Options{NoWorker: true})
	shop := testenv.Shop("drainbench")
	shopID := a.Install(b, shop)
	seedHistory(b, a, shopID, envInt("LOYALTY_BENCH_HISTORY", 50_000))
	n := b.N * 100
	orders := makeOrders(n, n, 7)
	s := newSender(a, shop, 8)
	for _, o := range orders {
		if err := s.send(o); err != nil {
			b.Fatal(err)
		}
	}
	meter := startCPUMeter(a)
	b.ResetTimer()
	drained := 0
	for {
		k, err := a.Worker.DrainBatch(context.Background(), shopID)
		if err != nil {
			b.Fatal(err)
		}
		if k == 0 {
			break
		}
		drained += k
	}
	b.StopTimer()
	if drained != n {
		b.Fatalf("drained %d of %d deliveries", drained, n)
	}
	reportCPU(b, meter, n)
	checkLedger(b, a, shopID, orders)
}
