package jobs_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/boomerang-app/boomerang/internal/apptest"
	"github.com/boomerang-app/boomerang/internal/testenv"
	"github.com/boomerang-app/boomerang/jobs"
	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/models/loyalty"
)

func paidOrderBody(id, cust int64, subtotal string) map[string]any {
	now := time.Now().UTC().Format(time.RFC3339)
	return map[string]any{"id": id, "name": fmt.Sprintf("#%d", id), "currency": "USD", "subtotal_price": subtotal,
		"total_price": subtotal, "financial_status": "paid", "processed_at": now, "created_at": now, "updated_at": now,
		"customer": map[string]any{"id": cust}}
}

// The nightly fan-out runs each shop's loyalty night once per date: a second fan-out the same
// day is a no-op, and a year without activity expires the points.
func TestLoyaltyNightlyFanOut(t *testing.T) {
	a := apptest.Start(t, apptest.Options{})
	ctx := context.Background()
	shop := testenv.Shop("nightly")
	shopID := a.Install(t, shop)
	a.Webhook(t, shop, "orders/paid", "", paidOrderBody(1, 77, "40.00"))
	a.Drain(t, 10*time.Second)
	acct, _ := loyalty.GetLoyaltyAccount(ctx, a.DB, shopID, 77)
	if acct.Balance != 200 {
		t.Fatalf("balance %d, want 200", acct.Balance)
	}
	later := time.Now().AddDate(1, 0, 2)
	a.Worker.Now = func() time.Time { return later }
	for i := 0; i < 2; i++ {
		if err := a.Queue.Enqueue(ctx, asynq.NewTask(jobs.TypeLoyaltyNightly, nil), asynq.Queue(jobs.QueueLow)); err != nil {
			t.Fatal(err)
		}
		a.Drain(t, 20*time.Second)
	}
	acct, _ = loyalty.GetLoyaltyAccount(ctx, a.DB, shopID, 77)
	var expires int64
	a.DB.Raw(`SELECT count(*) FROM ledger_entries WHERE shop_id = ? AND kind = 'expire'`, shopID).Scan(&expires)
	if acct.Balance != 0 || expires != 1 {
		t.Fatalf("after a year: balance %d, %d expire entries; want 0 and 1", acct.Balance, expires)
	}
}

// A redemption left pending by a throttled Shopify is finished by the reward sweep.
func TestLoyaltyRewardSweepIssuesPending(t *testing.T) {
	a := apptest.Start(t, apptest.Options{})
	ctx := context.Background()
	shop := testenv.Shop("sweep")
	shopID := a.Install(t, shop)
	a.Webhook(t, shop, "orders/paid", "", paidOrderBody(1, 78, "40.00"))
	a.Drain(t, 10*time.Second)
	r, err := loyalty.ReserveRedemption(ctx, a.DB, shopID, 78, "1 off", "", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	a.Fake.Throttle(3)
	if r, err = loyalty.IssueRedemption(ctx, a.DB, a.Admin, shop, shopID, r.ID, time.Now()); err == nil || r.Status != loyalty.RedemptionPending {
		t.Fatalf("throttled issue: %v %+v", err, r)
	}
	a.Worker.Now = func() time.Time { return time.Now().Add(time.Minute) }
	if err := a.Queue.Enqueue(ctx, asynq.NewTask(jobs.TypeRewardSweep, nil)); err != nil {
		t.Fatal(err)
	}
	a.Drain(t, 20*time.Second)
	r, _ = loyalty.GetRedemption(ctx, a.DB, shopID, r.ID)
	if r.Status != loyalty.RedemptionIssued || len(a.Fake.DiscountCodes(shop)) != 1 {
		t.Fatalf("after the sweep: %+v, codes %v", r, a.Fake.DiscountCodes(shop))
	}
}

// A refund of an amount alone (no line items) claws points back in proportion to the money
// refunded, less the shipping it gave back.
func TestAmountOnlyRefundClawsBack(t *testing.T) {
	a := apptest.Start(t, apptest.Options{})
	shop := testenv.Shop("amountrefund")
	id := a.Install(t, shop)
	a.Webhook(t, shop, "orders/paid", "", orderBody(4001, 88, "paid", "200.00", ts("02"), nil))
	a.Drain(t, drainWait)
	a.Webhook(t, shop, "refunds/create", "", map[string]any{"id": 6001, "order_id": 4001, "created_at": ts("03"),
		"refund_line_items": []any{},
		"transactions":      []any{map[string]any{"kind": "refund", "status": "success", "amount": "55.00"}},
		"order_adjustments": []any{map[string]any{"kind": "shipping_refund", "amount": "-5.00"}}})
	a.Drain(t, drainWait)
	var entries []loyalty.LedgerEntry
	models.Scoped(context.Background(), a.DB, id).Where("customer_id = ? AND order_id = ?", 88, 4001).Order("id").Find(&entries)
	if len(entries) != 2 || entries[0].Kind != loyalty.EntryEarn || entries[1].Kind != loyalty.EntryClawback ||
		entries[1].Points != -entries[0].Points/4 {
		t.Fatalf("entries after a $50 amount-only refund of a $200 order: %+v", entries)
	}
}
