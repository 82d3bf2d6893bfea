package handlers_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/boomerang-app/boomerang/internal/apptest"
	"github.com/boomerang-app/boomerang/internal/testenv"
	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/models/loyalty"
)

// getCSV downloads an export with the admin's session token and parses it.
func getCSV(t *testing.T, a *apptest.App, shop, path string) (int, [][]string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, a.Server.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+a.SessionToken(t, shop))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return resp.StatusCode, nil
	}
	if ct := resp.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
		t.Fatalf("%s: content type %q", path, ct)
	}
	rows, err := csv.NewReader(resp.Body).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return resp.StatusCode, rows
}

// The customer list sorts by spend, orders, last order and balance and pages through them all;
// the export streams the same filtered, sorted list as CSV, longer than one page, with a
// shopper's formula-looking name made inert; the ledger and the reviews export too.
func TestCustomerListSortAndExports(t *testing.T) {
	a := apptest.Start(t, apptest.Options{})
	shop := testenv.Shop("export")
	shopID := a.Install(t, shop)
	ctx := context.Background()
	const n = 230 // more than one 200-row page of the export
	for i := range n {
		id := int64(1000 + i)
		first := fmt.Sprintf("Shopper%03d", i)
		if i == 7 {
			first = "=HYPERLINK(\"http://evil\")"
		}
		if _, err := models.UpsertCustomer(ctx, a.DB, shopID, models.CustomerFact{CustomerID: id, FirstName: first, Email: fmt.Sprintf("s%d@example.com", i)}); err != nil {
			t.Fatal(err)
		}
		// Spend rises with i except for the newest few, so spend order differs from newest first.
		spend := decimal.NewFromInt(int64(i % 200))
		if err := a.DB.Exec(`UPDATE customers SET total_spent = ?, orders_count = ?, last_order_at = ? WHERE shop_id = ? AND customer_id = ?`,
			spend, i%5, time.Now().Add(-time.Duration(i)*time.Hour), shopID, id).Error; err != nil {
			t.Fatal(err)
		}
	}
	if _, err := loyalty.AdjustPoints(ctx, a.DB, shopID, 1003, 500, "goodwill", "staff@example.com", "adj-1", time.Now()); err != nil {
		t.Fatal(err)
	}

	var all []loyalty.CustomerRow
	cursor := ""
	for range 10 {
		var page struct {
			Customers  []loyalty.CustomerRow `json:"customers"`
			NextCursor string                `json:"next_cursor"`
		}
		if st := a.API(t, shop, http.MethodGet, "/api/customers?sort=spend&limit=100&cursor="+cursor, nil, &page); st != http.StatusOK {
			t.Fatalf("sorted page: %d", st)
		}
		all = append(all, page.Customers...)
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	if len(all) != n {
		t.Fatalf("sorted pages hold %d customers, want %d", len(all), n)
	}
	if !slices.IsSortedFunc(all, func(x, y loyalty.CustomerRow) int { return y.Spent.Cmp(x.Spent) }) {
		t.Fatal("?sort=spend is not largest spend first")
	}
	var top struct {
		Customers []loyalty.CustomerRow `json:"customers"`
	}
	a.API(t, shop, http.MethodGet, "/api/customers?sort=balance&limit=1", nil, &top)
	if len(top.Customers) != 1 || top.Customers[0].ID != 1003 || top.Customers[0].Balance != 500 {
		t.Fatalf("?sort=balance: %+v", top.Customers)
	}
	if st := a.API(t, shop, http.MethodGet, "/api/customers?sort=name", nil, nil); st != http.StatusUnprocessableEntity {
		t.Fatalf("unknown sort: %d", st)
	}

	st, rows := getCSV(t, a, shop, "/api/customers/export.csv?sort=spend")
	if st != http.StatusOK || len(rows) != n+1 || rows[0][0] != "customer_id" || rows[0][8] != "total_spent" {
		t.Fatalf("customers export: %d, %d rows, header %v", st, len(rows), rows[0])
	}
	if rows[1][8] != all[0].Spent.StringFixed(2) || rows[1][0] != fmt.Sprint(all[0].ID) {
		t.Errorf("the export's first row %v is not the sorted list's first %+v", rows[1], all[0])
	}
	for _, r := range rows[1:] {
		if r[0] == "1007" && r[1] != `'=HYPERLINK("http://evil")` {
			t.Errorf("a formula-looking name is exported as %q", r[1])
		}
	}
	if st, rows = getCSV(t, a, shop, "/api/customers/export.csv?q=Shopper010"); st != http.StatusOK || len(rows) != 2 || rows[1][0] != "1010" {
		t.Errorf("filtered export: %d %v", st, rows)
	}
	if st, rows = getCSV(t, a, shop, "/api/customers/1003/ledger.csv"); st != http.StatusOK || len(rows) != 2 || rows[1][3] != "500" || rows[1][5] != "goodwill" {
		t.Errorf("ledger export: %d %v", st, rows)
	}
	if st, rows = getCSV(t, a, shop, "/api/reviews/export.csv?rating=5"); st != http.StatusOK || len(rows) != 1 || rows[0][0] != "review_id" {
		t.Errorf("empty reviews export: %d %v", st, rows)
	}
	if st, _ = getCSV(t, a, shop, "/api/reviews/export.csv?rating=9"); st != http.StatusUnprocessableEntity {
		t.Errorf("a bad filter on the export: %d, want 422", st)
	}
}
