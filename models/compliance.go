package models

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
)

func init() {
	RegisterExporter("profile", func(ctx context.Context, tx *gorm.DB, shopID, customerID int64) (any, error) {
		var c Customer
		err := Scoped(ctx, tx, shopID).Where("customer_id = ?", customerID).First(&c).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, nil
		}
		return c, err
	})
	RegisterExporter("orders", func(ctx context.Context, tx *gorm.DB, shopID, customerID int64) (any, error) {
		var os []Order
		err := Scoped(ctx, tx, shopID).Where("customer_id = ?", customerID).Order("order_id").Find(&os).Error
		return os, err
	})
	RegisterExporter("events", func(ctx context.Context, tx *gorm.DB, shopID, customerID int64) (any, error) {
		var evs []Event
		err := Scoped(ctx, tx, shopID).Where("customer_id = ?", customerID).Order("id").Find(&evs).Error
		return evs, err
	})
	RegisterRedactor(func(ctx context.Context, tx *gorm.DB, shopID, customerID int64) error {
		if err := tx.Exec(`UPDATE customers SET email = '', phone = '', first_name = '', last_name = '', tags = '',
			birthday = NULL, timezone = '', redacted_at = now(), updated_at = now()
			WHERE shop_id = ? AND customer_id = ?`, shopID, customerID).Error; err != nil {
			return err
		}
		if err := tx.Exec(`UPDATE orders SET email = '', landing_site = '' WHERE shop_id = ? AND customer_id = ?`,
			shopID, customerID).Error; err != nil {
			return err
		}
		return tx.Exec(`UPDATE events SET payload = '{}' WHERE shop_id = ? AND customer_id = ?`, shopID, customerID).Error
	})
}

// DataRequest is a customers/data_request kept for the merchant with its export.
type DataRequest struct {
	ID          int64
	ShopID      int64
	RequestID   int64
	CustomerID  int64
	Status      string
	Export      json.RawMessage `gorm:"type:jsonb"`
	RequestedAt time.Time
	CompletedAt *time.Time
}

// FulfillDataRequest builds the export of everything every part holds on the customer and
// stores it with the request, once per request id.
func FulfillDataRequest(ctx context.Context, db *gorm.DB, shopID, requestID, customerID int64) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		export := map[string]any{"customer_id": customerID, "generated_at": time.Now().UTC()}
		for _, e := range exporters {
			v, err := e.fn(ctx, tx, shopID, customerID)
			if err != nil {
				return fmt.Errorf("export %s: %w", e.name, err)
			}
			export[e.name] = v
		}
		body, err := json.Marshal(export)
		if err != nil {
			return err
		}
		return tx.Exec(`INSERT INTO data_requests (shop_id, request_id, customer_id, status, export, completed_at)
			VALUES (?, ?, ?, 'completed', ?, now())
			ON CONFLICT (shop_id, request_id) DO UPDATE SET export = EXCLUDED.export, status = 'completed',
				completed_at = EXCLUDED.completed_at`, shopID, requestID, customerID, string(body)).Error
	})
}

// ListDataRequests returns a shop's data requests, newest first.
func ListDataRequests(ctx context.Context, db *gorm.DB, shopID int64) ([]DataRequest, error) {
	var out []DataRequest
	err := Scoped(ctx, db, shopID).Select("id, shop_id, request_id, customer_id, status, requested_at, completed_at").
		Order("id DESC").Limit(200).Find(&out).Error
	return out, err
}

// GetDataRequest loads one data request with its export.
func GetDataRequest(ctx context.Context, db *gorm.DB, shopID, id int64) (*DataRequest, error) {
	return FindOne[DataRequest](ctx, db, shopID, "data request", "id", id)
}

// RedactCustomer erases the customer's personal data in every part, in one transaction.
// Ledger amounts stay, so balances and the shop's totals remain consistent.
func RedactCustomer(ctx context.Context, db *gorm.DB, shopID, customerID int64) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for _, fn := range redactors {
			if err := fn(ctx, tx, shopID, customerID); err != nil {
				return fmt.Errorf("redact customer %d: %w", customerID, err)
			}
		}
		return nil
	})
}
