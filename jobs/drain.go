package jobs

import (
	"context"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"

	"github.com/boomerang-app/boomerang/models"
)

// The inbox drain applies order deliveries in batches, one transaction per batch of a shop,
// instead of one queued task each (issue 14). Ingest stores the delivery and queues nothing;
// each worker process runs a few drain loops that claim waiting deliveries with SKIP LOCKED, so
// the loops of every process share the work. A batch that fails rolls back whole and hands each
// of its deliveries to the one-at-a-time task (jobs/ingest.go), which retries, dead-letters and
// isolates the bad one.
const (
	drainBatch = 100                   // deliveries applied in one transaction
	drainShare = 10                    // batches of one shop before the loop moves to the next
	drainIdle  = 50 * time.Millisecond // how long a loop waits when a round filled no batch
	drainPause = time.Second           // after an error it could not hand off (the database away)
	drainShops = 50                    // shops listed per round
)

// StartDrains starts n drain loops and returns the function that stops them and waits.
func (w *Worker) StartDrains(n int) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for k := 0; k < n; k++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w.drainLoop(ctx)
		}()
	}
	return func() {
		cancel()
		wg.Wait()
	}
}

func (w *Worker) drainLoop(ctx context.Context) {
	var after int64 // the shop the next round starts after, so no shop waits behind a busy one
	for ctx.Err() == nil {
		n, last, err := w.DrainRound(ctx, after)
		after = last
		wait := time.Duration(0)
		switch {
		case err != nil && ctx.Err() == nil:
			w.Log.Error("webhook drain", "error", err)
			wait = drainPause
		case n < drainBatch:
			// Waiting lets deliveries gather into fuller batches: a loop that claimed each
			// delivery as it landed would pay a batch's fixed cost (the claim, the locks,
			// the dispatch it enqueues) for two or three orders.
			wait = drainIdle
		}
		select {
		case <-ctx.Done():
		case <-time.After(wait):
		}
	}
}

// DrainRound applies up to drainShare batches for each shop with waiting order deliveries, in
// shop id order after afterShop. It returns how many deliveries it took and the last shop it
// served (0 once it reached the end, so the next round starts from the first shop).
func (w *Worker) DrainRound(ctx context.Context, afterShop int64) (n int, last int64, err error) {
	shops, err := models.ShopsWithDrainable(ctx, w.DB, afterShop, drainShops)
	if err != nil || len(shops) == 0 {
		return 0, 0, err
	}
	for _, shopID := range shops {
		for range drainShare {
			k, err := w.DrainBatch(ctx, shopID)
			n += k
			if err != nil {
				return n, shopID, err
			}
			if k < drainBatch {
				break
			}
		}
	}
	if len(shops) < drainShops {
		return n, 0, nil
	}
	return n, shops[len(shops)-1], nil
}

// DrainBatch claims up to drainBatch of a shop's waiting order deliveries and applies them in
// one transaction. It returns how many it took, applied or handed off.
func (w *Worker) DrainBatch(ctx context.Context, shopID int64) (int, error) {
	var claimed []models.WebhookEvent
	var b *orderBatch
	err := models.InTx(ctx, w.DB, func(tx models.Tx) error {
		var err error
		if claimed, err = models.ClaimDrainable(ctx, tx, shopID, drainBatch); err != nil || len(claimed) == 0 {
			return err
		}
		b = newOrderBatch(shopID, claimed)
		if err := w.applyOrderBatch(ctx, tx, b); err != nil {
			return err
		}
		if err := models.MarkBatchProcessed(ctx, tx, shopID, b.dropped, "dropped: the shop uninstalled Boomerang"); err != nil {
			return err
		}
		return models.MarkBatchProcessed(ctx, tx, shopID, b.applied, "")
	})
	if len(claimed) == 0 || ctx.Err() != nil {
		return 0, err // shutting down: what was claimed is claimable again, as it rolled back
	}
	if err != nil {
		// Rolled back whole: every delivery of the batch goes on alone, where the bad one fails
		// by itself (and a deadlock with another batch is simply retried).
		w.Log.Warn("webhook batch failed; its deliveries go on one at a time", "shop_id", shopID, "deliveries", len(claimed), "error", err)
		b = &orderBatch{}
		for _, ev := range claimed {
			b.single(ev, "batch failed: "+err.Error())
		}
	} else if len(b.applied) > 0 && w.Queue != nil {
		_ = w.Queue.EnqueueDispatch(ctx, shopID) // a lost enqueue waits for the sweeper's dispatch
	}
	webhookBatches.WithLabelValues(batchOutcome(err)).Inc()
	return len(claimed), w.handOff(ctx, shopID, b)
}

// handOff gives the batch's singles to the one-at-a-time task. Marked first, so the drain does
// not claim them again; a failed enqueue leaves them to the sweeper.
func (w *Worker) handOff(ctx context.Context, shopID int64, b *orderBatch) error {
	for reason, ids := range b.singles {
		if err := models.HandOff(ctx, w.DB, shopID, ids, reason); err != nil {
			return err
		}
	}
	if w.Queue == nil {
		return nil
	}
	for _, ids := range b.singles {
		for _, id := range ids {
			if err := w.Queue.EnqueueWebhook(ctx, id, ""); err != nil {
				return nil // the sweeper enqueues the rest
			}
		}
	}
	return nil
}

// webhookBatches counts the drain's batches: ok, or failed (rolled back and handed off).
var webhookBatches = promauto.NewCounterVec(prometheus.CounterOpts{
	Name: "boomerang_webhook_batches_total", Help: "Batches of order deliveries the drain applied, by outcome.",
}, []string{"outcome"})

func batchOutcome(err error) string {
	if err != nil {
		return "failed"
	}
	return "ok"
}
