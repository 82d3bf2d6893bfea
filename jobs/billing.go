package jobs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hibiken/asynq"

	"github.com/boomerang-app/boomerang/models"
)

// TypeBillingUsage charges one shop's orders above its paid plan ({"id"}): enqueued with each
// shop's daily scan, once a day.
const TypeBillingUsage = "billing:usage"

// EnqueueUsage charges a shop's usage for its local date day (one task a day).
func (q *Queue) EnqueueUsage(ctx context.Context, shopID int64, day string) error {
	b := []byte(fmt.Sprintf(`{"id":%d}`, shopID))
	return q.enqueue(ctx, asynq.NewTask(TypeBillingUsage, b), asynq.Queue(QueueLow), asynq.MaxRetry(5),
		asynq.TaskID(fmt.Sprintf("usage:%d:%s", shopID, day)), asynq.Retention(26*time.Hour))
}

func (w *Worker) chargeUsage(ctx context.Context, shopID int64) error {
	if w.Admin == nil {
		return nil
	}
	n, err := models.ChargeUsage(ctx, w.DB, w.Admin, shopID, w.now())
	if errors.Is(err, models.ErrNoAdminToken) {
		w.Log.Info("usage waits for an offline token", "shop_id", shopID)
		return nil
	}
	if n > 0 {
		w.Log.Info("usage charged", "shop_id", shopID, "blocks", n)
	}
	return err
}
