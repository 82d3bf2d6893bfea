package loyalty

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/shopspring/decimal"
	"gorm.io/gorm"

	"github.com/boomerang-app/boomerang/models"
)

// Points from orders. Settling an order is a reconciliation, not a reaction to one delivery:
// under the customer's account lock it reads what is stored about the order (paid, cancelled,
// refunds) and what the ledger already holds for it, and appends only what is missing. So the
// result is the same whichever of orders/create, orders/paid, orders/cancelled, refunds/create
// or a backfill arrives first, and however often each is delivered; and two deliveries of the
// same order handled at once by two workers serialize on the lock, the second seeing the first.

// orderFacts is what settling reads about an order, in one round trip.
type orderFacts struct {
	Known       bool
	CustomerID  int64
	Subtotal    decimal.Decimal
	PaidAt      *time.Time
	CancelledAt *time.Time
	Test        bool
	LandingSite string
	Codes       string
	Earn        *orderEntry
	History     bool // placed and paid before install: it counts for tiers and never earns
	Reversed    bool
	Clawed      map[string]orderEntry // refund id → clawback entry
	Refunds     []orderRefund
}

type orderEntry struct {
	Points     int64
	Amount     decimal.Decimal
	OccurredAt time.Time
}

type orderRefund struct {
	ID       string
	Subtotal decimal.Decimal
}

func loadOrderFacts(ctx context.Context, tx *gorm.DB, shopID, orderID int64) (orderFacts, error) {
	fs, err := loadOrdersFacts(ctx, tx, shopID, []int64{orderID})
	return fs[orderID], err
}

// loadOrdersFacts reads the facts of several orders in one round trip; an order not stored has
// facts with Known false.
func loadOrdersFacts(ctx context.Context, tx *gorm.DB, shopID int64, orderIDs []int64) (map[int64]orderFacts, error) {
	out := make(map[int64]orderFacts, len(orderIDs))
	for _, id := range orderIDs {
		out[id] = orderFacts{Clawed: map[string]orderEntry{}}
	}
	var rows []struct {
		T           string
		OrderID     int64
		Kind        string
		Points      int64
		Amount      decimal.Decimal
		SourceType  string
		SourceID    string
		At1         *time.Time
		At2         *time.Time
		Flag        bool
		CustomerID  *int64
		LandingSite string
		Codes       string
	}
	ids := models.Int64Array(orderIDs)
	err := tx.WithContext(ctx).Raw(`
		SELECT 'o' AS t, order_id, '' AS kind, 0::bigint AS points, subtotal AS amount, '' AS source_type, '' AS source_id,
		       paid_at AS at1, cancelled_at AS at2, test AS flag, customer_id, landing_site, discount_codes AS codes
		  FROM orders WHERE shop_id = ? AND order_id = ANY (?::bigint[])
		UNION ALL
		SELECT 'e', order_id, kind, points, amount, source_type, source_id, occurred_at, NULL, false, NULL, '', ''
		  FROM ledger_entries WHERE shop_id = ? AND order_id = ANY (?::bigint[])
		UNION ALL
		SELECT 'r', order_id, '', 0, subtotal, '', refund_id::text, NULL, NULL, false, NULL, '', ''
		  FROM refunds WHERE shop_id = ? AND order_id = ANY (?::bigint[])`,
		shopID, ids, shopID, ids, shopID, ids).Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("facts of orders %v: %w", orderIDs, err)
	}
	for _, r := range rows {
		f, ok := out[r.OrderID]
		if !ok {
			continue
		}
		switch r.T {
		case "o":
			f.Known, f.Subtotal, f.PaidAt, f.CancelledAt, f.Test = true, r.Amount, r.At1, r.At2, r.Flag
			f.LandingSite, f.Codes = r.LandingSite, r.Codes
			if r.CustomerID != nil {
				f.CustomerID = *r.CustomerID
			}
		case "e":
			e := orderEntry{Points: r.Points, Amount: r.Amount, OccurredAt: *r.At1}
			switch {
			case r.Kind == EntryEarn:
				f.Earn = &e
			case r.Kind == EntryHistory:
				f.History = true
			case r.Kind == EntryReversal && r.SourceType == SourceOrder:
				f.Reversed = true
			case r.Kind == EntryClawback:
				f.Clawed[r.SourceID] = e
			}
		case "r":
			f.Refunds = append(f.Refunds, orderRefund{ID: r.SourceID, Subtotal: r.Amount})
		}
		out[r.OrderID] = f
	}
	for _, f := range out {
		sort.Slice(f.Refunds, func(i, j int) bool { return refundLess(f.Refunds[i].ID, f.Refunds[j].ID) })
	}
	return out, nil
}

// earnable: the order's facts call for an earn entry and the ledger has none yet. History
// orders count for tiers and never earn.
func (f orderFacts) earnable(set ProgramSettings) bool {
	return f.Known && f.Earn == nil && !f.History && f.PaidAt != nil && f.CancelledAt == nil &&
		!(f.Test && set.IgnoreTestOrders) && f.Subtotal.IsPositive()
}

