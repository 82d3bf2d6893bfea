package models_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/boomerang-app/boomerang/internal/testenv"
	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/models/messaging"
)

func TestSegments(t *testing.T) {
	db, _ := testenv.DB(t)
	ctx := context.Background()
	shop := testenv.SeededShop(t, db, "seg")
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	orderID := int64(0)
	order := func(customer int64, daysAgo float64, cancelled bool) {
		t.Helper()
		orderID++
		at := now.Add(-time.Duration(daysAgo * float64(24*time.Hour)))
		f := models.OrderFact{OrderID: orderID, CustomerID: customer, Subtotal: decimal.NewFromInt(40), Total: decimal.NewFromInt(40),
			Paid: true, ProcessedAt: &at, CreatedAt: &at, UpdatedAt: &at}
		if cancelled {
			f.CancelledAt = &at
		}
		if _, err := models.UpsertOrder(ctx, db, shop, f); err != nil {
			t.Fatal(err)
		}
		if _, err := models.RefreshCustomerStats(ctx, db, shop, customer, false); err != nil {
			t.Fatal(err)
		}
	}
	order(1, 10, false) // one-time buyer, recent
	order(2, 70, false) // one-time buyer gone quiet (past the 60-day default)
	order(2, 5, true)   // a cancelled order does not count
	order(3, 200, false)
	order(3, 170, false)
	order(3, 140, false) // every 30 days, quiet for 140 > 2×30: at risk
	order(4, 60, false)
	order(4, 30, false) // every 30 days, last 30 days ago: ready to buy
	order(5, 400, false)
	order(5, 100, false) // one gap of 300 days, quiet 100: neither at risk nor ready

	members := func(seg string) []int64 {
		t.Helper()
		ids, err := models.SegmentMembers(ctx, db, shop, seg, now, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		return ids
	}
	for seg, want := range map[string][]int64{
		models.SegmentOneTimeBuyers: {1, 2},
		models.SegmentWinBack:       {2},
		models.SegmentAtRisk:        {3},
		models.SegmentReadyToBuy:    {4},
	} {
		if got := members(seg); !slices.Equal(got, want) {
			t.Errorf("%s = %v, want %v", seg, got, want)
		}
	}
	if in, _ := models.InSegment(ctx, db, shop, 3, models.SegmentAtRisk, now); !in {
		t.Error("InSegment(3, at_risk) = false")
	}
	segs, _ := models.CustomerSegments(ctx, db, shop, 2, now)
	if !slices.Equal(segs, []string{models.SegmentOneTimeBuyers, models.SegmentWinBack}) {
		t.Errorf("segments of 2 = %v", segs)
	}
	// Paging: ids above the cursor only.
	if got, _ := models.SegmentMembers(ctx, db, shop, models.SegmentOneTimeBuyers, now, 1, 100); !slices.Equal(got, []int64{2}) {
		t.Errorf("page after 1 = %v", got)
	}
	// Fresh entries only: customer 3 became at risk 80 days ago (140 − 60), outside a 30-day window.
	if got, _ := models.NewSegmentMembers(ctx, db, shop, models.SegmentAtRisk, now, 30*24*time.Hour, 0, 100); len(got) != 0 {
		t.Errorf("fresh at-risk = %v, want none", got)
	}
	if got, _ := models.NewSegmentMembers(ctx, db, shop, models.SegmentWinBack, now, 30*24*time.Hour, 0, 100); !slices.Equal(got, []int64{2}) {
		t.Errorf("fresh win-back = %v, want [2]", got)
	}
	// Too few repeat buyers to trust the store median: the 60-day default applies.
	if d, err := models.WinBackDays(ctx, db, shop); err != nil || d != 60 {
		t.Errorf("win-back days = %v, %v; want 60", d, err)
	}
	// Once 20 customers have a second order 10 days after their first, the delay is 15 days.
	for c := int64(100); c < 120; c++ {
		order(c, 50, false)
		order(c, 40, false)
	}
	if d, _ := models.WinBackDays(ctx, db, shop); d != 15 {
		t.Errorf("win-back days = %v, want 15", d)
	}
	if got := members(models.SegmentWinBack); !slices.Equal(got, []int64{2}) {
		t.Errorf("win-back with a 15-day delay = %v, want [2] (customer 1 is 10 days in)", got)
	}
}

func TestBirthdays(t *testing.T) {
	db, _ := testenv.DB(t)
	ctx := context.Background()
	shop := testenv.SeededShop(t, db, "bday")
	for id, day := range map[int64]string{1: "1990-06-01", 2: "1988-02-29", 3: "1990-06-02"} {
		testenv.AddCustomer(t, db, shop, id, messaging.ConsentSubscribed)
		db.Exec(`UPDATE customers SET birthday = ? WHERE shop_id = ? AND customer_id = ?`, day, shop, id)
	}
	if ids, _ := models.BirthdaysOn(ctx, db, shop, time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)); !slices.Equal(ids, []int64{1}) {
		t.Errorf("1 June = %v", ids)
	}
	if ids, _ := models.BirthdaysOn(ctx, db, shop, time.Date(2027, 2, 28, 9, 0, 0, 0, time.UTC)); !slices.Equal(ids, []int64{2}) {
		t.Errorf("28 Feb in a common year = %v", ids)
	}
	if ids, _ := models.BirthdaysOn(ctx, db, shop, time.Date(2028, 2, 28, 9, 0, 0, 0, time.UTC)); len(ids) != 0 {
		t.Errorf("28 Feb in a leap year = %v", ids)
	}
}

// Shopify's customer ids pass 2^31 (e.g. 7000000000002): every segment check of one such
// customer, subscribers included, must take the id as a bigint.
func TestSegmentsOfShopifySizedIDs(t *testing.T) {
	db, _ := testenv.DB(t)
	ctx := context.Background()
	shop := testenv.SeededShop(t, db, "segbig")
	now := time.Now().UTC()
	const customer = int64(7000000000002)
	at := now.Add(-10 * 24 * time.Hour)
	if _, err := models.UpsertOrder(ctx, db, shop, models.OrderFact{OrderID: 5000000000001, CustomerID: customer,
		Subtotal: decimal.NewFromInt(40), Total: decimal.NewFromInt(40), Paid: true, ProcessedAt: &at, CreatedAt: &at, UpdatedAt: &at}); err != nil {
		t.Fatal(err)
	}
	if _, err := models.RefreshCustomerStats(ctx, db, shop, customer, false); err != nil {
		t.Fatal(err)
	}
	if _, err := models.ApplySubscriptionContract(ctx, db, shop, models.SubscriptionFact{ContractID: 9000000000001, CustomerID: customer,
		Status: models.SubscriptionActive, RevisionID: 1, At: at, Topic: "subscription_contracts/create", WebhookEventID: 1},
		14*24*time.Hour); err != nil {
		t.Fatal(err)
	}
	segs, err := models.CustomerSegments(ctx, db, shop, customer, now)
	if err != nil {
		t.Fatalf("segments of %d: %v", customer, err)
	}
	if !slices.Equal(segs, []string{models.SegmentOneTimeBuyers, models.SegmentSubscribers}) {
		t.Errorf("segments of %d = %v, want one-time buyer and subscriber", customer, segs)
	}
}
