package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/hibiken/asynq"

	"github.com/boomerang-app/boomerang/models/reviews"
)

// TypeReviewPhotos runs a shop's photo work ({"id"}): reviews.SyncPhotos.
const TypeReviewPhotos = "reviews:photos"

// photoPollEvery is how soon a run checks again on photos Shopify is still processing.
const photoPollEvery = 3 * time.Second

// EnqueueReviewPhotos runs a shop's photo work after `in`. A follow-up (in > 0) is keyed by its
// time slot rather than the uniqueness lock, which the run enqueueing it still holds.
func (q *Queue) EnqueueReviewPhotos(ctx context.Context, shopID int64, in time.Duration) error {
	opts := []asynq.Option{asynq.Queue(QueueLow), asynq.MaxRetry(20)}
	if in > 0 {
		slot := time.Now().Add(in).UnixMilli() / in.Milliseconds()
		opts = append(opts, asynq.ProcessIn(in), asynq.TaskID(fmt.Sprintf("photos:%d:%d", shopID, slot)))
	} else {
		opts = append(opts, asynq.Unique(2*time.Second))
	}
	return q.enqueue(ctx, shopTask(TypeReviewPhotos, shopID), opts...)
}

func (w *Worker) syncPhotos(ctx context.Context, shopID int64) error {
	run, err := reviews.SyncPhotos(ctx, w.DB, w.Admin, shopID)
	if run.NotDeleted != "" {
		w.Log.Warn("review photos not deleted from Shopify Files; remove them there", "shop_id", shopID, "error", run.NotDeleted)
	}
	if err != nil || !run.Again || w.Queue == nil {
		return err
	}
	return w.Queue.EnqueueReviewPhotos(ctx, shopID, photoPollEvery)
}

// sweepReviewPhotos enqueues shops with photo work a lost task left behind.
func (w *Worker) sweepReviewPhotos(ctx context.Context) error {
	shops, err := reviews.ShopsWithPhotoWork(ctx, w.DB)
	if err != nil {
		return err
	}
	for _, id := range shops {
		if err := w.Queue.EnqueueReviewPhotos(ctx, id, 0); err != nil {
			return err
		}
	}
	return nil
}
