package models

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
)

// Event kinds the messaging engine reacts to. Producers emit them inside the transaction that
// made the fact true, so an event exists if and only if its cause was committed.
const (
	EventPointsEarned          = "points_earned"
	EventPointsExpiring        = "points_expiring"
	EventRewardIssued          = "reward_issued"
	EventTierChanged           = "tier_changed"
	EventNegativeReview        = "negative_review"
	EventReviewRequest         = "review_request"
	EventReviewReminder        = "review_reminder"
	EventSubscriptionCancelled = "subscription_cancelled"
	EventOneTimeBuyerQuiet     = "one_time_buyer_quiet"
	EventAtRisk                = "at_risk"
	EventFirstOrder            = "first_order"
	EventReferralRewarded      = "referral_rewarded"
	EventBirthday              = "birthday"
	EventTierAtRisk            = "tier_at_risk"     // the tier drops within 30 days unless they buy
	EventReviewSubmitted       = "review_submitted" // a customer's review arrived (the first-review bonus)
)

// Event is one row of the outbox. Key identifies the cause (an order id, a ledger entry, a
// date), so re-delivering the cause never emits a second event.
type Event struct {
	ID           int64
	ShopID       int64
	CustomerID   *int64
	Kind         string
	Key          string
	Payload      json.RawMessage `gorm:"type:jsonb"`
	OccurredAt   time.Time
	DispatchedAt *time.Time
	CreatedAt    time.Time
}

// Emit stores an event once per (shop, kind, key); created is false for a repeat. Pass the
// transaction that wrote the cause. Inside a batch (BatchEvents) the event is stored when the
// batch flushes, in the same transaction, and created reports true.
func Emit(ctx context.Context, tx *gorm.DB, shopID int64, customerID int64, key string, p EventPayload, at time.Time) (created bool, err error) {
	kind := p.EventKind()
	body, err := json.Marshal(p)
	if err != nil {
		return false, fmt.Errorf("emit %s: %w", kind, err)
	}
	if at.IsZero() {
		at = time.Now()
	}
	row := eventRow{shopID: shopID, customerID: customerID, kind: kind, key: key, payload: string(body), at: at.UTC()}
	if eb, ok := ctx.Value(eventBatchKey{}).(*EventBatch); ok && eb.shopID == shopID {
		eb.rows = append(eb.rows, row)
		return true, nil
	}
	n, err := insertEvents(ctx, tx, []eventRow{row})
	if err != nil {
		return false, fmt.Errorf("emit %s %s: %w", kind, key, err)
	}
	return n == 1, nil
}

type eventRow struct {
	shopID, customerID int64
	kind, key, payload string
	at                 time.Time
}

func insertEvents(ctx context.Context, tx *gorm.DB, rows []eventRow) (int64, error) {
	values := make([]string, len(rows))
	args := make([]any, 0, 6*len(rows))
	for i, r := range rows {
		var cust *int64
		if r.customerID != 0 {
			cust = &r.customerID
		}
		values[i] = "(?, ?, ?, ?, ?::jsonb, ?::timestamptz)"
		args = append(args, r.shopID, cust, r.kind, r.key, r.payload, r.at)
	}
	res := tx.WithContext(ctx).Exec(`INSERT INTO events (shop_id, customer_id, kind, key, payload, occurred_at)
		VALUES `+strings.Join(values, ", ")+` ON CONFLICT (shop_id, kind, key) DO NOTHING`, args...)
	return res.RowsAffected, res.Error
}

// EventBatch holds the events a batch transaction emits, to store them with one statement.
type EventBatch struct {
	shopID int64
	rows   []eventRow
}

type eventBatchKey struct{}

// BatchEvents returns ctx under which the shop's events are kept in the batch rather than
// stored one statement each; Flush must run before the transaction commits.
func BatchEvents(ctx context.Context, shopID int64) (context.Context, *EventBatch) {
	eb := &EventBatch{shopID: shopID}
	return context.WithValue(ctx, eventBatchKey{}, eb), eb
}

// Flush stores the batch's events, in emission order.
func (eb *EventBatch) Flush(ctx context.Context, tx Tx) error {
	if len(eb.rows) == 0 {
		return nil
	}
	if _, err := insertEvents(ctx, tx.Gorm(), eb.rows); err != nil {
		return fmt.Errorf("emit %d events: %w", len(eb.rows), err)
	}
	eb.rows = nil
	return nil
}

// PendingEvents returns up to limit undispatched events of one shop, oldest first.
func PendingEvents(ctx context.Context, db *gorm.DB, shopID int64, limit int) ([]Event, error) {
	var evs []Event
	err := Scoped(ctx, db, shopID).Where("dispatched_at IS NULL").Order("id").Limit(limit).Find(&evs).Error
	return evs, err
}

// MarkEventsDispatched records that every subscriber has taken a batch of a shop's events.
func MarkEventsDispatched(ctx context.Context, db *gorm.DB, shopID int64, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	return db.WithContext(ctx).Exec(`UPDATE events SET dispatched_at = now() WHERE shop_id = ? AND id IN ? AND dispatched_at IS NULL`,
		shopID, ids).Error
}

// ShopsWithPendingEvents lists shops that have undispatched events (sweeper).
func ShopsWithPendingEvents(ctx context.Context, db *gorm.DB) ([]int64, error) {
	var ids []int64
	err := db.WithContext(AllShops(ctx)).Model(&Event{}).Where("dispatched_at IS NULL").Distinct("shop_id").Pluck("shop_id", &ids).Error
	return ids, err
}
