package models

import (
	"context"
	"fmt"
	"hash/fnv"
	"sort"
	"time"

	"gorm.io/gorm"
)

// Subscriptions recognised from orders (issue 12). Merchants sell subscriptions through
// Recharge, Shopify Subscriptions, Loop, Skio and others, whose contracts Boomerang cannot read;
// the order each renewal creates can be read, and since API 2026-10 its lines name their selling
// plan. A paid line on a plan makes its customer a subscriber to the product; each plan order
// renews it; none by the expected date plus a grace period lapses it, which counts as a
// cancellation (topic "inferred/lapse": the win-back, the cool-down and churn) until a later
// renewal undoes it.

// Subscription sources besides Shopify's contracts ("contract", the column's default).
const (
	SubscriptionFromOrders = "orders"
	SubscriptionFromFlow   = "flow"
)

const (
	topicPlanOrder = "orders/paid"
	topicLapse     = "inferred/lapse"
	// defaultPlanInterval is the expected interval until a second plan order shows the cadence.
	defaultPlanInterval = 30 * 24 * time.Hour
)

// OrderSubscriptionID is the id of the subscription recognised from a customer's plan orders of
// a product: stable, so every renewal finds it.
func OrderSubscriptionID(customerID, productID int64) int64 {
	return syntheticID("orders:%d:%d", customerID, productID)
}

// syntheticEventID keys a status report that no webhook carried (a plan order's product, a
// lapse, a Flow run) in subscription_status_history: stable for the same report, so a replay
// adds nothing.
func syntheticEventID(contractID int64, topic string, at time.Time) int64 {
	return syntheticID("%d:%s:%d", contractID, topic, at.Unix())
}

// syntheticID hashes a key into a negative id: one no Shopify id (contract, webhook) ever takes.
// A collision would need two of a shop's keys among 2^62 values.
func syntheticID(format string, a ...any) int64 {
	h := fnv.New64a()
	fmt.Fprintf(h, format, a...)
	return -int64(h.Sum64() >> 2)
}

// planLine is a paid plan line of an order with its customer.
type planLine struct {
	CustomerID int64
	ProductID  int64
	VariantID  int64
	Title      string
	Quantity   int
	PaidAt     time.Time
	PlanDays   int // the selling plan's billing interval when known (selling_plans), else 0
}

// RecordPlanOrder renews (or starts) the subscriptions the order's plan lines stand for. The
// expected interval is the selling plan's when known (StoreSellingPlanInterval), else the
// customer's plan orders of the product show it (their median gap), and a
// renewal after a lapse reactivates the subscription and takes the lapse out of churn: it was no
// cancellation after all. The timing gives the grace (one interval plus the merchant's grace
// days) and the cool-down a lapse places. Idempotent per order.
func RecordPlanOrder(ctx context.Context, db *gorm.DB, shopID, orderID int64, t SubscriptionTiming) (int, error) {
	var lines []planLine
	if err := db.WithContext(ctx).Raw(`SELECT o.customer_id, l.product_id, COALESCE(l.variant_id, 0) AS variant_id, l.title,
			l.quantity, o.paid_at, COALESCE(sp.interval_days, 0) AS plan_days
		FROM orders o JOIN order_lines l ON l.shop_id = o.shop_id AND l.order_id = o.order_id
		LEFT JOIN selling_plans sp ON sp.shop_id = o.shop_id AND sp.selling_plan_id = l.selling_plan_id
		WHERE o.shop_id = ? AND o.order_id = ? AND o.paid_at IS NOT NULL AND o.cancelled_at IS NULL AND NOT o.test
		  AND o.customer_id IS NOT NULL AND l.selling_plan_id IS NOT NULL AND l.product_id IS NOT NULL
		ORDER BY l.product_id, l.line_item_id`, shopID, orderID).Scan(&lines).Error; err != nil {
		return 0, fmt.Errorf("plan lines of order %d: %w", orderID, err)
	}
	seen := map[int64]bool{}
	for _, l := range lines {
		if seen[l.ProductID] {
			continue
		}
		seen[l.ProductID] = true
		if err := renewFromOrder(ctx, db, shopID, orderID, l, t); err != nil {
			return 0, err
		}
	}
	return len(seen), nil
}

