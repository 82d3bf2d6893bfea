package models

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
)

// Segments are computed from stored orders on demand (no segment table to keep in sync), so a
// customer is in a segment exactly when the orders say so. "Kept" orders are the ones
// RefreshCustomerStats counts: not cancelled, not test, not fully refunded. The per-customer
// figures the rules read are also kept on the customer row by RefreshCustomerStats, from the
// same query, so the admin's customer list and the whole-shop scans (campaign audiences,
// win-back runs) find a segment's members without reading orders.
const (
	SegmentOneTimeBuyers = "one_time_buyers" // exactly one kept order
	SegmentAtRisk        = "at_risk"         // 2+ orders, quiet for more than 2× their median gap (90 days when unknown)
	SegmentReadyToBuy    = "ready_to_buy"    // 2+ orders, days since the last within ±20% of their median gap
	SegmentWinBack       = "win_back"        // one-time buyers quiet for longer than the store's win-back delay
	SegmentSubscribers   = "subscribers"     // an active subscription contract
)

// SegmentNames lists the segments an audience may name.
var SegmentNames = []string{SegmentOneTimeBuyers, SegmentAtRisk, SegmentReadyToBuy, SegmentWinBack, SegmentSubscribers}

// BuyerStages lists the stages an audience may name (StageNone has no orders to react to).
var BuyerStages = []string{StageNew, StageTwoTime, StageRepeat, StageLoyal}

// Segment rule constants.
const (
	atRiskGapFactor        = 2.0
	atRiskUnknownDays      = 90.0
	readyToBuyTolerance    = 0.2
	winBackFactor          = 1.5
	winBackDefaultDays     = 60.0
	winBackMinRepeatBuyers = 20 // the store median is trusted once this many customers bought twice
)

// segmentFilter narrows a segment query.
type segmentFilter struct {
	after    int64 // customer ids greater than this (whole-shop scans)
	customer int64 // one customer only
	limit    int   // whole-shop scans
	// fresh, when > 0, keeps only customers who entered the segment within the last fresh days
	// (the scheduled win-back scans use it so a store's whole history is not messaged at once).
	fresh float64
}

// keptOrderStats is the per-customer order history every segment is built from, and the one
// definition of the order stats kept on the customer row (RefreshCustomerStats stores n, first_at,
// last_at, spent, median_gap and second_gap). The refunds of the customers' orders are looked up
// through the index when @customers names some; a whole-shop pass (an empty @customers, as in
// FillSegmentStats) aggregates the shop's refunds once.
const keptOrderStats = `
WITH kept AS (
	SELECT o.customer_id, o.order_id, COALESCE(o.processed_at, o.shopify_created_at, o.created_at) AS at,
		o.subtotal - COALESCE(r.refunded, 0) AS net
	FROM orders o
	LEFT JOIN (SELECT order_id, sum(subtotal) AS refunded FROM refunds
		WHERE shop_id = @shop::bigint AND (cardinality(@customers::bigint[]) = 0 OR order_id = ANY (ARRAY(
			SELECT order_id FROM orders WHERE shop_id = @shop::bigint AND customer_id = ANY (@customers::bigint[]))))
		GROUP BY order_id) r
	  ON r.order_id = o.order_id
	WHERE o.shop_id = @shop::bigint AND o.customer_id IS NOT NULL AND o.cancelled_at IS NULL AND NOT o.test
	  AND (r.refunded IS NULL OR r.refunded < o.subtotal)
	  AND (cardinality(@customers::bigint[]) = 0 OR o.customer_id = ANY (@customers::bigint[]))
), gaps AS (
	SELECT customer_id, at, net, (EXTRACT(EPOCH FROM at - lag(at) OVER w) / 86400.0)::float8 AS gap,
		row_number() OVER w AS k
	FROM kept WINDOW w AS (PARTITION BY customer_id ORDER BY at)
), stats AS (
	SELECT customer_id, count(*) AS n, min(at) AS first_at, max(at) AS last_at, sum(net) AS spent,
		percentile_cont(0.5) WITHIN GROUP (ORDER BY gap) FILTER (WHERE gap IS NOT NULL) AS median_gap,
		max(gap) FILTER (WHERE k = 2) AS second_gap,
		(EXTRACT(EPOCH FROM @now::timestamptz - max(at)) / 86400.0)::float8 AS since
	FROM gaps GROUP BY customer_id
)`

// customerSet is the @customers of keptOrderStats for one customer, or for all of them (0).
func customerSet(customerID int64) Int64Array {
	if customerID == 0 {
		return Int64Array{}
	}
	return Int64Array{customerID}
}

var namedParam = regexp.MustCompile(`@([a-z_]+)`)

