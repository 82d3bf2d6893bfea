package models

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
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
	Attempts    int
	LastError   string
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
	EventID     int64
	ShopID      int64
	Fresh       bool // false for a duplicate delivery (same shop and webhook id)
	ShopCreated bool // this delivery made the shop known
}

// StoreDelivery records a delivery once; a duplicate returns the existing event id. It is the
// one statement of every webhook's request, so it goes straight to database/sql: GORM's logger
// renders each statement with its arguments (here the whole body) even when it logs nothing,
// which cost about a tenth of the ingest path's CPU.
func StoreDelivery(ctx context.Context, db *gorm.DB, d Delivery) (Stored, error) {
	sqlDB, err := db.DB()
	if err != nil {
		return Stored{}, err
	}
	for attempt := 0; attempt < 2; attempt++ {
		shopID, created, err := EnsureShop(ctx, db, d.ShopDomain)
		if err != nil {
			return Stored{}, err
		}
		out := Stored{ShopID: shopID, Fresh: true, ShopCreated: created}
		err = sqlDB.QueryRowContext(ctx, `INSERT INTO webhook_events
			(shop_id, topic, webhook_id, event_id, triggered_at, api_version, body)
			VALUES ($1, $2, $3, $4, $5, $6, $7)
			ON CONFLICT (shop_id, webhook_id) DO NOTHING RETURNING id`,
			shopID, d.Topic, d.WebhookID, d.EventID, d.TriggeredAt, d.APIVersion, d.Body).Scan(&out.EventID)
		if errors.Is(err, sql.ErrNoRows) { // a duplicate delivery
			out.Fresh = false
			err = sqlDB.QueryRowContext(ctx, `SELECT id FROM webhook_events WHERE shop_id = $1 AND webhook_id = $2`,
				shopID, d.WebhookID).Scan(&out.EventID)
		}
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "23503" { // shop row deleted since cached
			ForgetShop(d.ShopDomain)
			continue
		}
		if err != nil {
			return Stored{}, fmt.Errorf("store webhook %s: %w", d.WebhookID, err)
		}
		return out, nil
	}
	return Stored{}, fmt.Errorf("store webhook %s: shop %s vanished twice", d.WebhookID, d.ShopDomain)
}

// LoadWebhookEvent reads a stored delivery by id. Jobs carry only the id.
func LoadWebhookEvent(ctx context.Context, db *gorm.DB, id int64) (*WebhookEvent, error) {
	var ev WebhookEvent
	err := db.WithContext(AllShops(ctx)).First(&ev, id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, NotFound("webhook event")
	}
	return &ev, err
}

// MarkProcessed records that an event's effects are done.
func MarkProcessed(ctx context.Context, db *gorm.DB, ev *WebhookEvent) error {
	return db.WithContext(ctx).Model(&WebhookEvent{}).Where("shop_id = ? AND id = ?", ev.ShopID, ev.ID).
		Updates(map[string]any{"processed_at": time.Now(), "attempts": gorm.Expr("attempts + 1"), "last_error": ""}).Error
}

// MarkFailed keeps the last error of an attempt for the operator.
func MarkFailed(ctx context.Context, db *gorm.DB, ev *WebhookEvent, cause error) error {
	msg := cause.Error()
	if len(msg) > 500 {
		msg = msg[:500]
	}
	return db.WithContext(ctx).Model(&WebhookEvent{}).Where("shop_id = ? AND id = ?", ev.ShopID, ev.ID).
		Updates(map[string]any{"attempts": gorm.Expr("attempts + 1"), "last_error": msg}).Error
}

// UnprocessedEvents lists events received before `before` and still not processed, oldest
// first: the sweeper re-enqueues them (Redis was down, or a process died between store and enqueue).
func UnprocessedEvents(ctx context.Context, db *gorm.DB, before time.Time, limit int) ([]int64, error) {
	var ids []int64
	err := db.WithContext(AllShops(ctx)).Model(&WebhookEvent{}).
		Where("processed_at IS NULL AND received_at < ?", before).
		Order("received_at").Limit(limit).Pluck("id", &ids).Error
	return ids, err
}
