package handlers

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/boomerang-app/boomerang/config"
	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/shopify"
	"github.com/boomerang-app/boomerang/web"
)

// frameAncestors is the CSP Shopify requires on every HTML page: the shop's admin and
// admin.shopify.com may frame us, nobody else; 'none' when no shop was verified.
func frameAncestors(shop string) string {
	if shop == "" {
		return "frame-ancestors 'none';"
	}
	return fmt.Sprintf("frame-ancestors https://%s https://admin.shopify.com;", shop)
}

// appHome serves the admin shell for Shopify admin loads: the query is verified (id_token, or
// the hmac-signed query of an install/app load) before the page may be framed by that shop.
func (s *Server) appHome(c echo.Context) error {
	q := c.Request().URL.Query()
	now := time.Now()
	var shop string
	if idt := q.Get("id_token"); idt != "" {
		sess, err := shopify.VerifySessionToken(idt, s.Cfg.ShopifyAPIKey, s.Cfg.Secrets(), now)
		if err != nil {
			return s.bounce(c, q)
		}
		shop = sess.Shop
		if _, err := s.shopForSession(c.Request().Context(), shop, idt); err != nil {
			return err
		}
	} else if q.Get("hmac") != "" {
		v, err := shopify.VerifyAdminQuery(q, s.Cfg.Secrets(), now)
		if err != nil {
			c.Response().Header().Set("Content-Security-Policy", frameAncestors(""))
			return apiError(http.StatusUnauthorized, "invalid signature")
		}
		shop = v
		if _, err := s.Tokens.Load(c.Request().Context(), shop); err != nil && q.Get("embedded") != "1" {
			// Not installed through managed install and not embedded: start the OAuth fallback.
			return c.Redirect(http.StatusFound, "/auth?"+url.Values{"shop": {shop}}.Encode())
		}
	}
	if shop == "" && s.Cfg.Development() {
		// Outside Shopify during development: the page gets its session token from /dev/session.
		if dev, ok := shopify.NormalizeShop(q.Get("shop")); ok {
			if _, _, err := models.InstallShop(c.Request().Context(), s.DB, dev); err != nil {
				return err
			}
			return s.shell(c, dev, false)
		}
	}
	if shop == "" {
		c.Response().Header().Set("Content-Security-Policy", frameAncestors(""))
		return c.HTML(http.StatusOK, `<!doctype html><title>Boomerang</title><p>Open Boomerang from your Shopify admin.</p>`)
	}
	return s.shell(c, shop, true)
}

// shell renders dist/index.html with the head tags for one shop.
func (s *Server) shell(c echo.Context, shop string, appBridge bool) error {
	page, err := web.Index()
	if err != nil {
		return err
	}
	cfg := map[string]string{"shop": shop, "apiKey": s.Cfg.ShopifyAPIKey, "env": s.Cfg.Env}
	if !appBridge && s.Cfg.Development() {
		// Outside Shopify the page would otherwise ask /dev/session before its first data call:
		// a round trip that App Bridge (which mints tokens in the page) does not have.
		tok, err := devSessionToken(s.Cfg, shop)
		if err != nil {
			return err
		}
		cfg["devToken"] = tok
	}
	boot, _ := json.Marshal(cfg)
	var head bytes.Buffer
	fmt.Fprintf(&head, `<meta name="shopify-api-key" content="%s" />`, html.EscapeString(s.Cfg.ShopifyAPIKey))
	if appBridge {
		head.WriteString(`<script src="https://cdn.shopify.com/shopifycloud/app-bridge.js"></script>`)
	}
	fmt.Fprintf(&head, `<script>window.__BOOMERANG__=%s</script>`, boot)
	page = bytes.Replace(page, []byte(web.HeadPlaceholder), head.Bytes(), 1)
	h := c.Response().Header()
	h.Set("Content-Security-Policy", frameAncestors(shop))
	h.Set(echo.HeaderCacheControl, "no-cache")
	return c.HTMLBlob(http.StatusOK, page)
}

// bouncePath serves Shopify's bounce page (the official libraries' default path).
const bouncePath = "/auth/session-token"

// bounce is Shopify's documented answer to an invalid or expired id_token on a document load:
// redirect to the bounce page with `shopify-reload` naming this URL without the stale token.
// App Bridge reads `shopify-reload` from the page's own URL, fetches a new token and loads it.
func (s *Server) bounce(c echo.Context, q url.Values) error {
	q.Del("id_token")
	q.Del("shopify-reload")
	reload := s.Cfg.AppURL + c.Request().URL.Path + "?" + q.Encode()
	q.Set("shopify-reload", reload)
	return c.Redirect(http.StatusFound, bouncePath+"?"+q.Encode())
}

// bouncePage is only App Bridge. It may be framed by the named shop's admin (an unverified
// name only narrows who may frame it) or else by admin.shopify.com, never by a wildcard.
func (s *Server) bouncePage(c echo.Context) error {
	csp := "frame-ancestors https://admin.shopify.com;"
	if shop, ok := shopify.NormalizeShop(c.QueryParam("shop")); ok {
		csp = frameAncestors(shop)
	}
	c.Response().Header().Set("Content-Security-Policy", csp)
	page := fmt.Sprintf(`<!doctype html><html><head><meta name="shopify-api-key" content="%s" />`+
		`<script src="https://cdn.shopify.com/shopifycloud/app-bridge.js"></script></head><body></body></html>`,
		html.EscapeString(s.Cfg.ShopifyAPIKey))
	return c.HTML(http.StatusOK, page)
}

// devAdmin is the address `make dev` prints: the admin home for a shop, outside Shopify.
func (s *Server) devAdmin(c echo.Context) error {
	shop, ok := shopify.NormalizeShop(c.QueryParam("shop"))
	if !ok {
		return models.Invalid("shop", "must be a myshopify.com domain")
	}
	return c.Redirect(http.StatusFound, "/?"+url.Values{"shop": {shop}}.Encode())
}

// devSession mints a real session token for a shop (development only), so the one API auth
// path is exercised outside Shopify too.
func (s *Server) devSession(c echo.Context) error {
	shop, ok := shopify.NormalizeShop(c.QueryParam("shop"))
	if !ok {
		return models.Invalid("shop", "must be a myshopify.com domain")
	}
	tok, err := devSessionToken(s.Cfg, shop)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]string{"token": tok})
}

// devSessionToken signs a one-minute session token for staff user 1, as App Bridge would fetch.
func devSessionToken(cfg *config.Config, shop string) (string, error) {
	return shopify.SignSessionToken(shop, cfg.ShopifyAPIKey, cfg.ShopifyAPISecret, "1", time.Now(), time.Minute)
}
