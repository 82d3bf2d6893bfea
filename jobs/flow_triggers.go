package jobs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"

	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/shopify"
)

// Shopify Flow triggers out (issue 12). Causes are the outbox events (negative review, tier
// changed, points expiring, at risk) and the hold changes the tag sync applies. A send is stored
// beside its cause, only for shops whose Flow uses the trigger, and this task sends the shop's
// queue one call at a time: go-shopify waits out the cost throttle, and a call that still fails
// leaves the rest queued for Asynq's retry.

// TypeFlowTriggers sends a shop's queued Flow triggers ({"id"}).
const TypeFlowTriggers = "flow:triggers"

const (
	flowSendBatch  = 50
	flowSendRounds = 20
	flowSweepAfter = time.Minute // a send queued this long ago and unsent lost its task
)

var flowTriggersTotal = promauto.NewCounterVec(prometheus.CounterOpts{
	Name: "boomerang_flow_triggers_total", Help: "Flow triggers sent, by handle and outcome (sent, refused).",
}, []string{"handle", "outcome"})

// EnqueueFlowTriggers sends a shop's queued Flow triggers soon.
func (q *Queue) EnqueueFlowTriggers(ctx context.Context, shopID int64) error {
	return q.enqueue(ctx, shopTask(TypeFlowTriggers, shopID), asynq.Unique(10*time.Second), asynq.Queue(QueueLow), asynq.MaxRetry(15))
}

// SendFlowTriggers sends a shop's queued triggers, oldest first. A refusal (a payload Flow will
// not take) settles the send with Flow's message; anything else stops the run to retry.
func (w *Worker) SendFlowTriggers(ctx context.Context, shopID int64) error {
	sh, err := models.GetShop(ctx, w.DB, shopID)
	if models.ErrorCode(err) == models.ENotFound {
		return nil
	}
	if err != nil {
		return err
	}
	if sh.Status != models.ShopInstalled {
		// A shop that left has no Flow to run them, and they are stale if it comes back.
		return models.SettlePendingFlowTriggers(ctx, w.DB, shopID, "shop uninstalled", w.now())
	}
	return models.WithFlowSendLock(ctx, w.DB, shopID, func() error { return w.sendFlowTriggers(ctx, sh) })
}

// sendFlowTriggers sends a shop's pending triggers; the caller holds the shop's send lock.
func (w *Worker) sendFlowTriggers(ctx context.Context, sh *models.Shop) error {
	shopID := sh.ID
	for round := 0; round < flowSendRounds; round++ {
		sends, err := models.PendingFlowTriggers(ctx, w.DB, shopID, flowSendBatch)
		if err != nil || len(sends) == 0 {
			return err
		}
		for _, s := range sends {
			failed := ""
			err := w.Admin.FlowTriggerReceive(ctx, sh.Domain, s.Handle, s.Payload)
			var refused *shopify.FlowRefusedError
			switch {
			case errors.Is(err, shopify.ErrNoToken):
				w.Log.Info("flow triggers wait for an offline token", "shop", sh.Domain)
				return nil
			case errors.As(err, &refused):
				failed = refused.Message
				w.Log.Warn("flow trigger refused", "shop", sh.Domain, "handle", s.Handle, "error", failed)
				flowTriggersTotal.WithLabelValues(s.Handle, "refused").Inc()
			case err != nil:
				return fmt.Errorf("flow trigger %s for shop %d: %w", s.Handle, shopID, err)
			default:
				flowTriggersTotal.WithLabelValues(s.Handle, "sent").Inc()
			}
			if err := models.MarkFlowTriggerSent(ctx, w.DB, shopID, s.ID, failed, w.now()); err != nil {
				return err
			}
		}
	}
	if w.Queue == nil {
		return nil
	}
	return w.Queue.EnqueueFlowTriggers(ctx, shopID) // more than one run's worth: continue
}

// flowUse is the Flow triggers' subscriber: it stores the sends the events start, for the
// triggers the shop's workflows use (read once per run, on first need, so a run whose causes
// start no trigger costs no query), and hands them to the sender when the run ends. Sends are
// keyed by their cause, so a repeated batch stores nothing twice.
type flowUse struct {
	w      *Worker
	shopID int64
	loaded bool
	inUse  map[string]bool
	queued int
}

func openFlowTriggers(w *Worker, shopID int64) subscriber { return &flowUse{w: w, shopID: shopID} }

func (f *flowUse) handle(ctx context.Context, evs []models.Event) error {
	var sends []models.FlowTriggerSend
	for _, ev := range evs {
		if s, ok := models.FlowSendForEvent(ev); ok {
			sends = append(sends, s)
		}
	}
	return f.queue(ctx, sends)
}

// queue stores the sends whose trigger the shop uses.
func (f *flowUse) queue(ctx context.Context, sends []models.FlowTriggerSend) error {
	if len(sends) == 0 {
		return nil
	}
	if !f.loaded {
		m, err := models.FlowTriggersInUse(ctx, f.w.DB, f.shopID)
		if err != nil {
			return err
		}
		f.inUse, f.loaded = m, true
	}
	n, err := models.QueueFlowTriggers(ctx, f.w.DB, f.inUse, sends)
	f.queued += n
	return err
}

func (f *flowUse) finish(ctx context.Context) error {
	if f.queued == 0 || f.w.Queue == nil {
		return nil
	}
	f.queued = 0
	return f.w.Queue.EnqueueFlowTriggers(ctx, f.shopID)
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
