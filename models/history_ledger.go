package models

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
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
const historyLedgerChunk = 2000

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
	var written int64
	var after int64
	for {
		var ids []int64
		if err := db.WithContext(ctx).Raw(`SELECT DISTINCT customer_id FROM orders
			WHERE shop_id = ? AND customer_id > ? AND paid_at >= ? ORDER BY customer_id LIMIT ?`,
			shopID, after, since, historyLedgerChunk).Scan(&ids).Error; err != nil {
			return written, fmt.Errorf("history ledger of shop %d: %w", shopID, err)
		}
		if len(ids) == 0 {
			break
		}
		n, err := ledgerHistoryChunk(ctx, db, shopID, ids[0], ids[len(ids)-1], since, before, now)
		if err != nil {
			return written, err
		}
		written += n
		after = ids[len(ids)-1]
	}
	return written, setHistoryTiers(ctx, db, set, shopID, since, now)
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
			LEFT JOIN (SELECT order_id, sum(subtotal) AS refunded FROM refunds WHERE shop_id = ? GROUP BY order_id) r
			  ON r.order_id = o.order_id
			WHERE o.shop_id = ? AND o.customer_id BETWEEN ? AND ? AND o.paid_at >= ? AND o.paid_at < ?
			  AND o.cancelled_at IS NULL AND NOT o.test AND o.subtotal - COALESCE(r.refunded, 0) > 0
			  AND NOT EXISTS (SELECT 1 FROM ledger_entries e WHERE e.shop_id = ? AND e.order_id = o.order_id)
			ON CONFLICT (shop_id, source_type, source_id, kind) DO NOTHING`,
			EntryHistory, SourceOrder, now, shopID, shopID, lo, hi, since, before, shopID)
		n = res.RowsAffected
		return res.Error
	})
	if err != nil {
		return 0, fmt.Errorf("history ledger of shop %d: %w", shopID, err)
	}
	return n, nil
}

// setHistoryTiers sets the tier of every customer whose measure since the window's start could
// reach a tier above the entry tier; the rest stay as they are. Quietly: no tier_changed.
func setHistoryTiers(ctx context.Context, db *gorm.DB, set ProgramSettings, shopID int64, since, now time.Time) error {
	var lowest *Tier
	for i := range set.Tiers {
		if set.Tiers[i].Threshold.IsPositive() {
			lowest = &set.Tiers[i]
			break
		}
	}
	if lowest == nil {
		return nil
	}
	col, where := set.measureSQL()
	var custs []int64
	if err := db.WithContext(ctx).Raw(`SELECT customer_id FROM ledger_entries
		WHERE shop_id = ? AND occurred_at >= ? AND `+where+`
		GROUP BY customer_id HAVING sum(`+col+`) >= ? ORDER BY customer_id`,
		shopID, since, lowest.Threshold.Decimal).Scan(&custs).Error; err != nil {
		return fmt.Errorf("history tiers of shop %d: %w", shopID, err)
	}
	for _, c := range custs {
		err := withBook(ctx, db, set, shopID, c, now, func(b *book) error {
			b.quiet = true
			return b.reevaluateTier()
		})
		if err != nil {
			return fmt.Errorf("history tier of %d: %w", c, err)
		}
	}
	return nil
}
