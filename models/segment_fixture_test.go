package models_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"gorm.io/gorm"

	"github.com/boomerang-app/boomerang/internal/testenv"
	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/models/messaging"
)

// segFixture is a shop whose customers cover every segment rule and the orders that do not
// count (cancelled, test, fully refunded), for checking the ways of finding a segment's members
// against each other. Stats reach the customer rows through RefreshCustomerStats, as in the app.
type segFixture struct {
	t                 *testing.T
	db                *gorm.DB
	ctx               context.Context
	shop              int64
	now               time.Time
	customers         []int64 // every customer id the fixture knows
	orderID, refundID int64
}

type segOpt struct {
	cancelled, test, untimed bool
	refunded                 int64 // of the order's 40
}

func newSegFixture(t *testing.T, db *gorm.DB, prefix string) *segFixture {
	t.Helper()
	f := &segFixture{t: t, db: db, ctx: context.Background(), shop: testenv.SeededShop(t, db, prefix),
		now: time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)}
	f.order(1, 10, segOpt{})                               // one-time buyer, recent
	f.order(2, 70, segOpt{})                               // one-time buyer gone quiet (past the 60-day default)
	f.order(2, 5, segOpt{cancelled: true})                 // a cancelled order does not count
	f.order(3, 200, segOpt{})                              // every 30 days, quiet for 140 > 2×30: at risk (80 days now)
	f.order(3, 170, segOpt{})                              //
	f.order(3, 140, segOpt{})                              //
	f.order(4, 60, segOpt{})                               // every 30 days, last 30 days ago: ready to buy
	f.order(4, 30, segOpt{})                               //
	f.order(5, 400, segOpt{})                              // one gap of 300 days, quiet 100: neither at risk nor ready
	f.order(5, 100, segOpt{})                              //
	f.order(6, 100, segOpt{})                              // the later order is fully refunded: a one-time buyer quiet for 100 days
	f.order(6, 45, segOpt{refunded: 40})                   //
	f.order(7, 90, segOpt{})                               // a partial refund keeps the order: every 30 days, ready to buy
	f.order(7, 60, segOpt{})                               //
	f.order(7, 30, segOpt{refunded: 12})                   //
	f.order(8, 5, segOpt{})                                // a subscriber
	f.order(9, 300, segOpt{})                              // a former subscriber
	f.order(10, 3, segOpt{test: true})                     // a test order only: no segment
	f.order(11, 0, segOpt{untimed: true})                  // an order without Shopify times
	f.order(12, 50, segOpt{})                              // quiet longer than 2× a median gap of 0 days, less than 90:
	f.order(12, 50, segOpt{})                              // not at risk
	f.order(15, 20, segOpt{})                              // one-time buyer, 20 days in
	f.order(16, 130, segOpt{})                             // gaps of 30 and 60 days (median 45), quiet 40: ready to buy
	f.order(16, 100, segOpt{})                             //
	f.order(16, 40, segOpt{})                              //
	f.order(17, 100, segOpt{})                             // a gap of 20 days, quiet 80: at risk for 40 days
	f.order(17, 80, segOpt{})                              //
	f.order(18, 50, segOpt{})                              // every 10 days, quiet 30: at risk for 10 days
	f.order(18, 40, segOpt{})                              //
	f.order(18, 30, segOpt{})                              //
	f.order(19, 95, segOpt{})                              // a median gap of 0 days and quiet 95 > 90: at risk for 5 days
	f.order(19, 95, segOpt{})                              //
	f.order(20, 300, segOpt{})                             // gaps of 10 and 90 days (median 50), quiet 200: at risk for 100 days
	f.order(20, 290, segOpt{})                             //
	f.order(20, 200, segOpt{})                             //
	f.order(21, 75, segOpt{})                              // a one-time buyer who is then redacted: the orders still count
	f.order(22, 80, segOpt{refunded: 40})                  // the only order fully refunded: no kept orders, no segment
	f.order(23, 120, segOpt{})                             // one order kept, the later one cancelled and refunded:
	f.order(23, 30, segOpt{cancelled: true, refunded: 40}) // a one-time buyer quiet for 120 days
	if err := models.RedactCustomer(f.ctx, db, f.shop, 21); err != nil {
		t.Fatal(err)
	}
	f.subscribe(501, 8, models.SubscriptionActive)
	f.subscribe(502, 9, "cancelled")
	f.subscribe(503, 13, models.SubscriptionActive) // a subscriber who never ordered
	testenv.AddCustomer(t, db, f.shop, 14, messaging.ConsentSubscribed)
	f.customers = append(f.customers, 13, 14)
	return f
}

