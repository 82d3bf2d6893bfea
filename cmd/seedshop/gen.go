package main

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"time"

	"github.com/jackc/pgx/v5"
)

// The generated history. Shapes follow what a real shop produces: a third of customers buy
// once; the rest return with a heavy tail; orders spread from each customer's first order to
// the end of the history; a few are cancelled, test or refunded; every kept order earns points
// (5 per unit of currency), balances above 1,000 are sometimes redeemed; one order in ten is
// reviewed (the bad ones open a case); one customer in twenty subscribes; every order and
// every first purchase gets a message decision.

const (
	customerIDBase = 7_000_000_000_000
	orderIDBase    = 5_000_000_000_000
	refundIDBase   = 900_000_000_000
	earnRate       = 5    // points per unit of currency
	redeemCost     = 1000 // points per reward
	productCount   = 2000
)

type genOrder struct {
	cust        int32 // index into customers
	at          time.Time
	cents       int64
	cancelled   bool
	test        bool
	refundCents int64
	id          int64
	refundID    int64
}

type genCustomer struct {
	id     int64
	acq    time.Time
	orders []int32 // indexes into generator.orders, by time
	tier   string
	stage  string
	kept   int
	spent  int64 // cents, net of refunds
	first  *time.Time
	last   *time.Time
	bal    int64
	active *time.Time
}

type genEntry struct {
	cust      int32
	kind      string
	points    int64
	balance   int64
	remaining int64
	amount    int64 // cents
	orderID   int64
	source    string
	sourceID  string
	reason    string
	at        time.Time
}

type genReview struct {
	cust      int32
	orderID   int64
	product   int64
	rating    int
	score     float64
	published bool
	at        time.Time
}

type genCase struct {
	cust     int32
	reviewNo int // index into reviews; review ids are assigned by the database in COPY order
	opened   time.Time
	resolved *time.Time
}

type genContract struct {
	cust      int32
	id        int64
	product   int64
	started   time.Time
	cancelled *time.Time
	reason    string
}

type genDecision struct {
	cust     int32
	message  int64
	trigger  string
	entity   string
	kind     string
	decision string
	reason   string
	at       time.Time
}

type generator struct {
	cfg       seedConfig
	shopID    int64
	rnd       *rand.Rand
	start     time.Time
	msgIDs    map[string]int64
	customers []genCustomer
	orders    []genOrder
	entries   []genEntry
	redeems   []genEntry // the redeem entries, for loyalty_redemptions rows
	reviews   []genReview
	cases     []genCase
	contracts []genContract
	decisions []genDecision
}

func newGenerator(cfg seedConfig, shopID int64) *generator {
	return &generator{cfg: cfg, shopID: shopID, rnd: rand.New(rand.NewPCG(cfg.seed, 0x5eed)),
		start: cfg.end.AddDate(-cfg.years, 0, 0)}
}

