package loyalty_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/boomerang-app/boomerang/internal/testenv"
	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/models/loyalty"
)

// loyaltyDB is a database of the test's own.
func loyaltyDB(t *testing.T) (*gorm.DB, string) {
	t.Helper()
	return testenv.DB(t)
}

var t0 = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)

func deliverOrder(t *testing.T, db *gorm.DB, shop int64, f models.OrderFact, now time.Time) {
	t.Helper()
	ctx := context.Background()
	if _, err := models.UpsertOrder(ctx, db, shop, f); err != nil {
		t.Fatal(err)
	}
	if err := loyalty.SettleOrderLoyalty(ctx, db, shop, f.OrderID, now); err != nil {
		t.Fatal(err)
	}
}

func balance(t *testing.T, db *gorm.DB, shop, cust int64) int64 {
	t.Helper()
	a, err := loyalty.GetLoyaltyAccount(context.Background(), db, shop, cust)
	if err != nil {
		t.Fatal(err)
	}
	return a.Balance
}

func verify(t *testing.T, db *gorm.DB) {
	t.Helper()
	if _, err := loyalty.VerifyLedger(context.Background(), db); err != nil {
		t.Fatal(err)
	}
}

func TestLoyaltyEarnOnceAtTierMultiplier(t *testing.T) {
	db, shop := testenv.NewShop(t, "loyalty")
	// 100.00 at 5 points per unit, Bronze ×1.
	deliverOrder(t, db, shop, testenv.PaidOrder(1, 7, "100.00", t0), t0)
	deliverOrder(t, db, shop, testenv.PaidOrder(1, 7, "100.00", t0), t0)
	if got := balance(t, db, shop, 7); got != 500 {
		t.Fatalf("balance after one order delivered twice = %d, want 500", got)
	}
	// 450 more reaches Silver (500 spent) — this order still earns at Bronze.
	deliverOrder(t, db, shop, testenv.PaidOrder(2, 7, "450.00", t0.Add(time.Hour)), t0.Add(time.Hour))
	if got := balance(t, db, shop, 7); got != 500+2250 {
		t.Fatalf("balance = %d, want 2750", got)
	}
	a, _ := loyalty.GetLoyaltyAccount(context.Background(), db, shop, 7)
	if a.Tier != "Silver" {
		t.Fatalf("tier = %q, want Silver", a.Tier)
	}
	// The next order earns at Silver's 1.25: 10.99 × 5 × 1.25 = 68.6875 → 68.
	deliverOrder(t, db, shop, testenv.PaidOrder(3, 7, "10.99", t0.Add(2*time.Hour)), t0.Add(2*time.Hour))
	if got := balance(t, db, shop, 7); got != 2750+68 {
		t.Fatalf("balance = %d, want 2818", got)
	}
	verify(t, db)
}

// The invariant check must catch a balance that drifted from its entries, and name the account.
func TestLoyaltyVerifyNamesTheBrokenAccount(t *testing.T) {
	db, shop := testenv.NewShop(t, "loyalty")
	deliverOrder(t, db, shop, testenv.PaidOrder(1, 7, "10.00", t0), t0)
	deliverOrder(t, db, shop, testenv.PaidOrder(2, 8, "10.00", t0), t0)
	verify(t, db)
	if err := db.Exec(`UPDATE loyalty_accounts SET balance = balance + 1 WHERE shop_id = ? AND customer_id = 8`, shop).Error; err != nil {
		t.Fatal(err)
	}
	_, err := loyalty.VerifyLedger(context.Background(), db)
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("shop %d customer 8:", shop)) {
		t.Fatalf("verify after corrupting customer 8: %v", err)
	}
	if err := db.Exec(`UPDATE loyalty_accounts SET balance = balance - 1 WHERE shop_id = ? AND customer_id = 8`, shop).Error; err != nil {
		t.Fatal(err)
	}
	if err := db.Exec(`UPDATE ledger_entries SET balance_after = balance_after + 3 WHERE shop_id = ? AND customer_id = 7`, shop).Error; err != nil {
		t.Fatal(err)
	}
	if _, err := loyalty.VerifyLedger(context.Background(), db); err == nil || !strings.Contains(err.Error(), "customer 7") {
		t.Fatalf("verify after corrupting customer 7's running balance: %v", err)
	}
}
