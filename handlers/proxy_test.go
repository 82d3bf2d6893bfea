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
	id, _, _ := models.EnsureShop(t.Context(), db, shop)
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
