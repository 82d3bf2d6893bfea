package models

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// The Flow triggers' two use cases: queue the sends a run's causes start, and send a shop's
// queue one call at a time (go-shopify waits out the cost throttle; a call that still fails
// leaves the rest queued for the task's retry).

const (
	flowSendBatch  = 50
	flowSendRounds = 20
)

// FlowQueue stores one run's Flow trigger sends for the triggers the shop's workflows use (read
// once, on first need, so a run whose causes start no trigger costs no query). Sends are keyed
// by their cause, so a repeated run stores nothing twice.
type FlowQueue struct {
	DB     *gorm.DB
	ShopID int64
	inUse  map[string]bool
	// Queued counts the sends stored new: while above zero, the sender is due.
	Queued int
}

// Add stores the sends whose trigger the shop uses.
func (q *FlowQueue) Add(ctx context.Context, sends []FlowTriggerSend) error {
	if len(sends) == 0 {
		return nil
	}
	if q.inUse == nil {
		m, err := FlowTriggersInUse(ctx, q.DB, q.ShopID)
		if err != nil {
			return err
		}
		q.inUse = m
	}
	n, err := QueueFlowTriggers(ctx, q.DB, q.inUse, sends)
	q.Queued += n
	return err
}

// FlowRun is what one SendFlowTriggers did.
type FlowRun struct {
	Sent    []string      // the handles sent, one per send
	Refused []FlowRefusal // settled with Flow's reason
	NoToken bool          // stopped: the shop has no offline token
	More    bool          // stopped after a full run's worth: run again
}

// FlowRefusal is a send Flow would not take.
type FlowRefusal struct{ Handle, Reason string }

// SendFlowTriggers sends a shop's queued triggers, oldest first, holding the shop's send lock. A
// refusal settles the send with Flow's reason; any other error stops the run to retry. A shop
// that left has no Flow to run them, and they would be stale if it came back: they are settled.
func SendFlowTriggers(ctx context.Context, db *gorm.DB, flow FlowTriggerReceiver, shopID int64, now time.Time) (FlowRun, error) {
	var run FlowRun
	sh, err := GetShop(ctx, db, shopID)
	if ErrorCode(err) == ENotFound {
		return run, nil
	}
	if err != nil {
		return run, err
	}
	if sh.Status != ShopInstalled {
		return run, SettlePendingFlowTriggers(ctx, db, shopID, "shop uninstalled", now)
	}
	err = WithFlowSendLock(ctx, db, shopID, func() error { return sendFlowTriggers(ctx, db, flow, sh, now, &run) })
	return run, err
}

func sendFlowTriggers(ctx context.Context, db *gorm.DB, flow FlowTriggerReceiver, sh *Shop, now time.Time, run *FlowRun) error {
	for range flowSendRounds {
		sends, err := PendingFlowTriggers(ctx, db, sh.ID, flowSendBatch)
		if err != nil || len(sends) == 0 {
			return err
		}
		for _, s := range sends {
			err := flow.FlowTriggerReceive(ctx, sh.Domain, s.Handle, s.Payload)
			reason, refused := Refused(err)
			switch {
			case errors.Is(err, ErrNoAdminToken):
				run.NoToken = true
				return nil
			case refused:
				run.Refused = append(run.Refused, FlowRefusal{s.Handle, reason})
			case err != nil:
				return fmt.Errorf("flow trigger %s for shop %d: %w", s.Handle, sh.ID, err)
			default:
				run.Sent = append(run.Sent, s.Handle)
			}
			if err := MarkFlowTriggerSent(ctx, db, sh.ID, s.ID, reason, now); err != nil {
				return err
			}
		}
	}
	run.More = true
	return nil
}
