package models

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
)

// Explicit subscription changes from Shopify Flow (issue 12). The merchant connects their
// subscription app's Flow trigger ("subscription cancelled" and the like) to Boomerang's action;
// Flow posts the customer, the products and the shopper's reason. The change applies to the
// customer's subscriptions of those products, whatever their source; a cancellation of a
// subscription Boomerang never saw is recorded as one of its own (source flow), so the win-back,
// the cool-down, churn and the complaint themes all see it.

// Flow subscription actions.
const (
	FlowSubscriptionCancelled   = "subscription-cancelled"
	FlowSubscriptionPaused      = "subscription-paused"
	FlowSubscriptionReactivated = "subscription-reactivated"
)

var flowStatus = map[string]string{FlowSubscriptionCancelled: SubscriptionCancelled,
	FlowSubscriptionPaused: SubscriptionPaused, FlowSubscriptionReactivated: SubscriptionActive}

// FlowSubscriptionAction is one run of a Flow action.
type FlowSubscriptionAction struct {
	Action     string
	RunID      string
	CustomerID int64
	ProductIDs []int64 // none: every subscription of the customer
	Reason     string
}

// FlowResult is what a run changed.
type FlowResult struct {
	Subscriptions int  `json:"subscriptions"` // subscriptions whose status the run set
	Repeat        bool `json:"repeat"`        // the run was received before
}

// RecordFlowSubscription applies a Flow run once: a resend (same action_run_id) repeats the same
// facts at the same time, which change nothing. An unknown customer is refused.
func RecordFlowSubscription(ctx context.Context, db *gorm.DB, shopID int64, a FlowSubscriptionAction, now time.Time, cooldown time.Duration) (FlowResult, error) {
	var res FlowResult
	status, ok := flowStatus[a.Action]
	switch {
	case !ok:
		return res, Invalid("action", "unknown action %q", a.Action)
	case a.RunID == "" || len(a.RunID) > 200:
		return res, Invalid("action_run_id", "missing or longer than 200 characters")
	case a.CustomerID <= 0:
		return res, Invalid("properties.customer_id", "a customer id (a number or a gid) is required")
	}
	var known int64
	if err := db.WithContext(ctx).Raw(`SELECT count(*) FROM customers WHERE shop_id = ? AND customer_id = ? AND redacted_at IS NULL`,
		shopID, a.CustomerID).Scan(&known).Error; err != nil {
		return res, err
	}
	if known == 0 {
		return res, Invalid("properties.customer_id", "no customer %d in this shop", a.CustomerID)
	}
	now = now.UTC().Truncate(time.Microsecond) // as Postgres keeps it, so a first receipt compares equal
	var at time.Time
	if err := db.WithContext(ctx).Raw(`INSERT INTO flow_action_runs (shop_id, action_run_id, action, received_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (shop_id, action_run_id) DO UPDATE SET action = flow_action_runs.action
		RETURNING received_at`, shopID, a.RunID, a.Action, now).Scan(&at).Error; err != nil {
		return res, fmt.Errorf("flow run %s: %w", a.RunID, err)
	}
	at = at.UTC()
	res.Repeat = !at.Equal(now)
	topic := "flow/" + a.Action
	var ids []int64
	if res.Repeat {
		// A resend: the subscriptions the first send changed (their status history names the
		// run's time), not those still matching, which would now be others.
		if err := db.WithContext(ctx).Raw(`SELECT DISTINCT contract_id FROM subscription_status_history
			WHERE shop_id = ? AND customer_id = ? AND topic = ? AND occurred_at = ? ORDER BY contract_id`,
			shopID, a.CustomerID, topic, at).Scan(&ids).Error; err != nil {
			return res, err
		}
	}
	if len(ids) == 0 {
		var err error
		if ids, err = flowTargets(ctx, db, shopID, a); err != nil {
			return res, err
		}
	}
	if len(ids) == 0 && status == SubscriptionCancelled {
		id, err := flowSubscription(ctx, db, shopID, a)
		if err != nil {
			return res, err
		}
		ids = []int64{id}
	}
	for _, id := range ids {
		if _, err := ApplySubscriptionContract(ctx, db, shopID, SubscriptionFact{ContractID: id, CustomerID: a.CustomerID,
			Status: status, At: at, Topic: topic, WebhookEventID: syntheticEventID(id, topic, at),
			CancellationReason: strings.TrimSpace(a.Reason)}, cooldown); err != nil {
			return res, err
		}
	}
	res.Subscriptions = len(ids)
	return res, nil
}

// flowTargets are the customer's subscriptions the run is about: of the products named (all of
// them when none is), in a status the action changes.
func flowTargets(ctx context.Context, db *gorm.DB, shopID int64, a FlowSubscriptionAction) ([]int64, error) {
	from := []string{SubscriptionActive, SubscriptionPaused}
	if a.Action == FlowSubscriptionReactivated {
		from = []string{SubscriptionPaused, SubscriptionCancelled}
	}
	products := a.ProductIDs
	if products == nil {
		products = []int64{}
	}
	var ids []int64
	err := db.WithContext(ctx).Raw(`SELECT c.contract_id FROM subscription_contracts c
		WHERE c.shop_id = ? AND c.customer_id = ? AND c.status IN ?
		  AND (cardinality(?::bigint[]) = 0 OR EXISTS (SELECT 1 FROM subscription_lines l
		       WHERE l.shop_id = c.shop_id AND l.contract_id = c.contract_id AND l.product_id = ANY (?::bigint[])))
		ORDER BY c.contract_id`, shopID, a.CustomerID, from, Array(products), Array(products)).Scan(&ids).Error
	if err != nil {
		return nil, fmt.Errorf("subscriptions of %d: %w", a.CustomerID, err)
	}
	return ids, nil
}

// flowSubscription records a subscription Boomerang learns of only by its cancellation: one per
// customer and set of products, with those products as its lines.
func flowSubscription(ctx context.Context, db *gorm.DB, shopID int64, a FlowSubscriptionAction) (int64, error) {
	products := slices.Clone(a.ProductIDs)
	slices.Sort(products)
	products = slices.Compact(products)
	id := syntheticID("flow:%d:%v", a.CustomerID, products)
	lines := make([]SubscriptionLine, len(products))
	for i, p := range products {
		lines[i] = SubscriptionLine{ProductID: p, Quantity: 1}
	}
	return id, db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec(`INSERT INTO subscription_contracts (shop_id, contract_id, customer_id, status, status_at, started_at, source)
			VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (shop_id, contract_id) DO NOTHING`,
			shopID, id, a.CustomerID, SubscriptionActive, time.Unix(0, 0).UTC(), time.Unix(0, 0).UTC(), SubscriptionFromFlow).Error; err != nil {
			return err
		}
		return ReplaceSubscriptionLines(ctx, tx, shopID, id, 0, lines)
	})
}
