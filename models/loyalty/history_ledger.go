package loyalty

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"
	"gorm.io/gorm"

	"github.com/boomerang-app/boomerang/models"
)

// A shop's past in the points ledger (issue 11). Tier windows are measured from ledger entries,
// so a customer's orders from before install count towards their tier only as entries: one
// `history` entry a past paid order, carrying its money and no points. They are written once the
// import has stored the orders, for the orders inside the tier window, and the tiers they earn
// are set without a word to the customer: history is facts, not news.

// Ledger kinds of the past.
const (
	EntryHistory = "history" // a past order's money for the tier measure; 0 points
	EntryOpening = "opening" // points granted once for a past order, or carried over from another app
)

// historyLedgerChunk is how many customers' history one transaction writes.
const historyLedgerChunk = 5000

// historyLedgerWriters is how many chunks are written at once.
const historyLedgerWriters = 2

// LedgerHistory writes the history entries of the shop's orders paid before `before` (the
// install) inside the tier window (all of them for a lifetime window), and sets the
// tiers they reach. An order paid since is the live path's to credit, and an order with any
// entry already (a live webhook credited it) is skipped, so an order never counts twice. It
// returns the entries written.
func LedgerHistory(ctx context.Context, db *gorm.DB, shopID int64, before, now time.Time) (int64, error) {
	set, err := LoadLoyaltySettings(ctx, db, shopID)
	if err != nil {
		return 0, err
	}
	since := set.windowsAt(now, true)[0].From // the earliest span comes first
	// Chunks of customers are disjoint, so historyLedgerWriters of them are written at once:
	// Postgres does the work, and the worker's own cores are otherwise idle by now.
	var written atomic.Int64
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(historyLedgerWriters)
	var after int64
	for gctx.Err() == nil {
		// Pages of the customers table (its unique index alone): the statements below find
		// each page's orders by the orders' customer index.
		var ids []int64
		if err := db.WithContext(gctx).Raw(`SELECT customer_id FROM customers
			WHERE shop_id = ? AND customer_id > ? ORDER BY customer_id LIMIT ?`,
			shopID, after, historyLedgerChunk).Scan(&ids).Error; err != nil {
			_ = g.Wait()
			return written.Load(), fmt.Errorf("history ledger of shop %d: %w", shopID, err)
		}
		if len(ids) == 0 {
			break
		}
		lo, hi := ids[0], ids[len(ids)-1]
		g.Go(func() error {
			n, err := ledgerHistoryChunk(gctx, db, shopID, lo, hi, since, before, now)
			written.Add(n)
			return err
		})
		after = hi
	}
	if err := g.Wait(); err != nil {
		return written.Load(), err
	}
	return written.Load(), setHistoryTiers(ctx, db, set, shopID, since, now)
}

