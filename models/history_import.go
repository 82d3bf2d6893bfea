package models

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// Import states, as GET /api/import/history reports them.
const (
	ImportPending = "pending"
	ImportRunning = "running"
	ImportDone    = "done"
	ImportFailed  = "failed"
)

// maxLineErrors bounds the malformed lines kept for the merchant; all are counted.
const maxLineErrors = 100

// HistoryImport is a shop's history import.
type HistoryImport struct {
	ShopID      int64           `json:"-"`
	State       string          `json:"state"`
	OperationID string          `json:"-"`
	Position    int64           `json:"-"`
	Customers   int64           `json:"customers"`
	Orders      int64           `json:"orders"`
	ErrorCount  int             `json:"errors"`
	LineErrors  json.RawMessage `json:"line_errors" gorm:"type:jsonb"`
	Attempts    int             `json:"-"`
	LastError   string          `json:"last_error,omitempty"`
	StartedAt   *time.Time      `json:"started_at"`
	FinishedAt  *time.Time      `json:"finished_at"`
	UpdatedAt   time.Time       `json:"updated_at"`
}

// LineError is one line of the history the import skipped, and why.
type LineError struct {
	Line   int    `json:"line"`
	Reason string `json:"reason"`
}

// GetHistoryImport reads a shop's import; a shop that never started one is pending.
func GetHistoryImport(ctx context.Context, db *gorm.DB, shopID int64) (HistoryImport, error) {
	var h HistoryImport
	err := Scoped(ctx, db, shopID).First(&h).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return HistoryImport{ShopID: shopID, State: ImportPending, LineErrors: json.RawMessage("[]")}, nil
	}
	if err != nil {
		return h, fmt.Errorf("history import of shop %d: %w", shopID, err)
	}
	return h, nil
}

// StartHistoryImport records a new bulk operation for the shop's import, from the first line.
func StartHistoryImport(ctx context.Context, db *gorm.DB, shopID int64, operationID string, now time.Time) error {
	return db.WithContext(ctx).Exec(`INSERT INTO history_imports (shop_id, state, operation_id, started_at, attempts, updated_at)
		VALUES (?, ?, ?, ?, 1, ?)
		ON CONFLICT (shop_id) DO UPDATE SET state = EXCLUDED.state, operation_id = EXCLUDED.operation_id,
			position = 0, customers = 0, orders = 0, error_count = 0, line_errors = '[]', last_error = '',
			started_at = EXCLUDED.started_at, finished_at = NULL, attempts = history_imports.attempts + 1,
			updated_at = EXCLUDED.updated_at
		WHERE history_imports.shop_id = EXCLUDED.shop_id`, shopID, ImportRunning, operationID, now, now).Error
}

// StoreHistoryBatch stores a batch and moves the import's position to the batch's last order,
// in one transaction: a worker killed at any point resumes after the last batch stored.
func StoreHistoryBatch(ctx context.Context, db *gorm.DB, shopID int64, batch []HistoryOrder, position int64, lineErrs []LineError) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		n, err := StoreHistory(ctx, tx, shopID, batch)
		if err != nil {
			return err
		}
		errs, _ := json.Marshal(lineErrs)
		if lineErrs == nil {
			errs = []byte("[]")
		}
		return tx.Exec(`UPDATE history_imports SET position = GREATEST(position, ?), orders = orders + ?,
				customers = customers + ?, error_count = error_count + ?,
				line_errors = CASE WHEN jsonb_array_length(line_errors) >= ? THEN line_errors
				                   ELSE line_errors || ?::jsonb END,
				updated_at = now()
			WHERE shop_id = ?`, position, n.Orders, n.Customers, len(lineErrs), maxLineErrors, string(errs), shopID).Error
	})
}

// FinishHistoryImport ends the import: done, or failed with the reason (the job retries it).
func FinishHistoryImport(ctx context.Context, db *gorm.DB, shopID int64, failure error, now time.Time) error {
	state, msg := ImportDone, ""
	if failure != nil {
		state, msg = ImportFailed, truncate(failure.Error(), 500)
	}
	return db.WithContext(ctx).Exec(`UPDATE history_imports SET state = ?, last_error = ?, finished_at = ?, updated_at = ?
		WHERE shop_id = ?`, state, msg, now, now, shopID).Error
}

// ResyncHistoryImport asks for the history to be imported again (the admin's re-sync): the next
// run starts a new bulk operation. Stored orders stay; the new pass adds what is missing. A
// running import is a conflict.
func ResyncHistoryImport(ctx context.Context, db *gorm.DB, shopID int64, now time.Time) error {
	res := db.WithContext(ctx).Exec(`INSERT INTO history_imports (shop_id, state, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (shop_id) DO UPDATE SET state = EXCLUDED.state, operation_id = '', position = 0, updated_at = EXCLUDED.updated_at
		WHERE history_imports.shop_id = EXCLUDED.shop_id AND history_imports.state <> 'running'`,
		shopID, ImportPending, now)
	if res.Error != nil {
		return fmt.Errorf("re-sync history of shop %d: %w", shopID, res.Error)
	}
	if res.RowsAffected == 0 {
		return Conflict("the history import is running")
	}
	return nil
}

// DeriveFromHistory brings what is computed from the facts up to date once an import stored the
// shop's past: each buyer's order count, spend and stage, the segment figures and the scorecard's
// rollups. It pages through the customers who have orders, so its memory does not grow with the
// shop. (A top-tier customer reads as loyal again at their next order: tiers are not re-evaluated
// here.)
func DeriveFromHistory(ctx context.Context, db *gorm.DB, shopID int64) error {
	var after int64
	for {
		var ids []int64
		if err := db.WithContext(ctx).Raw(`SELECT DISTINCT customer_id FROM orders
			WHERE shop_id = ? AND customer_id > ? ORDER BY customer_id LIMIT 1000`, shopID, after).Scan(&ids).Error; err != nil {
			return fmt.Errorf("derive history of shop %d: %w", shopID, err)
		}
		for _, id := range ids {
			if _, err := RefreshCustomerStats(ctx, db, shopID, id, false); err != nil {
				return err
			}
		}
		if len(ids) < 1000 {
			break
		}
		after = ids[len(ids)-1]
	}
	if _, err := FillSegmentStats(ctx, db, shopID); err != nil {
		return err
	}
	_, err := RefreshMetrics(ctx, db, shopID, RefreshOptions{Rebuild: true})
	return err
}
