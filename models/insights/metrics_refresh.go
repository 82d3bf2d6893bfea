package insights

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"gorm.io/gorm"

	"github.com/boomerang-app/boomerang/models"
)

// The scorecard reads small per-shop rollups (migrations/00400_metrics.sql) instead of the
// facts: on a shop with a million orders the cohort matrix alone is a scan of every order.
// RefreshMetrics keeps them exact by recomputing, from the facts, every customer and every
// day whose facts changed since the last refresh; nothing is incremented blindly, so a
// replayed or late fact cannot make a figure drift.

const (
	// metricsOverlap re-reads changes this far before the watermark: a transaction that began
	// before the last refresh (its rows carry its start time) may have committed after it.
	metricsOverlap = 2 * time.Minute
	// metricsRebuildAbove: past this many changed customers one pass over the shop is cheaper
	// than recomputing them one by one.
	metricsRebuildAbove = 20000
	// AttributionWindow: an order counts as "after a message" when the customer was sent one
	// in the 7 days before it.
	AttributionWindow = 7 * 24 * time.Hour
)

// MetricsRefresh reports what a refresh did.
type MetricsRefresh struct {
	Skipped   bool // another process holds the shop's refresh lock; its result will do
	Deferred  bool // a rebuild was due but the shop is too large to rebuild inline (InlineLimit)
	Rebuilt   bool // the whole shop was recomputed
	Customers int  // customers recomputed (incremental refresh)
	Days      int  // days recomputed (incremental refresh)
	Took      time.Duration
}

// RefreshOptions tune RefreshMetrics.
type RefreshOptions struct {
	// Rebuild recomputes everything; also done when the rollups were never built or the shop's
	// time zone changed.
	Rebuild bool
	// RebuildOlderThan, when set, rebuilds if the last full rebuild is older: the safety net
	// for the rare change an incremental refresh cannot see (an order moved to another
	// customer or another day). Used by the periodic job, never on a request.
	RebuildOlderThan time.Duration
	// InlineLimit, when set, refuses to rebuild a shop with more orders than this and reports
	// Deferred instead: a request must not wait for a full pass over a large shop; the
	// periodic job does it.
	InlineLimit int
}

type metricsState struct {
	Timezone        string
	Watermark       time.Time
	RefreshedAt     time.Time
	RebuiltAt       time.Time
	PointsLiability int64
}

// metricsLock is the advisory lock key of one shop's refresh.
const metricsLockSQL = `SELECT pg_try_advisory_xact_lock(hashtextextended('metrics:' || ?::bigint, 0))`

