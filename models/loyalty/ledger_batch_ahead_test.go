package loyalty_test

import (
	"context"
	"testing"
	"time"

	"github.com/boomerang-app/boomerang/internal/testenv"
	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/models/loyalty"
)

// A batch reads a customer's tier measure before any of its books writes. An entry booked for
// the customer in the batch before their order settles (here a bonus, which counts in a
// points measure) makes that reading stale: the order's book must measure again. The bonus
// alone reaches Silver; a book that used the stale measure would put her back in Bronze. (Two
// guards stand in the way, either of which is enough here: the bonus's own book takes the
// reading to measure its tier, and the bonus marks her booked; without both the test fails.)
func TestBatchMeasureReadAheadGoesStaleWithAnEarlierEntry(t *testing.T) {
	db, shop := testenv.NewShop(t, "aheadstale")
	ctx := context.Background()
	now := time.Now().UTC().Add(time.Minute) // the batch's time, after the bonus (AwardBonus books at the clock's now)
	set := loyalty.DefaultLoyaltySettings()
	set.TierMeasure, set.TierWindow, set.EarnRate = loyalty.MeasurePoints, loyalty.WindowLifetime, loyalty.N("1")
	set.Tiers = []loyalty.Tier{{Name: "Bronze", Threshold: loyalty.N("0"), Multiplier: loyalty.N("1")},
		{Name: "Silver", Threshold: loyalty.N("1000"), Multiplier: loyalty.N("2")}}
	set.Bonus.FirstReview = 1000
	if err := loyalty.SaveLoyaltySettings(ctx, db, shop, set, "test", now); err != nil {
		t.Fatal(err)
	}
	if _, err := models.UpsertOrder(ctx, db, shop, testenv.PaidOrder(1, 41, "100.00", now.Add(-time.Hour))); err != nil {
		t.Fatal(err)
	}
	err := models.InTx(ctx, db, func(tx models.Tx) error {
		bctx, accounts, err := loyalty.LockAccounts(ctx, tx, shop, []int64{41}, now)
		if err != nil {
			return err
		}
		if err := accounts.ReadAhead(bctx, tx, []int64{1}); err != nil {
			return err
		}
		if _, err := loyalty.AwardBonus(bctx, tx.Gorm(), shop, 41, loyalty.BonusFirstReview, "review-9"); err != nil {
			return err
		}
		if err := loyalty.SettleBatchOrder(bctx, tx, accounts, 41, 1, now); err != nil {
			return err
		}
		return accounts.Flush(bctx, tx)
	})
	if err != nil {
		t.Fatal(err)
	}
	var acct struct {
		Tier    string
		Balance int64
	}
	db.Raw(`SELECT tier, balance FROM loyalty_accounts WHERE shop_id = ? AND customer_id = 41`, shop).Scan(&acct)
	// The order was paid before the bonus: it earns at Bronze's rate, 100 points.
	if acct.Tier != "Silver" || acct.Balance != 1100 {
		t.Fatalf("after the batch: tier %q, balance %d; want Silver and 1100", acct.Tier, acct.Balance)
	}
	if _, err := loyalty.VerifyLedger(ctx, db); err != nil {
		t.Fatal(err)
	}
}
