package loyalty_test

import (
	"context"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/boomerang-app/boomerang/internal/testenv"
	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/models/loyalty"
)

func customer(t *testing.T, db *gorm.DB, shop, id int64, email string) {
	t.Helper()
	if _, err := models.UpsertCustomer(context.Background(), db, shop, models.CustomerFact{CustomerID: id, Email: email, State: "enabled"}); err != nil {
		t.Fatal(err)
	}
}

func referredOrder(id, cust int64, subtotal, code string, at time.Time) models.OrderFact {
	f := testenv.PaidOrder(id, cust, subtotal, at)
	f.LandingSite = "/products/coffee?utm_source=friend&ref=" + code
	return f
}

func referralStatus(t *testing.T, db *gorm.DB, shop, friend int64) (string, string) {
	t.Helper()
	var r loyalty.Referral
	if err := models.Scoped(context.Background(), db, shop).Where("friend_id = ?", friend).First(&r).Error; err != nil {
		return "", ""
	}
	return r.Status, r.Reason
}

func TestLoyaltyReferralRewardsAndFraudRules(t *testing.T) {
	db, shop := testenv.NewShop(t, "loyalty")
	ctx := context.Background()
	program(t, db, shop, t0, func(s *loyalty.LoyaltySettings) {
		s.ExpiryMode, s.Tiers = loyalty.ExpiryOff, nil
		s.Referral.WeeklyLimit = 2
	})
	customer(t, db, shop, 1, "Ann.Lee+shop@gmail.com")
	code, err := loyalty.EnsureReferralCode(ctx, db, shop, 1)
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := loyalty.EnsureReferralCode(ctx, db, shop, 1); again != code || len(code) != 8 {
		t.Fatalf("referral code %q then %q", code, again)
	}

	// A friend's first order: the friend gets 500 welcome points, the referrer 500.
	customer(t, db, shop, 2, "bob@example.com")
	deliverOrder(t, db, shop, referredOrder(10, 2, "20.00", code, t0), t0)
	if got := balance(t, db, shop, 2); got != 100+500 {
		t.Fatalf("friend balance %d, want 600", got)
	}
	if got := balance(t, db, shop, 1); got != 500 {
		t.Fatalf("referrer balance %d, want 500", got)
	}
	if n := len(events(t, db, shop, models.EventReferralRewarded)); n != 1 {
		t.Fatalf("%d referral_rewarded events", n)
	}
	deliverOrder(t, db, shop, referredOrder(10, 2, "20.00", code, t0), t0) // redelivered: nothing new
	if balance(t, db, shop, 1) != 500 || balance(t, db, shop, 2) != 600 {
		t.Fatal("a redelivered referred order paid again")
	}

	// Refused: the referrer's own order, the same mailbox under another account, a friend who
	// had bought before.
	deliverOrder(t, db, shop, referredOrder(11, 1, "20.00", code, t0), t0)
	customer(t, db, shop, 3, "annlee@gmail.com")
	deliverOrder(t, db, shop, referredOrder(12, 3, "20.00", code, t0), t0)
	customer(t, db, shop, 4, "dan@example.com")
	deliverOrder(t, db, shop, testenv.PaidOrder(13, 4, "20.00", t0.Add(-time.Hour)), t0)
	deliverOrder(t, db, shop, referredOrder(14, 4, "20.00", code, t0), t0)
	for friend, reason := range map[int64]string{1: loyalty.ReasonSelfReferral, 3: loyalty.ReasonSameEmail, 4: loyalty.ReasonNotFirstOrder} {
		if st, why := referralStatus(t, db, shop, friend); st != loyalty.ReferralRejected || why != reason {
			t.Errorf("friend %d: %s %s, want rejected %s", friend, st, why, reason)
		}
	}
	if got := balance(t, db, shop, 1); got != 500+100 {
		t.Fatalf("referrer balance %d after refused referrals, want 600 (its own order's points only)", got)
	}

	// Weekly limit of 2: the third friend within the week earns the referrer nothing.
	customer(t, db, shop, 5, "eve@example.com")
	deliverOrder(t, db, shop, referredOrder(15, 5, "20.00", code, t0.Add(time.Hour)), t0.Add(time.Hour))
	customer(t, db, shop, 6, "fay@example.com")
	deliverOrder(t, db, shop, referredOrder(16, 6, "20.00", code, t0.Add(2*time.Hour)), t0.Add(2*time.Hour))
	if st, why := referralStatus(t, db, shop, 6); st != loyalty.ReferralRejected || why != loyalty.ReasonWeeklyLimit {
		t.Fatalf("third referral of the week: %s %s", st, why)
	}
	if got := balance(t, db, shop, 1); got != 600+500 {
		t.Fatalf("referrer balance %d, want 1100", got)
	}
	verify(t, db)
}