// RefreshMetrics brings one shop's rollups up to date. Concurrent calls for the same shop do
// not queue: the ones that find the lock taken return Skipped.
func RefreshMetrics(ctx context.Context, db *gorm.DB, shopID int64, opt RefreshOptions) (MetricsRefresh, error) {
	start := time.Now()
	var out MetricsRefresh
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var got bool
		if err := tx.Raw(metricsLockSQL, shopID).Scan(&got).Error; err != nil {
			return err
		}
		if !got {
			out.Skipped = true
			return nil
		}
		// Rollup statements are few and large: more sort memory, and no JIT (its compile time
		// exceeds what it saves on these plans).
		if err := tx.Exec(`SET LOCAL work_mem = '64MB'; SET LOCAL jit = off`).Error; err != nil {
			return err
		}
		tz, err := shopTimezone(ctx, db, shopID)
		if err != nil {
			return err
		}
		var now time.Time
		if err := tx.Raw(`SELECT now()`).Scan(&now).Error; err != nil {
			return err
		}
		st, found, err := loadMetricsState(ctx, tx, shopID)
		if err != nil {
			return err
		}
		rebuild := opt.Rebuild || !found || st.Timezone != tz ||
			(opt.RebuildOlderThan > 0 && now.Sub(st.RebuiltAt) > opt.RebuildOlderThan)
		if !rebuild {
			r := refresher{tx: tx, shop: shopID, tz: tz}
			n, days, err := r.incremental(st.Watermark.Add(-metricsOverlap))
			if errors.Is(err, errTooManyChanges) {
				rebuild = true
			} else if err != nil {
				return err
			}
			out.Customers, out.Days = n, days
		}
		if rebuild && opt.InlineLimit > 0 && !opt.Rebuild {
			var n int
			if err := tx.Raw(`SELECT count(*) FROM (SELECT 1 FROM orders WHERE shop_id = ? LIMIT ?) x`,
				shopID, opt.InlineLimit+1).Scan(&n).Error; err != nil {
				return err
			}
			if n > opt.InlineLimit {
				out.Deferred, out.Customers, out.Days = true, 0, 0
				return nil
			}
		}
		if rebuild {
			r := refresher{tx: tx, shop: shopID, tz: tz}
			if err := r.rebuild(); err != nil {
				return err
			}
			out.Rebuilt, out.Customers, out.Days = true, 0, 0
			st.RebuiltAt = now
		}
		return tx.Exec(`INSERT INTO metrics_state (shop_id, timezone, watermark, refreshed_at, rebuilt_at, points_liability)
			VALUES (?, ?, ?, ?, ?, (SELECT COALESCE(sum(balance), 0) FROM loyalty_accounts WHERE shop_id = ? AND balance > 0))
			ON CONFLICT (shop_id) DO UPDATE SET timezone = EXCLUDED.timezone, watermark = EXCLUDED.watermark,
				refreshed_at = EXCLUDED.refreshed_at, rebuilt_at = EXCLUDED.rebuilt_at, points_liability = EXCLUDED.points_liability`,
			shopID, tz, now, now, st.RebuiltAt, shopID).Error
	})
	out.Took = time.Since(start)
	if err != nil {
		return out, fmt.Errorf("refresh metrics of shop %d: %w", shopID, err)
	}
	return out, nil
}

// MetricsInlineLimit: a shop with more orders than this is never rebuilt on a request.
const MetricsInlineLimit = 50000

// RefreshMetricsIfStale refreshes when the last refresh is older than maxAge (or never ran).
// The scorecard calls it before reading, so figures are at most maxAge old. A rebuild of a
// large shop is left to the periodic job (Deferred).
func RefreshMetricsIfStale(ctx context.Context, db *gorm.DB, shopID int64, maxAge time.Duration) (MetricsRefresh, error) {
	var fresh bool
	err := db.WithContext(ctx).Raw(`SELECT EXISTS (SELECT 1 FROM metrics_state WHERE shop_id = ? AND refreshed_at > now() - ?::interval)`,
		shopID, fmt.Sprintf("%d milliseconds", maxAge.Milliseconds())).Scan(&fresh).Error
	if err != nil {
		return MetricsRefresh{}, fmt.Errorf("metrics state of shop %d: %w", shopID, err)
	}
	if fresh {
		return MetricsRefresh{Skipped: true}, nil
	}
	return RefreshMetrics(ctx, db, shopID, RefreshOptions{InlineLimit: MetricsInlineLimit})
}

func loadMetricsState(ctx context.Context, db *gorm.DB, shopID int64) (metricsState, bool, error) {
	var st metricsState
	res := db.WithContext(ctx).Raw(`SELECT timezone, watermark, refreshed_at, rebuilt_at, points_liability FROM metrics_state WHERE shop_id = ?`,
		shopID).Scan(&st)
	if res.Error != nil {
		return st, false, fmt.Errorf("metrics state: %w", res.Error)
	}
	return st, res.RowsAffected == 1, nil
}

