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
	ShopID      int64  `json:"-"`
	State       string `json:"state"`
	OperationID string `json:"-"`
	Position    int64  `json:"-"`
	Customers   int64  `json:"customers"`
	Orders      int64  `json:"orders"`
	AllOrders   bool   `json:"all_orders"` // false: read_all_orders was not granted, so the last 60 days only
	ErrorCount  int    `json:"errors"`
	// The opening balances the merchant chose (0 months: everyone starts at zero).
	OpeningMonths int             `json:"opening_months"`
	OpeningState  string          `json:"opening_state"` // "", running, done, failed
	OpeningPoints int64           `json:"opening_points"`
	OpeningAt     *time.Time      `json:"opening_at"`
	LineErrors    json.RawMessage `json:"line_errors" gorm:"type:jsonb"`
	Attempts      int             `json:"-"`
	TotalLines    int64           `json:"-"`
	StoringAt     *time.Time      `json:"-"`
	LastError     string          `json:"last_error,omitempty"`
	StartedAt     *time.Time      `json:"started_at"`
	FinishedAt    *time.Time      `json:"finished_at"`
	UpdatedAt     time.Time       `json:"updated_at"`
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

// StartHistoryImport records a new bulk operation for the shop's import, from the first line;
// allOrders says whether it can read every order or the last 60 days only.
func StartHistoryImport(ctx context.Context, db *gorm.DB, shopID int64, operationID string, allOrders bool, now time.Time) error {
	return db.WithContext(ctx).Exec(`INSERT INTO history_imports (shop_id, state, operation_id, all_orders, started_at, attempts, updated_at)
		VALUES (?, ?, ?, ?, ?, 1, ?)
		ON CONFLICT (shop_id) DO UPDATE SET state = EXCLUDED.state, operation_id = EXCLUDED.operation_id, all_orders = EXCLUDED.all_orders,
			position = 0, customers = 0, orders = 0, error_count = 0, line_errors = '[]', last_error = '',
			total_lines = 0, storing_at = NULL,
			started_at = EXCLUDED.started_at, finished_at = NULL, attempts = history_imports.attempts + 1,
			updated_at = EXCLUDED.updated_at
		WHERE history_imports.shop_id = EXCLUDED.shop_id`, shopID, ImportRunning, operationID, allOrders, now, now).Error
}

// HistoryProgress is how far an import is, for the setup guide.
type HistoryProgress struct {
	Phase      string   `json:"phase"`                 // pending, exporting (Shopify runs the query), storing, deriving, done, failed
	Percent    int      `json:"percent"`               // of the result stored
	ETASeconds *float64 `json:"eta_seconds,omitempty"` // while storing, from the pace so far
}

// Progress tells the phase, the share stored and the time left at the pace so far.
func (h HistoryImport) Progress(now time.Time) HistoryProgress {
	p := HistoryProgress{Phase: h.State}
	switch {
	case h.State == ImportDone:
		p.Percent = 100
	case h.State != ImportRunning:
	case h.TotalLines == 0 || h.StoringAt == nil:
		p.Phase = "exporting"
	case h.Position >= h.TotalLines:
		p.Phase, p.Percent = "deriving", 100
	default:
		p.Phase, p.Percent = "storing", int(100*h.Position/h.TotalLines)
		if elapsed := now.Sub(*h.StoringAt).Seconds(); h.Position > 0 && elapsed > 0 {
			eta := elapsed * float64(h.TotalLines-h.Position) / float64(h.Position)
			p.ETASeconds = &eta
		}
	}
	return p
}

// MarkHistoryDownload records the size of the finished bulk result when storing it begins (a
// resumed import keeps the first start, so the pace counts the whole import).
func MarkHistoryDownload(ctx context.Context, db *gorm.DB, shopID, totalLines int64, now time.Time) error {
	return db.WithContext(ctx).Exec(`UPDATE history_imports SET total_lines = ?, storing_at = COALESCE(storing_at, ?), updated_at = ?
		WHERE shop_id = ?`, totalLines, now, now, shopID).Error
}

// StoreHistoryBatch stores a batch and adds what it added to the import's counts, in one
// transaction. Storing a batch again adds nothing, so it may be repeated after a crash.
func StoreHistoryBatch(ctx context.Context, db *gorm.DB, shopID int64, batch []HistoryOrder) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		n, err := StoreHistory(ctx, tx, shopID, batch)
		if err != nil || n.Orders+n.Customers == 0 {
			return err
		}
		return tx.Exec(`UPDATE history_imports SET orders = orders + ?, customers = customers + ?, updated_at = now()
			WHERE shop_id = ?`, n.Orders, n.Customers, shopID).Error
	})
}

// AdvanceHistoryImport moves the import's position to a line below which every order is
// stored, recording the malformed lines met before it (malformed lines after the last order
// leave the position where it is): a worker killed at any point resumes after that line,
// repeating at most the batches stored after it.
func AdvanceHistoryImport(ctx context.Context, db *gorm.DB, shopID int64, position int64, lineErrs []LineError) error {
	errs := []byte("[]")
	if len(lineErrs) > 0 {
		errs, _ = json.Marshal(lineErrs)
	}
	return db.WithContext(ctx).Exec(`UPDATE history_imports SET position = GREATEST(position, ?), error_count = error_count + ?,
			line_errors = CASE WHEN jsonb_array_length(line_errors) >= ? THEN line_errors ELSE line_errors || ?::jsonb END,
			updated_at = now()
		WHERE shop_id = ? AND position <= ?`, position, len(lineErrs), maxLineErrors, string(errs), shopID, position).Error
}

