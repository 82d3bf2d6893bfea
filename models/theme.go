package models

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/boomerang-app/boomerang/sentiment"
)

// Complaint sources: negative reviews now, subscription cancellation reasons once they land.
const (
	ComplaintReview       = "review"
	ComplaintCancellation = "cancellation"
)

const (
	maxPhrasesPerComplaint = 40
	maxQuoteRunes          = 280
	minPhraseComplaints    = 2 // a phrase is "recurring" from its second complaint on
	maxPhrasesShown        = 10
	quotesPerTheme         = 3
)

// ComplaintInput is one complaint to analyse: a negative review or a cancellation reason.
type ComplaintInput struct {
	SourceType string
	SourceID   int64
	CustomerID int64
	Text       string
	Language   string // ISO 639-1; empty means detect
	At         time.Time
}

// RecordComplaint stores a complaint with the themes and recurring-phrase candidates found in
// its text, replacing what an earlier scoring stored for the same source. Call it in the
// transaction that made the source a complaint; aggregates then stay current without a rescan.
func RecordComplaint(ctx context.Context, tx *gorm.DB, shopID int64, c ComplaintInput) error {
	if c.SourceType != ComplaintReview && c.SourceType != ComplaintCancellation {
		return Invalid("source_type", "must be review or cancellation")
	}
	var cust *int64
	if c.CustomerID != 0 {
		cust = &c.CustomerID
	}
	var id int64
	err := tx.WithContext(ctx).Raw(`INSERT INTO complaints (shop_id, source_type, source_id, customer_id, quote, language, occurred_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (shop_id, source_type, source_id) DO UPDATE SET quote = EXCLUDED.quote,
			language = EXCLUDED.language, occurred_at = EXCLUDED.occurred_at, customer_id = EXCLUDED.customer_id
		RETURNING id`, shopID, c.SourceType, c.SourceID, cust, Excerpt(c.Text, maxQuoteRunes), c.Language, c.At.UTC()).Scan(&id).Error
	if err != nil {
		return fmt.Errorf("record complaint %s %d: %w", c.SourceType, c.SourceID, err)
	}
	if err := tx.WithContext(ctx).Exec(`DELETE FROM complaint_terms WHERE shop_id = ? AND complaint_id = ?`, shopID, id).Error; err != nil {
		return err
	}
	week := weekOf(c.At)
	var kinds, terms []string
	for _, t := range sentiment.Themes(c.Text, c.Language) {
		kinds, terms = append(kinds, "theme"), append(terms, t)
	}
	phrases := sentiment.Phrases(c.Text, c.Language)
	if len(phrases) > maxPhrasesPerComplaint {
		phrases = phrases[:maxPhrasesPerComplaint]
	}
	for _, p := range phrases {
		kinds, terms = append(kinds, "phrase"), append(terms, p)
	}
	if len(terms) == 0 {
		return nil
	}
	return tx.WithContext(ctx).Exec(`INSERT INTO complaint_terms (complaint_id, shop_id, kind, term, week)
		SELECT ?, ?, k, t, ? FROM unnest(?::text[], ?::text[]) AS x(k, t) ON CONFLICT DO NOTHING`,
		id, shopID, week, TextArray(kinds), TextArray(terms)).Error
}

// RemoveComplaint forgets a source that is no longer a complaint (re-scored as not negative).
func RemoveComplaint(ctx context.Context, tx *gorm.DB, shopID int64, sourceType string, sourceID int64) error {
	return tx.WithContext(ctx).Exec(`DELETE FROM complaints WHERE shop_id = ? AND source_type = ? AND source_id = ?`,
		shopID, sourceType, sourceID).Error
}

// weekOf is the Monday (UTC) starting t's ISO week.
func weekOf(t time.Time) time.Time {
	t = t.UTC()
	d := (int(t.Weekday()) + 6) % 7
	return time.Date(t.Year(), t.Month(), t.Day()-d, 0, 0, 0, 0, time.UTC)
}

// ThemeWeek is one week's count of complaints naming a theme.
type ThemeWeek struct {
	Week  string `json:"week"` // YYYY-MM-DD, the Monday
	Count int64  `json:"count"`
}

// ThemeQuote is an example complaint.
type ThemeQuote struct {
	Text       string    `json:"text"`
	SourceType string    `json:"source_type"`
	SourceID   int64     `json:"source_id"`
	At         time.Time `json:"at"`
}

// Theme is one complaint theme (or recurring phrase) over the window.
type Theme struct {
	Theme  string       `json:"theme"`
	Kind   string       `json:"kind"` // theme | phrase
	Count  int64        `json:"count"`
	Trend  []ThemeWeek  `json:"trend"`
	Quotes []ThemeQuote `json:"quotes"`
}