// ledgerHistoryChunk writes the entries of customers lo..hi in one transaction. The accounts are
// created when missing and locked first, as a live credit locks its account: each entry's
// balance_after is the balance it is appended to.
func ledgerHistoryChunk(ctx context.Context, db *gorm.DB, shopID, lo, hi int64, since, before, now time.Time) (int64, error) {
	var n int64
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec(`INSERT INTO loyalty_accounts (shop_id, customer_id, created_at, updated_at)
			SELECT DISTINCT shop_id, customer_id, ?::timestamptz, ?::timestamptz FROM orders
			WHERE shop_id = ? AND customer_id BETWEEN ? AND ? AND paid_at >= ?
			ON CONFLICT (shop_id, customer_id) DO NOTHING`, now, now, shopID, lo, hi, since).Error; err != nil {
			return fmt.Errorf("history accounts: %w", err)
		}
		if err := tx.Exec(`SELECT 1 FROM loyalty_accounts WHERE shop_id = ? AND customer_id BETWEEN ? AND ?
			ORDER BY customer_id FOR UPDATE`, shopID, lo, hi).Error; err != nil {
			return fmt.Errorf("lock history accounts: %w", err)
		}
		res := tx.Exec(`INSERT INTO ledger_entries (shop_id, customer_id, kind, points, balance_after, remaining, amount,
				order_id, source_type, source_id, reason, occurred_at, available_at, created_at)
			SELECT o.shop_id, o.customer_id, ?, 0, a.balance, 0, o.subtotal - COALESCE(r.refunded, 0),
				o.order_id, ?, o.order_id::text, 'order before install', o.paid_at, o.paid_at, ?::timestamptz
			FROM orders o
			JOIN loyalty_accounts a ON a.shop_id = o.shop_id AND a.customer_id = o.customer_id
			LEFT JOIN LATERAL (SELECT sum(f.subtotal) AS refunded FROM refunds f
				WHERE f.shop_id = o.shop_id AND f.order_id = o.order_id) r ON true
			WHERE o.shop_id = ? AND o.customer_id BETWEEN ? AND ? AND o.paid_at >= ? AND o.paid_at < ?
			  AND o.cancelled_at IS NULL AND NOT o.test AND o.subtotal - COALESCE(r.refunded, 0) > 0
			  AND NOT EXISTS (SELECT 1 FROM ledger_entries e WHERE e.shop_id = ? AND e.order_id = o.order_id)
			ON CONFLICT (shop_id, source_type, source_id, kind) DO NOTHING`,
			EntryHistory, SourceOrder, now, shopID, lo, hi, since, before, shopID)
		n = res.RowsAffected
		return res.Error
	})
	if err != nil {
		return 0, fmt.Errorf("history ledger of shop %d: %w", shopID, err)
	}
	return n, nil
}

// setHistoryTiers raises each account to the tier its measure over the window reaches, in one
// statement for the shop (the same rule as reevaluateTier: the best of the window's spans,
// the highest threshold met), and quietly: no tier_changed. It only ever raises a tier, so an
// account the live path moved keeps what it has unless its past earns it more.
func setHistoryTiers(ctx context.Context, db *gorm.DB, set ProgramSettings, shopID int64, since, now time.Time) error {
	if len(set.Tiers) == 0 {
		return nil
	}
	col, where := set.measureSQL()
	var sums []string
	var args []any
	for _, sp := range set.windowsAt(now, true) {
		op := "<"
		if sp.Incl {
			op = "<="
		}
		sums = append(sums, fmt.Sprintf("COALESCE(sum(%s) FILTER (WHERE occurred_at >= ? AND occurred_at %s ?), 0)", col, op))
		args = append(args, sp.From, sp.To)
	}
	measure := sums[0]
	if len(sums) > 1 {
		measure = "GREATEST(" + strings.Join(sums, ", ") + ")"
	}
	names := make([]string, len(set.Tiers))
	thresholds := make([]string, len(set.Tiers))
	for i, t := range set.Tiers {
		names[i], thresholds[i] = t.Name, t.Threshold.String()
	}
	args = append(args, shopID, since, models.Array(names), models.Array(thresholds), now, now, shopID)
	err := db.WithContext(ctx).Exec(`WITH m AS (
			SELECT customer_id, `+measure+` AS v FROM ledger_entries
			WHERE shop_id = ? AND occurred_at >= ? AND `+where+` GROUP BY customer_id
		), tiers AS (
			SELECT name, threshold, idx FROM unnest(?::text[], ?::numeric[]) WITH ORDINALITY AS t(name, threshold, idx)
		), reached AS (
			SELECT m.customer_id, max(tiers.idx) AS idx FROM m JOIN tiers ON m.v >= tiers.threshold GROUP BY m.customer_id
		)
		UPDATE loyalty_accounts a SET tier = (SELECT name FROM tiers WHERE tiers.idx = r.idx), tier_since = ?,
			tier_version = a.tier_version + 1, updated_at = ?
		FROM reached r
		WHERE a.shop_id = ? AND a.customer_id = r.customer_id
		  AND r.idx > COALESCE((SELECT idx FROM tiers WHERE tiers.name = a.tier), 0)`, args...).Error
	if err != nil {
		return fmt.Errorf("history tiers of shop %d: %w", shopID, err)
	}
	return nil
}
