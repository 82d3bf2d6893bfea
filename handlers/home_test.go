package handlers_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/boomerang-app/boomerang/internal/apptest"
	"github.com/boomerang-app/boomerang/internal/testenv"
	"github.com/boomerang-app/boomerang/shopify"
)

// productionEnv runs the app as deployed: no development shortcuts on the home page.
var productionEnv = map[string]string{"BOOMERANG_ENV": "production", "OPS_PASSWORD": "ops-test", "APP_URL": "https://app.example.com",
	"SMTP_URL": "smtp://127.0.0.1:2525"}

var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

type page struct {
	status int
	h      http.Header
	body   string
}

func getPage(t *testing.T, u string) page {
	t.Helper()
	resp, err := noRedirect.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.Header.Get("X-Frame-Options") != "" {
		t.Errorf("%s: X-Frame-Options sent (%q); embedded pages must rely on CSP only", u, resp.Header.Get("X-Frame-Options"))
	}
	if csp := resp.Header.Get("Content-Security-Policy"); strings.Contains(csp, "*") {
		t.Errorf("%s: wildcard in CSP %q", u, csp)
	}
	return page{resp.StatusCode, resp.Header, string(b)}
}

func TestAppHomeCSP(t *testing.T) {
	a := apptest.Start(t, apptest.Options{NoWorker: true, Env: productionEnv})
	shop := testenv.Shop("home")
	want := "frame-ancestors https://" + shop + " https://admin.shopify.com;"

	idt := a.SessionToken(t, shop)
	for _, path := range []string{"/", "/customers/12", "/reviews"} {
		q := url.Values{"embedded": {"1"}, "host": {"YWRtaW4uc2hvcGlmeS5jb20vc3RvcmUvaG9tZQ"}, "id_token": {idt}, "shop": {shop}, "locale": {"en"}}
		p := getPage(t, a.Server.URL+path+"?"+q.Encode())
		if p.status != http.StatusOK {
			t.Fatalf("%s: status %d: %s", path, p.status, p.body)
		}
		if got := p.h.Get("Content-Security-Policy"); got != want {
			t.Fatalf("%s: CSP %q, want %q", path, got, want)
		}
		meta := strings.Index(p.body, `<meta name="shopify-api-key" content="`+testenv.APIKey+`"`)
		bridge := strings.Index(p.body, `<script src="https://cdn.shopify.com/shopifycloud/app-bridge.js"></script>`)
		firstScript := strings.Index(p.body, "<script")
		if meta < 0 || bridge < 0 || bridge != firstScript {
			t.Fatalf("%s: App Bridge must be the first script, after the api-key meta (meta %d, bridge %d, first script %d)", path, meta, bridge, firstScript)
		}
	}
	// The document load traded the id_token for an offline token.
	if tok, err := a.Tokens.Load(t.Context(), shop); err != nil || tok.AccessToken == "" {
		t.Fatalf("no token after an embedded load: %v", err)
	}

	// No verified shop: nobody may frame the page, even if a shop is named.
	for _, u := range []string{"/", "/?shop=" + shop, "/?shop=" + shop + "&embedded=1"} {
		p := getPage(t, a.Server.URL+u)
		if p.status != http.StatusOK || p.h.Get("Content-Security-Policy") != "frame-ancestors 'none';" {
			t.Fatalf("%s: status %d, CSP %q", u, p.status, p.h.Get("Content-Security-Policy"))
		}
		if strings.Contains(p.body, "__BOOMERANG__") {
			t.Fatalf("%s: the admin shell was served without a verified shop", u)
		}
	}
}

func TestAppHomeSignedQuery(t *testing.T) {
	a := apptest.Start(t, apptest.Options{NoWorker: true, Env: productionEnv})
	shop := testenv.Shop("signed")
	a.Install(t, shop)
	ts := strconv.FormatInt(time.Now().Unix(), 10)

	q := shopify.SignAdminQuery(url.Values{"shop": {shop}, "timestamp": {ts}, "host": {"aG9zdA"}}, testenv.APISecret)
	p := getPage(t, a.Server.URL+"/?"+q.Encode())
	if p.status != http.StatusOK || p.h.Get("Content-Security-Policy") != "frame-ancestors https://"+shop+" https://admin.shopify.com;" {
		t.Fatalf("signed load: %d, CSP %q", p.status, p.h.Get("Content-Security-Policy"))
	}

	bad := shopify.SignAdminQuery(url.Values{"shop": {shop}, "timestamp": {ts}}, "wrong-secret")
	p = getPage(t, a.Server.URL+"/?"+bad.Encode())
	if p.status != http.StatusUnauthorized || p.h.Get("Content-Security-Policy") != "frame-ancestors 'none';" {
		t.Fatalf("bad hmac: %d, CSP %q", p.status, p.h.Get("Content-Security-Policy"))
	}
	stale := shopify.SignAdminQuery(url.Values{"shop": {shop}, "timestamp": {strconv.FormatInt(time.Now().Add(-10*time.Minute).Unix(), 10)}}, testenv.APISecret)
	if p = getPage(t, a.Server.URL+"/?"+stale.Encode()); p.status != http.StatusUnauthorized {
		t.Fatalf("stale signed load: %d", p.status)
	}

	// A signed, non-embedded load for a shop without a token starts the OAuth fallback.
	fresh := testenv.Shop("fresh")
	q = shopify.SignAdminQuery(url.Values{"shop": {fresh}, "timestamp": {ts}}, testenv.APISecret)
	p = getPage(t, a.Server.URL+"/?"+q.Encode())
	if p.status != http.StatusFound || p.h.Get("Location") != "/auth?shop="+url.QueryEscape(fresh) {
		t.Fatalf("uninstalled signed load: %d, Location %q", p.status, p.h.Get("Location"))
	}
}