func (g *generator) loadMessageIDs(ctx context.Context, conn *pgx.Conn) error {
	g.msgIDs = map[string]int64{}
	rows, err := conn.Query(ctx, `SELECT preset, id FROM messages WHERE shop_id = $1 AND preset <> ''`, g.shopID)
	if err != nil {
		return fmt.Errorf("message ids: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var p string
		var id int64
		if err := rows.Scan(&p, &id); err != nil {
			return err
		}
		g.msgIDs[p] = id
	}
	return rows.Err()
}

// between is a uniformly random instant in [a, b).
func (g *generator) between(a, b time.Time) time.Time {
	d := b.Sub(a)
	if d <= 0 {
		return a
	}
	return a.Add(time.Duration(g.rnd.Int64N(int64(d)))).Truncate(time.Second)
}

func (g *generator) chance(p float64) bool { return g.rnd.Float64() < p }

// before reports whether t lies within the history: nothing is dated after its end (a fact in
// the future would look freshly changed to every refresh until then).
func (g *generator) before(t time.Time) bool { return !t.After(g.cfg.end) }

func (g *generator) generate() {
	g.makeCustomers()
	g.makeOrders()
	g.makeRefunds()
	g.customerStats()
	g.makeLedger()
	g.makeReviews()
	g.makeContracts()
	g.makeDecisions()
}

func (g *generator) makeCustomers() {
	n := g.cfg.customers
	g.customers = make([]genCustomer, n)
	for i := range g.customers {
		g.customers[i] = genCustomer{id: customerIDBase + int64(i), acq: g.between(g.start, g.cfg.end.Add(-24*time.Hour))}
	}
}

// makeOrders gives every customer a first order, then hands the remaining orders to returning
// customers (two in three) in proportion to how long they have been around and a heavy-tailed
// appetite.
func (g *generator) makeOrders() {
	span := g.cfg.end.Sub(g.start).Hours()
	weights := make([]float64, len(g.customers))
	total := 0.0
	for i, c := range g.customers {
		// Cumulative weights: a one-time buyer adds nothing, so no draw lands on them.
		if !g.chance(0.35) {
			left := g.cfg.end.Sub(c.acq).Hours() / span
			appetite := math.Min(g.rnd.ExpFloat64()*g.rnd.ExpFloat64()+0.2, 20)
			total += left * appetite
		}
		weights[i] = total
	}
	counts := make([]int, len(g.customers))
	for i := range counts {
		counts[i] = 1
	}
	for extra := g.cfg.orders - len(g.customers); extra > 0 && total > 0; extra-- {
		x := (1 - g.rnd.Float64()) * total // in (0, total]
		counts[sort.SearchFloat64s(weights, x)]++
	}
	g.orders = make([]genOrder, 0, g.cfg.orders)
	for i, c := range g.customers {
		for k := 0; k < counts[i]; k++ {
			at := c.acq
			if k > 0 {
				at = g.between(c.acq, g.cfg.end)
			}
			g.orders = append(g.orders, genOrder{cust: int32(i), at: at, cents: 1500 + int64(g.rnd.ExpFloat64()*5500),
				cancelled: g.chance(0.02) && g.before(at.Add(2*time.Hour)), test: g.chance(0.003)})
		}
	}
	sort.Slice(g.orders, func(a, b int) bool { return g.orders[a].at.Before(g.orders[b].at) })
	for i := range g.orders {
		o := &g.orders[i]
		o.id = orderIDBase + int64(i)
		c := &g.customers[o.cust]
		c.orders = append(c.orders, int32(i))
	}
}

func (g *generator) makeRefunds() {
	n := int64(0)
	for i := range g.orders {
		o := &g.orders[i]
		if o.cancelled || o.test || !g.chance(0.05) || !g.before(o.at.Add(72*time.Hour)) {
			continue
		}
		n++
		o.refundID = refundIDBase + n
		o.refundCents = o.cents
		if g.chance(0.5) {
			o.refundCents = o.cents * 3 / 10
		}
	}
}

func (o *genOrder) kept() bool {
	return !o.cancelled && !o.test && o.refundCents < o.cents
}

func (g *generator) customerStats() {
	yearAgo := g.cfg.end.AddDate(-1, 0, 0)
	for i := range g.customers {
		c := &g.customers[i]
		var recent int64
		for _, oi := range c.orders {
			o := &g.orders[oi]
			if !o.kept() {
				continue
			}
			c.kept++
			net := o.cents - o.refundCents
			c.spent += net
			at := o.at
			if c.first == nil {
				c.first = &at
			}
			c.last = &at
			if o.at.After(yearAgo) {
				recent += net
			}
		}
		switch {
		case recent >= 150000:
			c.tier = "Gold"
		case recent >= 50000:
			c.tier = "Silver"
		default:
			c.tier = "Bronze"
		}
		c.stage = stageFor(c.kept, c.tier == "Gold")
	}
}

// stageFor mirrors models.StageFor (buyer stages from PRODUCT.md).
func stageFor(orders int, topTier bool) string {
	switch {
	case orders >= 5 || (topTier && orders > 0):
		return "loyal"
	case orders >= 3:
		return "repeat"
	case orders == 2:
		return "two_time"
	case orders == 1:
		return "new"
	}
	return "none"
}

// ledgerEvent is one change of a customer's points before it becomes an entry.
type ledgerEvent struct {
	at     time.Time
	kind   string
	points int64
	amount int64
	order  int64
	source string
	srcID  string
	reason string
}

// makeLedger posts each customer's points in time order the way the ledger does: credits are
// lots consumed oldest first by debits; a debit beyond the lots leaves a deficit the next
// credit pays first, so sum(remaining) = max(balance, 0) always holds.
func (g *generator) makeLedger() {
	redemption := int64(0)
	for ci := range g.customers {
		c := &g.customers[ci]
		evs := []ledgerEvent{{at: c.acq.Add(-time.Minute), kind: "bonus", points: 50, source: "signup", srcID: fmt.Sprint(c.id, ":account"), reason: "Sign-up bonus"}}
		for _, oi := range c.orders {
			o := &g.orders[oi]
			if o.test {
				continue
			}
			pts := o.cents * earnRate / 100
			oid := fmt.Sprint(o.id)
			evs = append(evs, ledgerEvent{at: o.at, kind: "earn", points: pts, amount: o.cents, order: o.id, source: "order", srcID: oid, reason: "order"})
			if o.cancelled {
				evs = append(evs, ledgerEvent{at: o.at.Add(2 * time.Hour), kind: "reversal", points: -pts, amount: -o.cents, order: o.id,
					source: "order", srcID: oid, reason: "order cancelled"})
			} else if o.refundCents > 0 {
				evs = append(evs, ledgerEvent{at: o.at.Add(72 * time.Hour), kind: "clawback", points: -(o.refundCents * earnRate / 100),
					amount: -o.refundCents, order: o.id, source: "refund", srcID: fmt.Sprint(o.refundID), reason: "refund"})
			}
		}
		sort.SliceStable(evs, func(a, b int) bool { return evs[a].at.Before(evs[b].at) })

		type lot struct {
			entry int
			left  int64
		}
		var lots []lot
		var deficit, balance int64
		post := func(e ledgerEvent) {
			entry := genEntry{cust: int32(ci), kind: e.kind, points: e.points, amount: e.amount, orderID: e.order,
				source: e.source, sourceID: e.srcID, reason: e.reason, at: e.at}
			balance += e.points
			entry.balance = balance
			if e.points > 0 {
				pay := min(e.points, deficit)
				deficit -= pay
				entry.remaining = e.points - pay
				if entry.remaining > 0 {
					lots = append(lots, lot{entry: len(g.entries), left: entry.remaining})
				}
			} else {
				need := -e.points
				for need > 0 && len(lots) > 0 {
					take := min(need, lots[0].left)
					lots[0].left -= take
					g.entries[lots[0].entry].remaining -= take
					need -= take
					if lots[0].left == 0 {
						lots = lots[1:]
					}
				}
				deficit += need
			}
			g.entries = append(g.entries, entry)
		}
		for _, e := range evs {
			post(e)
			if e.kind == "earn" && balance >= redeemCost && g.chance(0.3) && g.before(e.at.Add(24*time.Hour)) {
				redemption++
				post(ledgerEvent{at: e.at.Add(24 * time.Hour), kind: "redeem", points: -redeemCost, source: "redemption",
					srcID: fmt.Sprint(redemption), reason: "10 off"})
				g.redeems = append(g.redeems, g.entries[len(g.entries)-1])
			}
		}
		c.bal = balance
		if n := len(evs); n > 0 {
			last := evs[n-1].at
			c.active = &last
		}
	}
}

func (g *generator) makeReviews() {
	for ci := range g.customers {
		c := &g.customers[ci]
		n := 0
		for _, oi := range c.orders {
			o := &g.orders[oi]
			at := o.at.Add(14*24*time.Hour + time.Duration(g.rnd.Int64N(int64(14*24*time.Hour)))).Truncate(time.Second)
			if !o.kept() || !g.chance(0.1) || at.After(g.cfg.end) || n >= productCount {
				continue
			}
			rating := 5
			switch x := g.rnd.Float64(); {
			case x < 0.08:
				rating = 1
			case x < 0.15:
				rating = 2
			case x < 0.25:
				rating = 3
			case x < 0.45:
				rating = 4
			}
			score := math.Max(-1, math.Min(1, float64(rating-3)/2+g.rnd.NormFloat64()*0.2))
			// Distinct products per customer: the live-review index allows one per product.
			product := int64((ci*31+n)%productCount) + 1
			n++
			g.reviews = append(g.reviews, genReview{cust: int32(ci), orderID: o.id, product: product, rating: rating,
				score: math.Round(score*1000) / 1000, published: rating >= 3 || g.chance(0.3), at: at})
			if rating <= 2 {
				cs := genCase{cust: int32(ci), reviewNo: len(g.reviews) - 1, opened: at.Add(time.Minute)}
				if r := at.Add(48 * time.Hour); g.chance(0.8) && r.Before(g.cfg.end) {
					cs.resolved = &r
				}
				g.cases = append(g.cases, cs)
			}
		}
	}
}

var cancelReasons = []string{"too expensive", "too much product", "shipping was late", "did not like the taste", "moving abroad"}

func (g *generator) makeContracts() {
	id := int64(0)
	for ci := range g.customers {
		c := &g.customers[ci]
		if !g.chance(0.05) {
			continue
		}
		id++
		k := genContract{cust: int32(ci), id: 600_000_000 + id, product: int64(g.rnd.IntN(50)) + 1,
			started: g.orders[c.orders[0]].at.Add(time.Minute)}
		if end := k.started.Add(time.Duration(30+g.rnd.IntN(400)) * 24 * time.Hour); g.chance(0.35) && end.Before(g.cfg.end) {
			k.cancelled = &end
			k.reason = cancelReasons[g.rnd.IntN(len(cancelReasons))]
		}
		g.contracts = append(g.contracts, k)
	}
}

// pick returns one of the outcomes with the given cumulative probabilities.
func (g *generator) pick(outcomes []outcome) outcome {
	x := g.rnd.Float64()
	for _, o := range outcomes {
		if x < o.p {
			return o
		}
	}
	return outcomes[len(outcomes)-1]
}

type outcome struct {
	p                float64 // cumulative
	decision, reason string
}

var (
	transactionalOutcomes = []outcome{
		{0.86, "sent", ""}, {0.91, "deferred", "quiet_hours"}, {0.96, "skipped", "no_email_consent"},
		{0.98, "skipped", "unsubscribed"}, {1, "failed", "provider_error"},
	}
	promoOutcomes = []outcome{
		{0.55, "sent", ""}, {0.65, "skipped", "frequency_cap"}, {0.75, "skipped", "no_email_consent"},
		{0.82, "held", "negative_review"}, {0.87, "held", "open_case"}, {0.92, "held", "subscribed_product"},
		{0.95, "held", "recent_cancellation"}, {0.98, "deferred", "quiet_hours"}, {1, "failed", "provider_error"},
	}
)

func (g *generator) makeDecisions() {
	for ci := range g.customers {
		c := &g.customers[ci]
		for _, oi := range c.orders {
			o := &g.orders[oi]
			if o.test || o.cancelled || !g.before(o.at.Add(2*time.Minute)) {
				continue
			}
			oc := g.pick(transactionalOutcomes)
			g.decisions = append(g.decisions, genDecision{cust: int32(ci), message: g.msgIDs["points_earned"], trigger: "points_earned",
				entity: fmt.Sprint("order:", o.id), kind: "transactional", decision: oc.decision, reason: oc.reason, at: o.at.Add(2 * time.Minute)})
		}
		if !g.before(c.acq.Add(24 * time.Hour)) {
			continue
		}
		oc := g.pick(promoOutcomes)
		g.decisions = append(g.decisions, genDecision{cust: int32(ci), message: g.msgIDs["welcome"], trigger: "first_order",
			entity: "first_order", kind: "promotional", decision: oc.decision, reason: oc.reason, at: c.acq.Add(24 * time.Hour)})
	}
	sort.Slice(g.decisions, func(a, b int) bool { return g.decisions[a].at.Before(g.decisions[b].at) })
}
