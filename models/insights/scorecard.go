package insights

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/shopspring/decimal"
	"golang.org/x/sync/errgroup"
	"gorm.io/gorm"

	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/models/loyalty"
	"github.com/boomerang-app/boomerang/models/messaging"
)

// Scorecard is the retention scorecard of one shop for a period of calendar days [From, To]
// (both inclusive, in the shop's time zone). Order facts count "kept" orders only: not
// cancelled, not test, not fully refunded; revenue is the subtotal (after discounts, before
// shipping and tax) net of refunds. An order is dated by when it was processed.
//
//   - RepeatPurchaseRate: among customers with at least one kept order in the period, the share
//     who had at least two kept orders by the period's end (an earlier order or a second one
//     in the period). Shopify's "returning customer rate" is the same measure.
//   - AOV: kept revenue in the period / kept orders in the period (guest orders included).
//   - CLV (historical): kept revenue from identified customers up to the period's end / number
//     of customers with a kept order by then: what an acquired customer has been worth so far,
//     not a forecast.
//   - CustomerChurnRate: customers with a kept order in the previous period of the same length
//     who have none in this one / customers with a kept order in the previous period.
//   - SubscriptionChurnRate: subscription contracts cancelled in the period / contracts running
//     at its start (models.SubscriptionChurn).
//   - PointsLiability: points outstanding at the last refresh (AsOf), the sum of positive
//     account balances (a current figure, not the period's). PointsLiabilityValue prices them at the shop's cheapest
//     fixed-amount reward (default 100 points = 1.00); "0" when no fixed reward exists.
//   - RedemptionRate: points redeemed / points earned in the period, by the ledger's business
//     time. Earned = earn and bonus credits; redeemed = redeem debits less redemptions released
//     because no discount code could be issued. Adjustments, expiries and clawbacks are neither.
//   - Cohorts: customers grouped by the month of their first kept order, for first-order months
//     in the period; Retention[k] = share of the cohort with a kept order in month k after it
//     (k = 0 is 1.0), up to the period's last month.
//   - SentimentTrend: per week (starting Monday) of the period, the average sentiment score
//     (−1..+1) and the number of scored reviews written that week.
//   - Messages: decisions recorded in the period by state, and by reason for those not sent
//     (held, deferred, skipped, failed); queued counts decisions still waiting for delivery.
//   - OrdersAfterMessage: kept orders in the period placed within 7 days after a message was
//     sent to the same customer (any message, any channel).
//
// Figures come from rollups refreshed by RefreshMetrics; AsOf says when.
type Scorecard struct {
	From                  string          `json:"from"`
	To                    string          `json:"to"`
	AsOf                  *time.Time      `json:"as_of"`
	RepeatPurchaseRate    float64         `json:"repeat_purchase_rate"`
	AOV                   decimal.Decimal `json:"aov"`
	CLV                   decimal.Decimal `json:"clv"`
	CustomerChurnRate     float64         `json:"customer_churn_rate"`
	SubscriptionChurnRate float64         `json:"subscription_churn_rate"`
	// SubscriptionChurnBySource is the same rate per source (contract, orders, flow).
	SubscriptionChurnBySource map[string]float64 `json:"subscription_churn_by_source"`
	PointsLiability           int64              `json:"points_liability"`
	PointsLiabilityValue      decimal.Decimal    `json:"points_liability_value"`
	RedemptionRate            float64            `json:"redemption_rate"`
	Cohorts                   []Cohort           `json:"cohorts"`
	SentimentTrend            []SentimentWeek    `json:"sentiment_trend"`
	Messages                  MessageCounts      `json:"messages"`
	OrdersAfterMessage        int64              `json:"orders_after_message"`
	Counts                    ScorecardCounts    `json:"counts"`
}

// ScorecardCounts are the numerators and denominators behind the rates, so a merchant (or a
// test) can check them.
type ScorecardCounts struct {
	Orders                int64           `json:"orders"`
	Revenue               decimal.Decimal `json:"revenue"`
	Customers             int64           `json:"customers"`          // with a kept order in the period
	RepeatCustomers       int64           `json:"repeat_customers"`   // of those, with ≥ 2 kept orders by the end
	PreviousCustomers     int64           `json:"previous_customers"` // with a kept order in the previous period
	ChurnedCustomers      int64           `json:"churned_customers"`  // of those, none in this period
	CustomersToDate       int64           `json:"customers_to_date"`  // with a kept order by the period's end
	CustomerRevenueToDate decimal.Decimal `json:"customer_revenue_to_date"`
	PointsEarned          int64           `json:"points_earned"`
	PointsRedeemed        int64           `json:"points_redeemed"`
	SubscriptionsAtStart  int             `json:"subscriptions_at_start"`
	SubscriptionsEnded    int             `json:"subscriptions_cancelled"`
}

