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

// Subscription sources.
const (
	SubscriptionFromContract = "contract"
	SubscriptionFromOrders   = "orders"
	SubscriptionFromFlow     = "flow"
)

const (
	topicPlanOrder = "orders/paid"
	topicLapse     = "inferred/lapse"
	// defaultPlanInterval is the expected interval until a second plan order shows the cadence.
	defaultPlanInterval = 30 * 24 * time.Hour
)

// OrderSubscriptionID is the id of the subscription recognised from a customer's plan orders of
// a product: negative, so it never meets a Shopify contract id, and stable, so every renewal
// finds it.
func OrderSubscriptionID(customerID, productID int64) int64 {
	h := fnv.New64a()
	fmt.Fprintf(h, "orders:%d:%d", customerID, productID)
	return -int64(h.Sum64() >> 2)
}

// syntheticEventID keys a status report that no webhook carried (a plan order's product, a
// lapse) in subscription_status_history: stable for the same report, so a replay adds nothing.
func syntheticEventID(contractID int64, topic string, at time.Time) int64 {
	h := fnv.New64a()
	fmt.Fprintf(h, "%d:%s:%d", contractID, topic, at.Unix())
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
}

// RecordPlanOrder renews (or starts) the subscriptions the order's plan lines stand for. It reads
// the expected interval from the customer's plan orders of the product (their median gap), and a
// renewal after a lapse reactivates the subscription and takes the lapse out of churn: it was no
// cancellation after all. The policy gives the grace (one interval plus SubscriptionGraceDays).
// Idempotent per order.
func RecordPlanOrder(ctx context.Context, db *gorm.DB, shopID, orderID int64, pol MessagePolicy) (int, error) {
	var lines []planLine
	if err := db.WithContext(ctx).Raw(`SELECT o.customer_id, l.product_id, COALESCE(l.variant_id, 0) AS variant_id, l.title,
			l.quantity, o.paid_at
		FROM orders o JOIN order_lines l ON l.shop_id = o.shop_id AND l.order_id = o.order_id
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
		if err := renewFromOrder(ctx, db, shopID, orderID, l, pol); err != nil {
			return 0, err
		}
	}
	return len(seen), nil
}

func renewFromOrder(ctx context.Context, db *gorm.DB, shopID, orderID int64, l planLine, pol MessagePolicy) error {
	id := OrderSubscriptionID(l.CustomerID, l.ProductID)
	interval, err := planInterval(ctx, db, shopID, l.CustomerID, l.ProductID)
	if err != nil {
		return err
	}
	at := l.PaidAt.UTC()
	ch, err := ApplySubscriptionContract(ctx, db, shopID, SubscriptionFact{ContractID: id, CustomerID: l.CustomerID,
		Status: SubscriptionActive, RevisionID: at.Unix(), At: at, Topic: topicPlanOrder,
		WebhookEventID: syntheticEventID(id, topicPlanOrder, at), OriginOrderID: orderID,
		DeliveryInterval: "day", DeliveryIntervalCount: int(interval.Hours() / 24)}, pol.CancellationCooldown())
	if err != nil || !ch.Applied {
		return err
	}
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		lapse := at.Add(2*interval + pol.SubscriptionGrace())
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
// churn of its period. A subscription the live path already knows is left as it is. It returns
// the subscriptions recorded.
func InferSubscriptionsFromHistory(ctx context.Context, db *gorm.DB, shopID int64, now time.Time) (int, error) {
	pol, err := GetMessagePolicy(ctx, db, shopID)
	if err != nil {
		return 0, err
	}
	var subs []struct {
		CustomerID, ProductID, VariantID int64
		Title                            string
		First, Last                      time.Time
		GapSeconds                       *float64
	}
	err = db.WithContext(ctx).Raw(`WITH plan AS (
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
	n := 0
	for _, s := range subs {
		interval := defaultPlanInterval
		if s.GapSeconds != nil {
			interval = max(time.Duration(*s.GapSeconds)*time.Second, 24*time.Hour)
		}
		id := OrderSubscriptionID(s.CustomerID, s.ProductID)
		first, last := s.First.UTC(), s.Last.UTC()
		lapse := last.Add(2*interval + pol.SubscriptionGrace())
		status, ended := SubscriptionActive, (*time.Time)(nil)
		if !lapse.After(now) {
			status, ended = SubscriptionCancelled, &lapse
		}
		err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			res := tx.Exec(`INSERT INTO subscription_contracts (shop_id, contract_id, customer_id, status, status_at, delivery_interval,
					delivery_interval_count, started_at, ended_at, source, last_renewal_at, lapse_at)
				VALUES (?, ?, ?, ?, ?, 'day', ?, ?, ?, ?, ?, ?) ON CONFLICT (shop_id, contract_id) DO NOTHING`,
				shopID, id, s.CustomerID, status, last, int(interval.Hours()/24), first, ended, SubscriptionFromOrders, last, lapse)
			if res.Error != nil || res.RowsAffected == 0 {
				return res.Error
			}
			n++
			if ended != nil {
				if err := tx.Exec(`INSERT INTO subscription_status_history (shop_id, contract_id, customer_id, topic, status,
						occurred_at, webhook_event_id, applied)
					VALUES (?, ?, ?, ?, ?, ?, ?, true) ON CONFLICT (shop_id, webhook_event_id) DO NOTHING`,
					shopID, id, s.CustomerID, topicLapse, SubscriptionCancelled, lapse, syntheticEventID(id, topicLapse, lapse)).Error; err != nil {
					return err
				}
			}
			return ReplaceSubscriptionLines(ctx, tx, shopID, id, last.Unix(), []SubscriptionLine{{ProductID: s.ProductID,
				VariantID: s.VariantID, Title: s.Title, Quantity: 1}})
		})
		if err != nil {
			return n, fmt.Errorf("subscription of %d in the history: %w", s.CustomerID, err)
		}
	}
	return n, nil
}
