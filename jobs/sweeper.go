package jobs

import (
	"context"
	"time"

	"github.com/hibiken/asynq"

	"github.com/boomerang-app/boomerang/models"
)

// sweepAge is how long a stored event may wait before the sweeper assumes its enqueue was
// lost (Redis down during ingest, or a process died between store and enqueue).
const sweepAge = 30 * time.Second

// handleSweep re-enqueues stored-but-unprocessed webhooks and dispatches pending events. Task
// ids make this safe while the original task is still queued.
func (w *Worker) handleSweep(ctx context.Context, _ *asynq.Task) error {
	return w.Sweep(ctx, w.now().Add(-sweepAge))
}

// A sweep re-enqueues up to sweepPages pages of sweepPage events, in id order from where the
// previous run of this process stopped, and starts again from the oldest once it reaches the
// newest. Events still pending because their task is retrying cost an ignored enqueue each;
// failed events are not read at all. So every pending event is reached, however many others
// there are.
const (
	sweepPage  = 1000
	sweepPages = 20
	// maxAttempts: a pending event tried as often as its task allows (1 + MaxRetry) has lost
	// its task (archived by a version before failures were recorded, or the last attempt could
	// not record its failure); GiveUpExhausted marks it failed so it shows on the ops page.
	maxAttempts = webhookMaxRetry + 1
)

// Sweep re-enqueues events received before `before` that are neither processed nor failed.
func (w *Worker) Sweep(ctx context.Context, before time.Time) error {
	if n, err := models.GiveUpExhausted(ctx, w.DB, maxAttempts); err != nil {
		return err
	} else if n > 0 {
		w.Log.Error("webhooks given up after exhausting their retries", "events", n)
	}
	after := w.sweepCursor.Load()
	for page := 0; page < sweepPages; page++ {
		ids, err := models.UnprocessedEvents(ctx, w.DB, before, after, sweepPage)
		if err != nil {
			return err
		}
		for _, id := range ids {
			if err := w.Queue.EnqueueWebhook(ctx, id, ""); err != nil {
				return err
			}
		}
		if len(ids) < sweepPage {
			after = 0 // reached the newest: the next run starts from the oldest again
			break
		}
		after = ids[len(ids)-1]
	}
	w.sweepCursor.Store(after)
	unseeded, err := models.UnseededShopIDs(ctx, w.DB)
	if err != nil {
		return err
	}
	for _, id := range unseeded {
		if err := w.Queue.EnqueueInstall(ctx, id); err != nil {
			return err
		}
	}
	shops, err := models.ShopsWithPendingEvents(ctx, w.DB)
	if err != nil {
		return err
	}
	for _, id := range shops {
		if err := w.Queue.EnqueueDispatch(ctx, id); err != nil {
			return err
		}
	}
	return nil
}