// shopTimezone is the IANA zone the shop's days are counted in; UTC when unknown or invalid
// (Postgres and Go must both understand it).
func shopTimezone(ctx context.Context, db *gorm.DB, shopID int64) (string, error) {
	var tz string
	if err := db.WithContext(ctx).Raw(`SELECT timezone FROM shops WHERE id = ?`, shopID).Scan(&tz).Error; err != nil {
		return "", fmt.Errorf("shop %d time zone: %w", shopID, err)
	}
	if tz == "" || tz == "UTC" {
		return "UTC", nil
	}
	if _, err := time.LoadLocation(tz); err != nil {
		return "UTC", nil
	}
	if ok, known := pgZones.Load(tz); known {
		if ok.(bool) {
			return tz, nil
		}
		return "UTC", nil
	}
	// Asking Postgres to use the zone is the cheap test (pg_timezone_names reads every zone
	// file: half a second). An error here is "unknown zone", not a failed transaction: the
	// probe runs on its own connection.
	var probe time.Time
	err := db.Session(&gorm.Session{NewDB: true}).WithContext(ctx).
		Raw(`SELECT now() AT TIME ZONE ?`, tz).Scan(&probe).Error
	pgZones.Store(tz, err == nil)
	if err != nil {
		return "UTC", nil
	}
	return tz, nil
}

// pgZones caches, per zone name, whether Postgres knows it.
var pgZones sync.Map

var errTooManyChanges = errors.New("too many changed customers for an incremental refresh")

// refresher runs the rollup statements of one shop inside the refresh transaction.
type refresher struct {
	tx   *gorm.DB
	shop int64
	tz   string
}

func (r refresher) args(extra map[string]any) map[string]any {
	m := map[string]any{"shop": r.shop, "tz": r.tz}
	for k, v := range extra {
		m[k] = v
	}
	return m
}

