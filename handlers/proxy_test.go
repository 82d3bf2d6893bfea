package handlers

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/boomerang-app/boomerang/internal/testenv"
	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/shopify"
)

// The app-proxy guard is checked on its own (no proxy route exists in the foundation): a probe
// route behind it reports what the guard put in the context.
func TestProxySignatureGuard(t *testing.T) {
	db, dsn := testenv.DB(t)
	cfg := testenv.Config(t, dsn, "redis://127.0.0.1:1/0", nil)
	s := &Server{Deps: Deps{Cfg: cfg, DB: db, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}}
	e := echo.New()
	e.HTTPErrorHandler = s.errorHandler
	type seen struct {
		shopID, customer int64
		shop             string
	}
	var got seen
	e.GET("/proxy/probe", func(c echo.Context) error {
		got = seen{ShopID(c), ProxyCustomer(c), c.Get(ctxShop).(string)}
		return c.NoContent(http.StatusNoContent)
	}, s.requireProxySignature)

	shop := testenv.Shop("proxy")
	now := time.Now()
	stranger := testenv.Shop("proxy-stranger")
	q := shopify.SignProxyQuery(url.Values{"shop": {stranger}, "timestamp": {strconv.FormatInt(now.Unix(), 10)}}, testenv.APISecret)
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/proxy/probe?"+q.Encode(), nil))
	if rec.Code != http.StatusNotFound {
		t.Fatalf("proxy for a shop that never installed: %d", rec.Code)
	}
	if _, err := models.FindShop(t.Context(), db, stranger); models.ErrorCode(err) != models.ENotFound {
		t.Fatalf("a proxy request created the shop: %v", err)
	}
	if _, _, err := models.InstallShop(t.Context(), db, shop); err != nil {
		t.Fatal(err)
	}
	query := func(customer string, at time.Time, secret string) string {
		q := url.Values{"shop": {shop}, "path_prefix": {"/apps/boomerang"}, "timestamp": {strconv.FormatInt(at.Unix(), 10)},
			"logged_in_customer_id": {customer}, "extra": {"1", "2"}}
		return shopify.SignProxyQuery(q, secret).Encode()
	}
	call := func(rawQuery string) int {
		got = seen{}
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/proxy/probe?"+rawQuery, nil))
		return rec.Code
	}

	if st := call(query("7", now, testenv.APISecret)); st != http.StatusNoContent || got.customer != 7 || got.shop != shop || got.shopID == 0 {
		t.Fatalf("logged-in visitor: %d, %+v", st, got)
	}
	id, _, _ := models.InstallShop(t.Context(), db, shop)
	if got.shopID != id {
		t.Fatalf("shop id %d, want %d", got.shopID, id)
	}
	if st := call(query("", now, testenv.APISecret)); st != http.StatusNoContent || got.customer != 0 || got.shopID != id {
		t.Fatalf("anonymous visitor: %d, %+v", st, got)
	}
	if st := call(query("8", now, testenv.PreviousSecret)); st != http.StatusNoContent || got.customer != 8 {
		t.Fatalf("previous secret: %d, %+v", st, got)
	}
	for name, c := range map[string]struct {
		q    string
		want int
	}{
		"wrong secret": {query("7", now, "attacker"), http.StatusUnauthorized},
		"stale":        {query("7", now.Add(-2*time.Minute), testenv.APISecret), http.StatusUnauthorized},
		"unsigned":     {"shop=" + shop + "&logged_in_customer_id=7", http.StatusUnauthorized},
		"customer id forged": {func() string {
			v, _ := url.ParseQuery(query("7", now, testenv.APISecret))
			v.Set("logged_in_customer_id", "9")
			return v.Encode()
		}(), http.StatusUnauthorized},
		"not a number": {query("abc", now, testenv.APISecret), http.StatusUnprocessableEntity},
		"negative id":  {query("-3", now, testenv.APISecret), http.StatusUnprocessableEntity},
	} {
		if st := call(c.q); st != c.want || got.customer != 0 || got.shopID != 0 {
			t.Errorf("%s: status %d (want %d), handler saw %+v", name, st, c.want, got)
		}
	}
}

// The shopper writes every X-Forwarded-For entry before the one Shopify's proxy appends, so
// only that one (after the operator's own hops) names the shopper.
func TestProxyClientIP(t *testing.T) {
	e := echo.New()
	for _, c := range []struct {
		xff  []string
		hops int
		want string
	}{
		{nil, 0, "192.0.2.1"},
		{[]string{"198.51.100.7"}, 0, "198.51.100.7"},
		{[]string{"1.1.1.1, 2.2.2.2, 198.51.100.7"}, 0, "198.51.100.7"}, // forged entries first
		{[]string{"1.1.1.1", "198.51.100.7"}, 0, "198.51.100.7"},        // two header lines
		{[]string{"1.1.1.1, 198.51.100.7, 10.0.0.5"}, 1, "198.51.100.7"},
		{[]string{"198.51.100.7, 10.0.0.5"}, 2, "192.0.2.1"}, // fewer entries than hops
		{[]string{"1.1.1.1, garbage"}, 0, "192.0.2.1"},
		{[]string{"2001:db8::1"}, 0, "2001:db8::1"},
	} {
		req := httptest.NewRequest(http.MethodPost, "/proxy/reviews", nil)
		req.RemoteAddr = "192.0.2.1:4321"
		for _, v := range c.xff {
			req.Header.Add("X-Forwarded-For", v)
		}
		if got := proxyClientIP(e.NewContext(req, httptest.NewRecorder()), c.hops); got != c.want {
			t.Errorf("XFF %q, %d hops: %s, want %s", c.xff, c.hops, got, c.want)
		}
	}
}
