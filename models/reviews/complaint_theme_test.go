package reviews_test

import (
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/boomerang-app/boomerang/internal/testenv"
	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/models/reviews"
)

func themeByName(ts []models.Theme, kind, name string) *models.Theme {
	for i := range ts {
		if ts[i].Kind == kind && ts[i].Theme == name {
			return &ts[i]
		}
	}
	return nil
}

func TestComplaintThemesByWeek(t *testing.T) {
	db, _ := testenv.DB(t)
	s := newReviewShop(t, db)
	now := time.Date(2026, 5, 20, 12, 0, 0, 0, time.UTC) // a Wednesday
	thisWeek := "2026-05-18"
	lastWeek := "2026-05-11"
	score := func(cust, product int64, rating int, body string, at time.Time) {
		t.Helper()
		r := s.submit(cust, product, rating, "", body, at)
		if _, err := reviews.ScoreReview(s.ctx, db, s.id, r.ID, at); err != nil {
			t.Fatal(err)
		}
	}
	score(1, 1, 1, "The package arrived late and the box was crushed.", now.Add(-8*24*time.Hour))
	score(2, 1, 2, "Shipping was so slow, arrived two weeks late.", now.Add(-time.Hour))
	score(3, 2, 1, "Poor quality, fell apart after one wash.", now.Add(-2*time.Hour))
	score(4, 2, 2, "Too small, the size chart is wrong. Fell apart after one wash too.", now.Add(-3*time.Hour))
	score(5, 3, 5, "Fast shipping, great quality, love it!", now) // praise: no complaint

	ts, err := models.ComplaintThemes(s.ctx, db, s.id, models.ThemeQuery{Now: now, Weeks: 4})
	if err != nil {
		t.Fatal(err)
	}
	ship := themeByName(ts, "theme", "shipping")
	if ship == nil || ship.Count != 2 {
		t.Fatalf("shipping theme: %+v (all %+v)", ship, ts)
	}
	if len(ship.Trend) != 4 || ship.Trend[3].Week != thisWeek || ship.Trend[3].Count != 1 || ship.Trend[2].Week != lastWeek || ship.Trend[2].Count != 1 {
		t.Fatalf("shipping trend %+v", ship.Trend)
	}
	if len(ship.Quotes) != 2 || ship.Quotes[0].Text != "Shipping was so slow, arrived two weeks late." || ship.Quotes[0].SourceType != "review" {
		t.Fatalf("shipping quotes %+v", ship.Quotes)
	}
	if q := themeByName(ts, "theme", "quality"); q == nil || q.Count < 1 {
		t.Fatalf("quality theme missing: %+v", ts)
	}
	if sz := themeByName(ts, "theme", "size_fit"); sz == nil || sz.Count != 1 {
		t.Fatalf("size theme: %+v", sz)
	}
	// The phrase two shoppers used is a recurring phrase; phrases said once are not.
	fell := themeByName(ts, "phrase", "fell apart wash")
	if fell == nil {
		fell = themeByName(ts, "phrase", "fell apart")
	}
	if fell == nil || fell.Count != 2 {
		t.Fatalf("recurring phrase missing: %+v", ts)
	}
	for _, th := range ts {
		if th.Kind == "phrase" && th.Count < 2 {
			t.Fatalf("one-off phrase shown: %+v", th)
		}
	}
	// Fixed themes come before phrases, most complaints first.
	seenPhrase := false
	for _, th := range ts {
		if th.Kind == "phrase" {
			seenPhrase = true
		} else if seenPhrase {
			t.Fatalf("theme after phrases: %+v", ts)
		}
	}
	// A window that ends before the last week's complaint excludes it.
	ts, _ = models.ComplaintThemes(s.ctx, db, s.id, models.ThemeQuery{Now: now, Weeks: 1})
	if ship := themeByName(ts, "theme", "shipping"); ship == nil || ship.Count != 1 {
		t.Fatalf("one-week window: %+v", ship)
	}

	// Cancellation reasons join the same analysis.
	err = db.Transaction(func(tx *gorm.DB) error {
		return models.RecordComplaint(s.ctx, tx, s.id, models.ComplaintInput{SourceType: models.ComplaintCancellation, SourceID: 77,
			CustomerID: 9, Text: "Deliveries kept arriving late.", Language: "en", At: now})
	})
	if err != nil {
		t.Fatal(err)
	}
	ts, _ = models.ComplaintThemes(s.ctx, db, s.id, models.ThemeQuery{Now: now, Weeks: 4})
	if ship := themeByName(ts, "theme", "shipping"); ship == nil || ship.Count != 3 {
		t.Fatalf("with cancellation: %+v", ship)
	}
	ts, _ = models.ComplaintThemes(s.ctx, db, s.id, models.ThemeQuery{Now: now, Weeks: 4, SourceType: "cancellation"})
	if len(ts) != 1 || ts[0].Theme != "shipping" || ts[0].Count != 1 || ts[0].Quotes[0].SourceType != "cancellation" {
		t.Fatalf("cancellations only: %+v", ts)
	}
	// Removing a complaint takes its terms with it.
	if err := models.RemoveComplaint(s.ctx, db, s.id, models.ComplaintCancellation, 77); err != nil {
		t.Fatal(err)
	}
	ts, _ = models.ComplaintThemes(s.ctx, db, s.id, models.ThemeQuery{Now: now, Weeks: 4, SourceType: "cancellation"})
	if len(ts) != 0 {
		t.Fatalf("after removal: %+v", ts)
	}
	if _, err := models.ComplaintThemes(s.ctx, db, s.id, models.ThemeQuery{Weeks: 500}); models.ErrorCode(err) != models.EInvalid {
		t.Fatalf("weeks 500: %v", err)
	}
}
