package jobs_test

import (
	"context"
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

func shopRow(t *testing.T, a *apptest.App, shop string) *models.Shop {
	t.Helper()
	sh, err := models.FindShop(context.Background(), a.DB, shop)
	if err != nil {
		t.Fatal(err)
	}
	return sh
}

func uninstall(t *testing.T, a *apptest.App, shop string) {
	t.Helper()
	a.Webhook(t, shop, "app/uninstalled", "", map[string]any{"id": 1, "myshopify_domain": shop})
	a.Drain(t, drainWait)
	sh := shopRow(t, a, shop)
	if sh.Status != models.ShopUninstalled || sh.UninstalledAt == nil || sh.AccessToken != nil || sh.RefreshToken != nil ||
		sh.AccessTokenExpiresAt != nil || sh.RefreshTokenExpiresAt != nil {
		t.Fatalf("after app/uninstalled: status %q, uninstalled_at %v, tokens left: %v", sh.Status, sh.UninstalledAt,
			sh.AccessToken != nil || sh.RefreshToken != nil)
	}
	if _, err := a.Admin.AccessToken(context.Background(), shop); err == nil {
		t.Fatal("an uninstalled shop still hands out an access token")
	}
}

// Reinstall = the merchant opens the app again: the next session token is exchanged.
func TestUninstallThenReinstallBySession(t *testing.T) {
	for _, sameProcess := range []bool{true, false} {
		name := "worker in the web process"
		if !sameProcess {
			name = "worker in its own process"
		}
		t.Run(name, func(t *testing.T) {
			a := apptest.Start(t, apptest.Options{})
			if !sameProcess {
				// `boomerang serve` and `boomerang worker` are separate processes in production: the
				// worker cannot clear the web process's memory.
				a.Worker.OnUninstall = nil
			}
			shop := testenv.Shop("reinstall")
			var out struct{ Domain string }
			if st := a.API(t, shop, http.MethodGet, "/api/shop", nil, &out); st != http.StatusOK {
				t.Fatalf("first load: %d", st)
			}
			before, _ := a.Tokens.Load(context.Background(), shop)
			uninstall(t, a, shop)

			if st := a.API(t, shop, http.MethodGet, "/api/shop", nil, &out); st != http.StatusOK {
				t.Fatalf("load after reinstall: %d", st)
			}
			sh := shopRow(t, a, shop)
			if sh.Status != models.ShopInstalled || sh.UninstalledAt != nil {
				t.Fatalf("after reinstall: status %q, uninstalled_at %v", sh.Status, sh.UninstalledAt)
			}
			tok, err := a.Admin.AccessToken(context.Background(), shop)
			if err != nil || tok == "" || tok == before.AccessToken {
				t.Fatalf("after reinstall: token %q (before %q), %v", tok, before.AccessToken, err)
			}
			var shopOut struct{ Shop struct{ Name string } }
			if err := a.Admin.Query(context.Background(), shop, `query { shop { name } }`, nil, &shopOut); err != nil {
				t.Fatalf("new token rejected: %v", err)
			}
		})
	}
}

// Reinstall through the authorization-code fallback restores the shop too.
func TestUninstallThenReinstallByOAuth(t *testing.T) {
	a := apptest.Start(t, apptest.Options{})
	shop := testenv.Shop("reoauth")
	a.Install(t, shop)
	uninstall(t, a, shop)

	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noRedirect.Get(a.Server.URL + "/auth?shop=" + url.QueryEscape(shop))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	var cookie *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "boomerang_oauth_state" {
			cookie = c
		}
	}
	if cookie == nil {
		t.Fatal("no state cookie")
	}
	q := shopify.SignAdminQuery(url.Values{"code": {"c0de"}, "shop": {shop}, "state": {loc.Query().Get("state")},
		"timestamp": {strconv.FormatInt(time.Now().Unix(), 10)}}, testenv.APISecret)
	req, _ := http.NewRequest(http.MethodGet, a.Server.URL+"/auth/callback?"+q.Encode(), nil)
	req.AddCookie(&http.Cookie{Name: cookie.Name, Value: cookie.Value})
	resp, err = noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound || !strings.Contains(resp.Header.Get("Location"), "/admin/apps/") {
		t.Fatalf("callback: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if sh := shopRow(t, a, shop); sh.Status != models.ShopInstalled || sh.UninstalledAt != nil || sh.AccessToken == nil {
		t.Fatalf("after OAuth reinstall: %+v", sh)
	}
}
