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
)

// The customer list's segment filter reads the stats kept on the customer row; InSegment works
// them out from the orders. For every customer and segment they must agree.
func TestCustomerListSegmentMatchesInSegment(t *testing.T) {
	db, _ := testenv.DB(t)
	ctx := context.Background()
	shop := msgShop(t, db, "seglist")
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	orderID, refundID := int64(0), int64(0)
	refresh := func(customer int64) {
		t.Helper()
		if _, err := models.RefreshCustomerStats(ctx, db, shop, customer, false); err != nil {
			t.Fatal(err)
		}
	}
	type opt struct {
		cancelled, test, untimed bool
		refunded                 int64 // of the order's 40
	}
	order := func(customer int64, daysAgo float64, o opt) {
		t.Helper()
		orderID++
		at := now.Add(-time.Duration(daysAgo * float64(24*time.Hour)))
		f := models.OrderFact{OrderID: orderID, CustomerID: customer, Subtotal: decimal.NewFromInt(40), Total: decimal.NewFromInt(40),
			Paid: true, ProcessedAt: &at, CreatedAt: &at, UpdatedAt: &at, Test: o.test}
		if o.cancelled {
			f.CancelledAt = &at
		}
		if o.untimed { // Shopify sent no times: the row's own created_at stands in
			f.ProcessedAt, f.CreatedAt, f.UpdatedAt = nil, nil, nil
		}
		if _, err := models.UpsertOrder(ctx, db, shop, f); err != nil {
			t.Fatal(err)
		}
		if o.refunded > 0 {
			refundID++
			if _, err := models.RecordRefund(ctx, db, shop, models.Refund{RefundID: refundID, OrderID: orderID,
				Subtotal: decimal.NewFromInt(o.refunded)}); err != nil {
				t.Fatal(err)
			}
		}
		refresh(customer)
	}
	subscribe := func(contract, customer int64, status string) {
		t.Helper()
		if _, err := models.ApplySubscriptionContract(ctx, db, shop, models.SubscriptionFact{ContractID: contract, CustomerID: customer,
			Status: status, RevisionID: 1, At: now.Add(-24 * time.Hour), Topic: "subscription_contracts/create", WebhookEventID: contract},
			14*24*time.Hour); err != nil {
			t.Fatal(err)
		}
	}

	order(1, 10, opt{})               // one-time buyer, recent
	order(2, 70, opt{})               // one-time buyer gone quiet (past the 60-day default)
	order(2, 5, opt{cancelled: true}) // a cancelled order does not count
	order(3, 200, opt{})              // every 30 days, quiet for 140 > 2×30: at risk
	order(3, 170, opt{})              //
	order(3, 140, opt{})              //
	order(4, 60, opt{})               // every 30 days, last 30 days ago: ready to buy
	order(4, 30, opt{})               //
	order(5, 400, opt{})              // one gap of 300 days, quiet 100: neither at risk nor ready
	order(5, 100, opt{})              //
	order(6, 100, opt{})              // the later order is fully refunded: a one-time buyer quiet for 100 days
	order(6, 45, opt{refunded: 40})   //
	order(7, 90, opt{})               // a partial refund keeps the order: every 30 days, ready to buy
	order(7, 60, opt{})               //
	order(7, 30, opt{refunded: 12})   //
	order(8, 5, opt{})                // a subscriber
	order(9, 300, opt{})              // a former subscriber
	order(10, 3, opt{test: true})     // a test order only: no segment
	order(11, 0, opt{untimed: true})  // an order without Shopify times
	order(12, 50, opt{})              // quiet longer than 2× a median gap of 0 days, less than 90:
	order(12, 50, opt{})              // not at risk
	order(15, 20, opt{})              // one-time buyer, 20 days in
	order(16, 130, opt{})             // gaps of 30 and 60 days (median 45), quiet 40: ready to buy
	order(16, 100, opt{})             //
	order(16, 40, opt{})              //
	subscribe(501, 8, models.SubscriptionActive)
	subscribe(502, 9, "cancelled")
	subscribe(503, 13, models.SubscriptionActive) // a subscriber who never ordered
	addCustomer(t, db, shop, 14, models.ConsentSubscribed)

	customers := []int64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}
	check := func(phase string) {
		t.Helper()
		for _, seg := range models.SegmentNames {
			var want []int64
			for _, c := range customers {
				in, err := models.InSegment(ctx, db, shop, c, seg, now)
				if err != nil {
					t.Fatal(err)
				}
				if in {
					want = append(want, c)
				}
			}
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
	for seg, want := range map[string][]int64{ // the cases above, as the rules describe them
		models.SegmentOneTimeBuyers: {1, 2, 6, 8, 9, 11, 15},
		models.SegmentWinBack:       {2, 6, 9},
		models.SegmentAtRisk:        {3},
		models.SegmentReadyToBuy:    {4, 7, 16},
		models.SegmentSubscribers:   {8, 13},
	} {
		got := listSegment(t, db, shop, seg, now, 200)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("?segment=%s = %v, want %v", seg, got, want)
		}
	}

	// Once 20 customers have a second order 10 days after their first, the store's win-back
	// delay is 15 days: customer 15 (20 days in) joins, customer 1 (10 days in) does not.
	for c := int64(100); c < 120; c++ {
		order(c, 50, opt{})
		order(c, 40, opt{})
		customers = append(customers, c)
	}
	if d, err := models.WinBackDays(ctx, db, shop); err != nil || d != 15 {
		t.Fatalf("win-back days = %v, %v; want 15", d, err)
	}
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
		rows, next, err := models.ListCustomers(context.Background(), db, shop, models.CustomerFilter{Segment: seg, Before: before, Limit: size}, now)
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
	shop := msgShop(t, db, "segpage")
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
	rows, _, err := models.ListCustomers(ctx, db, shop, models.CustomerFilter{Segment: models.SegmentReadyToBuy, Stage: models.StageTwoTime,
		Before: 0, Limit: 50}, now)
	if err != nil || len(rows) != 5 {
		t.Errorf("ready to buy and two-time: %d rows, %v", len(rows), err)
	}
	if rows, _, _ := models.ListCustomers(ctx, db, shop, models.CustomerFilter{Segment: models.SegmentReadyToBuy, Stage: models.StageNew, Limit: 50}, now); len(rows) != 0 {
		t.Errorf("ready to buy and new = %d rows, want none", len(rows))
	}

	_, _, err = models.ListCustomers(ctx, db, shop, models.CustomerFilter{Segment: "big_spenders"}, now)
	var e *models.Error
	if !errors.As(err, &e) || e.Code != models.EInvalid || e.Field != "segment" {
		t.Errorf("unknown segment: %v, want invalid on segment", err)
	}
}