// FinishHistoryImport ends the import: done, or failed with the reason (the job retries it).
func FinishHistoryImport(ctx context.Context, db *gorm.DB, shopID int64, failure error, now time.Time) error {
	state, msg := ImportDone, ""
	if failure != nil {
		state, msg = ImportFailed, Truncate(failure.Error(), 500)
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

// HistoryImportState is the state of the shop's history import ("" before one was started).
func HistoryImportState(ctx context.Context, db *gorm.DB, shopID int64) (string, error) {
	var states []string
	if err := db.WithContext(ctx).Raw(`SELECT state FROM history_imports WHERE shop_id = ?`, shopID).Scan(&states).Error; err != nil {
		return "", fmt.Errorf("history import of shop %d: %w", shopID, err)
	}
	if len(states) == 0 {
		return "", nil
	}
	return states[0], nil
}

// FirstOrdersSince lists the orders placed since `since` that are their customer's only kept
// order (for the welcome held back while the history was imported). Placed, not stored: the
// orders the import stored were placed before it started.
func FirstOrdersSince(ctx context.Context, db *gorm.DB, shopID int64, since time.Time) ([]Order, error) {
	var out []Order
	err := db.WithContext(ctx).Raw(`SELECT o.* FROM orders o
		JOIN customers c ON c.shop_id = o.shop_id AND c.customer_id = o.customer_id
		WHERE o.shop_id = ? AND c.shop_id = ? AND c.orders_count = 1 AND COALESCE(o.processed_at, o.shopify_created_at) >= ?
		  AND o.cancelled_at IS NULL AND NOT o.test ORDER BY o.id`, shopID, shopID, since).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("first orders of shop %d: %w", shopID, err)
	}
	return out, nil
}

// WidenHistoryImport asks for the history to be imported again once read_all_orders is granted,
// when the import so far could read the last 60 days only (and is not running). It reports
// whether a new import is due.
func WidenHistoryImport(ctx context.Context, db *gorm.DB, shopID int64, now time.Time) (bool, error) {
	res := db.WithContext(ctx).Exec(`UPDATE history_imports SET state = ?, operation_id = '', position = 0, updated_at = ?
		WHERE shop_id = ? AND NOT all_orders AND state <> ?`, ImportPending, now, shopID, ImportRunning)
	if res.Error != nil {
		return false, fmt.Errorf("widen history import of shop %d: %w", shopID, res.Error)
	}
	return res.RowsAffected == 1, nil
}

// AnalyzeFacts refreshes the planner's statistics of the fact tables once an import stored a
// shop's past: a million new rows leave them describing an empty shop, and what is derived
// next runs set-based statements over them.
func AnalyzeFacts(ctx context.Context, db *gorm.DB) error {
	for _, table := range []string{"orders", "order_lines", "refunds", "customers"} {
		if err := db.WithContext(ctx).Exec("ANALYZE " + table).Error; err != nil {
			return fmt.Errorf("analyze %s: %w", table, err)
		}
	}
	return nil
}

// DeriveFromHistory brings the core's derived facts up to date once an import stored the
// shop's past: the subscriptions its selling-plan orders show (grace: the merchant's allowance
// past a renewal), and each buyer's order count, spend, gaps and stage. topTier names the
// program's top tier, which makes its members loyal ("" when none does); the tiers are
// derived first. Both are set-based statements over the shop, not one query a customer: a
// shop with 100,000 customers derives in seconds.
func DeriveFromHistory(ctx context.Context, db *gorm.DB, shopID int64, grace time.Duration, topTier string) error {
	if _, err := InferSubscriptionsFromHistory(ctx, db, shopID, grace, time.Now()); err != nil {
		return err
	}
	return deriveCustomerStats(ctx, db, shopID, topTier)
}

// deriveCustomerStats is RefreshCustomerStats for every buyer of the shop in one statement,
// with the same stage rule (StageFor): five kept orders, or the top tier, make a buyer loyal.
func deriveCustomerStats(ctx context.Context, db *gorm.DB, shopID int64, top string) error {
	q, args := Positional(keptOrderStats+` UPDATE customers c SET orders_count = s.n, total_spent = s.spent,
			first_order_at = s.first_at, last_order_at = s.last_at, median_gap_days = s.median_gap,
			second_order_days = s.second_gap, updated_at = now(),
			stage = CASE
				WHEN s.n >= 5 OR (@top::text <> '' AND EXISTS (SELECT 1 FROM loyalty_accounts a
					WHERE a.shop_id = @shop::bigint AND a.customer_id = c.customer_id AND a.tier = @top::text)) THEN '`+StageLoyal+`'
				WHEN s.n >= 3 THEN '`+StageRepeat+`'
				WHEN s.n = 2 THEN '`+StageTwoTime+`'
				ELSE '`+StageNew+`' END
		FROM stats s WHERE c.shop_id = @shop::bigint AND c.customer_id = s.customer_id`,
		map[string]any{"shop": shopID, "customers": customerSet(0), "now": time.Now().UTC(), "top": top}) // top "" matches no tier
	if err := db.WithContext(ctx).Exec(q, args...).Error; err != nil {
		return fmt.Errorf("derive customer stats of shop %d: %w", shopID, err)
	}
	return nil
}