func renewFromOrder(ctx context.Context, db *gorm.DB, shopID, orderID int64, l planLine, t SubscriptionTiming) error {
	id := OrderSubscriptionID(l.CustomerID, l.ProductID)
	interval := time.Duration(l.PlanDays) * 24 * time.Hour
	if l.PlanDays == 0 {
		var err error
		if interval, err = planInterval(ctx, db, shopID, l.CustomerID, l.ProductID); err != nil {
			return err
		}
	}
	at := l.PaidAt.UTC()
	ch, err := ApplySubscriptionContract(ctx, db, shopID, SubscriptionFact{ContractID: id, CustomerID: l.CustomerID,
		Status: SubscriptionActive, RevisionID: at.Unix(), At: at, Topic: topicPlanOrder,
		WebhookEventID: syntheticEventID(id, topicPlanOrder, at), OriginOrderID: orderID,
		DeliveryInterval: "day", DeliveryIntervalCount: int(interval.Hours() / 24)}, t.Cooldown)
	if err != nil || !ch.Applied {
		return err
	}
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		lapse := at.Add(2*interval + t.Grace)
		if err := tx.Exec(`UPDATE subscription_contracts SET source = ?, last_renewal_at = ?, lapse_at = ?, updated_at = now()
			WHERE shop_id = ? AND contract_id = ?`, SubscriptionFromOrders, at, lapse, shopID, id).Error; err != nil {
			return err
		}
		if ch.Previous == SubscriptionCancelled {
			// The lapse is undone: the renewal shows the subscription never stopped.
			if err := tx.Exec(`UPDATE subscription_status_history SET applied = false
				WHERE shop_id = ? AND contract_id = ? AND topic = ? AND applied`, shopID, id, topicLapse).Error; err != nil {
				return err
			}
		}
		var n int64
		if err := tx.Raw(`SELECT count(*) FROM subscription_lines WHERE shop_id = ? AND contract_id = ?`, shopID, id).Scan(&n).Error; err != nil || n > 0 {
			return err
		}
		return ReplaceSubscriptionLines(ctx, tx, shopID, id, at.Unix(), []SubscriptionLine{{ProductID: l.ProductID,
			VariantID: l.VariantID, Title: l.Title, Quantity: l.Quantity}})
	})
}

// planInterval is the median gap between the customer's paid plan orders of the product, or
// defaultPlanInterval before there are two.
func planInterval(ctx context.Context, db *gorm.DB, shopID, customerID, productID int64) (time.Duration, error) {
	var paid []time.Time
	if err := db.WithContext(ctx).Raw(`SELECT DISTINCT o.paid_at FROM orders o
		JOIN order_lines l ON l.shop_id = o.shop_id AND l.order_id = o.order_id
		WHERE o.shop_id = ? AND o.customer_id = ? AND l.product_id = ? AND l.selling_plan_id IS NOT NULL
		  AND o.paid_at IS NOT NULL AND o.cancelled_at IS NULL
		ORDER BY o.paid_at DESC LIMIT 13`, shopID, customerID, productID).Scan(&paid).Error; err != nil {
		return 0, fmt.Errorf("plan cadence of %d: %w", customerID, err)
	}
	if len(paid) < 2 {
		return defaultPlanInterval, nil
	}
	gaps := make([]time.Duration, 0, len(paid)-1)
	for i := 1; i < len(paid); i++ {
		gaps = append(gaps, paid[i-1].Sub(paid[i]))
	}
	sort.Slice(gaps, func(i, j int) bool { return gaps[i] < gaps[j] })
	return max(gaps[len(gaps)/2], 24*time.Hour), nil
}

