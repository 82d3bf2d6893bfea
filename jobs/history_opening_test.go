package jobs_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/boomerang-app/boomerang/internal/apptest"
	"github.com/boomerang-app/boomerang/internal/testenv"
	"github.com/boomerang-app/boomerang/models/loyalty"
	"github.com/boomerang-app/boomerang/shopify/fakeshop"
)

type openingView struct {
	Months    int    `json:"months"`
	Customers int64  `json:"customers"`
	Orders    int64  `json:"orders"`
	Points    int64  `json:"points"`
	Liability string `json:"liability"`
	Currency  string `json:"currency"`
}

// The merchant previews opening balances (nothing is written), grants them (points as ledger
// entries, no message), and asking again grants nothing more.
func TestOpeningBalances(t *testing.T) {
	a := apptest.Start(t, apptest.Options{})
	shop := testenv.Shop("opening")
	now := time.Now().UTC()
	a.Fake.SetBulkResult(shop, fakeshop.OrderHistory(fakeshop.HistorySpec{Orders: 240, Customers: 30,
		From: now.AddDate(-2, 0, 0), To: now.Add(-time.Hour), Seed: 7}))
	var imp struct {
		State         string `json:"state"`
		OpeningState  string `json:"opening_state"`
		OpeningPoints int64  `json:"opening_points"`
	}
	a.API(t, shop, http.MethodGet, "/api/import/history", nil, &imp)
	waitFor(t, 45*time.Second, func() bool {
		a.API(t, shop, http.MethodGet, "/api/import/history", nil, &imp)
		return imp.State == "done"
	})
	var events0 int64
	a.Inspect().Raw(`SELECT count(*) FROM events e JOIN shops s ON s.id = e.shop_id WHERE s.domain = ?`, shop).Scan(&events0)

	var bad map[string]any
	if st := a.API(t, shop, http.MethodGet, "/api/import/opening?months=0", nil, &bad); st != http.StatusUnprocessableEntity {
		t.Fatalf("months=0: %d %v", st, bad)
	}
	var p openingView
	if st := a.API(t, shop, http.MethodGet, "/api/import/opening?months=12", nil, &p); st != http.StatusOK ||
		p.Customers == 0 || p.Points == 0 || p.Liability == "0" || p.Currency == "" {
		t.Fatalf("preview: %d %+v", st, p)
	}
	opening := func() (points int64) {
		a.Inspect().Raw(`SELECT COALESCE(sum(l.points), 0) FROM ledger_entries l JOIN shops s ON s.id = l.shop_id
			WHERE s.domain = ? AND l.kind = 'opening'`, shop).Scan(&points)
		return points
	}
	if n := opening(); n != 0 {
		t.Fatalf("the dry run wrote %d points", n)
	}

	if st := a.API(t, shop, http.MethodPost, "/api/import/opening", map[string]any{"months": 12}, nil); st != http.StatusAccepted {
		t.Fatalf("grant: %d", st)
	}
	waitFor(t, 45*time.Second, func() bool {
		a.API(t, shop, http.MethodGet, "/api/import/history", nil, &imp)
		return imp.OpeningState == "done"
	})
	if n := opening(); n != p.Points || imp.OpeningPoints != p.Points {
		t.Fatalf("granted %d points (history says %d), the preview said %d", n, imp.OpeningPoints, p.Points)
	}
	var events int64
	a.Inspect().Raw(`SELECT count(*) FROM events e JOIN shops s ON s.id = e.shop_id WHERE s.domain = ?`, shop).Scan(&events)
	if events != events0 {
		t.Fatalf("opening balances made %d events", events-events0)
	}
	if _, err := loyalty.VerifyLedger(context.Background(), a.DB); err != nil {
		t.Fatal(err)
	}

	// Again: nothing left to grant.
	if a.API(t, shop, http.MethodGet, "/api/import/opening?months=12", nil, &p); p.Points != 0 {
		t.Fatalf("after granting, the preview still offers %d points", p.Points)
	}
	a.API(t, shop, http.MethodPost, "/api/import/opening", map[string]any{"months": 12}, nil)
	waitFor(t, 45*time.Second, func() bool {
		a.API(t, shop, http.MethodGet, "/api/import/history", nil, &imp)
		return imp.OpeningState == "done"
	})
	if n := opening(); n != imp.OpeningPoints || n == 0 {
		t.Fatalf("a second grant changed the points: %d, history says %d", n, imp.OpeningPoints)
	}
}