// Positional turns @name parameters into ? placeholders with their values in order (GORM's
// own named parameters do not mix reliably with Postgres' :: casts).
func Positional(q string, named map[string]any) (string, []any) {
	var args []any
	out := namedParam.ReplaceAllStringFunc(q, func(m string) string {
		v, ok := named[m[1:]]
		if !ok {
			panic("segment query: no value for " + m)
		}
		args = append(args, v)
		return "?"
	})
	return out, args
}

// segmentSQL returns the condition for a segment on its member's stats: n (kept orders), since
// (days since the last) and median_gap (days, NULL below two orders). It is the one statement
// of the rules: InSegment applies it to `stats` over one customer's orders, the customer list
// and the whole-shop scans to the same figures kept on the customer row (CustomerSegmentSQL).
func segmentSQL(seg string) (string, error) {
	switch seg {
	case SegmentOneTimeBuyers:
		return `n = 1`, nil
	case SegmentWinBack:
		return `n = 1 AND since > @winback::float8 AND (@fresh::float8 = 0 OR since <= @winback::float8 + @fresh::float8)`, nil
	case SegmentAtRisk:
		return `n >= 2 AND since > (CASE WHEN median_gap > 0 THEN @atrisk_factor::float8 * median_gap ELSE @atrisk_unknown::float8 END)
			AND (@fresh::float8 = 0 OR since <= (CASE WHEN median_gap > 0 THEN @atrisk_factor::float8 * median_gap ELSE @atrisk_unknown::float8 END) + @fresh::float8)`, nil
	case SegmentReadyToBuy:
		return `n >= 2 AND median_gap > 0 AND abs(since - median_gap) <= @ready_tol::float8 * median_gap`, nil
	}
	return "", Invalid("segment", "unknown segment %q", seg)
}

// segmentParams are the values segmentSQL's parameters take for a shop now; only win-back
// reads the store (its delay follows the store's median days to a second order).
func segmentParams(ctx context.Context, db *gorm.DB, shopID int64, seg string, now time.Time, fresh float64) (map[string]any, error) {
	winback := winBackDefaultDays
	if seg == SegmentWinBack {
		var err error
		if winback, err = WinBackDays(ctx, db, shopID); err != nil {
			return nil, err
		}
	}
	return map[string]any{"now": now.UTC(), "fresh": fresh, "winback": winback, "atrisk_factor": atRiskGapFactor,
		"atrisk_unknown": atRiskUnknownDays, "ready_tol": readyToBuyTolerance}, nil
}

// segmentMembers answers a whole-shop scan from the stats kept on the customer rows
// (CustomerSegmentSQL): working them out from the orders took 4 s for each page of 1,000 ids on
// a shop of a million orders. One customer is answered from their own orders (an index lookup):
// InSegment is the check made as a message goes out, so it stays right while a customer row
// waits for an order's effects, and it is what the tests hold the scans to.
func segmentMembers(ctx context.Context, db *gorm.DB, shopID int64, seg string, now time.Time, f segmentFilter) ([]int64, error) {
	if f.limit <= 0 {
		f.limit = 1000
	}
	var ids []int64
	var err error
	switch {
	case seg == SegmentSubscribers:
		err = db.WithContext(ctx).Raw(`SELECT DISTINCT customer_id FROM subscription_contracts
			WHERE shop_id = ? AND status = ? AND customer_id > ? AND (?::bigint = 0 OR customer_id = ?)
			ORDER BY customer_id LIMIT ?`, shopID, SubscriptionActive, f.after, f.customer, f.customer, f.limit).Scan(&ids).Error
	case f.customer == 0:
		cond, args, cerr := CustomerSegmentSQL(ctx, db, shopID, seg, now, f.fresh)
		if cerr != nil {
			return nil, cerr
		}
		args = append(append([]any{shopID, f.after}, args...), f.limit)
		err = db.WithContext(ctx).Raw(`SELECT c.customer_id FROM customers c WHERE c.shop_id = ? AND c.customer_id > ? AND `+
			cond+` ORDER BY c.customer_id LIMIT ?`, args...).Scan(&ids).Error
	default:
		cond, cerr := segmentSQL(seg)
		if cerr != nil {
			return nil, cerr
		}
		params, perr := segmentParams(ctx, db, shopID, seg, now, f.fresh)
		if perr != nil {
			return nil, perr
		}
		params["shop"], params["customers"] = shopID, customerSet(f.customer)
		q, args := Positional(keptOrderStats+` SELECT customer_id FROM stats WHERE `+cond, params)
		err = db.WithContext(ctx).Raw(q, args...).Scan(&ids).Error
	}
	if err != nil {
		return nil, fmt.Errorf("segment %s of shop %d: %w", seg, shopID, err)
	}
	return ids, nil
}

