package models

import (
	"context"
	"strings"
	"time"

	"gorm.io/gorm"
)

// The inbox drain (issue 14): order deliveries are not handed to the queue one task each. A
// drain claims a shop's waiting ones a batch at a time and applies the batch in one transaction.
// A delivery the drain cannot apply is handed off to the one-at-a-time path, which counts its
// attempts and dead-letters it: the drain only claims deliveries never attempted nor handed off.

// DrainTrust is how long the sweeper leaves an order delivery to the drain before it re-enqueues
// it as a task of its own (no drain running, or one stuck).
const DrainTrust = 10 * time.Minute

// Batched reports whether deliveries of a topic are applied by the drain.
func Batched(topic string) bool { return strings.HasPrefix(topic, "orders/") }

// drainable is the condition of a delivery the drain may claim; the partial index
// webhook_events_drain holds exactly these rows.
const drainable = `processed_at IS NULL AND failed_at IS NULL AND attempts = 0 AND last_error = '' AND topic LIKE 'orders/%'`

// ShopsWithDrainable lists up to limit shops with order deliveries waiting for the drain, in id
// order after afterShop. It hops from shop to shop through the index rather than reading every
// waiting row, so a flash sale's backlog costs it one probe per shop.
func ShopsWithDrainable(ctx context.Context, db *gorm.DB, afterShop int64, limit int) ([]int64, error) {
	var ids []int64
	err := db.WithContext(AllShops(ctx)).Raw(`WITH RECURSIVE s (shop_id) AS (
			(SELECT shop_id FROM webhook_events WHERE `+drainable+` AND shop_id > ? ORDER BY shop_id LIMIT 1)
			UNION ALL
			SELECT (SELECT e.shop_id FROM webhook_events e WHERE `+drainable+` AND e.shop_id > s.shop_id
				ORDER BY e.shop_id LIMIT 1)
			FROM s WHERE s.shop_id IS NOT NULL)
		SELECT shop_id FROM s WHERE shop_id IS NOT NULL LIMIT ?`, afterShop, limit).Find(&ids).Error
	return ids, err
}

// ClaimDrainable locks up to limit of a shop's waiting order deliveries, oldest first, passing
// over those another drain holds. The locks last as long as the transaction.
func ClaimDrainable(ctx context.Context, tx Tx, shopID int64, limit int) ([]WebhookEvent, error) {
	var evs []WebhookEvent
	err := tx.Gorm().WithContext(ctx).Raw(`SELECT e.*, s.status AS shop_status
		FROM webhook_events e JOIN shops s ON s.id = e.shop_id
		WHERE e.shop_id = ? AND `+drainable+`
		ORDER BY e.id LIMIT ? FOR UPDATE OF e SKIP LOCKED`, shopID, limit).Find(&evs).Error
	return evs, err
}

// MarkBatchProcessed is MarkProcessed for a batch, in the transaction that applied it.
func MarkBatchProcessed(ctx context.Context, tx Tx, shopID int64, ids []int64, note string) error {
	if len(ids) == 0 {
		return nil
	}
	return tx.Gorm().WithContext(ctx).Exec(`UPDATE webhook_events SET processed_at = ?, attempts = attempts + 1, last_error = ?
		WHERE shop_id = ? AND id IN ?`, time.Now(), note, shopID, ids).Error
}

// HandOff takes deliveries out of the drain's reach, with the reason kept for the operator: from
// now on the one-at-a-time path (with its retries and dead letters) owns them. It counts no
// attempt; that path counts its own.
func HandOff(ctx context.Context, db *gorm.DB, shopID int64, ids []int64, reason string) error {
	if len(ids) == 0 {
		return nil
	}
	return db.WithContext(ctx).Exec(`UPDATE webhook_events SET last_error = ?
		WHERE shop_id = ? AND id IN ? AND processed_at IS NULL`, Truncate("handed off: "+reason, 500), shopID, ids).Error
}
