package loyalty

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"gorm.io/gorm"

	"github.com/boomerang-app/boomerang/models"
)

// VIP tiers. A customer's tier is the highest one whose threshold their measure reaches: money
// spent (order subtotals net of refunds and cancellations) or points earned (orders and bonuses,
// net of clawbacks; never the balance, so spending points cannot cost a tier). The measure is
// counted over a window:
//   - rolling_12_months: the 12 months up to now (so tiers decay night by night),
//   - calendar_year: the better of last year and this year, so a year's activity keeps the tier
//     through the end of the following year,
//   - lifetime.
// Ledger entries carry the order's paid time (occurred_at), so a refund counts against the
// month the order was bought in and the window stays consistent.

// tierRiskHorizon is how far ahead a coming tier drop is announced.
const tierRiskHorizon = 30 * 24 * time.Hour

// span is a window [From, To) — or [From, To] when Incl.
type span struct {
	From, To time.Time
	Incl     bool
}

var beginning = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)

// windowsAt are the spans whose maximum is the measure at time t.
func (s LoyaltySettings) windowsAt(t time.Time, incl bool) []span {
	t = t.UTC()
	switch s.TierWindow {
	case WindowRolling12:
		return []span{{addMonths(t, -12), t, incl}}
	case WindowCalendar:
		thisYear := time.Date(t.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
		return []span{{thisYear.AddDate(-1, 0, 0), thisYear, false}, {thisYear, t, incl}}
	}
	return []span{{beginning, t, incl}}
}

// tierIndex is the highest tier the measure reaches, -1 below every threshold.
func (s LoyaltySettings) tierIndex(m decimal.Decimal) int {
	idx := -1
	for i, t := range s.Tiers {
		if m.GreaterThanOrEqual(t.Threshold.Decimal) {
			idx = i
		}
	}
	return idx
}

func (s LoyaltySettings) tierByName(name string) int {
	for i, t := range s.Tiers {
		if t.Name == name {
			return i
		}
	}
	return -1
}

func (s LoyaltySettings) tierName(i int) string {
	if i < 0 || i >= len(s.Tiers) {
		return ""
	}
	return s.Tiers[i].Name
}

// multiplier is the earn multiplier of tier i (1 outside every tier).
func (s LoyaltySettings) multiplier(i int) decimal.Decimal {
	if i < 0 || i >= len(s.Tiers) {
		return decimal.NewFromInt(1)
	}
	return s.Tiers[i].Multiplier.Decimal
}

// IsTopTier reports whether a tier is the program's highest (a buyer stage of its own: loyal).
// A program whose only tier starts at 0 has no top tier worth the name.
func (s LoyaltySettings) IsTopTier(name string) bool {
	n := len(s.Tiers)
	return n > 0 && name != "" && s.Tiers[n-1].Name == name && s.Tiers[n-1].Threshold.IsPositive()
}

// TopTier names the program's top tier, "" when it has none (IsTopTier).
func (s LoyaltySettings) TopTier() string {
	if n := len(s.Tiers); n > 0 && s.IsTopTier(s.Tiers[n-1].Name) {
		return s.Tiers[n-1].Name
	}
	return ""
}

// measureSQL is the column summed and the entries counted for the tier measure. Order entries
// (earn, clawback, cancellation reversal, history) carry order_id; opening points count as
// earned points.
func (s LoyaltySettings) measureSQL() (col, where string) {
	if s.TierMeasure == MeasurePoints {
		return "points", "(order_id IS NOT NULL OR kind IN ('bonus', 'opening'))"
	}
	return "amount", "order_id IS NOT NULL"
}

// measures sums the measure over each span in one query.
func measures(ctx context.Context, tx *gorm.DB, s LoyaltySettings, shopID, customerID int64, spans []span) ([]decimal.Decimal, error) {
	out, err := measuresOf(ctx, tx, s, shopID, []measureAsk{{customerID, spans}})
	if err != nil {
		return nil, err
	}
	return out[0], nil
}

// measureAsk is one customer's spans to measure.
type measureAsk struct {
	customer int64
	spans    []span
}

// measuresOf sums the measure over every ask's spans in one query: out[i][j] is ask i's span j.
func measuresOf(ctx context.Context, tx *gorm.DB, s LoyaltySettings, shopID int64, asks []measureAsk) ([][]decimal.Decimal, error) {
	col, where := s.measureSQL()
	out := make([][]decimal.Decimal, len(asks))
	var values []string
	var args []any
	for i, a := range asks {
		out[i] = make([]decimal.Decimal, len(a.spans))
		for j, sp := range a.spans {
			values = append(values, "(?::int, ?::int, ?::bigint, ?::timestamptz, ?::timestamptz, ?::bool)")
			args = append(args, i, j, a.customer, sp.From, sp.To, sp.Incl)
		}
	}
	if len(values) == 0 {
		return out, nil
	}
	var rows []struct {
		I, J int
		V    decimal.Decimal
	}
	err := tx.WithContext(ctx).Raw(`SELECT v.i, v.j, COALESCE(sum(e.`+col+`), 0) AS v
		FROM (VALUES `+strings.Join(values, ", ")+`) AS v (i, j, customer, from_at, to_at, incl)
		LEFT JOIN ledger_entries e ON e.shop_id = ? AND e.customer_id = v.customer AND `+where+`
			AND e.occurred_at >= v.from_at AND (e.occurred_at < v.to_at OR (v.incl AND e.occurred_at = v.to_at))
		GROUP BY v.i, v.j`, append(args, shopID)...).Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("tier measure of %d customers: %w", len(asks), err)
	}
	for _, r := range rows {
		out[r.I][r.J] = r.V
	}
	return out, nil
}