// CustomerSegmentSQL returns a condition on a customers row aliased c that holds exactly when
// InSegment does (within the last fresh days, when fresh > 0), with its arguments: segmentSQL
// over the stats RefreshCustomerStats keeps on the row (orders_count, last_order_at,
// median_gap_days), so the customer list and the whole-shop scans read no orders. A customer
// without kept orders has orders_count 0 and matches no order-based segment, as over the orders.
// Like the buyer stage, the row follows an order change once its effects have run.
func CustomerSegmentSQL(ctx context.Context, db *gorm.DB, shopID int64, seg string, now time.Time, fresh float64) (string, []any, error) {
	if seg == SegmentSubscribers {
		return `EXISTS (SELECT 1 FROM subscription_contracts sc WHERE sc.shop_id = c.shop_id AND sc.customer_id = c.customer_id
			AND sc.status = ?)`, []any{SubscriptionActive}, nil
	}
	cond, err := segmentSQL(seg)
	if err != nil {
		return "", nil, err
	}
	params, err := segmentParams(ctx, db, shopID, seg, now, fresh)
	if err != nil {
		return "", nil, err
	}
	q, args := Positional(`EXISTS (SELECT 1 FROM (SELECT c.orders_count AS n, c.median_gap_days AS median_gap,
			(EXTRACT(EPOCH FROM @now::timestamptz - c.last_order_at) / 86400.0)::float8 AS since) stats
		WHERE `+cond+`)`, params)
	return q, args, nil
}

// FillSegmentStats stores the segment figures (median gap, days to the second order) of every
// customer of a shop with one pass over its orders: for loaders that write orders and customers
// directly (cmd/seedshop) instead of through RefreshCustomerStats. It returns the rows changed.
func FillSegmentStats(ctx context.Context, db *gorm.DB, shopID int64) (int64, error) {
	q, args := Positional(keptOrderStats+` UPDATE customers c SET median_gap_days = s.median_gap, second_order_days = s.second_gap
		FROM stats s WHERE c.shop_id = @shop::bigint AND c.customer_id = s.customer_id
		  AND (c.median_gap_days IS DISTINCT FROM s.median_gap OR c.second_order_days IS DISTINCT FROM s.second_gap)`,
		map[string]any{"shop": shopID, "customers": customerSet(0), "now": time.Now().UTC()})
	res := db.WithContext(ctx).Exec(q, args...)
	if res.Error != nil {
		return 0, fmt.Errorf("segment stats of shop %d: %w", shopID, res.Error)
	}
	return res.RowsAffected, nil
}

// SegmentMembers pages through a segment: up to limit customer ids greater than after, ascending.
func SegmentMembers(ctx context.Context, db *gorm.DB, shopID int64, seg string, now time.Time, after int64, limit int) ([]int64, error) {
	return segmentMembers(ctx, db, shopID, seg, now, segmentFilter{after: after, limit: limit})
}

// NewSegmentMembers is SegmentMembers restricted to customers who entered the segment within
// the last `within` (for win-back and at-risk scans).
func NewSegmentMembers(ctx context.Context, db *gorm.DB, shopID int64, seg string, now time.Time, within time.Duration, after int64, limit int) ([]int64, error) {
	return segmentMembers(ctx, db, shopID, seg, now, segmentFilter{after: after, limit: limit, fresh: within.Hours() / 24})
}

// InSegment reports whether one customer is in a segment now.
func InSegment(ctx context.Context, db *gorm.DB, shopID, customerID int64, seg string, now time.Time) (bool, error) {
	ids, err := segmentMembers(ctx, db, shopID, seg, now, segmentFilter{customer: customerID, limit: 1})
	return len(ids) == 1, err
}

// CustomerSegments lists the segments a customer is in now (for the customer page).
func CustomerSegments(ctx context.Context, db *gorm.DB, shopID, customerID int64, now time.Time) ([]string, error) {
	out := []string{}
	for _, seg := range SegmentNames {
		in, err := InSegment(ctx, db, shopID, customerID, seg, now)
		if err != nil {
			return nil, err
		}
		if in {
			out = append(out, seg)
		}
	}
	return out, nil
}

// MedianDaysToSecondOrder is the store's median number of days between a customer's first and
// second kept order; known is false while fewer than winBackMinRepeatBuyers customers have one.
// It reads the days each customer row keeps (second_order_days, from keptOrderStats): the
// same figure as over the orders, without reading a million of them for every win-back check.
func MedianDaysToSecondOrder(ctx context.Context, db *gorm.DB, shopID int64) (days float64, known bool, err error) {
	var r struct {
		N      int
		Median *float64
	}
	err = db.WithContext(ctx).Raw(`SELECT count(*) AS n, percentile_cont(0.5) WITHIN GROUP (ORDER BY second_order_days) AS median
		FROM customers WHERE shop_id = ? AND second_order_days IS NOT NULL`, shopID).Scan(&r).Error
	if err != nil {
		return 0, false, fmt.Errorf("median days to second order of shop %d: %w", shopID, err)
	}
	if r.Median == nil || r.N < winBackMinRepeatBuyers {
		return 0, false, nil
	}
	return *r.Median, true, nil
}

