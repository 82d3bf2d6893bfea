package models

import (
	"context"
	"encoding/json"
	"fmt"
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
// transaction that wrote the cause.
func Emit(ctx context.Context, tx *gorm.DB, shopID int64, customerID int64, key string, p EventPayload, at time.Time) (created bool, err error) {
	kind := p.EventKind()
	body, err := json.Marshal(p)
	if err != nil {
		return false, fmt.Errorf("emit %s: %w", kind, err)
	}
	var cust *int64
	if customerID != 0 {
		cust = &customerID
	}
	if at.IsZero() {
		at = time.Now()
	}
	res := tx.WithContext(ctx).Exec(`INSERT INTO events (shop_id, customer_id, kind, key, payload, occurred_at)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (shop_id, kind, key) DO NOTHING`,
		shopID, cust, kind, key, string(body), at.UTC())
	if res.Error != nil {
		return false, fmt.Errorf("emit %s %s: %w", kind, key, res.Error)
	}
	return res.RowsAffected == 1, nil
}

// PendingEvents returns up to limit undispatched events of one shop, oldest first.
func PendingEvents(ctx context.Context, db *gorm.DB, shopID int64, limit int) ([]Event, error) {
	var evs []Event
	err := Scoped(ctx, db, shopID).Where("dispatched_at IS NULL").Order("id").Limit(limit).Find(&evs).Error
	return evs, err
}

// MarkDispatched records that messaging has decided on an event.
func MarkDispatched(ctx context.Context, db *gorm.DB, shopID, eventID int64) error {
	return Scoped(ctx, db, shopID).Model(&Event{}).Where("id = ?", eventID).Update("dispatched_at", time.Now()).Error
}

// ShopsWithPendingEvents lists shops that have undispatched events (sweeper).
func ShopsWithPendingEvents(ctx context.Context, db *gorm.DB) ([]int64, error) {
	var ids []int64
	err := db.WithContext(AllShops(ctx)).Model(&Event{}).Where("dispatched_at IS NULL").Distinct("shop_id").Pluck("shop_id", &ids).Error
	return ids, err
}