// LapseOrderSubscriptions ends the subscriptions recognised from orders whose renewal is overdue
// past the grace period: a cancellation with its win-back and cool-down, at the lapse time. It
// returns how many lapsed.
func LapseOrderSubscriptions(ctx context.Context, db *gorm.DB, shopID int64, now time.Time, cooldown time.Duration) (int, error) {
	var due []struct {
		ContractID, CustomerID int64
		LapseAt                time.Time
	}
	if err := db.WithContext(ctx).Raw(`SELECT contract_id, customer_id, lapse_at FROM subscription_contracts
		WHERE shop_id = ? AND source = ? AND status = ? AND lapse_at <= ? ORDER BY lapse_at LIMIT 1000`,
		shopID, SubscriptionFromOrders, SubscriptionActive, now).Scan(&due).Error; err != nil {
		return 0, fmt.Errorf("lapsed subscriptions of shop %d: %w", shopID, err)
	}
	n := 0
	for _, d := range due {
		at := d.LapseAt.UTC()
		ch, err := ApplySubscriptionContract(ctx, db, shopID, SubscriptionFact{ContractID: d.ContractID, CustomerID: d.CustomerID,
			Status: SubscriptionCancelled, RevisionID: at.Unix(), At: at, Topic: topicLapse,
			WebhookEventID: syntheticEventID(d.ContractID, topicLapse, at)}, cooldown)
		if err != nil {
			return n, err
		}
		if ch.Cancelled {
			n++
		}
	}
	return n, nil
}

// InferSubscriptionsFromHistory recognises the subscriptions of the shop's past plan orders once
// the history is imported: one per customer and product, with its cadence, active when its next
// renewal is not overdue past the grace period, otherwise lapsed at that date. History is facts:
// a lapse found in the past sends no win-back and places no hold, though it counts in the
// churn of its period. A subscription the live path already knows is left as it is. grace is
// the merchant's allowance past an expected renewal. It returns the subscriptions recorded.
func InferSubscriptionsFromHistory(ctx context.Context, db *gorm.DB, shopID int64, grace time.Duration, now time.Time) (int, error) {
	var subs []struct {
		CustomerID, ProductID, VariantID int64
		Title                            string
		First, Last                      time.Time
		GapSeconds                       *float64
	}
	err := db.WithContext(ctx).Raw(`WITH plan AS (
			SELECT o.customer_id, l.product_id, max(COALESCE(l.variant_id, 0)) AS variant_id, max(l.title) AS title, o.paid_at
			FROM orders o JOIN order_lines l ON l.shop_id = o.shop_id AND l.order_id = o.order_id
			WHERE o.shop_id = ? AND l.selling_plan_id IS NOT NULL AND l.product_id IS NOT NULL AND o.customer_id IS NOT NULL
			  AND o.paid_at IS NOT NULL AND o.cancelled_at IS NULL AND NOT o.test
			GROUP BY o.customer_id, l.product_id, o.order_id, o.paid_at
		), gaps AS (
			SELECT *, EXTRACT(EPOCH FROM paid_at - lag(paid_at) OVER (PARTITION BY customer_id, product_id ORDER BY paid_at)) AS gap
			FROM plan
		)
		SELECT customer_id, product_id, max(variant_id) AS variant_id, max(title) AS title, min(paid_at) AS first,
			max(paid_at) AS last, percentile_cont(0.5) WITHIN GROUP (ORDER BY gap) FILTER (WHERE gap > 0) AS gap_seconds
		FROM gaps GROUP BY customer_id, product_id ORDER BY customer_id, product_id`, shopID).Scan(&subs).Error
	if err != nil {
		return 0, fmt.Errorf("subscriptions in the history of shop %d: %w", shopID, err)
	}
	// In batches, one statement per table: a shop with years of plan orders has tens of
	// thousands of these.
	n := 0
	for len(subs) > 0 {
		k := min(len(subs), historySubscriptionBatch)
		var b historySubscriptions
		for _, s := range subs[:k] {
			interval := defaultPlanInterval
			if s.GapSeconds != nil {
				interval = max(time.Duration(*s.GapSeconds)*time.Second, 24*time.Hour)
			}
			b.add(s.CustomerID, s.ProductID, s.VariantID, s.Title, s.First.UTC(), s.Last.UTC(), interval, grace, now)
		}
		added, err := b.store(ctx, db, shopID, now)
		if err != nil {
			return n, fmt.Errorf("subscriptions in the history of shop %d: %w", shopID, err)
		}
		n += added
		subs = subs[k:]
	}
	return n, nil
}

