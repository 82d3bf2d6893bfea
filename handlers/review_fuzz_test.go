package handlers_test

import (
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"unicode/utf8"

	"github.com/boomerang-app/boomerang/internal/apptest"
	"github.com/boomerang-app/boomerang/internal/testenv"
	"github.com/boomerang-app/boomerang/models/reviews"
)

// FuzzReviewSubmission posts arbitrary bodies to the signed storefront endpoint, as JSON or as
// a form, logged in or not. Whatever arrives, the answer is a deliberate one (created, or a
// 4xx naming the problem), never a 500, and anything stored is a review the shop can show.
func FuzzReviewSubmission(f *testing.F) {
	f.Add(byte(0), []byte(`{"product_id": 1, "rating": 5, "title": "ok", "body": "fine"}`))
	f.Add(byte(0), []byte(`{"product_id": "gid://shopify/Product/2", "rating": "4", "order_id": null}`))
	f.Add(byte(1), []byte("product_id=3&rating=2&title=bad&body=broken"))
	f.Add(byte(1), []byte("product_id=3&rating=5&t=abc.def"))
	f.Add(byte(0), []byte(`{"product_id": 1e30, "rating": -1}`))
	f.Add(byte(2), []byte(`{"product_id": 4, "rating": 5, "body": "\u0000"}`))
	f.Add(byte(0), []byte(`{"product_id": 5, "rating": 5, "body": "`+strings.Repeat("é", 5001)+`"}`))
	f.Add(byte(1), []byte("%zz=1"))
	a := apptest.Start(f, apptest.Options{NoWorker: true})
	shop := testenv.Shop("rvfuzz")
	shopID := a.Install(f, shop)
	var customer atomic.Int64
	f.Fuzz(func(t *testing.T, mode byte, body []byte) {
		ct := "application/json"
		if mode%3 == 1 {
			ct = "application/x-www-form-urlencoded"
		}
		cust := int64(0)
		if mode%2 == 0 {
			cust = 1000 + customer.Add(1) // a new shopper each time: the daily limit is not under test here
		}
		st, resp := proxyDo(t, a, shop, proxyCall{method: http.MethodPost, path: "/proxy/reviews", customer: cust,
			contentType: ct, body: body})
		switch st {
		case http.StatusCreated, http.StatusOK: // JSON answers 201, the no-JS form a thank-you page
			if (st == http.StatusOK) != (ct != "application/json") || cust == 0 {
				t.Fatalf("status %d for a %s submission by customer %d: %s", st, ct, cust, resp)
			}
			rs, err := reviews.CustomerReviews(t.Context(), a.DB, shopID, cust, 10)
			if err != nil || len(rs) != 1 {
				t.Fatalf("reviews stored for the submission: %d %v", len(rs), err)
			}
			r := rs[0]
			if r.Rating < 1 || r.Rating > 5 || r.ProductID == nil || *r.ProductID <= 0 || !utf8.ValidString(r.Body) ||
				utf8.RuneCountInString(r.Body) > reviews.MaxReviewBody || utf8.RuneCountInString(r.Title) > reviews.MaxReviewTitle {
				t.Fatalf("stored an unshowable review %+v", r)
			}
		case http.StatusUnauthorized, http.StatusConflict, http.StatusRequestEntityTooLarge, http.StatusTooManyRequests:
		case http.StatusUnprocessableEntity:
			if ct == "application/json" && !strings.Contains(string(resp), `"field"`) {
				t.Fatalf("422 without a field: %s", resp)
			}
		default:
			t.Fatalf("status %d for %q: %s", st, body, resp)
		}
	})
}