// Cohort is one first-order month and its retention curve.
type Cohort struct {
	Month     string    `json:"month"` // YYYY-MM
	Size      int64     `json:"size"`
	Retention []float64 `json:"retention"`
}

// SentimentWeek is one week of the sentiment trend.
type SentimentWeek struct {
	Week    string  `json:"week"` // the Monday, YYYY-MM-DD
	Average float64 `json:"average"`
	Count   int64   `json:"count"`
}

// MessageCounts are the decisions of a period.
type MessageCounts struct {
	Sent     int64            `json:"sent"`
	Held     int64            `json:"held"`
	Deferred int64            `json:"deferred"`
	Skipped  int64            `json:"skipped"`
	Failed   int64            `json:"failed"`
	Queued   int64            `json:"queued"`
	ByReason map[string]int64 `json:"by_reason"`
}

// Period is a span of calendar days, both ends inclusive.
type Period struct {
	From, To time.Time // dates (midnight UTC); only the date part is used
}

// MaxScorecardDays bounds a period (ten years).
const MaxScorecardDays = 3660

// ParsePeriod reads YYYY-MM-DD bounds; empty ones default to the last 12 months ending today
// (today taken in loc).
func ParsePeriod(from, to string, now time.Time, loc *time.Location) (Period, error) {
	var p Period
	today := civilDay(now.In(loc))
	p.To = today
	if to != "" {
		t, err := time.Parse(time.DateOnly, to)
		if err != nil {
			return p, models.Invalid("to", "must be a date YYYY-MM-DD")
		}
		p.To = t
	}
	p.From = p.To.AddDate(-1, 0, 1)
	if from != "" {
		f, err := time.Parse(time.DateOnly, from)
		if err != nil {
			return p, models.Invalid("from", "must be a date YYYY-MM-DD")
		}
		p.From = f
	}
	if p.From.After(p.To) {
		return p, models.Invalid("from", "must not be after to")
	}
	if p.Days() > MaxScorecardDays {
		return p, models.Invalid("from", "a period spans at most %d days", MaxScorecardDays)
	}
	return p, nil
}

// Days is the number of days in the period.
func (p Period) Days() int { return int(p.To.Sub(p.From).Hours()/24) + 1 }