func (r refresher) exec(what, sql string, args map[string]any) error {
	if err := r.tx.Exec(sql, r.args(args)).Error; err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// placedSQL is when an order was placed: the moment every metric dates it by.
const placedSQL = `COALESCE(o.processed_at, o.shopify_created_at)`

// keptOrdersSQL defines `kept`: the kept orders (not cancelled, not test, not fully refunded)
// matching cond, with their subtotal net of refunds. For a few customers the refunds of just
// their orders are looked up; for the whole shop all refunds are summed once and hash-joined.
func keptOrdersSQL(cond string) string {
	if cond == "" {
		return `WITH rf AS (
			SELECT r.order_id, sum(r.subtotal) AS refunded FROM refunds r WHERE r.shop_id = @shop GROUP BY r.order_id),
		kept AS (
			SELECT o.order_id, o.customer_id, ` + placedSQL + ` AS placed, o.subtotal - COALESCE(rf.refunded, 0) AS net
			FROM orders o LEFT JOIN rf ON rf.order_id = o.order_id
			WHERE o.shop_id = @shop AND o.cancelled_at IS NULL AND NOT o.test AND ` + placedSQL + ` IS NOT NULL
			  AND (rf.refunded IS NULL OR rf.refunded < o.subtotal))`
	}
	return `WITH o AS MATERIALIZED (
			SELECT o.order_id, o.customer_id, o.subtotal, ` + placedSQL + ` AS placed
			FROM orders o
			WHERE o.shop_id = @shop AND o.cancelled_at IS NULL AND NOT o.test AND ` + placedSQL + ` IS NOT NULL AND (` + cond + `)),
		rf AS (
			SELECT r.order_id, sum(r.subtotal) AS refunded FROM refunds r
			WHERE r.shop_id = @shop AND r.order_id IN (SELECT order_id FROM o) GROUP BY r.order_id),
		kept AS (
			SELECT o.order_id, o.customer_id, o.placed, o.subtotal - COALESCE(rf.refunded, 0) AS net
			FROM o LEFT JOIN rf ON rf.order_id = o.order_id
			WHERE rf.refunded IS NULL OR rf.refunded < o.subtotal)`
}

// monthsOfSQL lists the distinct months (first days) a customer row ordered in.
const monthsOfSQL = `SELECT DISTINCT g::date AS month FROM unnest(c.order_days) AS u(rng),
	generate_series(date_trunc('month', lower(u.rng)::timestamp), date_trunc('month', (upper(u.rng) - 1)::timestamp), interval '1 month') AS g`

// cohortDeltaSQL adds sign × (the customers' cells) to the cohort matrix.
func cohortDeltaSQL(sign string) string {
	return `INSERT INTO metrics_cohorts (shop_id, cohort, month, customers)
		SELECT @shop, date_trunc('month', c.first_day::timestamp)::date, m.month, ` + sign + `count(*)
		FROM metrics_customers c CROSS JOIN LATERAL (` + monthsOfSQL + `) m
		WHERE c.shop_id = @shop AND c.customer_id = ANY(CAST(@ids AS bigint[]))
		GROUP BY 2, 3
		ON CONFLICT (shop_id, cohort, month) DO UPDATE SET customers = metrics_cohorts.customers + EXCLUDED.customers`
}

func customersInsertSQL(cond string) string {
	return keptOrdersSQL(cond) + `
		INSERT INTO metrics_customers (shop_id, customer_id, first_day, second_day, last_day, order_days, orders)
		SELECT @shop, customer_id, min(day), (array_agg(day ORDER BY day))[2], max(day), range_agg(daterange(day, day + 1)), count(*)
		FROM (SELECT customer_id, (placed AT TIME ZONE @tz)::date AS day FROM kept WHERE customer_id IS NOT NULL) k
		GROUP BY customer_id`
}

// dayBoundsSQL: the instants a calendar day of the shop starts and ends.
const (
	dayStartSQL = `(d.day::timestamp AT TIME ZONE @tz)`
	dayEndSQL   = `((d.day + 1)::timestamp AT TIME ZONE @tz)`
)

// attributedSQL: the customer of kept order k was sent a message in the 7 days before it.
const attributedSQL = `SELECT 1 FROM message_decisions m
	WHERE m.shop_id = @shop AND m.customer_id = k.customer_id AND m.decision = 'sent'
	  AND m.sent_at < k.placed AND m.sent_at >= k.placed - interval '7 days'`

// pointsSumsSQL: points earned (earn and bonus credits) and redeemed (redeem debits less
// redemptions released because no code could be issued) among ledger entries e.
const pointsSumsSQL = `COALESCE(sum(e.points) FILTER (WHERE e.kind IN ('earn', 'bonus')), 0) AS earned,
	COALESCE(-sum(e.points) FILTER (WHERE e.kind = 'redeem'), 0)
	  - COALESCE(sum(e.points) FILTER (WHERE e.kind = 'reversal' AND e.source_type = 'redemption'), 0) AS redeemed`

// dailyInsertSQL recomputes metrics_daily for the days in @days, each through the indexes on
// placement and occurrence time, so a few scattered days cost a few lookups.
const dailyInsertSQL = `INSERT INTO metrics_daily (shop_id, day, orders, revenue, customer_revenue, orders_after_message,
		points_earned, points_redeemed, sentiment_sum, sentiment_count)
	SELECT @shop, d.day, od.orders, od.revenue, od.customer_revenue, od.attributed, pt.earned, pt.redeemed, rv.total, rv.n
	FROM unnest(CAST(@days AS date[])) AS d(day)
	CROSS JOIN LATERAL (
		SELECT count(*) AS orders, COALESCE(sum(k.net), 0) AS revenue,
			COALESCE(sum(k.net) FILTER (WHERE k.customer_id IS NOT NULL), 0) AS customer_revenue,
			count(*) FILTER (WHERE k.customer_id IS NOT NULL AND EXISTS (` + attributedSQL + `)) AS attributed
		FROM (
			SELECT o.customer_id, ` + placedSQL + ` AS placed, o.subtotal - COALESCE(r.refunded, 0) AS net, r.refunded, o.subtotal
			FROM orders o
			LEFT JOIN LATERAL (SELECT sum(r.subtotal) AS refunded FROM refunds r
				WHERE r.shop_id = @shop AND r.order_id = o.order_id) r ON true
			WHERE o.shop_id = @shop AND o.cancelled_at IS NULL AND NOT o.test
			  AND ` + placedSQL + ` >= ` + dayStartSQL + ` AND ` + placedSQL + ` < ` + dayEndSQL + `
		) k
		WHERE k.refunded IS NULL OR k.refunded < k.subtotal) od
	CROSS JOIN LATERAL (
		SELECT ` + pointsSumsSQL + `
		FROM ledger_entries e
		WHERE e.shop_id = @shop AND e.occurred_at >= ` + dayStartSQL + ` AND e.occurred_at < ` + dayEndSQL + `) pt
	CROSS JOIN LATERAL (
		SELECT COALESCE(sum(v.sentiment_score), 0) AS total, count(*) AS n
		FROM reviews v
		WHERE v.shop_id = @shop AND v.sentiment_score IS NOT NULL
		  AND v.created_at >= ` + dayStartSQL + ` AND v.created_at < ` + dayEndSQL + `) rv
	WHERE od.orders > 0 OR pt.earned <> 0 OR pt.redeemed <> 0 OR rv.n > 0`

const decisionsInsertSQL = `INSERT INTO metrics_decisions_daily (shop_id, day, decision, reason, n)
	SELECT @shop, d.day, m.decision, m.reason, count(*)
	FROM unnest(CAST(@days AS date[])) AS d(day)
	JOIN message_decisions m ON m.shop_id = @shop AND m.created_at >= ` + dayStartSQL + ` AND m.created_at < ` + dayEndSQL + `
	GROUP BY d.day, m.decision, m.reason`

// incremental recomputes the customers and days touched by facts changed since `since`.
func (r refresher) incremental(since time.Time) (customers, days int, err error) {
	a := map[string]any{"since": since}
	var ids []int64
	err = r.tx.Raw(`SELECT DISTINCT customer_id FROM (
			SELECT o.customer_id FROM orders o WHERE o.shop_id = @shop AND o.updated_at >= @since
			UNION ALL
			SELECT o.customer_id FROM refunds r JOIN orders o ON o.shop_id = r.shop_id AND o.order_id = r.order_id
			WHERE r.shop_id = @shop AND r.created_at >= @since
		) x WHERE customer_id IS NOT NULL`, r.args(a)).Scan(&ids).Error
	if err != nil {
		return 0, 0, fmt.Errorf("changed customers: %w", err)
	}
	if len(ids) > metricsRebuildAbove {
		return 0, 0, errTooManyChanges
	}
	var dayList []time.Time
	err = r.tx.Raw(`SELECT DISTINCT day FROM (
			SELECT (`+placedSQL+` AT TIME ZONE @tz)::date AS day FROM orders o
			WHERE o.shop_id = @shop AND o.updated_at >= @since
			UNION ALL
			SELECT (`+placedSQL+` AT TIME ZONE @tz)::date FROM refunds r
			JOIN orders o ON o.shop_id = r.shop_id AND o.order_id = r.order_id
			WHERE r.shop_id = @shop AND r.created_at >= @since
			UNION ALL
			SELECT (e.occurred_at AT TIME ZONE @tz)::date FROM ledger_entries e
			WHERE e.shop_id = @shop AND e.created_at >= @since
			UNION ALL
			SELECT (m.created_at AT TIME ZONE @tz)::date FROM message_decisions m
			WHERE m.shop_id = @shop AND m.updated_at >= @since
			UNION ALL
			SELECT (v.created_at AT TIME ZONE @tz)::date FROM reviews v
			WHERE v.shop_id = @shop AND v.updated_at >= @since
			UNION ALL
			SELECT (`+placedSQL+` AT TIME ZONE @tz)::date FROM message_decisions m
			JOIN orders o ON o.shop_id = m.shop_id AND o.customer_id = m.customer_id
			  AND `+placedSQL+` > m.sent_at AND `+placedSQL+` <= m.sent_at + interval '7 days'
			WHERE m.shop_id = @shop AND m.updated_at >= @since AND m.decision = 'sent'
		) x WHERE day IS NOT NULL`, r.args(a)).Scan(&dayList).Error
	if err != nil {
		return 0, 0, fmt.Errorf("changed days: %w", err)
	}
	if len(ids) > 0 {
		if err := r.customers(models.Int64Array(ids)); err != nil {
			return 0, 0, err
		}
	}
	if len(dayList) > 0 {
		if err := r.days(dateArray(dayList)); err != nil {
			return 0, 0, err
		}
	}
	return len(ids), len(dayList), nil
}

// customers recomputes the given customers' rows and moves their cohort cells with them.
func (r refresher) customers(ids models.Int64Array) error {
	a := map[string]any{"ids": ids}
	if err := r.exec("cohorts out", cohortDeltaSQL("-"), a); err != nil {
		return err
	}
	if err := r.exec("customers out", `DELETE FROM metrics_customers WHERE shop_id = @shop AND customer_id = ANY(CAST(@ids AS bigint[]))`, a); err != nil {
		return err
	}
	if err := r.exec("customers in", customersInsertSQL(`o.customer_id = ANY(CAST(@ids AS bigint[]))`), a); err != nil {
		return err
	}
	if err := r.exec("cohorts in", cohortDeltaSQL(""), a); err != nil {
		return err
	}
	return r.exec("cohorts prune", `DELETE FROM metrics_cohorts WHERE shop_id = @shop AND customers = 0`, nil)
}

// days recomputes the daily figures and decision counts of the given days.
func (r refresher) days(days models.TextArray) error {
	a := map[string]any{"days": days}
	if err := r.exec("daily out", `DELETE FROM metrics_daily WHERE shop_id = @shop AND day = ANY(CAST(@days AS date[]))`, a); err != nil {
		return err
	}
	if err := r.exec("daily in", dailyInsertSQL, a); err != nil {
		return err
	}
	if err := r.exec("decisions out", `DELETE FROM metrics_decisions_daily WHERE shop_id = @shop AND day = ANY(CAST(@days AS date[]))`, a); err != nil {
		return err
	}
	return r.exec("decisions in", decisionsInsertSQL, a)
}

// rebuild recomputes every rollup of the shop from its facts.
func (r refresher) rebuild() error {
	// Whole-shop statements want hash joins; right after a bulk load the statistics may not
	// know the tables are large yet and a nested loop per order would run for minutes.
	if err := r.tx.Exec(`SET LOCAL enable_nestloop = off`).Error; err != nil {
		return fmt.Errorf("plan: %w", err)
	}
	for _, t := range []string{"metrics_cohorts", "metrics_daily", "metrics_decisions_daily"} {
		if err := r.exec("clear "+t, `DELETE FROM `+t+` WHERE shop_id = @shop`, nil); err != nil {
			return err
		}
	}
	if err := r.exec("customers", rebuildCustomersSQL, nil); err != nil {
		return err
	}
	err := r.exec("cohorts", `INSERT INTO metrics_cohorts (shop_id, cohort, month, customers)
		SELECT @shop, date_trunc('month', c.first_day::timestamp)::date, m.month, count(*)
		FROM metrics_customers c CROSS JOIN LATERAL (`+monthsOfSQL+`) m
		WHERE c.shop_id = @shop GROUP BY 2, 3`, nil)
	if err != nil {
		return err
	}
	// One pass per fact table, grouped by day: a full rebuild is a scan, not a lookup per day.
	if err := r.exec("daily orders", rebuildDailyOrdersSQL, nil); err != nil {
		return err
	}
	if err := r.exec("daily points", rebuildDailyPointsSQL, nil); err != nil {
		return err
	}
	if err := r.exec("daily sentiment", rebuildDailySentimentSQL, nil); err != nil {
		return err
	}
	return r.exec("daily decisions", rebuildDecisionsSQL, nil)
}

// rebuildCustomersSQL writes only the customers whose row differs and deletes those without
// kept orders: a daily rebuild of an unchanged shop leaves the table (and its size) alone.
var rebuildCustomersSQL = keptOrdersSQL(``) + `,
	fresh AS (
		SELECT customer_id, min(day) AS first_day, (array_agg(day ORDER BY day))[2] AS second_day, max(day) AS last_day,
			range_agg(daterange(day, day + 1)) AS order_days, count(*) AS orders
		FROM (SELECT customer_id, (placed AT TIME ZONE @tz)::date AS day FROM kept WHERE customer_id IS NOT NULL) k
		GROUP BY customer_id),
	up AS (
		INSERT INTO metrics_customers (shop_id, customer_id, first_day, second_day, last_day, order_days, orders)
		SELECT @shop, customer_id, first_day, second_day, last_day, order_days, orders FROM fresh
		ON CONFLICT (shop_id, customer_id) DO UPDATE SET first_day = EXCLUDED.first_day, second_day = EXCLUDED.second_day,
			last_day = EXCLUDED.last_day, order_days = EXCLUDED.order_days, orders = EXCLUDED.orders
		WHERE (metrics_customers.first_day, metrics_customers.second_day, metrics_customers.last_day,
			metrics_customers.order_days, metrics_customers.orders)
			IS DISTINCT FROM (EXCLUDED.first_day, EXCLUDED.second_day, EXCLUDED.last_day, EXCLUDED.order_days, EXCLUDED.orders))
	DELETE FROM metrics_customers m
	WHERE m.shop_id = @shop AND NOT EXISTS (SELECT 1 FROM fresh f WHERE f.customer_id = m.customer_id)`

// rebuildDailyOrdersSQL: attribution is a join (hashed on the customer), not a lookup per
// order, so a million orders cost one pass whatever the planner knows about the tables.
var rebuildDailyOrdersSQL = keptOrdersSQL(``) + `,
	att AS (
		SELECT DISTINCT k.order_id FROM kept k
		JOIN message_decisions m ON m.customer_id = k.customer_id AND m.sent_at < k.placed AND m.sent_at >= k.placed - interval '7 days'
		WHERE m.shop_id = @shop AND m.decision = 'sent')
	INSERT INTO metrics_daily (shop_id, day, orders, revenue, customer_revenue, orders_after_message)
	SELECT @shop, (k.placed AT TIME ZONE @tz)::date, count(*), sum(k.net),
		COALESCE(sum(k.net) FILTER (WHERE k.customer_id IS NOT NULL), 0), count(a.order_id)
	FROM kept k LEFT JOIN att a ON a.order_id = k.order_id GROUP BY 2`

const rebuildDailyPointsSQL = `INSERT INTO metrics_daily (shop_id, day, points_earned, points_redeemed)
	SELECT @shop, (e.occurred_at AT TIME ZONE @tz)::date, ` + pointsSumsSQL + `
	FROM ledger_entries e WHERE e.shop_id = @shop GROUP BY 2
	ON CONFLICT (shop_id, day) DO UPDATE SET points_earned = EXCLUDED.points_earned, points_redeemed = EXCLUDED.points_redeemed`

const rebuildDailySentimentSQL = `INSERT INTO metrics_daily (shop_id, day, sentiment_sum, sentiment_count)
	SELECT @shop, (v.created_at AT TIME ZONE @tz)::date, sum(v.sentiment_score), count(*)
	FROM reviews v WHERE v.shop_id = @shop AND v.sentiment_score IS NOT NULL GROUP BY 2
	ON CONFLICT (shop_id, day) DO UPDATE SET sentiment_sum = EXCLUDED.sentiment_sum, sentiment_count = EXCLUDED.sentiment_count`

const rebuildDecisionsSQL = `INSERT INTO metrics_decisions_daily (shop_id, day, decision, reason, n)
	SELECT @shop, (m.created_at AT TIME ZONE @tz)::date, m.decision, m.reason, count(*)
	FROM message_decisions m WHERE m.shop_id = @shop GROUP BY 2, 3, 4`

// dateArray renders days as a text[] literal of ISO dates (cast to date[] in SQL).
func dateArray(days []time.Time) models.TextArray {
	out := make(models.TextArray, len(days))
	for i, d := range days {
		out[i] = d.Format(time.DateOnly)
	}
	return out
}
