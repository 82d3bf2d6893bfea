package loyalty_test

import (
	"context"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"gorm.io/gorm"

	"github.com/boomerang-app/boomerang/internal/testenv"
	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/models/loyalty"
)

type lotRow struct {
	ID        int64
	Remaining int64
	ExpiresAt *time.Time
}

// unspent lists a customer's unspent credits, oldest first.
func unspent(t *testing.T, db *gorm.DB, shop, cust int64) []lotRow {
	t.Helper()
	var out []lotRow
	if err := db.Raw(`SELECT id, remaining, expires_at FROM ledger_entries WHERE shop_id = ? AND customer_id = ? AND remaining > 0 ORDER BY id`,
		shop, cust).Scan(&out).Error; err != nil {
		t.Fatal(err)
	}
	return out
}

func sameLots(a, b []lotRow) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].ID != b[i].ID || a[i].Remaining != b[i].Remaining || (a[i].ExpiresAt == nil) != (b[i].ExpiresAt == nil) ||
			(a[i].ExpiresAt != nil && !a[i].ExpiresAt.Equal(*b[i].ExpiresAt)) {
			return false
		}
	}
	return true
}

// Points given back — Shopify refused the discount, or the order that used the reward was
// refunded in full — return to the lots they were spent from, with their own expiry.
func TestRedemptionPointsGoBackToTheirLots(t *testing.T) {
	db, shop := testenv.NewShop(t, "loyalty")
	ctx := context.Background()
	set := loyalty.DefaultLoyaltySettings()
	set.ExpiryMode, set.ExpiryMonths = loyalty.ExpiryBatch, 12
	if err := loyalty.SaveLoyaltySettings(ctx, db, shop, set, "staff", t0); err != nil {
		t.Fatal(err)
	}
	const cust = 5
	deliverOrder(t, db, shop, testenv.PaidOrder(1, cust, "100.00", t0), t0)                  // 500 points
	deliverOrder(t, db, shop, testenv.PaidOrder(2, cust, "100.00", t0.AddDate(0, 2, 0)), t0) // 500 more, a later batch
	now := t0.AddDate(0, 3, 0)
	before := unspent(t, db, shop, cust)
	if len(before) != 2 || before[0].ExpiresAt == nil {
		t.Fatalf("lots before: %+v", before)
	}

	// Refused: the 500 points come back to the first batch, expiring when it does.
	r, err := loyalty.ReserveRedemption(ctx, db, shop, cust, "5 off", "", now)
	if err != nil {
		t.Fatal(err)
	}
	if got := unspent(t, db, shop, cust); len(got) != 1 {
		t.Fatalf("after reserving 500 of the oldest batch: %+v", got)
	}
	if r, err = loyalty.IssueRedemption(ctx, db, &scriptedShopify{next: "refuse"}, "s.myshopify.com", shop, r.ID, now); err != nil || r.Status != loyalty.RedemptionFailed {
		t.Fatalf("refused: %+v, %v", r, err)
	}
	if got := unspent(t, db, shop, cust); !sameLots(got, before) {
		t.Fatalf("after the refusal: lots %+v, want the original %+v", got, before)
	}
	verify(t, db)

	// Issued and used on an order: a partial refund keeps the reward spent, a full one gives it back.
	r, err = loyalty.ReserveRedemption(ctx, db, shop, cust, "5 off", "", now)
	if err != nil {
		t.Fatal(err)
	}
	if r, err = loyalty.IssueRedemption(ctx, db, &scriptedShopify{next: "ok"}, "s.myshopify.com", shop, r.ID, now); err != nil || r.Status != loyalty.RedemptionIssued {
		t.Fatalf("issued: %+v, %v", r, err)
	}
	used := testenv.PaidOrder(3, cust, "40.00", now)
	used.DiscountCodes = []string{"welcome10", r.Code}
	deliverOrder(t, db, shop, used, now)
	afterUse := balance(t, db, shop, cust)
	refund := func(id int64, amount string) {
		t.Helper()
		if _, err := models.RecordRefund(ctx, db, shop, models.Refund{RefundID: id, OrderID: 3, Subtotal: decimal.RequireFromString(amount)}); err != nil {
			t.Fatal(err)
		}
		if err := loyalty.SettleRefundLoyalty(ctx, db, shop, 3, now); err != nil {
			t.Fatal(err)
		}
	}
	refund(31, "10.00")
	if got, _ := loyalty.GetRedemption(ctx, db, shop, r.ID); got.Status != loyalty.RedemptionIssued {
		t.Fatalf("after a partial refund the reward is %s", got.Status)
	}
	refund(32, "30.00")
	got, _ := loyalty.GetRedemption(ctx, db, shop, r.ID)
	if got.Status != loyalty.RedemptionReturned {
		t.Fatalf("after a full refund the reward is %s", got.Status)
	}
	// The order's own 200 points are clawed back, the reward's 500 come back.
	if b := balance(t, db, shop, cust); b != afterUse-200+500 {
		t.Fatalf("balance %d, want %d", b, afterUse-200+500)
	}
	if lots := unspent(t, db, shop, cust); lots[0].ID != before[0].ID {
		t.Fatalf("the reward's points did not return to their batch: %+v", lots)
	}
	refund(33, "1.00") // settling again gives nothing back twice
	if b := balance(t, db, shop, cust); b != afterUse-200+500 {
		t.Fatalf("balance after settling again %d", b)
	}
	verify(t, db)
}
