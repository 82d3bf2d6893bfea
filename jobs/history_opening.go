package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/hibiken/asynq"

	"github.com/boomerang-app/boomerang/models/loyalty"
)

// TypeHistoryOpening grants the opening balances a merchant chose (models.ApplyOpening).
const TypeHistoryOpening = "history:opening"

type openingPayload struct {
	ShopID int64 `json:"shop_id"`
	Months int   `json:"months"`
}

// EnqueueOpening queues the grant of opening balances for the paid orders of the last months.
// One task per shop and window while it waits or runs: asking twice queues it once.
func (q *Queue) EnqueueOpening(ctx context.Context, shopID int64, months int) error {
	b, _ := json.Marshal(openingPayload{shopID, months})
	return q.enqueue(ctx, asynq.NewTask(TypeHistoryOpening, b), asynq.Queue(QueueLow), asynq.MaxRetry(10),
		asynq.Timeout(time.Hour), asynq.TaskID(fmt.Sprintf("opening:%d:%d", shopID, months)))
}

func (w *Worker) handleOpening(ctx context.Context, t *asynq.Task) error {
	var p openingPayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil || p.ShopID == 0 {
		return fmt.Errorf("%w: opening payload", errBadPayload)
	}
	points, err := loyalty.ApplyOpening(ctx, w.DB, p.ShopID, p.Months, w.now())
	if err != nil {
		if _, last := lastAttempt(ctx); last {
			_ = loyalty.RecordOpening(ctx, w.DB, p.ShopID, p.Months, "failed", w.now())
		}
		return err
	}
	w.Log.Info("opening balances granted", "shop_id", p.ShopID, "months", p.Months, "points", points)
	return loyalty.RecordOpening(ctx, w.DB, p.ShopID, p.Months, "done", w.now())
}
