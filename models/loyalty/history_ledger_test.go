package loyalty_test

import (
	"context"
	"testing"
	"time"

	"github.com/boomerang-app/boomerang/internal/testenv"
	"github.com/boomerang-app/boomerang/jobs"
	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/models/loyalty"
)

// Tiers measure the history inside their window once the import is derived: a customer who spent
// 1,600 in the last 12 months before install is Gold on day one, one whose spending is older is
// not, and nobody is told (history is not news). A buyer with five past orders is loyal.
func TestHistoryTiersAndStages(t *testing.T) {
	db, shop := testenv.NewShop(t, "loyalty")
	ctx := context.Background()
	now := time.Now().UTC()
	recent, old := now.AddDate(0, -3, 0), now.AddDate(-2, 0, 0)
	batch := []models.HistoryOrder{
		testenv.PastOrder(1, 21, "800.00", recent, 1), testenv.PastOrder(2, 21, "800.00", recent.Add(time.Hour), 1), // Gold: 1,600 in the window
		testenv.PastOrder(3, 22, "900.00", old, 1), testenv.PastOrder(4, 22, "900.00", old.Add(time.Hour), 1), // 1,800, but two years ago
		testenv.PastOrder(5, 23, "600.00", recent, 1), // Silver
	}
	for i := range 5 { // customer 24: five small orders, an old regular
		batch = append(batch, testenv.PastOrder(int64(10+i), 24, "10.00", old.AddDate(0, i, 0), 1))
	}
	if _, err := models.StoreHistory(ctx, db, shop, batch); err != nil {
		t.Fatal(err)
	}
	if err := jobs.DeriveFromHistory(ctx, db, shop); err != nil {
		t.Fatal(err)
	}
	want := map[int64]struct{ tier, stage string }{
		21: {"Gold", models.StageLoyal}, 22: {"", models.StageTwoTime}, 23: {"Silver", models.StageNew}, 24: {"", models.StageLoyal},
	}
	for cust, w := range want {
		var got struct{ Tier, Stage string }
		db.Raw(`SELECT COALESCE(a.tier, '') AS tier, c.stage FROM customers c
			LEFT JOIN loyalty_accounts a ON a.shop_id = c.shop_id AND a.customer_id = c.customer_id
			WHERE c.shop_id = ? AND c.customer_id = ?`, shop, cust).Scan(&got)
		if got.Tier != w.tier || got.Stage != w.stage {
			t.Errorf("customer %d: tier %q stage %q, want %q %q", cust, got.Tier, got.Stage, w.tier, w.stage)
		}
	}
	var events, points int64
	db.Raw(`SELECT count(*) FROM events WHERE shop_id = ?`, shop).Scan(&events)
	db.Raw(`SELECT COALESCE(sum(points), 0) FROM ledger_entries WHERE shop_id = ?`, shop).Scan(&points)
	if events != 0 || points != 0 {
		t.Fatalf("history made %d events and %d points", events, points)
	}
	// Deriving again writes nothing new.
	n, err := loyalty.LedgerHistory(ctx, db, shop, now, now)
	if err != nil || n != 0 {
		t.Fatalf("a second pass wrote %d entries (%v)", n, err)
	}
	if _, err := loyalty.VerifyLedger(ctx, db); err != nil {
		t.Fatal(err)
	}
}
