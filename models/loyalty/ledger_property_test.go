package loyalty_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"gorm.io/gorm"

	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/models/loyalty"
)

// The randomized state-machine test of the ledger: seeded sequences of order deliveries (in
// and out of order, duplicated, stale), refunds (also before their order), cancellations,
// redemptions (issued, refused by Shopify, left pending and retried), manual adjustments,
// nightly runs (expiry, tier decay) and clock jumps are fed to the engine and to the model in
// ledger_model_test.go; after every step the touched account's balance and tier must agree,
// and periodically every account's full entry list, lots, stage and statement. A failure
// prints the seed; LOYALTY_SEED=n reruns one seed, LOYALTY_SEEDS=n runs more.

// scriptedShopify answers discountCodeBasicCreate as told.
type scriptedShopify struct{ next string }

func (s *scriptedShopify) CreateDiscountCode(context.Context, string, loyalty.DiscountCode) (string, error) {
	switch s.next {
	case "ok":
		return "gid://shopify/DiscountCodeNode/1", nil
	case "refuse":
		return "", &loyalty.DiscountRefused{Reason: "basicCodeDiscount.customerGets Value is invalid"}
	}
	return "", errors.New("Throttled") // unknown outcome: the redemption stays pending
}

type simOrder struct {
	*mOrder
	lastPaid, lastCancelled bool
}

type pendingRedemption struct {
	id, cust, cost int64
	spent          []mSpend // the lots the points came from
}

type sim struct {
	t       *testing.T
	rng     *rand.Rand
	db      *gorm.DB
	shop    int64
	now     time.Time
	m       *model
	custs   []int64
	orders  []*simOrder
	refSeq  int64
	pending []pendingRedemption
	gql     *scriptedShopify
	stale   bool
	log     []string
}

func (s *sim) fail(format string, args ...any) {
	s.t.Helper()
	tail := s.log
	if len(tail) > 25 {
		tail = tail[len(tail)-25:]
	}
	for _, l := range tail {
		s.t.Log(l)
	}
	s.t.Fatalf(format, args...)
}

func (s *sim) step(format string, args ...any) {
	s.log = append(s.log, s.now.Format("2006-01-02 15:04")+" "+fmt.Sprintf(format, args...))
}

func randomSettings(rng *rand.Rand, since time.Time) (mSettings, loyalty.LoyaltySettings) {
	ms := mSettings{
		rate4:       []int64{10000, 50000, 25000, 7500}[rng.IntN(4)],
		pendingDays: []int{0, 0, 7, 30}[rng.IntN(4)],
		ignoreTest:  rng.IntN(2) == 0,
		measure:     []string{"spend", "points"}[rng.IntN(2)],
		window:      []string{loyalty.WindowRolling12, loyalty.WindowCalendar, loyalty.WindowLifetime}[rng.IntN(3)],
		expiryMode:  []string{"off", "inactivity", "batch"}[rng.IntN(3)],
		since:       since,
	}
	if ms.expiryMode != "off" {
		ms.expiryMonths = 1 + rng.IntN(3)
	}
	if ms.measure == "spend" {
		ms.tiers = []mTier{{"Bronze", 0, 10000}, {"Silver", 30000, 12500}, {"Gold", 90000, 15000}}
	} else {
		ms.tiers = []mTier{{"Bronze", 0, 10000}, {"Silver", 1000, 12500}, {"Gold", 3000, 15000}}
	}
	if rng.IntN(6) == 0 {
		ms.tiers = nil
	}
	ls := loyalty.DefaultLoyaltySettings()
	ls.EarnRate = loyalty.Num{Decimal: decimal.New(ms.rate4, -4)}
	ls.PendingDays, ls.IgnoreTestOrders = ms.pendingDays, ms.ignoreTest
	ls.TierMeasure, ls.TierWindow = ms.measure, ms.window
	ls.Tiers = nil
	for _, t := range ms.tiers {
		th := decimal.NewFromInt(t.threshold)
		if ms.measure == "spend" {
			th = decimal.New(t.threshold, -2)
		}
		ls.Tiers = append(ls.Tiers, loyalty.Tier{Name: t.name, Threshold: loyalty.Num{Decimal: th}, Multiplier: loyalty.Num{Decimal: decimal.New(t.mult4, -4)}})
	}
	ls.ExpiryMode, ls.ExpiryMonths = ms.expiryMode, ms.expiryMonths
	ls.Rewards = []loyalty.Reward{
		{Name: "A", Type: loyalty.RewardFixed, Value: loyalty.N("1"), PointsCost: 100, ValidDays: 30},
		{Name: "B", Type: loyalty.RewardPercentage, Value: loyalty.N("10"), PointsCost: 350, ValidDays: 30},
	}
	return ms, ls
}

