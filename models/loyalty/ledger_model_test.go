package loyalty_test

import (
	"sort"
	"time"
)

// An independent, in-memory model of the loyalty rules, written without the engine's code:
// money in integer cents, rates in ten-thousandths, its own month arithmetic. The randomized
// test feeds the same operations to the engine and to the model and compares every account.

type mSettings struct {
	rate4        int64 // points per unit × 10^4
	pendingDays  int
	ignoreTest   bool
	measure      string // spend | points
	window       string
	tiers        []mTier // ascending thresholds
	expiryMode   string
	expiryMonths int
	since        time.Time // expiry switched on
}

type mTier struct {
	name      string
	threshold int64 // cents for spend, points for points
	mult4     int64
}

type mLot struct {
	id    int64
	rem   int64
	avail time.Time
	exp   *time.Time
	order int64
}

type mEntry struct {
	id       int64
	kind     string
	points   int64
	cents    int64
	order    int64
	occurred time.Time
	source   string
}

type mAcct struct {
	created      time.Time
	balance      int64
	lots         []*mLot
	entries      []mEntry
	lastActivity *time.Time
	tier         string
}

type mOrder struct {
	id, cust  int64
	cents     int64
	at        time.Time
	test      bool
	known     bool // delivered at least once
	paid      bool
	cancelled bool
}

type mRefund struct {
	id, order int64
	cents     int64
}

type model struct {
	s       mSettings
	seq     int64
	accts   map[int64]*mAcct
	orders  map[int64]*mOrder
	refunds map[int64][]mRefund // by order
}

func newModel(s mSettings) *model {
	return &model{s: s, accts: map[int64]*mAcct{}, orders: map[int64]*mOrder{}, refunds: map[int64][]mRefund{}}
}

// monthsLater adds n months, falling back to the month's last day when the day does not exist.
func monthsLater(t time.Time, n int) time.Time {
	u := t.UTC().AddDate(0, n, 0)
	if u.Day() != t.UTC().Day() {
		u = u.AddDate(0, 0, -u.Day())
	}
	return u
}

func (m *model) acct(c int64, now time.Time) *mAcct {
	a := m.accts[c]
	if a == nil {
		a = &mAcct{created: now}
		m.accts[c] = a
	}
	return a
}

func (m *model) batchExp(at time.Time) *time.Time {
	if m.s.expiryMode != "batch" {
		return nil
	}
	t := monthsLater(at, m.s.expiryMonths)
	if f := monthsLater(m.s.since, m.s.expiryMonths); f.After(t) {
		t = f
	}
	return &t
}

func (m *model) inactivityExp(a *mAcct) *time.Time {
	if m.s.expiryMode != "inactivity" {
		return nil
	}
	last := a.created
	if a.lastActivity != nil {
		last = *a.lastActivity
	}
	t := monthsLater(last, m.s.expiryMonths)
	if f := monthsLater(m.s.since, m.s.expiryMonths); f.After(t) {
		t = f
	}
	return &t
}

func (m *model) post(a *mAcct, e mEntry) {
	m.seq++
	e.id = m.seq
	a.entries = append(a.entries, e)
	a.balance += e.points
}

func (m *model) credit(a *mAcct, e mEntry, avail time.Time) {
	debt := int64(0)
	if a.balance < 0 {
		debt = -a.balance
	}
	rem := e.points - min(e.points, debt)
	m.post(a, e)
	if rem > 0 {
		a.lots = append(a.lots, &mLot{id: m.seq, rem: rem, avail: avail, exp: m.batchExp(e.occurred), order: e.order})
	}
}

func spendableAt(l *mLot, now time.Time) bool {
	return !l.avail.After(now) && (l.exp == nil || l.exp.After(now))
}

func lotLess(a, b *mLot) bool {
	if a.exp != nil && b.exp != nil && !a.exp.Equal(*b.exp) {
		return a.exp.Before(*b.exp)
	}
	if (a.exp == nil) != (b.exp == nil) {
		return a.exp != nil
	}
	return a.id < b.id
}

// orderLots: spendable lots first, each group oldest-expiring first; with own != 0 that
// order's lots go before everything else.
func orderLots(lots []*mLot, now time.Time, own int64) []*mLot {
	var groups [3][]*mLot
	for _, l := range lots {
		switch {
		case own != 0 && l.order == own:
			groups[0] = append(groups[0], l)
		case spendableAt(l, now):
			groups[1] = append(groups[1], l)
		default:
			groups[2] = append(groups[2], l)
		}
	}
	var out []*mLot
	for _, g := range groups {
		sort.Slice(g, func(i, j int) bool {
			si, sj := spendableAt(g[i], now), spendableAt(g[j], now)
			if si != sj {
				return si
			}
			return lotLess(g[i], g[j])
		})
		out = append(out, g...)
	}
	return out
}