// WinBackDays is when a one-time buyer counts as gone quiet: 1.5 × the store's median days to
// a second order, 60 days until that median is known.
func WinBackDays(ctx context.Context, db *gorm.DB, shopID int64) (float64, error) {
	median, known, err := MedianDaysToSecondOrder(ctx, db, shopID)
	if err != nil {
		return 0, err
	}
	if !known || median <= 0 {
		return winBackDefaultDays, nil
	}
	return winBackFactor * median, nil
}

// TierMembersFunc pages through the customers of a loyalty tier (registered by loyalty).
type TierMembersFunc func(ctx context.Context, db *gorm.DB, shopID int64, tier string, after int64, limit int) ([]int64, error)

// CustomerTierFunc returns a customer's current tier name ("" when none).
type CustomerTierFunc func(ctx context.Context, db *gorm.DB, shopID, customerID int64) (string, error)

var (
	TierMembers  TierMembersFunc
	customerTier CustomerTierFunc
)

// RegisterTiers lets the loyalty part answer tier audiences; called from an init function.
func RegisterTiers(members TierMembersFunc, tierOf CustomerTierFunc) {
	TierMembers, customerTier = members, tierOf
}

// CustomerTier returns a customer's tier name, "" when loyalty has not registered tiers.
func CustomerTier(ctx context.Context, db *gorm.DB, shopID, customerID int64) (string, error) {
	if customerTier == nil {
		return "", nil
	}
	return customerTier(ctx, db, shopID, customerID)
}

// InAudience reports whether a customer matches a message's audience.
func InAudience(ctx context.Context, db *gorm.DB, shopID int64, c *Customer, a Audience, now time.Time) (bool, error) {
	if len(a.Stages) > 0 && !slices.Contains(a.Stages, c.Stage) {
		return false, nil
	}
	if len(a.Tiers) > 0 {
		tier, err := CustomerTier(ctx, db, shopID, c.CustomerID)
		if err != nil {
			return false, err
		}
		if !slices.Contains(a.Tiers, tier) {
			return false, nil
		}
	}
	if a.Segment != "" {
		return InSegment(ctx, db, shopID, c.CustomerID, a.Segment, now)
	}
	return true, nil
}

// LastOrderTimes returns the last kept order time of each customer (zero when none).
func LastOrderTimes(ctx context.Context, db *gorm.DB, shopID int64, ids []int64) (map[int64]time.Time, error) {
	out := map[int64]time.Time{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []struct {
		CustomerID  int64
		LastOrderAt *time.Time
	}
	if err := db.WithContext(ctx).Raw(`SELECT customer_id, last_order_at FROM customers WHERE shop_id = ? AND customer_id IN ?`,
		shopID, ids).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("last orders: %w", err)
	}
	for _, r := range rows {
		if r.LastOrderAt != nil {
			out[r.CustomerID] = r.LastOrderAt.UTC()
		}
	}
	return out, nil
}

// BirthdaysOn lists customers whose birthday falls on day's calendar date; people born on
// 29 February celebrate on the 28th in other years.
func BirthdaysOn(ctx context.Context, db *gorm.DB, shopID int64, day time.Time) ([]int64, error) {
	leap := time.Date(day.Year(), time.March, 0, 0, 0, 0, 0, time.UTC).Day() == 29
	feb28 := day.Month() == time.February && day.Day() == 28 && !leap
	var ids []int64
	err := db.WithContext(ctx).Raw(`SELECT customer_id FROM customers WHERE shop_id = ? AND birthday IS NOT NULL
		AND redacted_at IS NULL AND ((extract(month FROM birthday) = ? AND extract(day FROM birthday) = ?)
		OR (? AND extract(month FROM birthday) = 2 AND extract(day FROM birthday) = 29)) ORDER BY customer_id`,
		shopID, int(day.Month()), day.Day(), feb28).Scan(&ids).Error
	return ids, err
}

// Audience narrows who receives a triggered message; empty lists mean everyone.
type Audience struct {
	Stages  []string `json:"stages,omitempty"`
	Tiers   []string `json:"tiers,omitempty"`
	Segment string   `json:"segment,omitempty"`
}

func (a *Audience) Validate(field string) error {
	for _, s := range a.Stages {
		if !slices.Contains(BuyerStages, s) {
			return Invalid(field+".stages", "unknown stage %q", s)
		}
	}
	if a.Segment != "" && !slices.Contains(SegmentNames, a.Segment) {
		return Invalid(field+".segment", "unknown segment %q (one of %s)", a.Segment, strings.Join(SegmentNames, ", "))
	}
	return nil
}
