package models_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"gorm.io/gorm"

	"github.com/boomerang-app/boomerang/internal/testenv"
	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/models/loyalty"
)

// The customer list's segment filter reads the stats kept on the customer row; InSegment works
// them out from the orders. For every customer and segment they must agree.
func TestCustomerListSegmentMatchesInSegment(t *testing.T) {
	db, _ := testenv.DB(t)
	ctx := context.Background()
	f := newSegFixture(t, db, "seglist")
	shop, now := f.shop, f.now

	check := func(phase string) {
		t.Helper()
		for _, seg := range models.SegmentNames {
			want := f.inSegment(seg, now)
			got := listSegment(t, db, shop, seg, now, 200)
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Errorf("%s: list ?segment=%s = %v, InSegment says %v", phase, seg, got, want)
			}
			if len(want) == 0 {
				t.Errorf("%s: segment %s is empty: the comparison proves nothing", phase, seg)
			}
		}
	}
	check("default win-back delay")
	for seg, want := range map[string][]int64{ // the fixture's cases (newSegFixture), as the rules describe them
		models.SegmentOneTimeBuyers: {1, 2, 6, 8, 9, 11, 15, 21, 23},
		models.SegmentWinBack:       {2, 6, 9, 21, 23},
		models.SegmentAtRisk:        {3, 17, 18, 19, 20},
		models.SegmentReadyToBuy:    {4, 7, 16},
		models.SegmentSubscribers:   {8, 13},
	} {
		got := listSegment(t, db, shop, seg, now, 200)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("?segment=%s = %v, want %v", seg, got, want)
		}
	}

	f.useStoreDelay()
	check("store win-back delay")

	// The bulk fill (for loaders that write customers directly) stores the same figures.
	type figures struct {
		CustomerID      int64
		MedianGapDays   *float64
		SecondOrderDays *float64
	}
	read := func() []figures {
		var fs []figures
		if err := db.Raw(`SELECT customer_id, median_gap_days, second_order_days FROM customers WHERE shop_id = ? ORDER BY customer_id`,
			shop).Scan(&fs).Error; err != nil {
			t.Fatal(err)
		}
		return fs
	}
	kept := read()
	db.Exec(`UPDATE customers SET median_gap_days = NULL, second_order_days = NULL WHERE shop_id = ?`, shop)
	if n, err := models.FillSegmentStats(ctx, db, shop); err != nil || n == 0 {
		t.Fatalf("fill: %d rows, %v", n, err)
	}
	if got := read(); !slices.EqualFunc(got, kept, func(a, b figures) bool {
		return a.CustomerID == b.CustomerID && eqFloat(a.MedianGapDays, b.MedianGapDays) && eqFloat(a.SecondOrderDays, b.SecondOrderDays)
	}) {
		t.Errorf("filled %+v, refreshed %+v", got, kept)
	}
	if got := listSegment(t, db, shop, models.SegmentWinBack, now, 200); !slices.Contains(got, 15) || slices.Contains(got, 1) {
		t.Errorf("win-back with a 15-day delay = %v, want 15 in and 1 out", got)
	}
}

func eqFloat(a, b *float64) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

// listSegment pages through ?segment= with pages of size, checking the cursor as it goes.
func listSegment(t *testing.T, db *gorm.DB, shop int64, seg string, now time.Time, size int) []int64 {
	t.Helper()
	var ids []int64
	seen := map[int64]bool{}
	before, last := int64(0), int64(0)
	for page := 0; ; page++ {
		rows, next, err := loyalty.ListCustomers(context.Background(), db, shop, loyalty.CustomerFilter{Segment: seg, Before: before, Limit: size}, now)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) > size {
			t.Fatalf("%s page %d: %d rows, limit %d", seg, page, len(rows), size)
		}
		for _, r := range rows {
			if seen[r.ID] {
				t.Fatalf("%s: customer %d listed twice", seg, r.ID)
			}
			if last != 0 && r.RowID >= last {
				t.Fatalf("%s: rows not newest first (%d after %d)", seg, r.RowID, last)
			}
			seen[r.ID], last = true, r.RowID
			ids = append(ids, r.ID)
		}
		if next == 0 {
			return ids
		}
		if len(rows) != size {
			t.Fatalf("%s page %d: a cursor after a short page", seg, page)
		}
		before = next
	}
}

func TestCustomerListSegmentPages(t *testing.T) {
	db, _ := testenv.DB(t)
	ctx := context.Background()
	shop := testenv.SeededShop(t, db, "segpage")
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	// Customers 1..11: odd ones buy once, even ones twice (a month apart, last a month ago).
	oid := int64(0)
	for c := int64(1); c <= 11; c++ {
		days := []float64{10}
		if c%2 == 0 {
			days = []float64{60, 30}
		}
		for _, d := range days {
			oid++
			at := now.Add(-time.Duration(d * float64(24*time.Hour)))
			if _, err := models.UpsertOrder(ctx, db, shop, models.OrderFact{OrderID: oid, CustomerID: c, Subtotal: decimal.NewFromInt(20),
				Paid: true, ProcessedAt: &at, CreatedAt: &at, UpdatedAt: &at}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := models.RefreshCustomerStats(ctx, db, shop, c, false); err != nil {
			t.Fatal(err)
		}
	}
	all := listSegment(t, db, shop, models.SegmentOneTimeBuyers, now, 200)
	if !slices.Equal(all, []int64{11, 9, 7, 5, 3, 1}) {
		t.Fatalf("one-time buyers newest first = %v", all)
	}
	for _, size := range []int{1, 2, 4, 6} {
		if got := listSegment(t, db, shop, models.SegmentOneTimeBuyers, now, size); !slices.Equal(got, all) {
			t.Errorf("pages of %d = %v, want %v", size, got, all)
		}
	}
	if got := listSegment(t, db, shop, models.SegmentReadyToBuy, now, 2); !slices.Equal(got, []int64{10, 8, 6, 4, 2}) {
		t.Errorf("ready to buy in pages of 2 = %v", got)
	}
	// The segment combines with the other filters.
	rows, _, err := loyalty.ListCustomers(ctx, db, shop, loyalty.CustomerFilter{Segment: models.SegmentReadyToBuy, Stage: models.StageTwoTime,
		Before: 0, Limit: 50}, now)
	if err != nil || len(rows) != 5 {
		t.Errorf("ready to buy and two-time: %d rows, %v", len(rows), err)
	}
	if rows, _, _ := loyalty.ListCustomers(ctx, db, shop, loyalty.CustomerFilter{Segment: models.SegmentReadyToBuy, Stage: models.StageNew, Limit: 50}, now); len(rows) != 0 {
		t.Errorf("ready to buy and new = %d rows, want none", len(rows))
	}

	_, _, err = loyalty.ListCustomers(ctx, db, shop, loyalty.CustomerFilter{Segment: "big_spenders"}, now)
	var e *models.Error
	if !errors.As(err, &e) || e.Code != models.EInvalid || e.Field != "segment" {
		t.Errorf("unknown segment: %v, want invalid on segment", err)
	}
}