func maxOf(ds []decimal.Decimal) decimal.Decimal {
	m := decimal.Zero
	for i, d := range ds {
		if i == 0 || d.GreaterThan(m) {
			m = d
		}
	}
	return m
}

// setTier moves the open account to tier idx (-1: none), records the change and emits
// tier_changed (up or down). Entering the entry tier (threshold 0) on a first purchase is not
// news and emits nothing; neither does leaving a tier the merchant renamed or removed.
func (b *book) setTier(idx int) error {
	name := b.set.tierName(idx)
	if name == b.acct.Tier {
		return nil
	}
	from := b.acct.Tier
	fromIdx := b.set.tierByName(from)
	b.acct.Tier = name
	t := b.now
	b.acct.TierSince = &t
	b.acct.TierVersion++
	b.dirty = true
	if b.quiet || (from == "" && idx >= 0 && !b.set.Tiers[idx].Threshold.IsPositive()) {
		return nil
	}
	if from != "" && fromIdx < 0 {
		return nil // the old tier was renamed or removed: a program change, not the customer's move
	}
	dir := "up"
	if idx < fromIdx {
		dir = "down"
	}
	key := strconv.FormatInt(b.customerID(), 10) + ":" + strconv.Itoa(b.acct.TierVersion)
	_, err := models.Emit(b.ctx, b.tx, b.shopID(), b.customerID(), key, models.TierChangedPayload{From: from, To: name, Direction: dir}, b.now)
	return err
}

// tierMeasure is the measure of the open account over the spans of "now", read once and then
// moved by every entry the book appends, so re-evaluating after an earn costs no query.
type tierMeasure struct {
	spans []span
	vals  []decimal.Decimal
}

func (m *tierMeasure) add(s LoyaltySettings, e *LedgerEntry) {
	if m == nil {
		return
	}
	var v decimal.Decimal
	switch {
	case e.OrderID != nil && s.TierMeasure != MeasurePoints:
		v = e.Amount
	case e.OrderID != nil || ((e.Kind == EntryBonus || e.Kind == EntryOpening) && s.TierMeasure == MeasurePoints):
		v = decimal.NewFromInt(e.Points)
	default:
		return
	}
	for i, sp := range m.spans {
		if !e.OccurredAt.Before(sp.From) && (e.OccurredAt.Before(sp.To) || (sp.Incl && e.OccurredAt.Equal(sp.To))) {
			m.vals[i] = m.vals[i].Add(v)
		}
	}
}

// loadMeasure reads the measure now and, in the same query, over extra spans.
func (b *book) loadMeasure(extra []span) ([]decimal.Decimal, error) {
	if err := b.sync(); err != nil {
		return nil, err
	}
	now := b.set.windowsAt(b.now, true)
	if b.measure != nil {
		now = nil
	}
	spans := append(append([]span(nil), extra...), now...)
	vals, ok := b.batch.takeMeasure(b.customerID(), spans)
	if !ok {
		var err error
		if vals, err = measures(b.ctx, b.tx, b.set.LoyaltySettings, b.shopID(), b.customerID(), spans); err != nil {
			return nil, err
		}
	}
	if b.measure == nil {
		b.measure = &tierMeasure{spans: now, vals: vals[len(extra):]}
	}
	return vals[:len(extra)], nil
}