func TestLoyaltyLedgerMatchesModel(t *testing.T) {
	seeds := []uint64{1, 2, 3, 4, 5, 6, 7, 8}
	if v := os.Getenv("LOYALTY_SEED"); v != "" {
		n, _ := strconv.ParseUint(v, 10, 64)
		seeds = []uint64{n}
	} else if v := os.Getenv("LOYALTY_SEEDS"); v != "" {
		n, _ := strconv.Atoi(v)
		seeds = nil
		for i := 1; i <= n; i++ {
			seeds = append(seeds, uint64(i))
		}
	}
	db, _ := loyaltyDB(t)
	for _, seed := range seeds {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) { runSim(t, db, seed, 140) })
	}
}

func runSim(t *testing.T, db *gorm.DB, seed uint64, steps int) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(seed, 0x10a1))
	start := time.Date(2025, 10, 15, 9, 0, 0, 0, time.UTC)
	shop, _, err := models.InstallShop(ctx, db, fmt.Sprintf("sim-%d-%d.myshopify.com", seed, time.Now().UnixNano()))
	if err != nil {
		t.Fatal(err)
	}
	ms, ls := randomSettings(rng, start)
	off := ls
	off.ExpiryMode = loyalty.ExpiryOff
	if err := loyalty.SaveLoyaltySettings(ctx, db, shop, off, "test", start); err != nil {
		t.Fatal(err)
	}
	if err := loyalty.SaveLoyaltySettings(ctx, db, shop, ls, "test", start); err != nil {
		t.Fatal(err)
	}
	s := &sim{t: t, rng: rng, db: db, shop: shop, now: start, m: newModel(ms), custs: []int64{11, 12, 13, 14},
		gql: &scriptedShopify{}}
	s.step("settings %+v", ms)
	for i := 0; i < steps; i++ {
		s.randomStep()
		if i%20 == 19 {
			s.compareAll()
		}
	}
	s.compareAll()
	if _, err := loyalty.VerifyLedger(ctx, db); err != nil {
		s.fail("seed %d: %v", seed, err)
	}
}

func (s *sim) randomStep() {
	switch r := s.rng.IntN(100); {
	case r < 18:
		s.newOrder()
	case r < 30:
		s.deliverExisting("paid")
	case r < 42:
		s.deliverExisting([]string{"again", "stale"}[s.rng.IntN(2)])
	case r < 52:
		s.refund()
	case r < 58:
		s.deliverExisting("cancel")
	case r < 70:
		s.redeem()
	case r < 74:
		s.resolvePending()
	case r < 79:
		s.adjust()
	case r < 90:
		s.nightly()
	default:
		s.advance(time.Duration(s.rng.IntN(40*24)) * time.Hour)
	}
	s.advance(time.Duration(s.rng.IntN(36*60)) * time.Minute)
}

func (s *sim) advance(d time.Duration) { s.now = s.now.Add(d.Truncate(time.Second)) }

func (s *sim) newOrder() {
	id := int64(1000 + len(s.orders))
	o := &simOrder{mOrder: &mOrder{id: id, cust: s.custs[s.rng.IntN(len(s.custs))], cents: int64(500 + s.rng.IntN(25000)),
		at: s.now, test: s.rng.IntN(10) == 0}}
	s.orders = append(s.orders, o)
	s.m.orders[id] = o.mOrder
	if s.rng.IntN(3) == 0 {
		return // not delivered yet: its refund or a later delivery may come first
	}
	s.deliver(o, s.rng.IntN(2) == 0, false)
}

// deliverExisting delivers an order again: now paid, now cancelled, its last delivery again,
// or a stale version (the unpaid orders/create arriving after later news).
func (s *sim) deliverExisting(kind string) {
	if len(s.orders) == 0 {
		return
	}
	o := s.orders[s.rng.IntN(len(s.orders))]
	switch kind {
	case "paid":
		s.deliver(o, true, false)
	case "cancel":
		s.deliver(o, o.paid, true)
	case "again":
		s.deliver(o, o.lastPaid, o.lastCancelled)
	default:
		s.stale = true
		s.deliver(o, false, false)
		s.stale = false
	}
}

