package jobs

import (
	"context"
	"fmt"

	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/models/loyalty"
	"github.com/boomerang-app/boomerang/models/messaging"
	"github.com/boomerang-app/boomerang/models/reviews"
)

// The event bus. Facts raise typed events in their own transaction (models.Emit); a dispatch
// run reads a shop's undispatched events a batch at a time, hands each batch to every
// subscriber of their kinds, in the order of subscriptions below, then marks the batch
// dispatched. A subscriber must be idempotent: a crash between its work and the mark hands it
// the same events again. The sweeper finds shops with undispatched events (ShopsWithPendingEvents)
// and queues their run, so no event waits on a lost task.

// subscriber is one consumer's part in a dispatch run.
type subscriber interface {
	// handle takes the batch's events of the subscribed kinds, oldest first.
	handle(ctx context.Context, evs []models.Event) error
	// finish runs once after the run's last batch (to hand queued work on, for example).
	finish(ctx context.Context) error
}

// subscription is a standing interest in some kinds of event (nil kinds: every kind).
type subscription struct {
	name  string
	kinds map[string]bool
	open  func(w *Worker, shopID int64) subscriber
}

func kindsOf(ks ...string) map[string]bool {
	m := make(map[string]bool, len(ks))
	for _, k := range ks {
		m[k] = true
	}
	return m
}

// subscriptions, in the order each batch reaches them. Every one takes a batch before it is
// marked dispatched; Flow triggers come first, so a failing messaging run never holds them back.
func (w *Worker) subscriptions() []subscription {
	return []subscription{
		{name: "flow triggers", kinds: kindsOf(models.FlowTriggerKinds()...), open: openFlowTriggers},
		{name: "messaging", kinds: kindsOf(messaging.MessageTriggers...), open: openMessaging},
		{name: "loyalty bonuses", kinds: kindsOf(loyalty.BonusTriggers...), open: openLoyaltyBonuses},
		{name: "merchant alerts", kinds: kindsOf(reviews.AlertTriggers...), open: openMerchantAlerts},
		// Holds are placed beside several kinds of fact (a negative review, a cancellation) and
		// released beside others; the tag sync reads the holds themselves, so any event wakes it.
		{name: "hold tags", open: openHoldTags},
	}
}

// bus is one dispatch run's subscribers.
type bus struct {
	subs []subscription
	open []subscriber
}

func (w *Worker) openBus(shopID int64) *bus {
	b := &bus{subs: w.subscriptions()}
	for _, s := range b.subs {
		b.open = append(b.open, s.open(w, shopID))
	}
	return b
}

// publish hands a batch to each subscriber: the events of its kinds, in order.
func (b *bus) publish(ctx context.Context, evs []models.Event) error {
	for i, s := range b.subs {
		mine := evs
		if s.kinds != nil {
			mine = make([]models.Event, 0, len(evs))
			for _, ev := range evs {
				if s.kinds[ev.Kind] {
					mine = append(mine, ev)
				}
			}
		}
		if len(mine) == 0 {
			continue
		}
		if err := b.open[i].handle(ctx, mine); err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
	}
	return nil
}

func (b *bus) finish(ctx context.Context) error {
	for i, s := range b.subs {
		if err := b.open[i].finish(ctx); err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
	}
	return nil
}

// holdTags is the tag sync's subscriber: a run that dispatched anything queues the shop's
// sync, so holds placed with these events reach Shopify's tags now rather than at the next
// sweep (the task is unique: a burst costs one run).
type holdTags struct {
	w      *Worker
	shopID int64
	woken  bool
}

func openHoldTags(w *Worker, shopID int64) subscriber { return &holdTags{w: w, shopID: shopID} }

func (h *holdTags) handle(context.Context, []models.Event) error {
	h.woken = true
	return nil
}

func (h *holdTags) finish(ctx context.Context) error {
	if !h.woken || h.w.Queue == nil {
		return nil
	}
	return h.w.Queue.EnqueueHoldTags(ctx, h.shopID)
}

// batchFunc is a subscriber whose work is all in handling each batch.
type batchFunc func(ctx context.Context, evs []models.Event) error

func (f batchFunc) handle(ctx context.Context, evs []models.Event) error { return f(ctx, evs) }
func (batchFunc) finish(context.Context) error                           { return nil }

// openLoyaltyBonuses pays the bonuses events call for (loyalty.BonusesFor).
func openLoyaltyBonuses(w *Worker, shopID int64) subscriber {
	return batchFunc(func(ctx context.Context, evs []models.Event) error {
		return loyalty.BonusesFor(ctx, w.DB, shopID, evs)
	})
}

// openMerchantAlerts hands the alerts of newly opened cases to delivery (a task each, whose id
// keeps it once; the review sweep re-queues one whose task was lost).
func openMerchantAlerts(w *Worker, shopID int64) subscriber {
	return batchFunc(func(ctx context.Context, evs []models.Event) error {
		if w.Queue == nil {
			return nil
		}
		ids, err := reviews.AlertsFor(ctx, w.DB, shopID, evs)
		if err != nil {
			return err
		}
		for _, id := range ids {
			if err := w.Queue.EnqueueReviewAlert(ctx, id); err != nil {
				return err
			}
		}
		return nil
	})
}