func TestLoyaltyReferralWaitsForThePendingPeriod(t *testing.T) {
	db, shop := testenv.NewShop(t, "loyalty")
	ctx := context.Background()
	program(t, db, shop, t0, func(s *loyalty.LoyaltySettings) {
		s.ExpiryMode, s.Tiers, s.PendingDays = loyalty.ExpiryOff, nil, 14
	})
	customer(t, db, shop, 1, "ann@example.com")
	code, _ := loyalty.EnsureReferralCode(ctx, db, shop, 1)
	customer(t, db, shop, 2, "bob@example.com")
	customer(t, db, shop, 3, "cy@example.com")
	deliverOrder(t, db, shop, referredOrder(20, 2, "20.00", code, t0), t0)
	deliverOrder(t, db, shop, referredOrder(21, 3, "20.00", code, t0), t0)
	st, _ := loyalty.LoyaltyStatementOf(ctx, db, shop, 2, t0)
	if st.Pending != 600 || st.Spendable != 0 {
		t.Fatalf("friend statement %+v, want 600 pending", st)
	}
	nightly(t, db, shop, t0.AddDate(0, 0, 13))
	if got := balance(t, db, shop, 1); got != 0 {
		t.Fatalf("referrer paid %d before the pending period ended", got)
	}
	// Friend 3's order is refunded in full before it qualifies: that referral is void.
	if _, err := models.RecordRefund(ctx, db, shop, models.Refund{RefundID: 900, OrderID: 21, Subtotal: testenv.PaidOrder(0, 0, "20.00", t0).Subtotal}); err != nil {
		t.Fatal(err)
	}
	if err := loyalty.SettleRefundLoyalty(ctx, db, shop, 21, t0.AddDate(0, 0, 5)); err != nil {
		t.Fatal(err)
	}
	nightly(t, db, shop, t0.AddDate(0, 0, 14).Add(time.Hour))
	if got := balance(t, db, shop, 1); got != 500 {
		t.Fatalf("referrer balance %d after the pending period, want 500 (one friend's order stood)", got)
	}
	if s, why := referralStatus(t, db, shop, 3); s != loyalty.ReferralVoid || why != loyalty.ReasonOrderUndone {
		t.Fatalf("refunded friend's referral: %s %s", s, why)
	}
	verify(t, db)
}

func TestLoyaltyBonuses(t *testing.T) {
	db, shop := testenv.NewShop(t, "loyalty")
	ctx := context.Background()
	customer(t, db, shop, 1, "ann@example.com")
	if err := loyalty.CustomerLoyaltyUpdate(ctx, db, shop, 1, t0); err != nil {
		t.Fatal(err)
	}
	if err := loyalty.CustomerLoyaltyUpdate(ctx, db, shop, 1, t0); err != nil {
		t.Fatal(err)
	}
	if got := balance(t, db, shop, 1); got != 50 {
		t.Fatalf("sign-up bonus given twice or not at all: balance %d", got)
	}
	err := db.Transaction(func(tx *gorm.DB) error {
		for _, review := range []string{"r1", "r2", "r1"} {
			if _, err := loyalty.AwardBonus(ctx, tx, shop, 1, loyalty.BonusFirstReview, review); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := balance(t, db, shop, 1); got != 150 {
		t.Fatalf("first-review bonus: balance %d, want 150", got)
	}
	if _, err := loyalty.AwardBonus(ctx, db, shop, 1, "tweet", "x"); models.ErrorCode(err) != models.EInvalid {
		t.Fatalf("unknown bonus kind: %v", err)
	}
	verify(t, db)
}

func TestLoyaltyBirthdayBonusOncePerYear(t *testing.T) {
	db, shop := testenv.NewShop(t, "loyalty")
	ctx := context.Background()
	customer(t, db, shop, 1, "ann@example.com")
	if err := loyalty.SetBirthday(ctx, db, shop, 1, "1990-03-12", t0); err != nil {
		t.Fatal(err)
	}
	if err := loyalty.SetBirthday(ctx, db, shop, 1, "1990-03-10", t0); models.ErrorCode(err) != models.EConflict {
		t.Fatalf("moving the birthday: %v", err)
	}
	if err := loyalty.SetBirthday(ctx, db, shop, 1, "2990-01-01", t0); models.ErrorCode(err) != models.EInvalid {
		t.Fatalf("a future birthday: %v", err)
	}
	day := time.Date(2026, 3, 12, 3, 0, 0, 0, time.UTC)
	if rep := nightly(t, db, shop, day.AddDate(0, 0, -1)); rep.Birthdays != 0 {
		t.Fatalf("birthday bonus the day before: %+v", rep)
	}
	nightly(t, db, shop, day)
	nightly(t, db, shop, day.Add(time.Hour))
	nightly(t, db, shop, day.AddDate(1, 0, 0))
	if got := balance(t, db, shop, 1); got != 200 {
		t.Fatalf("balance after two birthdays %d, want 200", got)
	}
}