// reevaluateTier recomputes the tier from the ledger as of now.
func (b *book) reevaluateTier() error {
	if len(b.set.Tiers) == 0 {
		return b.setTier(-1)
	}
	if b.measure == nil {
		if _, err := b.loadMeasure(nil); err != nil {
			return err
		}
	}
	idx := b.set.tierIndex(maxOf(b.measure.vals))
	if f := b.set.tierByName(b.acct.TierFloor); f > idx && b.acct.TierFloorUntil != nil && b.now.Before(*b.acct.TierFloorUntil) {
		idx = f // a tier carried over from another app holds until its date
	}
	return b.setTier(idx)
}

// tierRisk finds whether the current tier drops within the horizon. For a rolling window it
// walks the order entries about to leave the window; for a calendar year the drop is on
// 1 January; lifetime tiers never drop.
func tierRisk(ctx context.Context, db *gorm.DB, s LoyaltySettings, a LoyaltyAccount, now time.Time) (*models.TierRisk, error) {
	cur := s.tierByName(a.Tier)
	if cur < 0 || !s.Tiers[cur].Threshold.IsPositive() {
		return nil, nil
	}
	switch s.TierWindow {
	case WindowCalendar:
		next := time.Date(now.Year()+1, 1, 1, 0, 0, 0, 0, time.UTC)
		if next.Sub(now) > tierRiskHorizon {
			return nil, nil
		}
		ms, err := measures(ctx, db, s, a.ShopID, a.CustomerID, []span{{time.Date(now.Year(), 1, 1, 0, 0, 0, 0, time.UTC), now, true}})
		if err != nil {
			return nil, err
		}
		if to := s.tierIndex(ms[0]); to < cur {
			return &models.TierRisk{Tier: a.Tier, DropsTo: s.tierName(to), On: next}, nil
		}
	case WindowRolling12:
		from, until := addMonths(now, -12), addMonths(now.Add(tierRiskHorizon), -12)
		col, where := s.measureSQL()
		var rows []struct {
			OccurredAt time.Time
			V          decimal.Decimal
		}
		err := db.WithContext(ctx).Raw(`SELECT occurred_at, sum(`+col+`) AS v FROM ledger_entries
			WHERE shop_id = ? AND customer_id = ? AND `+where+` AND occurred_at >= ? GROUP BY occurred_at ORDER BY occurred_at`,
			a.ShopID, a.CustomerID, from).Scan(&rows).Error
		if err != nil {
			return nil, fmt.Errorf("tier risk of %d: %w", a.CustomerID, err)
		}
		m := decimal.Zero
		for _, r := range rows {
			m = m.Add(r.V)
		}
		for _, r := range rows {
			if !r.OccurredAt.Before(until) {
				break
			}
			m = m.Sub(r.V)
			if to := s.tierIndex(m); to < cur {
				return &models.TierRisk{Tier: a.Tier, DropsTo: s.tierName(to), On: addMonths(r.OccurredAt, 12)}, nil
			}
		}
	}
	return nil, nil
}

// TierProgress is where a customer stands: the measure, the next tier and how far along.
type TierProgress struct {
	Measure  decimal.Decimal
	Next     string
	NextAt   decimal.Decimal
	Progress float64 // 0..1 of the next tier's threshold
}

func tierProgress(ctx context.Context, db *gorm.DB, s LoyaltySettings, shopID, customerID int64, now time.Time) (TierProgress, error) {
	var p TierProgress
	if len(s.Tiers) == 0 {
		return p, nil
	}
	ms, err := measures(ctx, db, s, shopID, customerID, s.windowsAt(now, true))
	if err != nil {
		return p, err
	}
	p.Measure = maxOf(ms)
	idx := s.tierIndex(p.Measure)
	if idx+1 < len(s.Tiers) {
		next := s.Tiers[idx+1]
		p.Next, p.NextAt = next.Name, next.Threshold.Decimal
		if next.Threshold.IsPositive() {
			f, _ := p.Measure.Div(next.Threshold.Decimal).Float64()
			p.Progress = min(max(f, 0), 1)
		}
	} else {
		p.Progress = 1
	}
	return p, nil
}