// ThemeQuery selects the window and sources of the themes report.
type ThemeQuery struct {
	Weeks      int    // default 12, at most 104
	SourceType string // "" = all sources
	Now        time.Time
}

// ComplaintThemes aggregates stored complaint terms by week: the fixed themes first (most
// complaints first), then recurring phrases.
func ComplaintThemes(ctx context.Context, db *gorm.DB, shopID int64, q ThemeQuery) ([]Theme, error) {
	if q.Weeks == 0 {
		q.Weeks = 12
	}
	if q.Weeks < 1 || q.Weeks > 104 {
		return nil, Invalid("weeks", "must be from 1 to 104")
	}
	if q.SourceType != "" && q.SourceType != ComplaintReview && q.SourceType != ComplaintCancellation {
		return nil, Invalid("source", "must be review or cancellation")
	}
	if q.Now.IsZero() {
		q.Now = time.Now()
	}
	first := weekOf(q.Now).AddDate(0, 0, -7*(q.Weeks-1))
	weeks := make([]string, q.Weeks)
	for i := range weeks {
		weeks[i] = first.AddDate(0, 0, 7*i).Format(time.DateOnly)
	}
	base := func() *gorm.DB {
		t := db.WithContext(ctx).Table("complaint_terms t").Where("t.shop_id = ? AND t.week >= ?", shopID, first)
		if q.SourceType != "" {
			t = t.Joins("JOIN complaints c ON c.id = t.complaint_id").Where("c.source_type = ?", q.SourceType)
		}
		return t
	}
	var phrases []struct {
		Term string
		N    int64
	}
	if err := base().Select("t.term, count(*) AS n").Where("t.kind = 'phrase'").Group("t.term").
		Having("count(*) >= ?", minPhraseComplaints).Order("n DESC, t.term").Limit(3 * maxPhrasesShown).
		Scan(&phrases).Error; err != nil {
		return nil, fmt.Errorf("recurring phrases: %w", err)
	}
	keep := map[string]bool{}
	for _, p := range phrases {
		// "arrived broken" says nothing "arrived broken glass" at the same count does not.
		covered := false
		for _, o := range phrases {
			if o.Term != p.Term && o.N >= p.N && strings.Contains(" "+o.Term+" ", " "+p.Term+" ") {
				covered = true
				break
			}
		}
		if !covered && len(keep) < maxPhrasesShown {
			keep[p.Term] = true
		}
	}
	var rows []struct {
		Kind, Term string
		Week       time.Time
		N          int64
	}
	terms := make([]string, 0, len(keep))
	for t := range keep {
		terms = append(terms, t)
	}
	err := base().Select("t.kind, t.term, t.week, count(*) AS n").
		Where("t.kind = 'theme' OR (t.kind = 'phrase' AND t.term = ANY(?::text[]))", TextArray(terms)).
		Group("t.kind, t.term, t.week").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("complaint themes: %w", err)
	}
	byKey := map[string]*Theme{}
	var out []*Theme
	for _, r := range rows {
		k := r.Kind + "\x00" + r.Term
		th := byKey[k]
		if th == nil {
			th = &Theme{Theme: r.Term, Kind: r.Kind, Trend: make([]ThemeWeek, len(weeks)), Quotes: []ThemeQuote{}}
			for i, w := range weeks {
				th.Trend[i].Week = w
			}
			byKey[k] = th
			out = append(out, th)
		}
		th.Count += r.N
		if i := int(r.Week.UTC().Sub(first).Hours() / (24 * 7)); i >= 0 && i < len(weeks) {
			th.Trend[i].Count += r.N
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Kind != out[j].Kind {
			return out[i].Kind == "theme"
		}
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Theme < out[j].Theme
	})
	res := make([]Theme, len(out))
	for i, th := range out {
		var qs []ThemeQuote
		qq := db.WithContext(ctx).Table("complaints c").Select("c.quote AS text, c.source_type, c.source_id, c.occurred_at AS at").
			Joins("JOIN complaint_terms t ON t.complaint_id = c.id").
			Where("c.shop_id = ? AND t.kind = ? AND t.term = ? AND t.week >= ? AND c.quote <> ''", shopID, th.Kind, th.Theme, first)
		if q.SourceType != "" {
			qq = qq.Where("c.source_type = ?", q.SourceType)
		}
		if err := qq.Order("c.occurred_at DESC, c.id DESC").Limit(quotesPerTheme).Scan(&qs).Error; err != nil {
			return nil, fmt.Errorf("theme quotes: %w", err)
		}
		if qs != nil {
			th.Quotes = qs
		}
		res[i] = *th
	}
	return res, nil
}
