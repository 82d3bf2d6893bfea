package jobs

import (
	"cmp"
	"context"
	"encoding/json"
	"maps"
	"slices"
	"time"

	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/models/loyalty"
	"github.com/boomerang-app/boomerang/models/reviews"
	"github.com/boomerang-app/boomerang/shopify"
)

// orderBatch is one claimed batch of a shop's order deliveries, sorted into what the batch
// applies and what goes on alone.
type orderBatch struct {
	shopID  int64
	orders  []*batchOrder      // one per order, by customer, then in the order they arrived
	applied []int64            // deliveries applied, to be marked processed with the batch
	dropped []int64            // deliveries for a shop that left: processed, with no effect
	singles map[string][]int64 // reason → deliveries for the one-at-a-time task
}

// batchOrder is what a batch's deliveries of one order come to. Storing an order keeps its
// newest version and never unpays it, and every effect follows the stored state, so applying
// the last state once does what applying each delivery in turn does.
type batchOrder struct {
	fact     models.OrderFact
	customer *models.CustomerFact
	bodies   []shopify.Order // every delivery's order, for the fulfillments they carry
	events   []int64
	last     int // arrival of its latest delivery in the batch
}

func (b *orderBatch) single(ev models.WebhookEvent, reason string) {
	if b.singles == nil {
		b.singles = map[string][]int64{}
	}
	b.singles[reason] = append(b.singles[reason], ev.ID)
}

func newOrderBatch(shopID int64, evs []models.WebhookEvent) *orderBatch {
	b := &orderBatch{shopID: shopID}
	byID := map[int64]*batchOrder{}
	for i, ev := range evs {
		if ev.ShopStatus != models.ShopInstalled {
			b.dropped = append(b.dropped, ev.ID)
			continue
		}
		var o shopify.Order
		if err := json.Unmarshal(ev.Body, &o); err != nil || o.ID == 0 {
			b.single(ev, "does not parse as an order") // where it is marked dead with the reason
			continue
		}
		if onSellingPlan(o) {
			// Learning a plan's interval calls the Admin API, which has no place inside a
			// transaction holding a batch's locks.
			b.single(ev, "on a selling plan: applied alone")
			continue
		}
		f := orderFact(ev.Topic, o)
		bo := byID[o.ID]
		if bo == nil {
			bo = &batchOrder{fact: f}
			byID[o.ID] = bo
			b.orders = append(b.orders, bo)
		} else if paid := bo.fact.Paid || f.Paid; newer(f.UpdatedAt, bo.fact.UpdatedAt) {
			bo.fact = f
			bo.fact.Paid = paid
		} else {
			bo.fact.Paid = paid
		}
		if c := o.Customer; c != nil && c.ID != 0 && (bo.customer == nil || newer(c.UpdatedAt, bo.customer.UpdatedAt)) {
			cf := orderCustomerFact(o)
			bo.customer = &cf
		}
		bo.bodies = append(bo.bodies, o)
		bo.events = append(bo.events, ev.ID)
		bo.last = i
	}
	// A customer's orders take effect in the order they arrived, as one at a time they would.
	slices.SortStableFunc(b.orders, func(x, y *batchOrder) int {
		return cmp.Or(cmp.Compare(x.fact.CustomerID, y.fact.CustomerID), cmp.Compare(x.last, y.last))
	})
	return b
}

func onSellingPlan(o shopify.Order) bool {
	return slices.ContainsFunc(o.LineItems, func(li shopify.LineItem) bool { return li.SellingPlanID != nil })
}

