package models

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
)

// WebhookEvent is one verified delivery from Shopify, stored raw: the source of truth every
// job can be replayed from.
type WebhookEvent struct {
	ID          int64
	ShopID      int64
	Topic       string
	WebhookID   string
	EventID     string
	TriggeredAt *time.Time
	APIVersion  string
	Body        []byte
	ReceivedAt  time.Time
	ProcessedAt *time.Time
	FailedAt    *time.Time
	Attempts    int
	LastError   string
	ShopStatus  string `gorm:"->;-:migration"` // read with the event: is the shop still installed?
}

// Delivery is what the HTTP edge hands over after verifying a webhook.
type Delivery struct {
	ShopDomain  string
	Topic       string
	WebhookID   string
	EventID     string
	TriggeredAt *time.Time
	APIVersion  string
	Body        []byte
}

// Stored is the outcome of StoreDelivery.
type Stored struct {
	EventID int64
	ShopID  int64
	Fresh   bool   // false for a duplicate delivery (same shop and webhook id)
	Dropped string // why nothing was stored: DropUnknownShop or DropUninstalled; "" when stored
}

// Why a verified delivery is acknowledged but not stored.
const (
	DropUnknownShop = "unknown_shop" // never installed, or erased by shop/redact
	DropUninstalled = "uninstalled"  // the shop left; only compliance topics still count
)

// complianceTopics are the deliveries Shopify sends after an uninstall, and that still oblige.
var complianceTopics = []string{"customers/data_request", "customers/redact", "shop/redact"}

// IsComplianceTopic reports whether topic is one of the mandatory compliance webhooks.
func IsComplianceTopic(topic string) bool {
	for _, t := range complianceTopics {
		if t == topic {
			return true
		}
	}
	return false
}

// StoreDelivery records a delivery once, for an installed shop (or a compliance topic of an
// uninstalled one); a duplicate returns the existing event id. A delivery never creates a shop:
// only an install does (InstallShop), so a late webhook cannot bring back a shop that left.
// It is one statement on the common path and goes straight to database/sql: GORM's logger
// renders each statement with its arguments (here the whole body) even when it logs nothing.
func StoreDelivery(ctx context.Context, db *gorm.DB, d Delivery) (Stored, error) {
	sqlDB, err := db.DB()
	if err != nil {
		return Stored{}, err
	}
	return storeDelivery(ctx, sqlDB, d)
}

func storeDelivery(ctx context.Context, sqlDB *sql.DB, d Delivery) (Stored, error) {
	out := Stored{Fresh: true}
	err := sqlDB.QueryRowContext(ctx, `INSERT INTO webhook_events
			(shop_id, topic, webhook_id, event_id, triggered_at, api_version, body)
		SELECT s.id, $2, $3, $4, $5, $6, $7 FROM shops s
		WHERE s.domain = $1 AND (s.status = 'installed' OR $2 = ANY($8))
		ON CONFLICT (shop_id, webhook_id) DO NOTHING RETURNING id, shop_id`,
		d.ShopDomain, d.Topic, d.WebhookID, d.EventID, d.TriggeredAt, d.APIVersion, d.Body, complianceTopics,
	).Scan(&out.EventID, &out.ShopID)
	if err == nil {
		return out, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return Stored{}, fmt.Errorf("store webhook %s: %w", d.WebhookID, err)
	}
	// Nothing inserted: a duplicate, or a shop that is unknown or gone.
	var status string
	var existing sql.NullInt64
	err = sqlDB.QueryRowContext(ctx, `SELECT s.id, s.status,
			(SELECT e.id FROM webhook_events e WHERE e.shop_id = s.id AND e.webhook_id = $2)
		FROM shops s WHERE s.domain = $1`, d.ShopDomain, d.WebhookID).Scan(&out.ShopID, &status, &existing)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return Stored{Dropped: DropUnknownShop}, nil
	case err != nil:
		return Stored{}, fmt.Errorf("store webhook %s: %w", d.WebhookID, err)
	case existing.Valid:
		return Stored{EventID: existing.Int64, ShopID: out.ShopID}, nil
	default:
		return Stored{ShopID: out.ShopID, Dropped: DropUninstalled}, nil
	}
}