func refundLess(a, b string) bool {
	x, _ := strconv.ParseInt(a, 10, 64)
	y, _ := strconv.ParseInt(b, 10, 64)
	return x < y
}

// SettleOrderLoyalty settles one order's points (earn when paid, clawbacks for its refunds,
// the reversal when cancelled), re-evaluates the customer's tier and refreshes their order
// stats and buyer stage (the top tier makes a buyer loyal), in one transaction. Then a
// referral the order completed is rewarded if it is already due. Idempotent.
func SettleOrderLoyalty(ctx context.Context, db *gorm.DB, shopID, orderID int64, now time.Time) error {
	var cust int64
	err := db.WithContext(ctx).Raw(`SELECT COALESCE(customer_id, 0) FROM orders WHERE shop_id = ? AND order_id = ?`,
		shopID, orderID).Scan(&cust).Error
	if err != nil {
		return fmt.Errorf("settle order %d: %w", orderID, err)
	}
	_, err = SettleOrderLoyaltyFor(ctx, db, shopID, cust, orderID, now)
	return err
}

// SettleOrderLoyaltyFor is SettleOrderLoyalty for a caller that has read the order's customer
// (the order webhook path), saving the lookup. A wrong customer settles nothing. It returns the
// customer's order stats as refreshed.
func SettleOrderLoyaltyFor(ctx context.Context, db *gorm.DB, shopID, cust, orderID int64, now time.Time) (models.OrderStats, error) {
	var st models.OrderStats
	if cust == 0 {
		return st, nil // unknown order, or a guest checkout: nobody to credit
	}
	set, err := cachedLoyaltySettings(ctx, db, shopID)
	if err != nil {
		return st, err
	}
	var referral int64
	err = db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var tier string
		if referral, tier, err = settleInBook(ctx, tx, set, shopID, cust, orderID, now); err != nil {
			return err
		}
		st, err = models.RefreshCustomerStats(ctx, tx, shopID, cust, set.IsTopTier(tier))
		return err
	})
	if err != nil {
		return st, fmt.Errorf("settle order %d: %w", orderID, err)
	}
	if referral != 0 {
		return st, rewardReferral(ctx, db, set, shopID, referral, now)
	}
	return st, nil
}

// SettleBatchOrder settles one order of a batch whose accounts ctx carries (LockAccounts), as
// SettleOrderLoyaltyFor does, except the customer's order stats: the batch refreshes those once
// for all its customers (AccountBatch.RefreshStats).
func SettleBatchOrder(ctx context.Context, tx models.Tx, ab *AccountBatch, cust, orderID int64, now time.Time) error {
	if cust == 0 {
		return nil
	}
	set, err := cachedLoyaltySettings(ctx, tx.Gorm(), ab.shopID)
	if err != nil {
		return err
	}
	referral, tier, err := settleInBook(ctx, tx.Gorm(), set, ab.shopID, cust, orderID, now)
	if err != nil {
		return fmt.Errorf("settle order %d: %w", orderID, err)
	}
	ab.settled[cust] = set.IsTopTier(tier)
	if referral != 0 {
		return rewardReferral(ctx, tx.Gorm(), set, ab.shopID, referral, now)
	}
	return nil
}

// settleInBook opens the customer's book, settles the order and closes the book. It returns a
// referral the order made due and the tier the customer is left in.
func settleInBook(ctx context.Context, tx *gorm.DB, set ProgramSettings, shopID, cust, orderID int64, now time.Time) (int64, string, error) {
	b, err := openBook(ctx, tx, set, shopID, cust, now)
	if err != nil {
		return 0, "", err
	}
	referral, err := b.settleOrder(orderID)
	if err != nil {
		return 0, "", err
	}
	return referral, b.acct.Tier, b.close()
}

// SettleRefundLoyalty applies a stored refund: its order is settled again (a refund whose order
// is not known yet waits for it — settling the order applies every stored refund).
func SettleRefundLoyalty(ctx context.Context, db *gorm.DB, shopID, orderID int64, now time.Time) error {
	return SettleOrderLoyalty(ctx, db, shopID, orderID, now)
}