func (m *model) debit(a *mAcct, e mEntry, need int64, lots []*mLot) {
	e.points = -need
	m.post(a, e)
	for _, l := range lots {
		take := min(need, l.rem)
		l.rem -= take
		need -= take
	}
	kept := a.lots[:0]
	for _, l := range a.lots {
		if l.rem > 0 {
			kept = append(kept, l)
		}
	}
	a.lots = kept
}

func (m *model) touch(a *mAcct, at time.Time) {
	if a.lastActivity == nil || at.After(*a.lastActivity) {
		t := at
		a.lastActivity = &t
	}
}

// measureBetween sums the tier measure of a's order entries with from <= occurred < to (<= when incl).
func (m *model) measureBetween(a *mAcct, from, to time.Time, incl bool) int64 {
	var n int64
	for _, e := range a.entries {
		if e.order == 0 || e.occurred.Before(from) || e.occurred.After(to) || (!incl && e.occurred.Equal(to)) {
			continue
		}
		if m.s.measure == "points" {
			n += e.points
		} else {
			n += e.cents
		}
	}
	return n
}

func (m *model) measureAt(a *mAcct, t time.Time, incl bool) int64 {
	switch m.s.window {
	case "rolling_12_months":
		return m.measureBetween(a, monthsLater(t, -12), t, incl)
	case "calendar_year":
		y := time.Date(t.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
		return max(m.measureBetween(a, y.AddDate(-1, 0, 0), y, false), m.measureBetween(a, y, t, incl))
	}
	return m.measureBetween(a, time.Unix(0, 0), t, incl)
}

func (m *model) tierIdx(v int64) int {
	idx := -1
	for i, t := range m.s.tiers {
		if v >= t.threshold {
			idx = i
		}
	}
	return idx
}

func (m *model) reevaluate(a *mAcct, now time.Time) {
	if len(m.s.tiers) == 0 {
		a.tier = ""
		return
	}
	if i := m.tierIdx(m.measureAt(a, now, true)); i >= 0 {
		a.tier = m.s.tiers[i].name
	} else {
		a.tier = ""
	}
}

// settle applies an order's stored facts, as SettleOrderLoyalty must.
func (m *model) settle(id int64, now time.Time) {
	o := m.orders[id]
	if o == nil || !o.known {
		return
	}
	a := m.acct(o.cust, now)
	var earn *mEntry
	reversed := false
	clawed := map[int64]bool{}
	netP, netC := int64(0), int64(0)
	for i := range a.entries {
		e := &a.entries[i]
		if e.order != id {
			continue
		}
		switch e.kind {
		case "earn":
			earn = e
		case "reversal":
			reversed = true
		case "clawback":
			clawed[refundOf(e.source)] = true
		}
		netP += e.points
		netC += e.cents
	}
	changed := false
	if earn == nil {
		if !o.paid || o.cancelled || (o.test && m.s.ignoreTest) || o.cents <= 0 {
			return
		}
		mult := int64(10000)
		if len(m.s.tiers) > 0 {
			if i := m.tierIdx(m.measureAt(a, o.at, false)); i >= 0 {
				mult = m.s.tiers[i].mult4
			}
		}
		pts := o.cents * m.s.rate4 * mult / (100 * 10000 * 10000)
		m.credit(a, mEntry{kind: "earn", points: pts, cents: o.cents, order: id, occurred: o.at, source: "order"},
			o.at.AddDate(0, 0, m.s.pendingDays))
		m.touch(a, o.at)
		earn = &a.entries[len(a.entries)-1]
		netP, netC = pts, o.cents
		changed = true
	}
	earnP, earnC, at := earn.points, earn.cents, earn.occurred
	if o.cancelled && !reversed {
		if netP != 0 || netC != 0 {
			m.debit(a, mEntry{kind: "reversal", cents: -netC, order: id, occurred: at, source: "order"}, netP, orderLots(a.lots, now, id))
			changed = true
		}
		reversed = true
	}
	if !reversed {
		rs := append([]mRefund(nil), m.refunds[id]...)
		sort.Slice(rs, func(i, j int) bool { return rs[i].id < rs[j].id })
		for _, r := range rs {
			if clawed[r.id] {
				continue
			}
			refundedBefore, clawedBefore := earnC-netC, earnP-netP
			amt := min(r.cents, earnC-refundedBefore)
			amt = max(amt, 0)
			cum := refundedBefore + amt
			target := earnP
			if cum < earnC {
				target = earnP * cum / earnC
			}
			pts := max(target-clawedBefore, 0)
			if pts == 0 && amt == 0 {
				continue
			}
			m.debit(a, mEntry{kind: "clawback", cents: -amt, order: id, occurred: at, source: refundSource(r.id)}, pts, orderLots(a.lots, now, id))
			netP -= pts
			netC -= amt
			clawed[r.id] = true
			changed = true
		}
	}
	if changed {
		m.reevaluate(a, now)
	}
}

func refundSource(id int64) string { return "refund:" + itoa(id) }
func refundOf(src string) int64 {
	var n int64
	for _, c := range src[len("refund:"):] {
		n = n*10 + int64(c-'0')
	}
	return n
}

func itoa(n int64) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for n > 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(b)
}