// LoadWebhookEvent reads a stored delivery by id, with its shop's status. Jobs carry only the id.
func LoadWebhookEvent(ctx context.Context, db *gorm.DB, id int64) (*WebhookEvent, error) {
	var ev WebhookEvent
	err := db.WithContext(AllShops(ctx)).Table("webhook_events e").
		Select("e.*, s.status AS shop_status").Joins("JOIN shops s ON s.id = e.shop_id").
		Where("e.id = ?", id).Take(&ev).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, NotFound("webhook event")
	}
	return &ev, err
}

// MarkProcessed records that an event's effects are done. note says why when it had none on
// purpose (a delivery for a shop that left in the meantime).
func MarkProcessed(ctx context.Context, db *gorm.DB, ev *WebhookEvent, note ...string) error {
	return db.WithContext(ctx).Model(&WebhookEvent{}).Where("shop_id = ? AND id = ?", ev.ShopID, ev.ID).
		Updates(map[string]any{"processed_at": time.Now(), "attempts": gorm.Expr("attempts + 1"),
			"last_error": strings.Join(note, "; ")}).Error
}

// MarkFailed keeps the last error of an attempt for the operator; the event stays pending.
func MarkFailed(ctx context.Context, db *gorm.DB, ev *WebhookEvent, cause error) error {
	return db.WithContext(ctx).Model(&WebhookEvent{}).Where("shop_id = ? AND id = ?", ev.ShopID, ev.ID).
		Updates(map[string]any{"attempts": gorm.Expr("attempts + 1"), "last_error": Truncate(cause.Error(), 500)}).Error
}

// MarkDead records that an event will not be applied without an operator: its error is
// permanent, or its retries ran out. It leaves the sweeper's way until ReplayFailedEvents.
func MarkDead(ctx context.Context, db *gorm.DB, ev *WebhookEvent, cause error) error {
	return db.WithContext(ctx).Model(&WebhookEvent{}).Where("shop_id = ? AND id = ?", ev.ShopID, ev.ID).
		Updates(map[string]any{"attempts": gorm.Expr("attempts + 1"), "failed_at": time.Now(),
			"last_error": Truncate(cause.Error(), 500)}).Error
}

// UnprocessedEvents lists, in id order after afterID, events received before `before` that are
// neither processed nor failed: the sweeper re-enqueues them (Redis was down, or a process died
// between store and enqueue). Paging by id, not by age, means rows that stay pending (a task
// still retrying) never stop the sweeper from reaching newer ones.
//
// Order deliveries the drain has not tried yet are left to it for DrainTrust: re-enqueueing a
// flash sale's backlog one task each would only race the drain.
func UnprocessedEvents(ctx context.Context, db *gorm.DB, before time.Time, afterID int64, limit int) ([]int64, error) {
	var ids []int64
	err := db.WithContext(AllShops(ctx)).Model(&WebhookEvent{}).
		Where("processed_at IS NULL AND failed_at IS NULL AND id > ? AND received_at < ?", afterID, before).
		Where("NOT ("+drainable+" AND received_at > ?)", time.Now().Add(-DrainTrust)).
		Order("id").Limit(limit).Pluck("id", &ids).Error
	return ids, err
}

// GiveUpExhausted marks dead the pending events already attempted maxAttempts times: their task
// is gone (Asynq archived it), so no re-enqueue can reach them.
func GiveUpExhausted(ctx context.Context, db *gorm.DB, maxAttempts int) (int64, error) {
	res := db.WithContext(AllShops(ctx)).Model(&WebhookEvent{}).
		Where("processed_at IS NULL AND failed_at IS NULL AND attempts >= ?", maxAttempts).
		Updates(map[string]any{"failed_at": time.Now(),
			"last_error": gorm.Expr("left('gave up after ' || attempts || ' attempts: ' || last_error, 500)")})
	return res.RowsAffected, res.Error
}
