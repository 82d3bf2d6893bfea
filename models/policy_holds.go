package models

import (
	"context"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"
)

// Holds are mirrored onto the customer in Shopify as a tag, so Shopify Email, Klaviyo and other
// tools can leave the shopper out too. A hold row is "synced" once the tag matches it.

// HoldTag is the Shopify customer tag present while any promotional hold is in force.
const HoldTag = "boomerang-promo-hold"

// ExpireHolds ends holds whose time ran out (released at their `until`), so the tag sync sees
// them change. It returns how many ended.
func ExpireHolds(ctx context.Context, db *gorm.DB, now time.Time) (int64, error) {
	res := db.WithContext(AllShops(ctx)).Exec(`UPDATE holds SET released_at = until, tag_synced = false
		WHERE released_at IS NULL AND until IS NOT NULL AND until <= ?`, now)
	if res.Error != nil {
		return 0, fmt.Errorf("expire holds: %w", res.Error)
	}
	return res.RowsAffected, nil
}

// ShopsWithUnsyncedHolds lists shops whose hold tags need updating.
func ShopsWithUnsyncedHolds(ctx context.Context, db *gorm.DB) ([]int64, error) {
	var ids []int64
	err := db.WithContext(AllShops(ctx)).Raw(`SELECT DISTINCT shop_id FROM holds WHERE NOT tag_synced LIMIT 1000`).Scan(&ids).Error
	return ids, err
}

// HoldTagChange is one customer whose tag must be set or removed, with the hold rows it settles.
type HoldTagChange struct {
	CustomerID int64
	Held       bool     // a hold is in force: the tag must be present
	Active     []int64  // unsynced hold rows in force when read
	Ended      []int64  // unsynced hold rows released or expired when read
	Reasons    []string // the reasons of the holds in force
}

// PendingHoldTags lists up to limit customers of a shop with unsynced holds and whether each
// is held right now.
func PendingHoldTags(ctx context.Context, db *gorm.DB, shopID int64, now time.Time, limit int) ([]HoldTagChange, error) {
	var rows []struct {
		CustomerID int64
		ID         int64
		Released   bool
	}
	err := db.WithContext(ctx).Raw(`SELECT customer_id, id, released_at IS NOT NULL AS released FROM holds WHERE shop_id = ? AND NOT tag_synced
		AND customer_id IN (SELECT DISTINCT customer_id FROM holds WHERE shop_id = ? AND NOT tag_synced ORDER BY customer_id LIMIT ?)
		ORDER BY customer_id, id`, shopID, shopID, limit).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("unsynced holds of shop %d: %w", shopID, err)
	}
	var out []HoldTagChange
	for _, r := range rows {
		if len(out) == 0 || out[len(out)-1].CustomerID != r.CustomerID {
			out = append(out, HoldTagChange{CustomerID: r.CustomerID})
		}
		if r.Released {
			out[len(out)-1].Ended = append(out[len(out)-1].Ended, r.ID)
		} else {
			out[len(out)-1].Active = append(out[len(out)-1].Active, r.ID)
		}
	}
	for i := range out {
		hs, err := ActiveHolds(ctx, db, shopID, out[i].CustomerID, now)
		if err != nil {
			return nil, err
		}
		out[i].Held = len(hs) > 0
		for _, h := range hs {
			if !slices.Contains(out[i].Reasons, h.Reason) {
				out[i].Reasons = append(out[i].Reasons, h.Reason)
			}
		}
	}
	return out, nil
}

// MarkHoldsSynced records that the tag now matches the change's hold rows. A row released since
// it was read stays unsynced, so the next run removes the tag.
func MarkHoldsSynced(ctx context.Context, db *gorm.DB, shopID int64, ch HoldTagChange) error {
	if len(ch.Active) > 0 {
		if err := db.WithContext(ctx).Exec(`UPDATE holds SET tag_synced = true WHERE shop_id = ? AND id IN ? AND released_at IS NULL`,
			shopID, ch.Active).Error; err != nil {
			return err
		}
	}
	if len(ch.Ended) > 0 {
		return db.WithContext(ctx).Exec(`UPDATE holds SET tag_synced = true WHERE shop_id = ? AND id IN ?`, shopID, ch.Ended).Error
	}
	return nil
}
