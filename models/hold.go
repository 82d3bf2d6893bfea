package models

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// Hold reasons (also policy reason codes).
const (
	HoldNegativeReview     = "negative_review"
	HoldOpenCase           = "open_case"
	HoldRecentCancellation = "recent_cancellation"
)

// Hold keeps promotional messages away from a customer until it is released or `Until` passes.
type Hold struct {
	ID         int64      `json:"-"`
	ShopID     int64      `json:"-"`
	CustomerID int64      `json:"customer_id"`
	Kind       string     `json:"kind"`
	Reason     string     `json:"reason"`
	SourceType string     `json:"source_type"`
	SourceID   string     `json:"source_id"`
	Until      *time.Time `json:"until"`
	ReleasedAt *time.Time `json:"released_at,omitempty"`
	TagSynced  bool       `json:"-"`
	CreatedAt  time.Time  `json:"created_at"`
}

// PlaceHold puts a promotional hold on a customer, once per (reason, source).
func PlaceHold(ctx context.Context, tx *gorm.DB, shopID, customerID int64, reason, sourceType, sourceID string, until *time.Time) (created bool, err error) {
	res := tx.WithContext(ctx).Exec(`INSERT INTO holds (shop_id, customer_id, reason, source_type, source_id, until)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (shop_id, customer_id, reason, source_type, source_id) DO NOTHING`,
		shopID, customerID, reason, sourceType, sourceID, until)
	if res.Error != nil {
		return false, fmt.Errorf("place hold %s on %d: %w", reason, customerID, res.Error)
	}
	return res.RowsAffected == 1, nil
}

// ReleaseHolds ends the holds a source placed (e.g. the case was resolved).
func ReleaseHolds(ctx context.Context, tx *gorm.DB, shopID int64, sourceType, sourceID string) error {
	return tx.WithContext(ctx).Exec(`UPDATE holds SET released_at = now(), tag_synced = false
		WHERE shop_id = ? AND source_type = ? AND source_id = ? AND released_at IS NULL`, shopID, sourceType, sourceID).Error
}

// ActiveHolds lists the holds in force for a customer at `now`.
func ActiveHolds(ctx context.Context, db *gorm.DB, shopID, customerID int64, now time.Time) ([]Hold, error) {
	var hs []Hold
	err := Scoped(ctx, db, shopID).Where("customer_id = ? AND released_at IS NULL AND (until IS NULL OR until > ?)", customerID, now).
		Order("id").Find(&hs).Error
	return hs, err
}