// applyOrderBatch stores the batch's customers and orders with a few multi-row statements and
// the fulfillments the order bodies carry, then runs each order's effects (points, tier, first
// order, and the review request where there is a fulfillment or a request) in the same
// transaction: what applyOrder does for one delivery, with the same idempotent steps. Rows are
// locked in one order by every batch (customers, then orders, each by id, then the effects
// customer by customer), so two batches that share customers wait for each other rather than
// deadlock.
func (w *Worker) applyOrderBatch(ctx context.Context, tx models.Tx, b *orderBatch) error {
	db := tx.Gorm()
	customers := map[int64]models.CustomerFact{}
	facts := make([]models.OrderFact, 0, len(b.orders))
	for _, bo := range b.orders {
		facts = append(facts, bo.fact)
		if c := bo.customer; c != nil {
			if old, ok := customers[c.CustomerID]; !ok || newer(c.UpdatedAt, old.UpdatedAt) {
				customers[c.CustomerID] = *c
			}
		}
	}
	cf := slices.SortedFunc(maps.Values(customers), func(x, y models.CustomerFact) int { return cmp.Compare(x.CustomerID, y.CustomerID) })
	if _, err := models.UpsertCustomers(ctx, db, b.shopID, cf); err != nil {
		return err
	}
	slices.SortFunc(facts, func(x, y models.OrderFact) int { return cmp.Compare(x.OrderID, y.OrderID) })
	stored, err := models.UpsertOrders(ctx, tx, b.shopID, facts)
	if err != nil {
		return err
	}
	byID := make(map[int64]*models.Order, len(stored))
	for i := range stored {
		byID[stored[i].OrderID] = &stored[i]
	}
	now := w.now() // one time for the batch: what its books read ahead is over spans ending now
	ctx, accounts, err := loyalty.LockAccounts(ctx, tx, b.shopID, slices.Sorted(maps.Keys(customers)), now)
	if err != nil {
		return err
	}
	ctx, events := models.BatchEvents(ctx, b.shopID)
	for _, bo := range b.orders {
		for _, o := range bo.bodies {
			if err := w.applyFulfillments(ctx, db, b.shopID, o); err != nil {
				return err
			}
		}
	}
	orderIDs := make([]int64, len(facts))
	for i, f := range facts {
		orderIDs[i] = f.OrderID
	}
	review, err := reviews.OrdersToSync(ctx, db, b.shopID, orderIDs)
	if err != nil {
		return err
	}
	if err := accounts.ReadAhead(ctx, tx, orderIDs); err != nil {
		return err
	}
	// Points and tier order by order; then the customers' stats once for the batch, from which
	// each order's count in turn tells the first orders; then the review requests.
	orders := make([]*models.Order, len(b.orders))
	for i, bo := range b.orders {
		o := byID[bo.fact.OrderID]
		if o == nil {
			// Older than the version stored: its effects run on what is stored.
			if o, err = models.GetOrder(ctx, db, b.shopID, bo.fact.OrderID); err != nil {
				return err
			}
		}
		orders[i] = o
		if o.CustomerID != nil {
			if err := loyalty.SettleBatchOrder(ctx, tx, accounts, *o.CustomerID, o.OrderID, now); err != nil {
				return err
			}
		}
	}
	stats, err := accounts.RefreshStats(ctx, tx, orderIDs)
	if err != nil {
		return err
	}
	if err := w.welcomeFirstOrders(ctx, db, b.shopID, w.firstOrdersOf(orders, stats)); err != nil {
		return err
	}
	for i, o := range orders {
		if review[o.OrderID] {
			if err := reviews.SyncReviewRequest(ctx, db, b.shopID, o.OrderID, now); err != nil {
				return err
			}
		}
		b.applied = append(b.applied, b.orders[i].events...)
	}
	if err := events.Flush(ctx, tx); err != nil {
		return err
	}
	return accounts.Flush(ctx, tx)
}

// firstOrdersOf finds the batch's orders that one at a time would have been welcomed: each
// customer's count of kept orders before the batch, plus their kept orders in the batch in
// the order they arrived, gives the count each order saw.
func (w *Worker) firstOrdersOf(orders []*models.Order, stats map[int64]models.OrderStats) []*models.Order {
	counts := map[int64]int{}
	for c, st := range stats {
		counts[c] = st.Orders - len(st.Kept)
	}
	var due []*models.Order
	now := w.now()
	for _, o := range orders {
		if o.CustomerID == nil {
			continue
		}
		st := stats[*o.CustomerID]
		if slices.Contains(st.Kept, o.OrderID) {
			counts[*o.CustomerID]++
		}
		if firstOrderDue(o, counts[*o.CustomerID], now) {
			due = append(due, o)
		}
	}
	return due
}

// newer reports whether a is a later update time than b (an unknown time counts as oldest).
func newer(a, b *time.Time) bool {
	return a != nil && (b == nil || !a.Before(*b))
}
