package handlers_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/boomerang-app/boomerang/internal/apptest"
	"github.com/boomerang-app/boomerang/internal/testenv"
	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/shopify"
)

// startAuth runs GET /auth and returns the state sent to Shopify and the state cookie.
func startAuth(t *testing.T, a *apptest.App, shop string) (string, *http.Cookie) {
	t.Helper()
	resp, err := noRedirect.Get(a.Server.URL + "/auth?shop=" + url.QueryEscape(shop))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("/auth: status %d", resp.StatusCode)
	}
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if !strings.HasSuffix(loc.Path, "/admin/oauth/authorize") || loc.Query().Get("client_id") != testenv.APIKey ||
		loc.Query().Get("redirect_uri") != a.Cfg.AppURL+"/auth/callback" || loc.Query().Get("scope") != a.Cfg.ShopifyScopes {
		t.Fatalf("authorize URL %s", loc)
	}
	state := loc.Query().Get("state")
	var ck *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "boomerang_oauth_state" {
			ck = c
		}
	}
	if len(state) < 32 || ck == nil || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode {
		t.Fatalf("state %q, cookie %+v", state, ck)
	}
	return state, ck
}

func callback(t *testing.T, a *apptest.App, q url.Values, ck *http.Cookie) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, a.Server.URL+"/auth/callback?"+q.Encode(), nil)
	if ck != nil {
		req.AddCookie(&http.Cookie{Name: ck.Name, Value: ck.Value})
	}
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

func TestOAuthCallback(t *testing.T) {
	a := apptest.Start(t, apptest.Options{NoWorker: true})
	shop := testenv.Shop("oauth")
	state, ck := startAuth(t, a, shop)
	_, otherCk := startAuth(t, a, shop) // a second, unrelated attempt
	now := strconv.FormatInt(time.Now().Unix(), 10)
	params := func(state, ts string) url.Values {
		return url.Values{"code": {"0907a61c0c8d55e99db179b68161bc00"}, "shop": {shop}, "state": {state},
			"timestamp": {ts}, "host": {"YWRtaW4uc2hvcGlmeS5jb20vc3RvcmUvb2F1dGg"}}
	}
	good := shopify.SignAdminQuery(params(state, now), testenv.APISecret)

	cases := []struct {
		name string
		q    url.Values
		ck   *http.Cookie
	}{
		{"no state cookie", good, nil},
		{"cookie of another attempt", good, otherCk},
		{"state does not match the cookie", shopify.SignAdminQuery(params("0123456789abcdef0123456789abcdef", now), testenv.APISecret), ck},
		{"forged cookie", good, &http.Cookie{Name: ck.Name, Value: state + ".deadbeef"}},
		{"bad hmac", shopify.SignAdminQuery(params(state, now), "wrong-secret"), ck},
		{"tampered after signing", func() url.Values {
			q := shopify.SignAdminQuery(params(state, now), testenv.APISecret)
			q.Set("shop", testenv.Shop("evil"))
			return q
		}(), ck},
		{"stale timestamp", shopify.SignAdminQuery(params(state, strconv.FormatInt(time.Now().Add(-5*time.Minute).Unix(), 10)), testenv.APISecret), ck},
	}
	for _, c := range cases {
		if resp := callback(t, a, c.q, c.ck); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("%s: status %d, want 401", c.name, resp.StatusCode)
		}
	}
	if tok, _ := a.Tokens.Load(t.Context(), shop); tok.AccessToken != "" {
		t.Fatal("a refused callback stored a token")
	}

	resp := callback(t, a, good, ck)
	if resp.StatusCode != http.StatusFound || !strings.HasSuffix(resp.Header.Get("Location"), "/admin/apps/"+testenv.APIKey) {
		t.Fatalf("good callback: %d, Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	cleared := false
	for _, c := range resp.Cookies() {
		cleared = cleared || (c.Name == "boomerang_oauth_state" && c.MaxAge < 0)
	}
	if !cleared {
		t.Error("the state cookie was not cleared after use")
	}
	tok, err := a.Tokens.Load(t.Context(), shop)
	if err != nil || tok.AccessToken == "" || !tok.Expiring() {
		t.Fatalf("token after callback: %+v, %v", tok, err)
	}
	sh, _ := models.FindShop(t.Context(), a.DB, shop)
	if sh.Status != models.ShopInstalled {
		t.Fatalf("status %q", sh.Status)
	}
}

func TestOAuthStartRejectsBadShop(t *testing.T) {
	a := apptest.Start(t, apptest.Options{NoWorker: true})
	for _, shop := range []string{"", "evil.com", "a.myshopify.com.evil.com", "https://a.myshopify.com"} {
		resp, err := noRedirect.Get(a.Server.URL + "/auth?shop=" + url.QueryEscape(shop))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("shop %q: status %d, want 422", shop, resp.StatusCode)
		}
	}
}