func civilDay(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// ShopLocation is the time zone a shop's figures are counted in.
func ShopLocation(ctx context.Context, db *gorm.DB, shopID int64) (*time.Location, error) {
	tz, err := shopTimezone(ctx, db, shopID)
	if err != nil {
		return nil, err
	}
	return time.LoadLocation(tz)
}

// GetScorecard reads the scorecard from the rollups (see RefreshMetrics) and the few live
// figures (sentiment, subscriptions, points liability).
func GetScorecard(ctx context.Context, db *gorm.DB, shopID int64, p Period) (*Scorecard, error) {
	st, found, err := loadMetricsState(ctx, db, shopID)
	if err != nil {
		return nil, err
	}
	tz := st.Timezone
	if !found {
		if tz, err = shopTimezone(ctx, db, shopID); err != nil {
			return nil, err
		}
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return nil, fmt.Errorf("scorecard time zone %q: %w", tz, err)
	}
	sc := &Scorecard{From: p.From.Format(time.DateOnly), To: p.To.Format(time.DateOnly),
		Cohorts: []Cohort{}, SentimentTrend: []SentimentWeek{}, Messages: MessageCounts{ByReason: map[string]int64{}}}
	if found {
		sc.AsOf = &st.RefreshedAt
	}
	q := scorecardQuery{db: db.WithContext(ctx), shop: shopID, p: p, loc: loc, tz: tz}
	if found {
		q.liability = &st.PointsLiability
	}
	// The pass over the customers is the one heavy read: it runs beside the small ones. Each
	// step writes its own fields.
	var g errgroup.Group
	for _, steps := range [][]func(*Scorecard) error{
		{q.customers},
		{q.daily, q.cohorts, q.messages, q.sentiment},
		{q.subscriptions, q.points},
	} {
		g.Go(func() error {
			for _, step := range steps {
				if err := step(sc); err != nil {
					return err
				}
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, fmt.Errorf("scorecard of shop %d: %w", shopID, err)
	}
	sc.CLV = decimal.Zero
	if sc.Counts.CustomersToDate > 0 {
		sc.CLV = sc.Counts.CustomerRevenueToDate.DivRound(decimal.NewFromInt(sc.Counts.CustomersToDate), 2)
	}
	return sc, nil
}

type scorecardQuery struct {
	db        *gorm.DB
	shop      int64
	p         Period
	loc       *time.Location
	tz        string
	liability *int64 // taken at the last refresh; nil before the first
}

// end is the first day after the period; prev the first day of the previous period.
func (q scorecardQuery) end() time.Time  { return q.p.To.AddDate(0, 0, 1) }
func (q scorecardQuery) prev() time.Time { return q.p.From.AddDate(0, 0, -q.p.Days()) }

// instant is the moment a calendar day starts in the shop's zone.
func (q scorecardQuery) instant(day time.Time) time.Time {
	return time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, q.loc)
}

func ratio(n, d int64) float64 {
	if d == 0 {
		return 0
	}
	return float64(n) / float64(d)
}

func (q scorecardQuery) customers(sc *Scorecard) error {
	var r struct {
		Active, Repeaters, Previous, Churned, ToDate int64
	}
	// Most customers are classified by their first and last order days alone; only those whose
	// orders straddle a period boundary need their order days tested. OFFSET 0 keeps the two
	// tests from being evaluated once per aggregate that uses them.
	err := q.db.Raw(`SELECT
			count(*) FILTER (WHERE active) AS active,
			count(*) FILTER (WHERE active AND second_day < @end) AS repeaters,
			count(*) FILTER (WHERE previous) AS previous,
			count(*) FILTER (WHERE previous AND NOT active) AS churned,
			count(*) AS to_date
		FROM (SELECT second_day,
				CASE WHEN last_day < @from THEN false WHEN first_day >= @from OR last_day < @end THEN true
					ELSE order_days && daterange(@from, @end) END AS active,
				CASE WHEN last_day < @prev OR first_day >= @from THEN false WHEN first_day >= @prev OR last_day < @from THEN true
					ELSE order_days && daterange(@prev, @from) END AS previous
			FROM metrics_customers WHERE shop_id = @shop AND first_day < @end OFFSET 0) c`,
		map[string]any{"shop": q.shop, "from": q.p.From, "end": q.end(), "prev": q.prev()}).Scan(&r).Error
	if err != nil {
		return fmt.Errorf("customers: %w", err)
	}
	sc.Counts.Customers, sc.Counts.RepeatCustomers = r.Active, r.Repeaters
	sc.Counts.PreviousCustomers, sc.Counts.ChurnedCustomers, sc.Counts.CustomersToDate = r.Previous, r.Churned, r.ToDate
	sc.RepeatPurchaseRate = ratio(r.Repeaters, r.Active)
	sc.CustomerChurnRate = ratio(r.Churned, r.Previous)
	return nil
}

func (q scorecardQuery) daily(sc *Scorecard) error {
	var r struct {
		Orders, Attributed, Earned, Redeemed int64
		Revenue, CustomerRevenueToDate       decimal.Decimal
	}
	err := q.db.Raw(`SELECT
			COALESCE(sum(orders) FILTER (WHERE day >= @from), 0) AS orders,
			COALESCE(sum(revenue) FILTER (WHERE day >= @from), 0) AS revenue,
			COALESCE(sum(orders_after_message) FILTER (WHERE day >= @from), 0) AS attributed,
			COALESCE(sum(points_earned) FILTER (WHERE day >= @from), 0) AS earned,
			COALESCE(sum(points_redeemed) FILTER (WHERE day >= @from), 0) AS redeemed,
			COALESCE(sum(customer_revenue), 0) AS customer_revenue_to_date
		FROM metrics_daily WHERE shop_id = @shop AND day < @end`,
		map[string]any{"shop": q.shop, "from": q.p.From, "end": q.end()}).Scan(&r).Error
	if err != nil {
		return fmt.Errorf("daily figures: %w", err)
	}
	c := &sc.Counts
	c.Orders, c.Revenue, c.PointsEarned, c.PointsRedeemed = r.Orders, r.Revenue, r.Earned, r.Redeemed
	c.CustomerRevenueToDate = r.CustomerRevenueToDate
	sc.OrdersAfterMessage = r.Attributed
	sc.AOV = decimal.Zero
	if r.Orders > 0 {
		sc.AOV = r.Revenue.DivRound(decimal.NewFromInt(r.Orders), 2)
	}
	sc.RedemptionRate = ratio(r.Redeemed, r.Earned)
	return nil
}

func monthOf(t time.Time) time.Time { return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC) }

func monthsBetween(a, b time.Time) int {
	return (b.Year()-a.Year())*12 + int(b.Month()) - int(a.Month())
}

func (q scorecardQuery) cohorts(sc *Scorecard) error {
	first, last := monthOf(q.p.From), monthOf(q.p.To)
	var cells []struct {
		Cohort, Month time.Time
		Customers     int64
	}
	err := q.db.Raw(`SELECT cohort, month, customers FROM metrics_cohorts
		WHERE shop_id = ? AND cohort >= ? AND cohort <= ? AND month <= ? ORDER BY cohort, month`,
		q.shop, first, last, last).Scan(&cells).Error
	if err != nil {
		return fmt.Errorf("cohorts: %w", err)
	}
	byCohort := map[time.Time]map[int]int64{}
	for _, c := range cells {
		m := byCohort[c.Cohort]
		if m == nil {
			m = map[int]int64{}
			byCohort[c.Cohort] = m
		}
		m[monthsBetween(c.Cohort, c.Month)] = c.Customers
	}
	for m := first; !m.After(last); m = m.AddDate(0, 1, 0) {
		cells := byCohort[m]
		size := cells[0]
		if size == 0 {
			continue
		}
		co := Cohort{Month: m.Format("2006-01"), Size: size}
		for k := 0; k <= monthsBetween(m, last); k++ {
			co.Retention = append(co.Retention, ratio(cells[k], size))
		}
		sc.Cohorts = append(sc.Cohorts, co)
	}
	return nil
}

func (q scorecardQuery) messages(sc *Scorecard) error {
	var rows []struct {
		Decision, Reason string
		N                int64
	}
	err := q.db.Raw(`SELECT decision, reason, sum(n) AS n FROM metrics_decisions_daily
		WHERE shop_id = ? AND day >= ? AND day < ? GROUP BY decision, reason`, q.shop, q.p.From, q.end()).Scan(&rows).Error
	if err != nil {
		return fmt.Errorf("message decisions: %w", err)
	}
	m := &sc.Messages
	for _, r := range rows {
		switch r.Decision {
		case messaging.DecisionSent:
			m.Sent += r.N
		case messaging.DecisionHeld:
			m.Held += r.N
		case messaging.DecisionDeferred:
			m.Deferred += r.N
		case messaging.DecisionSkipped:
			m.Skipped += r.N
		case messaging.DecisionFailed:
			m.Failed += r.N
		case messaging.DecisionQueued, messaging.DecisionSending:
			m.Queued += r.N
		}
		switch r.Decision {
		case messaging.DecisionHeld, messaging.DecisionDeferred, messaging.DecisionSkipped, messaging.DecisionFailed:
			if r.Reason != "" {
				m.ByReason[r.Reason] += r.N
			}
		}
	}
	return nil
}

func (q scorecardQuery) sentiment(sc *Scorecard) error {
	var rows []struct {
		Week  time.Time
		Total float64
		Count int64
	}
	err := q.db.Raw(`SELECT date_trunc('week', day::timestamp)::date AS week, sum(sentiment_sum) AS total,
			sum(sentiment_count) AS count
		FROM metrics_daily WHERE shop_id = ? AND day >= ? AND day < ? AND sentiment_count > 0
		GROUP BY 1 ORDER BY 1`, q.shop, q.p.From, q.end()).Scan(&rows).Error
	if err != nil {
		return fmt.Errorf("sentiment trend: %w", err)
	}
	for _, r := range rows {
		sc.SentimentTrend = append(sc.SentimentTrend, SentimentWeek{Week: r.Week.Format(time.DateOnly),
			Average: math.Round(r.Total/float64(r.Count)*1000) / 1000, Count: r.Count})
	}
	return nil
}

func (q scorecardQuery) subscriptions(sc *Scorecard) error {
	f, err := models.SubscriptionChurn(q.db.Statement.Context, q.db, q.shop, q.instant(q.p.From), q.instant(q.end()))
	if err != nil {
		return err
	}
	sc.SubscriptionChurnRate = f.Rate
	sc.SubscriptionChurnBySource = map[string]float64{}
	for src, fs := range f.BySource {
		sc.SubscriptionChurnBySource[src] = fs.Rate
	}
	sc.Counts.SubscriptionsAtStart, sc.Counts.SubscriptionsEnded = f.ActiveAtStart, f.Cancelled
	return nil
}

func (q scorecardQuery) points(sc *Scorecard) error {
	if q.liability != nil {
		sc.PointsLiability = *q.liability
	} else if err := q.db.Raw(`SELECT COALESCE(sum(balance), 0) FROM loyalty_accounts WHERE shop_id = ? AND balance > 0`,
		q.shop).Scan(&sc.PointsLiability).Error; err != nil {
		return fmt.Errorf("points liability: %w", err)
	}
	sc.PointsLiabilityValue = decimal.Zero
	if sc.PointsLiability == 0 {
		return nil
	}
	set, err := loyalty.LoadLoyaltySettings(q.db.Statement.Context, q.db, q.shop)
	if err != nil {
		return err
	}
	sc.PointsLiabilityValue = set.PointsValue(sc.PointsLiability)
	return nil
}
