package models

import (
	"context"
	"time"

	"gorm.io/gorm"
)

// FailedEvent is a delivery that will not be applied without an operator, as the ops page lists it.
type FailedEvent struct {
	ID         int64     `json:"id"`
	Shop       string    `json:"shop"`
	Topic      string    `json:"topic"`
	WebhookID  string    `json:"webhook_id"`
	ReceivedAt time.Time `json:"received_at"`
	FailedAt   time.Time `json:"failed_at"`
	Attempts   int       `json:"attempts"`
	LastError  string    `json:"last_error"`
}

// FailedEvents lists failed deliveries across shops, newest failure first (operator use only).
func FailedEvents(ctx context.Context, db *gorm.DB, limit int) ([]FailedEvent, error) {
	var out []FailedEvent
	err := db.WithContext(AllShops(ctx)).Raw(`SELECT e.id, s.domain AS shop, e.topic, e.webhook_id, e.received_at,
			e.failed_at, e.attempts, e.last_error
		FROM webhook_events e JOIN shops s ON s.id = e.shop_id
		WHERE e.failed_at IS NOT NULL ORDER BY e.failed_at DESC, e.id DESC LIMIT ?`, limit).Scan(&out).Error
	return out, err
}

// FailedEventCount is the number of failed deliveries of one topic.
type FailedEventCount struct {
	Topic string
	N     int64
}

// CountFailedEvents counts failed deliveries by topic, for /metrics.
func CountFailedEvents(ctx context.Context, db *gorm.DB) ([]FailedEventCount, error) {
	var out []FailedEventCount
	err := db.WithContext(AllShops(ctx)).Raw(`SELECT topic, count(*) AS n FROM webhook_events
		WHERE failed_at IS NOT NULL GROUP BY topic ORDER BY topic`).Scan(&out).Error
	return out, err
}

// ReplayFilter picks the failed deliveries to try again: the given ids, or every one of a shop
// (Shop set), or every one (All).
type ReplayFilter struct {
	IDs  []int64
	Shop string
	All  bool
}

// ReplayFailedEvents returns failed deliveries to pending (attempts reset) and their ids, so
// the caller can enqueue them; the sweeper would also find them within a minute or two.
func ReplayFailedEvents(ctx context.Context, db *gorm.DB, f ReplayFilter) ([]int64, error) {
	if len(f.IDs) == 0 && f.Shop == "" && !f.All {
		return nil, Invalid("ids", "name the deliveries to replay, a shop, or all")
	}
	var ids []int64
	err := db.WithContext(AllShops(ctx)).Raw(`UPDATE webhook_events SET failed_at = NULL, attempts = 0,
			last_error = left('replayed after: ' || last_error, 500)
		WHERE failed_at IS NOT NULL
		  AND (cardinality(?::bigint[]) = 0 OR id = ANY(?::bigint[]))
		  AND (? = '' OR shop_id = (SELECT id FROM shops WHERE domain = ?))
		RETURNING id`, Int64Array(f.IDs), Int64Array(f.IDs), f.Shop, f.Shop).Scan(&ids).Error
	return ids, err
}