// An invalid id_token on a document load goes to the bounce page, which App Bridge reloads
// from `shopify-reload` (the same URL without the stale token) with a fresh one.
func TestAppHomeBounce(t *testing.T) {
	a := apptest.Start(t, apptest.Options{NoWorker: true, Env: productionEnv})
	shop := testenv.Shop("bounce")
	expired, _ := shopify.SignSessionToken(shop, testenv.APIKey, testenv.APISecret, "42", time.Now().Add(-time.Hour), time.Minute)
	q := url.Values{"embedded": {"1"}, "host": {"aG9zdA"}, "id_token": {expired}, "shop": {shop}}
	p := getPage(t, a.Server.URL+"/loyalty?"+q.Encode())
	if p.status != http.StatusFound {
		t.Fatalf("expired id_token: status %d, want a redirect to the bounce page", p.status)
	}
	loc, err := url.Parse(p.h.Get("Location"))
	if err != nil || loc.Path != "/auth/session-token" {
		t.Fatalf("Location %q", p.h.Get("Location"))
	}
	reload, err := url.Parse(loc.Query().Get("shopify-reload"))
	if err != nil || reload.Scheme+"://"+reload.Host != "https://app.example.com" || reload.Path != "/loyalty" {
		t.Fatalf("shopify-reload %q", loc.Query().Get("shopify-reload"))
	}
	if reload.Query().Has("id_token") || reload.Query().Get("shop") != shop || reload.Query().Get("host") != "aG9zdA" || loc.Query().Has("id_token") {
		t.Fatalf("shopify-reload must keep the query without the stale id_token: %q", reload)
	}

	b := getPage(t, a.Server.URL+loc.String())
	if b.status != http.StatusOK || !strings.Contains(b.body, `<meta name="shopify-api-key" content="`+testenv.APIKey+`" />`) ||
		!strings.Contains(b.body, `<script src="https://cdn.shopify.com/shopifycloud/app-bridge.js"></script>`) {
		t.Fatalf("bounce page: %d %s", b.status, b.body)
	}
	if b.h.Get("Content-Security-Policy") != "frame-ancestors https://"+shop+" https://admin.shopify.com;" {
		t.Fatalf("bounce CSP %q", b.h.Get("Content-Security-Policy"))
	}
	if strings.Contains(b.body, "__BOOMERANG__") {
		t.Fatal("the bounce page carries the app shell")
	}
	// Without a usable shop name the bounce page is framed by admin.shopify.com only.
	if b = getPage(t, a.Server.URL+"/auth/session-token?shop=evil.example.com"); b.h.Get("Content-Security-Policy") != "frame-ancestors https://admin.shopify.com;" {
		t.Fatalf("bounce CSP without shop %q", b.h.Get("Content-Security-Policy"))
	}
	// A token for another app is as invalid as an expired one.
	other, _ := shopify.SignSessionToken(shop, "other-app", testenv.APISecret, "42", time.Now(), time.Minute)
	q.Set("id_token", other)
	if p = getPage(t, a.Server.URL+"/?"+q.Encode()); p.status != http.StatusFound {
		t.Fatalf("wrong-audience id_token: %d", p.status)
	}
	var n int64
	a.DB.Raw(`SELECT count(*) FROM shops WHERE domain = ?`, shop).Scan(&n)
	if n != 0 {
		t.Fatal("an invalid id_token created the shop")
	}
}

// In development the shell opened outside Shopify carries a session token for its shop, so the
// page's first data call needs no /dev/session round trip; in production neither exists.
func TestDevShellCarriesSessionToken(t *testing.T) {
	a := apptest.Start(t, apptest.Options{NoWorker: true})
	shop := testenv.Shop("devshell")
	p := getPage(t, a.Server.URL+"/customers?shop="+shop)
	if p.status != http.StatusOK {
		t.Fatalf("status %d: %s", p.status, p.body)
	}
	_, rest, ok := strings.Cut(p.body, `window.__BOOMERANG__=`)
	boot, _, ok2 := strings.Cut(rest, "</script>")
	if !ok || !ok2 {
		t.Fatalf("no boot config in the shell:\n%s", p.body)
	}
	var cfg struct {
		Shop     string `json:"shop"`
		DevToken string `json:"devToken"`
	}
	if err := json.Unmarshal([]byte(boot), &cfg); err != nil {
		t.Fatalf("boot config %q: %v", boot, err)
	}
	sess, err := shopify.VerifySessionToken(cfg.DevToken, testenv.APIKey, []string{testenv.APISecret}, time.Now())
	if err != nil || sess.Shop != shop || cfg.Shop != shop {
		t.Fatalf("boot token for %q: session %+v, err %v", cfg.Shop, sess, err)
	}

	prod := apptest.Start(t, apptest.Options{NoWorker: true, Env: productionEnv})
	if p := getPage(t, prod.Server.URL+"/dev/session?shop="+shop); p.status != http.StatusNotFound {
		t.Fatalf("production /dev/session: status %d", p.status)
	}
	if p := getPage(t, prod.Server.URL+"/?shop="+shop); strings.Contains(p.body, "devToken") {
		t.Fatal("production shell carries a development token")
	}
}