// settleOrder appends whatever the order's facts call for and is missing from the ledger. It
// returns a referral the order created that is due now.
func (b *book) settleOrder(orderID int64) (dueReferral int64, err error) {
	if err := b.sync(); err != nil {
		return 0, err
	}
	f, ok := b.batch.takeFacts(orderID)
	if !ok {
		if f, err = loadOrderFacts(b.ctx, b.tx, b.shopID(), orderID); err != nil {
			return 0, err
		}
	}
	if !f.Known || f.CustomerID != b.customerID() {
		return 0, nil
	}
	oid := orderID
	if f.CancelledAt != nil || refundedInFull(f) {
		if err := b.returnRewardsOf(oid, f.Codes); err != nil {
			return 0, err
		}
	}
	changed := false
	if f.Earn == nil {
		if !f.earnable(b.set) {
			return 0, nil
		}
		e, err := b.earnOrder(oid, f)
		if err != nil || e == nil {
			return 0, err
		}
		f.Earn = &orderEntry{Points: e.Points, Amount: e.Amount, OccurredAt: e.OccurredAt}
		changed = true
		if dueReferral, err = b.noteReferral(oid, f); err != nil {
			return 0, err
		}
	}
	netPoints, netAmount := f.Earn.Points, f.Earn.Amount
	for _, c := range f.Clawed {
		netPoints += c.Points
		netAmount = netAmount.Add(c.Amount)
	}
	if f.CancelledAt != nil && !f.Reversed {
		if netPoints != 0 || !netAmount.IsZero() {
			_, ins, err := b.debit(posting{Kind: EntryReversal, SourceType: SourceOrder, SourceID: strconv.FormatInt(oid, 10),
				Amount: netAmount.Neg(), OrderID: &oid, Reason: "order cancelled", OccurredAt: f.Earn.OccurredAt},
				netPoints, orderFirst(oid))
			if err != nil {
				return 0, err
			}
			changed = changed || ins
		}
		f.Reversed = true
	}
	if !f.Reversed {
		for _, r := range f.Refunds {
			if _, done := f.Clawed[r.ID]; done {
				continue
			}
			points, amount := clawbackFor(*f.Earn, f.Earn.Amount.Sub(netAmount), f.Earn.Points-netPoints, r.Subtotal)
			if points == 0 && amount.IsZero() {
				continue
			}
			_, ins, err := b.debit(posting{Kind: EntryClawback, SourceType: SourceRefund, SourceID: r.ID,
				Amount: amount.Neg(), OrderID: &oid, Reason: "refund", OccurredAt: f.Earn.OccurredAt}, points, orderFirst(oid))
			if err != nil {
				return 0, err
			}
			changed = changed || ins
			netPoints -= points
			netAmount = netAmount.Sub(amount)
			f.Clawed[r.ID] = orderEntry{Points: -points, Amount: amount.Neg()}
		}
	}
	if changed {
		return dueReferral, b.reevaluateTier()
	}
	return dueReferral, nil
}

// refundedInFull: the order's refunds add up to its whole subtotal.
func refundedInFull(f orderFacts) bool {
	sum := decimal.Zero
	for _, r := range f.Refunds {
		sum = sum.Add(r.Subtotal)
	}
	return f.Subtotal.IsPositive() && sum.GreaterThanOrEqual(f.Subtotal)
}

// earnOrder credits a paid order at the multiplier of the tier the customer held when it was
// paid: points = floor(subtotal × earn rate × multiplier), pending for the pending period.
func (b *book) earnOrder(oid int64, f orderFacts) (*LedgerEntry, error) {
	paid := f.PaidAt.UTC()
	mult := decimal.NewFromInt(1)
	if len(b.set.Tiers) > 0 {
		ms, err := b.loadMeasure(b.set.windowsAt(paid, false))
		if err != nil {
			return nil, err
		}
		mult = b.set.multiplier(b.set.tierIndex(maxOf(ms)))
	}
	points := f.Subtotal.Mul(b.set.EarnRate.Decimal).Mul(mult).Floor().IntPart()
	e, ins, err := b.credit(posting{Kind: EntryEarn, SourceType: SourceOrder, SourceID: strconv.FormatInt(oid, 10),
		Points: points, Amount: f.Subtotal, OrderID: &oid, OccurredAt: paid,
		AvailableAt: paid.AddDate(0, 0, b.set.PendingDays)})
	if err != nil || !ins {
		return nil, err
	}
	b.touch(paid)
	if points > 0 {
		if _, err := models.Emit(b.ctx, b.tx, b.shopID(), b.customerID(), "order:"+strconv.FormatInt(oid, 10),
			models.PointsEarnedPayload{Points: points, Balance: b.acct.Balance, OrderID: oid, PendingUntil: pendingUntil(e, b.now)}, b.now); err != nil {
			return nil, err
		}
	}
	return e, nil
}

func pendingUntil(e *LedgerEntry, now time.Time) *time.Time {
	if e.AvailableAt.After(now) {
		t := e.AvailableAt
		return &t
	}
	return nil
}

// clawbackFor is the part of an order's points a refund takes back: proportional to the money
// refunded, counted cumulatively so several partial refunds never take more than was earned
// and a full refund takes exactly everything. Rounded down in the customer's favour until the
// order is refunded in full.
func clawbackFor(earn orderEntry, refundedBefore decimal.Decimal, clawedBefore int64, refund decimal.Decimal) (points int64, amount decimal.Decimal) {
	left := earn.Amount.Sub(refundedBefore)
	amount = decimal.Min(refund, left)
	if amount.IsNegative() {
		amount = decimal.Zero
	}
	cum := refundedBefore.Add(amount)
	var target int64
	if !earn.Amount.IsPositive() || cum.GreaterThanOrEqual(earn.Amount) {
		target = earn.Points
	} else {
		target = decimal.NewFromInt(earn.Points).Mul(cum).Div(earn.Amount).Floor().IntPart()
	}
	return max(target-clawedBefore, 0), amount
}
