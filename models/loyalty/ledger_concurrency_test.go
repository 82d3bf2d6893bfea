package loyalty_test

import (
	"context"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/boomerang-app/boomerang/internal/testenv"
	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/models/loyalty"
)

// 100 concurrent redemptions on one balance spend exactly what it affords.
func TestLoyaltyConcurrentRedemptionsNeverOverspend(t *testing.T) {
	db, shop := testenv.NewShop(t, "loyalty")
	ctx := context.Background()
	deliverOrder(t, db, shop, testenv.PaidOrder(1, 42, "0.01", t0), t0) // makes the customer known
	if _, err := loyalty.AdjustPoints(ctx, db, shop, 42, 1050, "opening balance", "staff", "", t0); err != nil {
		t.Fatal(err)
	}
	var ok, refused, other atomic.Int64
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := 0; i < 100; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, err := loyalty.ReserveRedemption(ctx, db, shop, 42, "1 off", "", t0)
			switch {
			case err == nil:
				ok.Add(1)
			case models.ErrorCode(err) == models.EConflict:
				refused.Add(1)
			default:
				other.Add(1)
				t.Error(err)
			}
		}()
	}
	close(start)
	wg.Wait()
	if ok.Load() != 10 || refused.Load() != 90 || other.Load() != 0 {
		t.Fatalf("redeemed %d, refused %d, errors %d; want 10 and 90", ok.Load(), refused.Load(), other.Load())
	}
	if got := balance(t, db, shop, 42); got != 50 {
		t.Fatalf("balance %d, want 50", got)
	}
	verify(t, db)
}

// Duplicated and reordered deliveries of many orders, refunds and cancellations handled by
// concurrent workers end with every order earned once and clawed back exactly: with tier
// multipliers off, each customer's final balance is known in advance.
func TestLoyaltyConcurrentDeliveriesSettleExactly(t *testing.T) {
	db, shop := testenv.NewShop(t, "loyalty")
	ctx := context.Background()
	set := loyalty.DefaultLoyaltySettings()
	set.Tiers = nil
	set.ExpiryMode = loyalty.ExpiryOff
	if err := loyalty.SaveLoyaltySettings(ctx, db, shop, set, "test", t0); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(7, 7))
	want := map[int64]int64{}
	var ops []func() error
	at := t0
	for i := int64(0); i < 120; i++ {
		id, cust := 100+i, int64(1+rng.IntN(4))
		cents := int64(100 + rng.IntN(20000))
		sub := decimal.New(cents, -2)
		oat := at.Add(time.Duration(i) * time.Minute)
		unpaid := models.OrderFact{OrderID: id, CustomerID: cust, Subtotal: sub, Total: sub, FinancialStatus: "pending", ProcessedAt: &oat, UpdatedAt: &oat}
		paid := unpaid
		paid.Paid, paid.FinancialStatus = true, "paid"
		deliver := func(f models.OrderFact) func() error {
			return func() error {
				if _, err := models.UpsertOrder(ctx, db, shop, f); err != nil {
					return err
				}
				return loyalty.SettleOrderLoyalty(ctx, db, shop, f.OrderID, t0.Add(24*time.Hour))
			}
		}
		ops = append(ops, deliver(unpaid), deliver(paid), deliver(paid))
		earned := cents * 5 / 100
		net := earned
		var refunded int64
		for r := 0; r < rng.IntN(3); r++ {
			rc := int64(1 + rng.IntN(int(cents)))
			refunded += rc
			rid := id*10 + int64(r)
			ops = append(ops, func() error {
				if _, err := models.RecordRefund(ctx, db, shop, models.Refund{RefundID: rid, OrderID: id, Subtotal: decimal.New(rc, -2)}); err != nil {
					return err
				}
				return loyalty.SettleRefundLoyalty(ctx, db, shop, id, t0.Add(24*time.Hour))
			})
		}
		if refunded >= cents {
			net = 0
		} else {
			net = earned - earned*refunded/cents
		}
		if rng.IntN(5) == 0 {
			cancelled := paid
			ca := oat.Add(time.Hour)
			cancelled.CancelledAt = &ca
			ops = append(ops, deliver(cancelled), deliver(cancelled))
			net = 0
		}
		want[cust] += net
	}
	rng.Shuffle(len(ops), func(i, j int) { ops[i], ops[j] = ops[j], ops[i] })
	var wg sync.WaitGroup
	next := atomic.Int64{}
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= len(ops) {
					return
				}
				if err := ops[i](); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	for c, w := range want {
		if got := balance(t, db, shop, c); got != w {
			t.Errorf("customer %d: balance %d, want %d", c, got, w)
		}
	}
	verify(t, db)
}
