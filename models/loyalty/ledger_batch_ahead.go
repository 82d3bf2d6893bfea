package loyalty

import (
	"cmp"
	"context"
	"maps"
	"slices"

	"github.com/shopspring/decimal"

	"github.com/boomerang-app/boomerang/models"
)

// What a batch reads ahead. Settling an order reads the order's facts and, to price the earn,
// its customer's tier measure: two queries an order. A batch reads both for all its orders in
// two statements instead, after its locks are held and before any of its books writes. A book
// takes what was read for it only while nothing the batch wrote since can have changed it:
// an order's facts change only through that order's own settling (each order settles once a
// batch), and a customer's measure changes with any entry booked for them, so the measure read
// ahead is taken only by the customer's first book, and only if no entry was booked for them
// before it (a referral reward, say).

// measureAhead is a customer's measure read ahead, over the spans the book will ask for.
type measureAhead struct {
	spans []span
	vals  []decimal.Decimal
}

// ReadAhead reads the facts of the batch's orders and the tier measure of each customer who
// has one order to earn in it. now must be the time the batch's books are opened with, since
// the measure's spans end then.
func (ab *AccountBatch) ReadAhead(ctx context.Context, tx models.Tx, orderIDs []int64) error {
	set, err := cachedLoyaltySettings(ctx, tx.Gorm(), ab.shopID)
	if err != nil {
		return err
	}
	facts, err := loadOrdersFacts(ctx, tx.Gorm(), ab.shopID, orderIDs)
	if err != nil {
		return err
	}
	ab.facts = facts
	if len(set.Tiers) == 0 {
		return nil
	}
	orders := map[int64]int{}
	for _, f := range facts {
		if f.Known {
			orders[f.CustomerID]++
		}
	}
	var asks []measureAsk
	for _, f := range facts {
		if orders[f.CustomerID] != 1 || ab.accts[f.CustomerID] == nil || !f.earnable(set) {
			continue
		}
		asks = append(asks, measureAsk{f.CustomerID, slices.Concat(set.windowsAt(*f.PaidAt, false), set.windowsAt(ab.now, true))})
	}
	slices.SortFunc(asks, func(x, y measureAsk) int { return cmp.Compare(x.customer, y.customer) })
	vals, err := measuresOf(ctx, tx.Gorm(), set.LoyaltySettings, ab.shopID, asks)
	if err != nil {
		return err
	}
	ab.measures = make(map[int64]measureAhead, len(asks))
	for i, a := range asks {
		ab.measures[a.customer] = measureAhead{spans: a.spans, vals: vals[i]}
	}
	return nil
}

// takeFacts hands an order's facts read ahead to the book settling it, once.
func (ab *AccountBatch) takeFacts(orderID int64) (orderFacts, bool) {
	if ab == nil {
		return orderFacts{}, false
	}
	f, ok := ab.facts[orderID]
	delete(ab.facts, orderID)
	return f, ok
}

// takeMeasure hands a customer's measure read ahead to their first book, if it asks for the
// same spans and no entry was booked for the customer since it was read.
func (ab *AccountBatch) takeMeasure(customerID int64, spans []span) ([]decimal.Decimal, bool) {
	if ab == nil {
		return nil, false
	}
	m, ok := ab.measures[customerID]
	delete(ab.measures, customerID)
	if !ok || ab.booked[customerID] || !slices.EqualFunc(m.spans, spans, span.equal) {
		return nil, false
	}
	return m.vals, true
}

func (s span) equal(t span) bool {
	return s.From.Equal(t.From) && s.To.Equal(t.To) && s.Incl == t.Incl
}

// RefreshStats refreshes the order stats and buyer stage of every customer whose order the
// batch settled, in one statement, with the tier each was left in
// (models.RefreshCustomersStats); the stats also say which of orderIDs count as kept.
func (ab *AccountBatch) RefreshStats(ctx context.Context, tx models.Tx, orderIDs []int64) (map[int64]models.OrderStats, error) {
	due := make([]models.StatsRefresh, 0, len(ab.settled))
	for _, c := range slices.Sorted(maps.Keys(ab.settled)) {
		due = append(due, models.StatsRefresh{CustomerID: c, TopTier: ab.settled[c]})
	}
	return models.RefreshCustomersStats(ctx, tx.Gorm(), ab.shopID, due, orderIDs)
}
