package jobs

import (
	"context"
	"time"

	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"

	"github.com/boomerang-app/boomerang/models"
)

// Shopify Flow triggers out (issue 12). Causes are the outbox events (negative review, tier
// changed, points expiring, at risk) and the hold changes the tag sync applies. A send is stored
// beside its cause, only for shops whose Flow uses the trigger, and this task sends the shop's
// queue (models.SendFlowTriggers).

// TypeFlowTriggers sends a shop's queued Flow triggers ({"id"}).
const TypeFlowTriggers = "flow:triggers"

// flowSweepAfter: a send queued this long ago and still unsent lost its task.
const flowSweepAfter = time.Minute

var flowTriggersTotal = promauto.NewCounterVec(prometheus.CounterOpts{
	Name: "boomerang_flow_triggers_total", Help: "Flow triggers sent, by handle and outcome (sent, refused).",
}, []string{"handle", "outcome"})

// EnqueueFlowTriggers sends a shop's queued Flow triggers soon.
func (q *Queue) EnqueueFlowTriggers(ctx context.Context, shopID int64) error {
	return q.enqueue(ctx, shopTask(TypeFlowTriggers, shopID), asynq.Unique(10*time.Second), asynq.Queue(QueueLow), asynq.MaxRetry(15))
}

func (w *Worker) sendFlowTriggers(ctx context.Context, shopID int64) error {
	run, err := models.SendFlowTriggers(ctx, w.DB, w.Admin, shopID, w.now())
	for _, h := range run.Sent {
		flowTriggersTotal.WithLabelValues(h, "sent").Inc()
	}
	for _, r := range run.Refused {
		w.Log.Warn("flow trigger refused", "shop_id", shopID, "handle", r.Handle, "error", r.Reason)
		flowTriggersTotal.WithLabelValues(r.Handle, "refused").Inc()
	}
	if run.NoToken {
		w.Log.Info("flow triggers wait for an offline token", "shop_id", shopID)
	}
	if err != nil || !run.More || w.Queue == nil {
		return err
	}
	return w.Queue.EnqueueFlowTriggers(ctx, shopID) // more than one run's worth: continue
}

// flowUse is the Flow triggers' subscriber: it stores the sends the events start
// (models.FlowQueue) and hands them to the sender when the run ends.
type flowUse struct {
	w *Worker
	q models.FlowQueue
}

func openFlowTriggers(w *Worker, shopID int64) subscriber {
	return &flowUse{w: w, q: models.FlowQueue{DB: w.DB, ShopID: shopID}}
}

func (f *flowUse) handle(ctx context.Context, evs []models.Event) error {
	var sends []models.FlowTriggerSend
	for _, ev := range evs {
		if s, ok := models.FlowSendForEvent(ev); ok {
			sends = append(sends, s)
		}
	}
	return f.q.Add(ctx, sends)
}

func (f *flowUse) finish(ctx context.Context) error {
	if f.q.Queued == 0 || f.w.Queue == nil {
		return nil
	}
	f.q.Queued = 0
	return f.w.Queue.EnqueueFlowTriggers(ctx, f.q.ShopID)
}

// sweepFlowTriggers re-enqueues shops whose sends lost their task.
func (w *Worker) sweepFlowTriggers(ctx context.Context, now time.Time) error {
	shops, err := models.ShopsWithPendingFlowTriggers(ctx, w.DB, now.Add(-flowSweepAfter))
	if err != nil {
		return err
	}
	for _, id := range shops {
		if err := w.Queue.EnqueueFlowTriggers(ctx, id); err != nil {
			return err
		}
	}
	return nil
}
