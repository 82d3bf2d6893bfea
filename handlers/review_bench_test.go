package handlers_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/boomerang-app/boomerang/internal/apptest"
	"github.com/boomerang-app/boomerang/internal/testenv"
)

// BenchmarkProxySubmitReview is one signed storefront submission end to end: signature check,
// limits, verified-buyer lookup, insert, loyalty bonus and the scoring task enqueued.
func BenchmarkProxySubmitReview(b *testing.B) {
	a := apptest.Start(b, apptest.Options{NoWorker: true})
	shop := testenv.Shop("rvbench")
	a.Install(b, shop)
	body, _ := json.Marshal(map[string]any{"product_id": 4242, "rating": 4, "title": "Nice",
		"body": "Soft fabric and true to size, though shipping took a week."})
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		st, out := proxyDo(b, a, shop, proxyCall{method: http.MethodPost, path: "/proxy/reviews", customer: int64(10000 + i),
			contentType: "application/json", body: body})
		if st != http.StatusCreated {
			b.Fatalf("status %d: %s", st, out)
		}
	}
}
