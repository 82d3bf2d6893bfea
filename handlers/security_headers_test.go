package handlers_test

import (
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/boomerang-app/boomerang/internal/apptest"
	"github.com/boomerang-app/boomerang/internal/testenv"
	"github.com/boomerang-app/boomerang/shopify"
)

// Every response carries nosniff and a Referrer-Policy, and HSTS in production; the unsubscribe
// page cannot be framed; a proxy answer about a shopper is never cached on the way.
func TestSecurityHeaders(t *testing.T) {
	a := apptest.Start(t, apptest.Options{NoWorker: true, Env: map[string]string{"BOOMERANG_ENV": "production",
		"APP_URL": "https://app.example.com", "OPS_PASSWORD": "ops", "SMTP_URL": "smtp://127.0.0.1:1"}})
	shop := testenv.Shop("headers")
	a.Install(t, shop)

	get := func(path string) http.Header {
		t.Helper()
		resp, err := http.Get(a.Server.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.Header
	}
	for _, path := range []string{"/healthz", "/unsubscribe?t=forged", "/api/shop", "/nowhere"} {
		h := get(path)
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") == "" ||
			h.Get("Strict-Transport-Security") == "" {
			t.Errorf("%s: nosniff %q, referrer %q, hsts %q", path, h.Get("X-Content-Type-Options"),
				h.Get("Referrer-Policy"), h.Get("Strict-Transport-Security"))
		}
	}
	if h := get("/unsubscribe?t=forged"); h.Get("Content-Security-Policy") != "frame-ancestors 'none';" {
		t.Errorf("unsubscribe page CSP %q", h.Get("Content-Security-Policy"))
	}

	proxy := func(path, customer string) http.Header {
		t.Helper()
		q := shopify.SignProxyQuery(url.Values{"shop": {shop}, "path_prefix": {"/apps/boomerang"}, "product_id": {"7001"},
			"timestamp": {strconv.FormatInt(time.Now().Unix(), 10)}, "logged_in_customer_id": {customer}}, testenv.APISecret)
		return get(path + "?" + q.Encode())
	}
	if cc := proxy("/proxy/loyalty", "42").Get("Cache-Control"); cc != "private, no-store" {
		t.Errorf("a shopper's balance: Cache-Control %q", cc)
	}
	if cc := proxy("/proxy/reviews/new", "42").Get("Cache-Control"); cc != "private, no-store" && cc != "no-store" {
		t.Errorf("a shopper's review form: Cache-Control %q", cc)
	}
	if cc := proxy("/proxy/reviews", "").Get("Cache-Control"); cc != "public, max-age=60" {
		t.Errorf("the public review list: Cache-Control %q", cc)
	}
}
