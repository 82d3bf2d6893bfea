package loyalty

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/boomerang-app/boomerang/models"
	"gorm.io/gorm"
)

// AccountBatch holds the points accounts a batch transaction has locked: they are locked with
// one statement for the whole batch and written back with one at its end, and every book the
// batch opens for them reads and changes these copies. A book for a customer outside the batch
// (a referrer) locks and writes its own row as usual.
//
// The batch also holds back the earn entries its books append, to write them with one
// statement: a book reads a customer's ledger only after writing what is held back for that
// customer (book.sync), and any entry written at once first writes the held-back ones, so
// every customer's entries still get their ids in the order they were booked.
type AccountBatch struct {
	shopID  int64
	now     time.Time
	accts   map[int64]*LoyaltyAccount
	dirty   map[int64]bool
	pending []*LedgerEntry
	heldFor map[int64]bool // customers with entries in pending
	booked  map[int64]bool // customers with an entry booked in the batch (for the batch's own accounts)
	settled map[int64]bool // customers whose orders the batch settled → whether they hold the top tier

	facts    map[int64]orderFacts   // order → facts read ahead (ReadAhead), each taken once
	measures map[int64]measureAhead // customer → tier measure read ahead, taken once
}

type accountBatchKey struct{}

// LockAccounts locks (creating when missing) the customers' accounts for the rest of tx and
// returns ctx carrying them for the books opened in tx. Flush must run before tx commits.
func LockAccounts(ctx context.Context, tx models.Tx, shopID int64, customers []int64, now time.Time) (context.Context, *AccountBatch, error) {
	ab := &AccountBatch{shopID: shopID, now: now.UTC(), accts: map[int64]*LoyaltyAccount{}, dirty: map[int64]bool{},
		heldFor: map[int64]bool{}, booked: map[int64]bool{}, settled: map[int64]bool{}}
	if len(customers) == 0 {
		return ctx, ab, nil
	}
	rows := make([]string, len(customers))
	args := make([]any, 0, 4*len(customers))
	for i, c := range customers {
		rows[i] = "(?, ?, ?, ?)"
		args = append(args, shopID, c, ab.now, ab.now)
	}
	// The caller passes customers sorted: every batch locks in the same order.
	var accts []LoyaltyAccount
	err := tx.Gorm().WithContext(ctx).Raw(`INSERT INTO loyalty_accounts AS a (shop_id, customer_id, created_at, updated_at)
		VALUES `+strings.Join(rows, ", ")+`
		ON CONFLICT (shop_id, customer_id) DO UPDATE SET updated_at = a.updated_at RETURNING `+accountCols, args...).Find(&accts).Error
	if err != nil {
		return ctx, nil, fmt.Errorf("lock %d points accounts: %w", len(customers), err)
	}
	for i := range accts {
		ab.accts[accts[i].CustomerID] = &accts[i]
	}
	return context.WithValue(ctx, accountBatchKey{}, ab), ab, nil
}

// batchAccount is the batch's copy of an account, when ctx carries a batch that holds it.
func batchAccount(ctx context.Context, shopID, customerID int64) (*AccountBatch, *LoyaltyAccount) {
	ab, ok := ctx.Value(accountBatchKey{}).(*AccountBatch)
	if !ok || ab.shopID != shopID || ab.accts[customerID] == nil {
		return nil, nil
	}
	return ab, ab.accts[customerID]
}

// keep takes a closed book's account back into the batch, to be written by Flush.
func (ab *AccountBatch) keep(a LoyaltyAccount) {
	*ab.accts[a.CustomerID] = a
	ab.dirty[a.CustomerID] = true
}

// hold keeps an entry back for writeHeld.
func (ab *AccountBatch) hold(e *LedgerEntry) {
	ab.pending = append(ab.pending, e)
	ab.heldFor[e.CustomerID] = true
}

// writeHeld writes the held-back entries in one statement, in the order they were booked. The
// books that held them checked their keys were not posted yet, under the locks the batch holds,
// so a conflict means the batch's view was wrong: it fails, and its deliveries go on one at a
// time, where every entry is written as it is booked.
func (ab *AccountBatch) writeHeld(ctx context.Context, tx *gorm.DB) error {
	if len(ab.pending) == 0 {
		return nil
	}
	n := len(ab.pending)
	args := make([]any, 0, 16*n)
	for _, e := range ab.pending {
		args = append(args, e.insertArgs()...)
	}
	res := tx.WithContext(ctx).Exec(entryInsert(n), args...)
	if res.Error != nil {
		return fmt.Errorf("append %d ledger entries: %w", n, res.Error)
	}
	if res.RowsAffected != int64(n) {
		return fmt.Errorf("append %d ledger entries: %d were posted already", n, int64(n)-res.RowsAffected)
	}
	ab.pending, ab.heldFor = ab.pending[:0], map[int64]bool{}
	return nil
}

// Flush writes the entries held back and the accounts the batch changed, a statement each.
func (ab *AccountBatch) Flush(ctx context.Context, tx models.Tx) error {
	if err := ab.writeHeld(ctx, tx.Gorm()); err != nil {
		return err
	}
	if len(ab.dirty) == 0 {
		return nil
	}
	var rows []string
	args := []any{ab.now}
	for c := range ab.dirty {
		a := ab.accts[c]
		rows = append(rows, "(?::bigint, ?::bigint, ?::text, ?::timestamptz, ?::int, ?::text, ?::timestamptz, ?::timestamptz)")
		args = append(args, a.CustomerID, a.Balance, a.Tier, a.TierSince, a.TierVersion, a.TierFloor, a.TierFloorUntil, a.LastActivityAt)
	}
	args = append(args, ab.shopID)
	err := tx.Gorm().WithContext(ctx).Exec(`UPDATE loyalty_accounts a SET balance = v.balance, tier = v.tier,
			tier_since = v.tier_since, tier_version = v.tier_version, tier_floor = v.tier_floor,
			tier_floor_until = v.tier_floor_until, last_activity_at = v.last_activity_at, updated_at = ?
		FROM (VALUES `+strings.Join(rows, ", ")+`) AS v (customer_id, balance, tier, tier_since, tier_version, tier_floor,
			tier_floor_until, last_activity_at)
		WHERE a.shop_id = ? AND a.customer_id = v.customer_id`, args...).Error
	if err != nil {
		return fmt.Errorf("write %d points accounts: %w", len(rows), err)
	}
	ab.dirty = map[int64]bool{}
	return nil
}
