package jobs_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/boomerang-app/boomerang/internal/apptest"
	"github.com/boomerang-app/boomerang/internal/testenv"
)

type importView struct {
	State     string `json:"state"`
	Customers int64  `json:"customers"`
	Orders    int64  `json:"orders"`
	Errors    int    `json:"errors"`
}

// Installing brings the shop's past in: the first load starts the import, GET /api/import/history
// reports it, customers' stages and order counts reflect it, and a re-sync changes nothing.
func TestHistoryImportAtInstall(t *testing.T) {
	a := apptest.Start(t, apptest.Options{})
	shop := testenv.Shop("pastshop")
	a.Fake.SetBulkResult(shop, historyResult(40, 0))
	var imp importView
	if st := a.API(t, shop, http.MethodGet, "/api/import/history", nil, &imp); st != http.StatusOK {
		t.Fatalf("first load: %d", st)
	}
	waitFor(t, 45*time.Second, func() bool {
		a.API(t, shop, http.MethodGet, "/api/import/history", nil, &imp)
		return imp.State == "done"
	})
	if imp.Orders != 40 || imp.Customers != 7 || imp.Errors != 1 {
		t.Fatalf("import: %+v (want 40 orders, 7 customers, 1 malformed line)", imp)
	}
	// Customer 101 has orders 1, 8, 15, 22, 29, 36: six orders before install.
	var cust struct {
		Stage       string `json:"stage"`
		OrdersCount int    `json:"orders_count"`
	}
	if st := a.API(t, shop, http.MethodGet, "/api/customers/101", nil, &cust); st != http.StatusOK ||
		cust.OrdersCount != 6 || cust.Stage == "new" || cust.Stage == "" {
		t.Fatalf("customer with history: %d %+v", st, cust)
	}
	if st := a.API(t, shop, http.MethodPost, "/api/import/history", nil, &imp); st != http.StatusAccepted {
		t.Fatalf("re-sync: %d", st)
	}
	waitFor(t, 45*time.Second, func() bool {
		a.API(t, shop, http.MethodGet, "/api/import/history", nil, &imp)
		return imp.State == "done"
	})
	if imp.Orders != 0 {
		t.Fatalf("a re-sync stored %d orders again", imp.Orders)
	}
	var orders int64
	a.Inspect().Raw(`SELECT count(*) FROM orders o JOIN shops s ON s.id = o.shop_id WHERE s.domain = ?`, shop).Scan(&orders)
	if orders != 40 {
		t.Fatalf("%d orders after a re-sync, want 40", orders)
	}
}
