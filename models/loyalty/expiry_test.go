package loyalty_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/boomerang-app/boomerang/internal/testenv"
	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/models/loyalty"
)

// program saves settings for a shop, with expiry switched on at `since` (as a merchant turning
// it on then would).
func program(t *testing.T, db *gorm.DB, shop int64, since time.Time, edit func(*loyalty.LoyaltySettings)) {
	t.Helper()
	s := loyalty.DefaultLoyaltySettings()
	edit(&s)
	off := s
	off.ExpiryMode = loyalty.ExpiryOff
	ctx := context.Background()
	if err := loyalty.SaveLoyaltySettings(ctx, db, shop, off, "test", since); err != nil {
		t.Fatal(err)
	}
	if err := loyalty.SaveLoyaltySettings(ctx, db, shop, s, "test", since); err != nil {
		t.Fatal(err)
	}
}

func nightly(t *testing.T, db *gorm.DB, shop int64, at time.Time) loyalty.NightlyReport {
	t.Helper()
	rep, err := loyalty.RunLoyaltyNightly(context.Background(), db, shop, at)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

type event struct {
	Kind    string
	Key     string
	Payload map[string]any
}

func events(t *testing.T, db *gorm.DB, shop int64, kind string) []event {
	t.Helper()
	var evs []models.Event
	if err := models.Scoped(context.Background(), db, shop).Where("kind = ?", kind).Order("id").Find(&evs).Error; err != nil {
		t.Fatal(err)
	}
	out := make([]event, len(evs))
	for i, e := range evs {
		out[i] = event{Kind: e.Kind, Key: e.Key}
		_ = json.Unmarshal(e.Payload, &out[i].Payload)
	}
	return out
}

func TestLoyaltyInactivityExpiryWithReminders(t *testing.T) {
	db, shop := testenv.NewShop(t, "loyalty")
	program(t, db, shop, t0, func(s *loyalty.LoyaltySettings) {})
	deliverOrder(t, db, shop, testenv.PaidOrder(1, 5, "100.00", t0), t0) // 500 points, last activity t0
	expiresAt := t0.AddDate(1, 0, 0)

	nightly(t, db, shop, expiresAt.AddDate(0, 0, -45))
	if n := len(events(t, db, shop, models.EventPointsExpiring)); n != 0 {
		t.Fatalf("%d reminders 45 days before", n)
	}
	nightly(t, db, shop, expiresAt.AddDate(0, 0, -30))
	nightly(t, db, shop, expiresAt.AddDate(0, 0, -29)) // the next night: no second 30-day reminder
	nightly(t, db, shop, expiresAt.AddDate(0, 0, -7))
	rem := events(t, db, shop, models.EventPointsExpiring)
	if len(rem) != 2 || rem[0].Payload["days_before"] != 30.0 || rem[1].Payload["days_before"] != 7.0 || rem[0].Payload["points"] != 500.0 {
		t.Fatalf("reminders = %+v, want the 30- and 7-day ones for 500 points", rem)
	}
	if got := balance(t, db, shop, 5); got != 500 {
		t.Fatalf("balance before expiry %d", got)
	}
	rep := nightly(t, db, shop, expiresAt.Add(time.Hour))
	if rep.Expired != 500 || balance(t, db, shop, 5) != 0 {
		t.Fatalf("expiry: report %+v, balance %d", rep, balance(t, db, shop, 5))
	}
	if rep := nightly(t, db, shop, expiresAt.Add(2*time.Hour)); rep.Expired != 0 {
		t.Fatalf("a rerun expired %d more", rep.Expired)
	}
	verify(t, db)
}

func TestLoyaltyExpirySwitchedOnWaitsOnePeriod(t *testing.T) {
	db, shop := testenv.NewShop(t, "loyalty")
	ctx := context.Background()
	s := loyalty.DefaultLoyaltySettings()
	s.ExpiryMode = loyalty.ExpiryOff
	if err := loyalty.SaveLoyaltySettings(ctx, db, shop, s, "test", t0); err != nil {
		t.Fatal(err)
	}
	deliverOrder(t, db, shop, testenv.PaidOrder(1, 5, "100.00", t0), t0)
	on := t0.AddDate(2, 0, 0) // two years without activity, then expiry is switched on
	s.ExpiryMode, s.ExpiryMonths = loyalty.ExpiryInactivity, 12
	if err := loyalty.SaveLoyaltySettings(ctx, db, shop, s, "test", on); err != nil {
		t.Fatal(err)
	}
	if rep := nightly(t, db, shop, on.AddDate(0, 0, 1)); rep.Expired != 0 {
		t.Fatalf("expired %d points the night after expiry was switched on", rep.Expired)
	}
	if rep := nightly(t, db, shop, on.AddDate(0, 11, 0)); rep.Expired != 0 {
		t.Fatalf("expired %d points within the first period", rep.Expired)
	}
	if rep := nightly(t, db, shop, on.AddDate(1, 0, 1)); rep.Expired != 500 {
		t.Fatalf("expired %d points one period after switching on, want 500", rep.Expired)
	}
}

func TestLoyaltyBatchExpirySpendsOldestFirstAndSparesPending(t *testing.T) {
	db, shop := testenv.NewShop(t, "loyalty")
	ctx := context.Background()
	program(t, db, shop, t0, func(s *loyalty.LoyaltySettings) {
		s.ExpiryMode, s.ExpiryMonths, s.Tiers = loyalty.ExpiryBatch, 3, nil
	})
	deliverOrder(t, db, shop, testenv.PaidOrder(1, 5, "20.00", t0), t0)                                   // 100, expires t0+3mo
	deliverOrder(t, db, shop, testenv.PaidOrder(2, 5, "40.00", t0.AddDate(0, 1, 0)), t0.AddDate(0, 1, 0)) // 200, expires t0+4mo
	st, err := loyalty.LoyaltyStatementOf(ctx, db, shop, 5, t0.AddDate(0, 1, 0))
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Expiring) != 2 || st.Expiring[0].Points != 100 || !st.Expiring[0].ExpiresAt.Equal(t0.AddDate(0, 3, 0)) {
		t.Fatalf("expiring = %+v", st.Expiring)
	}
	if _, err := loyalty.ReserveRedemption(ctx, db, shop, 5, "1 off", "", t0.AddDate(0, 2, 0)); err != nil {
		t.Fatal(err)
	}
	if rep := nightly(t, db, shop, t0.AddDate(0, 3, 1)); rep.Expired != 0 {
		t.Fatalf("expired %d: the redemption should have spent the oldest batch", rep.Expired)
	}
	if rep := nightly(t, db, shop, t0.AddDate(0, 4, 1)); rep.Expired != 200 || balance(t, db, shop, 5) != 0 {
		t.Fatalf("second batch: expired %d, balance %d", rep.Expired, balance(t, db, shop, 5))
	}

	// Points still pending when their batch date passes wait until they are spendable.
	program(t, db, shop, t0, func(s *loyalty.LoyaltySettings) {
		s.ExpiryMode, s.ExpiryMonths, s.PendingDays, s.Tiers = loyalty.ExpiryBatch, 1, 45, nil
	})
	at := t0.AddDate(0, 6, 0)
	deliverOrder(t, db, shop, testenv.PaidOrder(3, 6, "20.00", at), at)
	if rep := nightly(t, db, shop, at.AddDate(0, 1, 1)); rep.Expired != 0 {
		t.Fatalf("expired %d pending points", rep.Expired)
	}
	if rep := nightly(t, db, shop, at.AddDate(0, 0, 46)); rep.Expired != 100 {
		t.Fatalf("expired %d once spendable, want 100", rep.Expired)
	}
	verify(t, db)
}
