package loyalty_test

import (
	"context"
	"testing"
	"time"

	"github.com/boomerang-app/boomerang/internal/testenv"
	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/models/loyalty"
)

func TestLoyaltyRollingTierDecaysWithNoticeAhead(t *testing.T) {
	db, shop := testenv.NewShop(t, "loyalty")
	ctx := context.Background()
	program(t, db, shop, t0, func(s *loyalty.LoyaltySettings) { s.ExpiryMode = loyalty.ExpiryOff })
	deliverOrder(t, db, shop, testenv.PaidOrder(1, 8, "200.00", t0), t0)
	deliverOrder(t, db, shop, testenv.PaidOrder(2, 8, "400.00", t0.AddDate(0, 2, 0)), t0.AddDate(0, 2, 0)) // 600 spent: Silver
	a, _ := loyalty.GetLoyaltyAccount(ctx, db, shop, 8)
	if a.Tier != "Silver" {
		t.Fatalf("tier %q, want Silver", a.Tier)
	}
	up := events(t, db, shop, models.EventTierChanged)
	if len(up) != 1 || up[0].Payload["from"] != "Bronze" || up[0].Payload["to"] != "Silver" || up[0].Payload["direction"] != "up" {
		t.Fatalf("tier events = %+v, want one Bronze→Silver up (entering Bronze is not news)", up)
	}
	// The first order leaves the window at t0+12 months, taking spend to 400: Silver is at risk
	// from 30 days before.
	nightly(t, db, shop, t0.AddDate(0, 10, 0))
	if n := len(events(t, db, shop, models.EventTierAtRisk)); n != 0 {
		t.Fatalf("%d at-risk notices 2 months ahead", n)
	}
	nightly(t, db, shop, t0.AddDate(1, 0, -20))
	nightly(t, db, shop, t0.AddDate(1, 0, -19))
	risk := events(t, db, shop, models.EventTierAtRisk)
	if len(risk) != 1 || risk[0].Payload["tier"] != "Silver" || risk[0].Payload["drops_to"] != "Bronze" {
		t.Fatalf("at-risk events = %+v", risk)
	}
	st, err := loyalty.LoyaltyStatementOf(ctx, db, shop, 8, t0.AddDate(1, 0, -20))
	if err != nil || st.TierAtRisk == nil || !st.TierAtRisk.On.Equal(t0.AddDate(1, 0, 0)) {
		t.Fatalf("statement risk = %+v (%v)", st.TierAtRisk, err)
	}
	nightly(t, db, shop, t0.AddDate(1, 0, 1))
	a, _ = loyalty.GetLoyaltyAccount(ctx, db, shop, 8)
	down := events(t, db, shop, models.EventTierChanged)
	if a.Tier != "Bronze" || len(down) != 2 || down[1].Payload["direction"] != "down" {
		t.Fatalf("after the window passed: tier %q, events %+v", a.Tier, down)
	}
}

func TestLoyaltyCalendarTierKeptThroughNextYear(t *testing.T) {
	db, shop := testenv.NewShop(t, "loyalty")
	ctx := context.Background()
	program(t, db, shop, t0, func(s *loyalty.LoyaltySettings) {
		s.ExpiryMode, s.TierWindow = loyalty.ExpiryOff, loyalty.WindowCalendar
	})
	bought := time.Date(2025, 6, 1, 10, 0, 0, 0, time.UTC)
	deliverOrder(t, db, shop, testenv.PaidOrder(1, 9, "600.00", bought), bought)
	nightly(t, db, shop, time.Date(2026, 6, 1, 3, 0, 0, 0, time.UTC))
	if a, _ := loyalty.GetLoyaltyAccount(ctx, db, shop, 9); a.Tier != "Silver" {
		t.Fatalf("tier in the following year %q, want Silver", a.Tier)
	}
	nightly(t, db, shop, time.Date(2026, 12, 10, 3, 0, 0, 0, time.UTC))
	risk := events(t, db, shop, models.EventTierAtRisk)
	if len(risk) != 1 || risk[0].Payload["on"] != "2027-01-01T00:00:00Z" {
		t.Fatalf("at-risk = %+v", risk)
	}
	nightly(t, db, shop, time.Date(2027, 1, 1, 3, 0, 0, 0, time.UTC))
	if a, _ := loyalty.GetLoyaltyAccount(ctx, db, shop, 9); a.Tier != "Bronze" {
		t.Fatalf("tier two years on %q, want Bronze", a.Tier)
	}
}

func TestLoyaltyTopTierMakesALoyalBuyer(t *testing.T) {
	db, shop := testenv.NewShop(t, "loyalty")
	ctx := context.Background()
	deliverOrder(t, db, shop, testenv.PaidOrder(1, 3, "1600.00", t0), t0)
	c, err := models.GetCustomer(ctx, db, shop, 3)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := loyalty.GetLoyaltyAccount(ctx, db, shop, 3)
	if a.Tier != "Gold" || c.Stage != models.StageLoyal || c.OrdersCount != 1 {
		t.Fatalf("tier %q stage %q orders %d, want Gold, loyal, 1", a.Tier, c.Stage, c.OrdersCount)
	}
	// Cancelled: the tier and the stage both fall back.
	cancelled := testenv.PaidOrder(1, 3, "1600.00", t0)
	at := t0.Add(time.Hour)
	cancelled.CancelledAt, cancelled.UpdatedAt = &at, &at
	deliverOrder(t, db, shop, cancelled, at)
	c, _ = models.GetCustomer(ctx, db, shop, 3)
	a, _ = loyalty.GetLoyaltyAccount(ctx, db, shop, 3)
	if a.Tier != "Bronze" || c.Stage != models.StageNone || a.Balance != 0 {
		t.Fatalf("after cancellation: tier %q stage %q balance %d", a.Tier, c.Stage, a.Balance)
	}
	verify(t, db)
}
