package models

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
)

const (
	holdTagBatch  = 100
	holdTagRounds = 20
)

// HoldTagRun is what one SyncHoldTags did.
type HoldTagRun struct {
	Refused []string // Shopify's reasons for the customers it would not tag (deleted there)
	NoToken bool     // stopped: the shop has no offline token
	// FlowQueued counts the Flow trigger sends the changes started: the sender is due.
	FlowQueued int
}

// SyncHoldTags writes a shop's unsynced hold changes to its customers' HoldTag in Shopify, up
// to 2,000 customers a run, so every other tool the merchant uses can see the hold. Each
// change's Flow trigger is queued before the tag is written, so a failed call loses neither;
// a customer Shopify refuses to tag (deleted there) is settled.
func SyncHoldTags(ctx context.Context, db *gorm.DB, tags CustomerTags, shopID int64, now time.Time) (run HoldTagRun, err error) {
	sh, err := GetShop(ctx, db, shopID)
	if err != nil {
		return run, err
	}
	flow := FlowQueue{DB: db, ShopID: shopID}
	defer func() { run.FlowQueued = flow.Queued }()
	for range holdTagRounds {
		changes, err := PendingHoldTags(ctx, db, shopID, now, holdTagBatch)
		if err != nil || len(changes) == 0 {
			return run, err
		}
		for _, ch := range changes {
			if send, ok := FlowSendForHold(shopID, ch); ok {
				if err := flow.Add(ctx, []FlowTriggerSend{send}); err != nil {
					return run, err
				}
			}
			err := tags.SetCustomerTag(ctx, sh.Domain, ch.CustomerID, HoldTag, ch.Held)
			reason, refused := Refused(err)
			switch {
			case errors.Is(err, ErrNoAdminToken):
				run.NoToken = true
				return run, nil
			case refused:
				run.Refused = append(run.Refused, reason)
			case err != nil:
				return run, fmt.Errorf("hold tag for customer %d: %w", ch.CustomerID, err)
			}
			if err := MarkHoldsSynced(ctx, db, shopID, ch); err != nil {
				return run, err
			}
		}
	}
	return run, nil
}