func (s *sim) deliver(o *simOrder, paid, cancelled bool) {
	ctx := context.Background()
	sub := decimal.New(o.cents, -2)
	upd := s.now
	if s.stale {
		upd = o.at
	}
	f := models.OrderFact{OrderID: o.id, CustomerID: o.cust, Subtotal: sub, Total: sub, Test: o.test, Paid: paid,
		FinancialStatus: map[bool]string{true: "paid", false: "pending"}[paid], ProcessedAt: &o.at, CreatedAt: &o.at, UpdatedAt: &upd}
	if cancelled {
		at := s.now
		f.CancelledAt = &at
	}
	s.step("deliver order %d cust %d %d¢ test=%v paid=%v cancelled=%v stale=%v", o.id, o.cust, o.cents, o.test, paid, cancelled, s.stale)
	if _, err := models.UpsertOrder(ctx, s.db, s.shop, f); err != nil {
		s.fail("upsert order: %v", err)
	}
	if err := loyalty.SettleOrderLoyalty(ctx, s.db, s.shop, o.id, s.now); err != nil {
		s.fail("settle order %d: %v", o.id, err)
	}
	o.known, o.paid, o.cancelled = true, o.paid || paid, o.cancelled || cancelled
	o.lastPaid, o.lastCancelled = paid, cancelled
	s.m.settle(o.id, s.now)
	s.compare(o.cust)
}

func (s *sim) refund() {
	if len(s.orders) == 0 {
		return
	}
	ctx := context.Background()
	o := s.orders[s.rng.IntN(len(s.orders))]
	s.refSeq++
	id := 5000 + s.refSeq
	cents := int64(1 + s.rng.IntN(int(o.cents)))
	if s.rng.IntN(4) == 0 {
		cents = o.cents // full refund
	}
	s.step("refund %d of order %d: %d¢ (order known=%v)", id, o.id, cents, o.known)
	fresh, err := models.RecordRefund(ctx, s.db, s.shop, models.Refund{RefundID: id, OrderID: o.id, Subtotal: decimal.New(cents, -2)})
	if err != nil || !fresh {
		s.fail("record refund: %v %v", fresh, err)
	}
	// Delivered twice: the second settle must change nothing.
	for i := 0; i < 2; i++ {
		if err := loyalty.SettleRefundLoyalty(ctx, s.db, s.shop, o.id, s.now); err != nil {
			s.fail("settle refund: %v", err)
		}
	}
	s.m.refunds[o.id] = append(s.m.refunds[o.id], mRefund{id: id, order: o.id, cents: cents})
	s.m.settle(o.id, s.now)
	s.compare(o.cust)
}

func (s *sim) redeem() {
	ctx := context.Background()
	c := s.custs[s.rng.IntN(len(s.custs))]
	name, cost := "A", int64(100)
	if s.rng.IntN(3) == 0 {
		name, cost = "B", 350
	}
	s.step("redeem %s (%d) for %d", name, cost, c)
	r, err := loyalty.ReserveRedemption(ctx, s.db, s.shop, c, name, "", s.now)
	ok, spent := s.m.redeem(c, cost, s.now)
	if models.ErrorCode(err) == models.EConflict {
		if ok {
			s.fail("engine refused a redemption the model affords: %v", err)
		}
		return
	}
	if err != nil {
		s.fail("reserve: %v", err)
	}
	if !ok {
		s.fail("engine reserved %d points the model does not afford", cost)
	}
	s.issue(pendingRedemption{r.ID, c, cost, spent}, []string{"ok", "refuse", "throttled"}[s.rng.IntN(3)])
	s.compare(c)
}

func (s *sim) issue(p pendingRedemption, outcome string) {
	s.gql.next = outcome
	s.step("issue redemption %d: %s", p.id, outcome)
	r, err := loyalty.IssueRedemption(context.Background(), s.db, s.gql, "sim.myshopify.com", s.shop, p.id, s.now)
	switch outcome {
	case "ok":
		if err != nil || r.Status != loyalty.RedemptionIssued {
			s.fail("issue: %v %+v", err, r)
		}
	case "refuse":
		if err != nil || r.Status != loyalty.RedemptionFailed {
			s.fail("refused issue: %v %+v", err, r)
		}
		s.m.release(p.cust, p.cost, s.now, p.spent)
	default:
		if err == nil || r.Status != loyalty.RedemptionPending {
			s.fail("throttled issue: %v %+v", err, r)
		}
		s.pending = append(s.pending, p)
	}
}