func (f *segFixture) order(customer int64, daysAgo float64, o segOpt) {
	f.t.Helper()
	f.orderID++
	at := f.now.Add(-time.Duration(daysAgo * float64(24*time.Hour)))
	of := models.OrderFact{OrderID: f.orderID, CustomerID: customer, Subtotal: decimal.NewFromInt(40), Total: decimal.NewFromInt(40),
		Paid: true, ProcessedAt: &at, CreatedAt: &at, UpdatedAt: &at, Test: o.test}
	if o.cancelled {
		of.CancelledAt = &at
	}
	if o.untimed { // Shopify sent no times: the row's own created_at stands in
		of.ProcessedAt, of.CreatedAt, of.UpdatedAt = nil, nil, nil
	}
	if _, err := models.UpsertOrder(f.ctx, f.db, f.shop, of); err != nil {
		f.t.Fatal(err)
	}
	if o.refunded > 0 {
		f.refundID++
		if _, err := models.RecordRefund(f.ctx, f.db, f.shop, models.Refund{RefundID: f.refundID, OrderID: f.orderID,
			Subtotal: decimal.NewFromInt(o.refunded)}); err != nil {
			f.t.Fatal(err)
		}
	}
	if _, err := models.RefreshCustomerStats(f.ctx, f.db, f.shop, customer, false); err != nil {
		f.t.Fatal(err)
	}
	if len(f.customers) == 0 || f.customers[len(f.customers)-1] != customer {
		f.customers = append(f.customers, customer)
	}
}

func (f *segFixture) subscribe(contract, customer int64, status string) {
	f.t.Helper()
	if _, err := models.ApplySubscriptionContract(f.ctx, f.db, f.shop, models.SubscriptionFact{ContractID: contract, CustomerID: customer,
		Status: status, RevisionID: 1, At: f.now.Add(-24 * time.Hour), Topic: "subscription_contracts/create", WebhookEventID: contract},
		14*24*time.Hour); err != nil {
		f.t.Fatal(err)
	}
}

// useStoreDelay gives the store 20 customers with a second order 10 days after their first (at
// 50 and 40 days ago: at risk for 20 days), so its win-back delay becomes 15 days instead of the
// 60-day default: customer 15 (20 days in) joins win-back, customer 1 (10 days in) does not.
func (f *segFixture) useStoreDelay() {
	f.t.Helper()
	for c := int64(100); c < 120; c++ {
		f.order(c, 50, segOpt{})
		f.order(c, 40, segOpt{})
	}
	if d, err := models.WinBackDays(f.ctx, f.db, f.shop); err != nil || d != 15 {
		f.t.Fatalf("win-back days = %v, %v; want 15", d, err)
	}
}

// inSegment asks InSegment about every customer of the fixture, at the given time; the ids
// come back ascending.
func (f *segFixture) inSegment(seg string, at time.Time) []int64 {
	f.t.Helper()
	var ids []int64
	for _, c := range f.customers {
		in, err := models.InSegment(f.ctx, f.db, f.shop, c, seg, at)
		if err != nil {
			f.t.Fatal(err)
		}
		if in {
			ids = append(ids, c)
		}
	}
	slices.Sort(ids)
	return ids
}