// historySubscriptionBatch is how many subscriptions of the history one transaction records.
const historySubscriptionBatch = 2000

// historySubscriptions are subscriptions found in the history, one array per column.
type historySubscriptions struct {
	ids, custs, products, variants []int64
	titles, statuses               []string
	days                           []int32
	first, last, lapse             []time.Time
	ended                          []*time.Time
}

func (b *historySubscriptions) add(cust, product, variant int64, title string, first, last time.Time, interval, grace time.Duration, now time.Time) {
	lapse := last.Add(2*interval + grace)
	status, ended := SubscriptionActive, (*time.Time)(nil)
	if !lapse.After(now) {
		status, ended = SubscriptionCancelled, &lapse
	}
	b.ids = append(b.ids, OrderSubscriptionID(cust, product))
	b.custs, b.products, b.variants = append(b.custs, cust), append(b.products, product), append(b.variants, variant)
	b.titles, b.statuses, b.days = append(b.titles, title), append(b.statuses, status), append(b.days, int32(interval.Hours()/24))
	b.first, b.last, b.lapse, b.ended = append(b.first, first), append(b.last, last), append(b.lapse, lapse), append(b.ended, ended)
}

// store records the subscriptions not known yet with their line and, for a lapsed one, the
// lapse in the status history (for churn), in one transaction. It returns how many it added.
func (b *historySubscriptions) store(ctx context.Context, db *gorm.DB, shopID int64, now time.Time) (int, error) {
	var added []int64
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Raw(`INSERT INTO subscription_contracts (shop_id, contract_id, customer_id, status, status_at,
				delivery_interval, delivery_interval_count, started_at, ended_at, source, last_renewal_at, lapse_at,
				lines_revision, lines_fetched_at)
			SELECT ?::bigint, v.id, v.cust, v.status, v.last, 'day', v.days, v.first, v.ended, ?, v.last, v.lapse,
				EXTRACT(EPOCH FROM v.last)::bigint, ?::timestamptz
			FROM unnest(?::bigint[], ?::bigint[], ?::text[], ?::timestamptz[], ?::int[], ?::timestamptz[], ?::timestamptz[],
				?::timestamptz[]) AS v(id, cust, status, last, days, first, ended, lapse)
			ON CONFLICT (shop_id, contract_id) DO NOTHING
			RETURNING contract_id`,
			shopID, SubscriptionFromOrders, now, Array(b.ids), Array(b.custs), Array(b.statuses), Array(b.last), Array(b.days),
			Array(b.first), Array(b.ended), Array(b.lapse)).Find(&added).Error; err != nil {
			return err
		}
		if len(added) == 0 {
			return nil
		}
		if err := tx.Exec(`INSERT INTO subscription_lines (shop_id, contract_id, position, product_id, variant_id, title, quantity)
			SELECT ?::bigint, v.id, 0, v.product, v.variant, v.title, 1
			FROM unnest(?::bigint[], ?::bigint[], ?::bigint[], ?::text[]) AS v(id, product, variant, title)
			WHERE v.id = ANY (?::bigint[])
			ON CONFLICT (shop_id, contract_id, position) DO NOTHING`,
			shopID, Array(b.ids), Array(b.products), Array(b.variants), Array(b.titles), Array(added)).Error; err != nil {
			return err
		}
		// The lapses of the subscriptions just added, keyed as LapseOrderSubscriptions keys them.
		var ids, custs, events []int64
		var at []time.Time
		isAdded := make(map[int64]bool, len(added))
		for _, id := range added {
			isAdded[id] = true
		}
		for i, id := range b.ids {
			if isAdded[id] && b.ended[i] != nil {
				ids, custs, at = append(ids, id), append(custs, b.custs[i]), append(at, b.lapse[i])
				events = append(events, syntheticEventID(id, topicLapse, b.lapse[i]))
			}
		}
		if len(ids) == 0 {
			return nil
		}
		return tx.Exec(`INSERT INTO subscription_status_history (shop_id, contract_id, customer_id, topic, status,
				occurred_at, webhook_event_id, applied)
			SELECT ?::bigint, v.id, v.cust, ?, ?, v.at, v.event, true
			FROM unnest(?::bigint[], ?::bigint[], ?::timestamptz[], ?::bigint[]) AS v(id, cust, at, event)
			ON CONFLICT (shop_id, webhook_event_id) DO NOTHING`,
			shopID, topicLapse, SubscriptionCancelled, Array(ids), Array(custs), Array(at), Array(events)).Error
	})
	return len(added), err
}

