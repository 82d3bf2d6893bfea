package loyalty_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/boomerang-app/boomerang/internal/testenv"
	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/models/loyalty"
)

// A batch writes the earn entries it held back with one statement, and refuses to commit when
// one of them was posted meanwhile: the batch's view of the ledger was wrong, so it rolls back
// whole (and its deliveries go on one at a time) rather than leave a balance that counts an
// entry the ledger does not hold.
func TestAccountBatchRefusesAnEntryPostedMeanwhile(t *testing.T) {
	db, shop := testenv.NewShop(t, "heldearn")
	ctx := context.Background()
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	if _, err := models.UpsertOrder(ctx, db, shop, testenv.PaidOrder(1, 41, "20.00", now)); err != nil {
		t.Fatal(err)
	}
	errConflict := errors.New("conflict seen")
	err := models.InTx(ctx, db, func(tx models.Tx) error {
		bctx, accounts, err := loyalty.LockAccounts(ctx, tx, shop, []int64{41}, now)
		if err != nil {
			return err
		}
		if _, err := loyalty.SettleOrderLoyaltyFor(bctx, tx.Gorm(), shop, 41, 1, now); err != nil {
			return err
		}
		var held int64
		tx.Gorm().Raw(`SELECT count(*) FROM ledger_entries WHERE shop_id = ?`, shop).Scan(&held)
		if held != 0 {
			t.Errorf("the earn entry was written at once (%d rows), not held for the batch", held)
		}
		// Another writer posts the same order's earn behind the batch's back.
		if err := tx.Gorm().Exec(`INSERT INTO ledger_entries (shop_id, customer_id, kind, points, balance_after, amount,
				order_id, source_type, source_id, occurred_at, available_at)
			VALUES (?, 41, 'earn', 100, 100, 20, 1, 'order', '1', ?, ?)`, shop, now, now).Error; err != nil {
			return err
		}
		err = accounts.Flush(bctx, tx)
		if err == nil || !strings.Contains(err.Error(), "posted already") {
			t.Fatalf("flush after a conflicting post: %v", err)
		}
		return errConflict
	})
	if !errors.Is(err, errConflict) {
		t.Fatal(err)
	}
	var entries int64
	db.Raw(`SELECT count(*) FROM ledger_entries WHERE shop_id = ?`, shop).Scan(&entries)
	if entries != 0 {
		t.Fatalf("%d entries left after the rollback", entries)
	}
}
