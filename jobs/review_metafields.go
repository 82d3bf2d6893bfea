package jobs

import (
	"context"
	"time"

	"github.com/hibiken/asynq"

	"github.com/boomerang-app/boomerang/models/reviews"
)

// TypeRatingMetafields publishes a shop's stale product ratings ({"id"}): reviews.PublishRatings.
const TypeRatingMetafields = "reviews:metafields"

// EnqueueRatingMetafields publishes a shop's stale ratings soon.
func (q *Queue) EnqueueRatingMetafields(ctx context.Context, shopID int64) error {
	return q.enqueue(ctx, shopTask(TypeRatingMetafields, shopID), asynq.Unique(10*time.Second), asynq.Queue(QueueLow), asynq.MaxRetry(20))
}

func (w *Worker) publishRatings(ctx context.Context, shopID int64) error {
	run, err := reviews.PublishRatings(ctx, w.DB, w.Admin, shopID, w.now())
	for _, reason := range run.Refused {
		w.Log.Warn("rating metafields refused", "shop_id", shopID, "error", reason)
	}
	if run.NoScope {
		w.Log.Debug("rating metafields wait for "+reviews.RatingScope, "shop_id", shopID)
	}
	if err != nil || !run.More || w.Queue == nil {
		return err
	}
	return w.Queue.EnqueueRatingMetafields(ctx, shopID) // more than one run's worth
}

// sweepRatingMetafields enqueues shops whose marks were left (a lost task, a change no code path
// enqueued for).
func (w *Worker) sweepRatingMetafields(ctx context.Context, now time.Time) error {
	shops, err := reviews.ShopsWithDueProductRatings(ctx, w.DB, now.Add(-5*time.Second))
	if err != nil {
		return err
	}
	for _, id := range shops {
		if err := w.Queue.EnqueueRatingMetafields(ctx, id); err != nil {
			return err
		}
	}
	return nil
}
