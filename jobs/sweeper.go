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

// Sweep re-enqueues events received before `before` that are still unprocessed.
func (w *Worker) Sweep(ctx context.Context, before time.Time) error {
	// One page per run: the next run, a minute later, takes the following page.
	ids, err := models.UnprocessedEvents(ctx, w.DB, before, 1000)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if err := w.Queue.EnqueueWebhook(ctx, id, ""); err != nil {
			return err
		}
	}
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