// UnknownSellingPlans returns which of the plans have no stored interval yet.
func UnknownSellingPlans(ctx context.Context, db *gorm.DB, shopID int64, planIDs []int64) ([]int64, error) {
	var out []int64
	err := db.WithContext(ctx).Raw(`SELECT p FROM unnest(?::bigint[]) AS p
		WHERE NOT EXISTS (SELECT 1 FROM selling_plans WHERE shop_id = ? AND selling_plan_id = p)`, Array(planIDs), shopID).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("unknown selling plans of shop %d: %w", shopID, err)
	}
	return out, nil
}

// StoreSellingPlanInterval records a selling plan's billing interval in days; 0 records that
// Shopify has none for it (gone, or billed once), so it is not asked again.
func StoreSellingPlanInterval(ctx context.Context, db *gorm.DB, shopID, planID int64, days int) error {
	if days < 0 {
		return Invalid("interval_days", "must not be negative")
	}
	return db.WithContext(ctx).Exec(`INSERT INTO selling_plans (shop_id, selling_plan_id, interval_days) VALUES (?, ?, ?)
		ON CONFLICT (shop_id, selling_plan_id) DO UPDATE SET interval_days = EXCLUDED.interval_days, fetched_at = now()`,
		shopID, planID, days).Error
}

// SellingPlanScope is what reading a selling plan's interval needs (write_products implies it).
const SellingPlanScope = "read_products"

// LearnSellingPlans reads the billing interval of plans not seen before, where the shop granted
// SellingPlanScope. Without it, or for a plan Shopify did not answer for (unread, by plan), the
// subscription's cadence comes from its orders and a later order asks again.
func LearnSellingPlans(ctx context.Context, db *gorm.DB, plans SellingPlanSource, sh *Shop, planIDs []int64) (unread map[int64]error, err error) {
	if !sh.Granted(SellingPlanScope) {
		return nil, nil
	}
	unknown, err := UnknownSellingPlans(ctx, db, sh.ID, planIDs)
	if err != nil {
		return nil, err
	}
	for _, id := range unknown {
		days, ok, err := plans.SellingPlanIntervalDays(ctx, sh.Domain, id)
		if err != nil {
			if unread == nil {
				unread = map[int64]error{}
			}
			unread[id] = err
			continue
		}
		if !ok {
			days = 0 // asked once: the orders' cadence stands in for good
		}
		if err := StoreSellingPlanInterval(ctx, db, sh.ID, id, days); err != nil {
			return unread, err
		}
	}
	return unread, nil
}