func (m *model) spendable(a *mAcct, now time.Time) int64 {
	var n int64
	for _, l := range a.lots {
		if spendableAt(l, now) {
			n += l.rem
		}
	}
	return n
}

func (m *model) pending(a *mAcct, now time.Time) int64 {
	var n int64
	for _, l := range a.lots {
		if l.avail.After(now) {
			n += l.rem
		}
	}
	return n
}

// mSpend is the part of a redemption one lot paid.
type mSpend struct {
	lot *mLot
	n   int64
}

// redeem reserves cost points; ok is false when the spendable balance is short. It says which
// lots paid.
func (m *model) redeem(c, cost int64, now time.Time) (bool, []mSpend) {
	a := m.accts[c]
	if a == nil || m.spendable(a, now) < cost {
		return false, nil
	}
	var lots []*mLot
	var spent []mSpend
	need := cost
	for _, l := range orderLots(a.lots, now, 0) {
		if spendableAt(l, now) {
			lots = append(lots, l)
			if take := min(need, l.rem); take > 0 {
				spent = append(spent, mSpend{l, take})
				need -= take
			}
		}
	}
	m.debit(a, mEntry{kind: "redeem", occurred: now}, cost, lots)
	m.touch(a, now)
	return true, spent
}

// release gives a refused redemption's points back to the lots they came from, with their own
// expiry; a negative balance is paid off first.
func (m *model) release(c, cost int64, now time.Time, spent []mSpend) {
	a := m.accts[c]
	restore := cost - min(cost, max(0, -a.balance))
	m.post(a, mEntry{kind: "reversal", points: cost, occurred: now})
	sort.Slice(spent, func(i, j int) bool { return spent[i].lot.id < spent[j].lot.id })
	for _, sp := range spent {
		n := min(sp.n, restore)
		if n == 0 {
			continue
		}
		if sp.lot.rem == 0 {
			a.lots = append(a.lots, sp.lot)
		}
		sp.lot.rem += n
		restore -= n
	}
}

func (m *model) adjust(c, points int64, now time.Time) {
	a := m.acct(c, now)
	if points > 0 {
		m.credit(a, mEntry{kind: "adjust", points: points, occurred: now}, now)
		return
	}
	m.debit(a, mEntry{kind: "adjust", occurred: now}, -points, orderLots(a.lots, now, 0))
}

// nightly: expiry, then tier decay for accounts holding a tier.
func (m *model) nightly(now time.Time) {
	if m.s.expiryMode != "off" && !monthsLater(m.s.since, m.s.expiryMonths).After(now) {
		for _, a := range m.accts {
			var due []*mLot
			switch m.s.expiryMode {
			case "batch":
				for _, l := range a.lots {
					if l.exp != nil && !l.exp.After(now) && !l.avail.After(now) {
						due = append(due, l)
					}
				}
			case "inactivity":
				if a.balance <= 0 {
					continue
				}
				if at := m.inactivityExp(a); at.After(now) {
					continue
				}
				for _, l := range a.lots {
					if !l.avail.After(now) {
						due = append(due, l)
					}
				}
			}
			var n int64
			for _, l := range due {
				n += l.rem
			}
			if n > 0 {
				m.debit(a, mEntry{kind: "expire", occurred: now}, n, due)
			}
		}
	}
	for _, a := range m.accts {
		if a.tier != "" {
			m.reevaluate(a, now)
		}
	}
}

// keptOrders counts a customer's stored orders that are not cancelled, not test and not fully
// refunded (the buyer stage's order count).
func (m *model) keptOrders(c int64) int {
	n := 0
	for _, o := range m.orders {
		if o.cust != c || !o.known || o.cancelled || o.test {
			continue
		}
		var refunded int64
		for _, r := range m.refunds[o.id] {
			refunded += r.cents
		}
		if refunded < o.cents {
			n++
		}
	}
	return n
}

func (m *model) isTop(tier string) bool {
	n := len(m.s.tiers)
	return n > 0 && tier != "" && m.s.tiers[n-1].name == tier && m.s.tiers[n-1].threshold > 0
}
