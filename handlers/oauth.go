package handlers

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/shopify"
)

// The authorization-code grant is the fallback install path (standalone or legacy installs);
// embedded loads use token exchange instead.

const stateCookie = "boomerang_oauth_state"

// authStart redirects the merchant to Shopify's grant screen with a state nonce that is also
// kept in a signed cookie, so the callback can prove it answers our own request.
func (s *Server) authStart(c echo.Context) error {
	shop, ok := shopify.NormalizeShop(c.QueryParam("shop"))
	if !ok {
		return models.Invalid("shop", "must be a myshopify.com domain")
	}
	nonce := make([]byte, 32)
	if _, err := rand.Read(nonce); err != nil {
		return err
	}
	state := hex.EncodeToString(nonce)
	c.SetCookie(&http.Cookie{Name: stateCookie, Value: state + "." + s.signState(state), Path: "/auth",
		MaxAge: 300, HttpOnly: true, Secure: strings.HasPrefix(s.Cfg.AppURL, "https://"), SameSite: http.SameSiteLaxMode})
	u := shopify.ShopURL(s.Cfg.ShopifyBaseURL, shop) + "/admin/oauth/authorize?" + url.Values{
		"client_id": {s.Cfg.ShopifyAPIKey}, "scope": {s.Cfg.ShopifyScopes},
		"redirect_uri": {s.Cfg.AppURL + "/auth/callback"}, "state": {state},
	}.Encode()
	c.Response().Header().Set("Content-Security-Policy", frameAncestors(""))
	return c.Redirect(http.StatusFound, u)
}

// authCallback checks state (query == signed cookie), the query HMAC with its timestamp
// window and the shop, exchanges the code for an expiring offline token and checks the
// granted scopes.
func (s *Server) authCallback(c echo.Context) error {
	q := c.Request().URL.Query()
	shop, err := shopify.VerifyAdminQuery(q, s.Cfg.Secrets(), time.Now())
	if err != nil {
		s.Log.Warn("oauth callback rejected", "error", err)
		return apiError(http.StatusUnauthorized, "invalid OAuth callback signature")
	}
	ck, err := c.Cookie(stateCookie)
	state := q.Get("state")
	if err != nil || state == "" || !hmac.Equal([]byte(ck.Value), []byte(state+"."+s.signState(state))) {
		return apiError(http.StatusUnauthorized, "OAuth state does not match")
	}
	c.SetCookie(&http.Cookie{Name: stateCookie, Path: "/auth", MaxAge: -1})
	t, err := s.tokenExchange.AuthorizationCode(c.Request().Context(), shop, q.Get("code"))
	if err != nil {
		s.Log.Warn("authorization code exchange failed", "shop", shop, "error", err)
		return apiError(http.StatusBadGateway, "Shopify did not issue a token")
	}
	if missing := shopify.HasScopes(t.Scope, s.Cfg.ShopifyScopes); len(missing) > 0 {
		return models.Invalid("scope", "missing granted scopes: %s", strings.Join(missing, ","))
	}
	id, created, err := models.InstallShop(c.Request().Context(), s.DB, shop)
	if err != nil {
		return err
	}
	if err := s.Tokens.Save(c.Request().Context(), shop, t); err != nil {
		return err
	}
	if created {
		_ = s.Queue.EnqueueInstall(c.Request().Context(), id)
	}
	return c.Redirect(http.StatusFound, shopify.ShopURL(s.Cfg.ShopifyBaseURL, shop)+"/admin/apps/"+s.Cfg.ShopifyAPIKey)
}

func (s *Server) signState(state string) string {
	m := hmac.New(sha256.New, []byte(s.Cfg.ShopifyAPISecret))
	m.Write([]byte("oauth-state:" + state))
	return hex.EncodeToString(m.Sum(nil))
}