func (s *sim) resolvePending() {
	if len(s.pending) == 0 {
		return
	}
	i := s.rng.IntN(len(s.pending))
	p := s.pending[i]
	s.pending = append(s.pending[:i], s.pending[i+1:]...)
	s.issue(p, []string{"ok", "refuse"}[s.rng.IntN(2)])
	s.compare(p.cust)
}

func (s *sim) adjust() {
	var known []int64
	for _, c := range s.custs {
		for _, o := range s.orders {
			if o.cust == c && o.known {
				known = append(known, c)
				break
			}
		}
	}
	if len(known) == 0 {
		return
	}
	c := known[s.rng.IntN(len(known))]
	pts := int64(s.rng.IntN(400) - 150)
	if pts == 0 {
		pts = 1
	}
	s.step("adjust %d by %d", c, pts)
	if _, err := loyalty.AdjustPoints(context.Background(), s.db, s.shop, c, pts, "sim", "staff", "", s.now); err != nil {
		s.fail("adjust: %v", err)
	}
	s.m.adjust(c, pts, s.now)
	s.compare(c)
}

func (s *sim) nightly() {
	s.step("nightly")
	if _, err := loyalty.RunLoyaltyNightly(context.Background(), s.db, s.shop, s.now); err != nil {
		s.fail("nightly: %v", err)
	}
	// A rerun of the same night changes nothing.
	if _, err := loyalty.RunLoyaltyNightly(context.Background(), s.db, s.shop, s.now); err != nil {
		s.fail("nightly rerun: %v", err)
	}
	s.m.nightly(s.now)
	s.compareAll()
}

func (s *sim) compare(c int64) {
	s.t.Helper()
	a, err := loyalty.GetLoyaltyAccount(context.Background(), s.db, s.shop, c)
	if err != nil {
		s.fail("account: %v", err)
	}
	var want, tier = int64(0), ""
	if ma := s.m.accts[c]; ma != nil {
		want, tier = ma.balance, ma.tier
	}
	if a.Balance != want || a.Tier != tier {
		s.fail("customer %d: engine balance %d tier %q, model %d %q", c, a.Balance, a.Tier, want, tier)
	}
}

// compareAll checks every account entry by entry, plus lots, statement and buyer stage.
func (s *sim) compareAll() {
	s.t.Helper()
	ctx := context.Background()
	for _, c := range s.custs {
		s.compare(c)
		ma := s.m.accts[c]
		var got []loyalty.LedgerEntry
		if err := models.Scoped(ctx, s.db, s.shop).Where("customer_id = ?", c).Order("id").Find(&got).Error; err != nil {
			s.fail("entries: %v", err)
		}
		var want []mEntry
		if ma != nil {
			want = ma.entries
		}
		if len(got) != len(want) {
			s.fail("customer %d: engine has %d entries, model %d", c, len(got), len(want))
		}
		for i := range got {
			g, w := got[i], want[i]
			if g.Kind != w.kind || g.Points != w.points || (w.order != 0 && g.Amount.Mul(decimal.NewFromInt(100)).IntPart() != w.cents) {
				s.fail("customer %d entry %d: engine %s %d (%s), model %s %d (%d¢)", c, i, g.Kind, g.Points, g.Amount, w.kind, w.points, w.cents)
			}
		}
		if ma == nil {
			continue
		}
		st, err := loyalty.LoyaltyStatementOf(ctx, s.db, s.shop, c, s.now)
		if err != nil {
			s.fail("statement: %v", err)
		}
		if st.Pending != s.m.pending(ma, s.now) || st.Spendable != s.m.spendable(ma, s.now) {
			s.fail("customer %d: engine pending %d spendable %d, model %d %d", c, st.Pending, st.Spendable,
				s.m.pending(ma, s.now), s.m.spendable(ma, s.now))
		}
		cust, err := models.GetCustomer(ctx, s.db, s.shop, c)
		if models.ErrorCode(err) == models.ENotFound {
			continue
		}
		if err != nil {
			s.fail("customer: %v", err)
		}
		if want := models.StageFor(s.m.keptOrders(c), s.m.isTop(ma.tier)); cust.Stage != want {
			s.fail("customer %d: stage %q, model %q (kept orders %d, tier %q)", c, cust.Stage, want, s.m.keptOrders(c), ma.tier)
		}
	}
}
