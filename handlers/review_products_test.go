package handlers_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/boomerang-app/boomerang/internal/apptest"
	"github.com/boomerang-app/boomerang/internal/testenv"
	"github.com/boomerang-app/boomerang/shopify/fakeshop"
)

// The reviews list names products by title and image: read from Shopify the first time, cached
// after, and renamed by products/update. A product Shopify no longer has stays a number.
func TestReviewsNameTheirProducts(t *testing.T) {
	a := apptest.Start(t, apptest.Options{})
	shop := testenv.Shop("rvprod")
	a.Install(t, shop)
	a.Fake.SetProduct(shop, fakeshop.Product{ID: 501, Title: "Travel Tumbler", Handle: "travel-tumbler", ImageURL: "https://cdn.example.com/tumbler.jpg"})
	file := "Review Title,Review Content,Review Score,Date,Product ID,Email,Display Name\n" +
		"Great,Keeps coffee hot,5,2024-01-02,501,a@example.com,Ann\n" +
		"Gone,The product was deleted,4,2024-01-03,999,b@example.com,Bea\n"
	if st, rep := uploadFile(t, a, shop, "/api/reviews/import", "yotpo.csv", []byte(file)); st != http.StatusOK || rep["imported"] != float64(2) {
		t.Fatalf("import: %d %v", st, rep)
	}
	type product struct {
		ID       int64  `json:"id"`
		Title    string `json:"title"`
		ImageURL string `json:"image_url"`
	}
	list := func() map[int64]*product {
		t.Helper()
		var out struct {
			Reviews []struct {
				ProductID int64    `json:"product_id"`
				Product   *product `json:"product"`
			} `json:"reviews"`
		}
		if st := a.API(t, shop, http.MethodGet, "/api/reviews", nil, &out); st != http.StatusOK {
			t.Fatalf("reviews: %d", st)
		}
		m := map[int64]*product{}
		for _, r := range out.Reviews {
			m[r.ProductID] = r.Product
		}
		return m
	}
	got := list()
	if p := got[501]; p == nil || p.Title != "Travel Tumbler" || p.ImageURL != "https://cdn.example.com/tumbler.jpg" {
		t.Fatalf("product 501: %+v", p)
	}
	if got[999] != nil {
		t.Fatalf("a product Shopify does not have is named: %+v", got[999])
	}
	calls := len(a.Fake.CallsTo("nodes"))
	if list()[501].Title != "Travel Tumbler" || len(a.Fake.CallsTo("nodes")) != calls+1 {
		// 501 comes from the cache; only the unknown 999 is asked about again.
		t.Fatalf("second read: %d calls to nodes, want %d", len(a.Fake.CallsTo("nodes")), calls+1)
	}
	a.Webhook(t, shop, "products/update", "", map[string]any{"id": 501, "title": "Travel Tumbler 2.0", "handle": "travel-tumbler",
		"updated_at": time.Now().UTC().Format(time.RFC3339), "image": map[string]any{"src": "https://cdn.example.com/tumbler2.jpg"}})
	a.Drain(t, 30*time.Second)
	if p := list()[501]; p == nil || p.Title != "Travel Tumbler 2.0" || !strings.HasSuffix(p.ImageURL, "tumbler2.jpg") {
		t.Fatalf("after products/update: %+v", p)
	}
}
