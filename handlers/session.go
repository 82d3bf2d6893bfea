package handlers

import (
	"context"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/shopify"
)

// Context keys set by the auth middlewares.
const (
	ctxShop          = "shop"           // myshopify domain
	ctxShopID        = "shop_id"        // int64
	ctxUser          = "user"           // staff user id from the session token's sub
	ctxProxyCustomer = "proxy_customer" // int64, verified logged_in_customer_id (0 when anonymous)
)

// ShopID returns the shop the request is authenticated for.
func ShopID(c echo.Context) int64 { v, _ := c.Get(ctxShopID).(int64); return v }

// StaffUser returns the staff user id from the session token.
func StaffUser(c echo.Context) string { v, _ := c.Get(ctxUser).(string); return v }

// requireSession guards /api/*: a valid App Bridge session token names the shop; nothing else
// (no cookie, no query parameter) can.
func (s *Server) requireSession(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		raw, ok := strings.CutPrefix(c.Request().Header.Get(echo.HeaderAuthorization), "Bearer ")
		if !ok || raw == "" {
			return &models.Error{Code: models.EUnauthorized, Message: "missing session token"}
		}
		sess, err := shopify.VerifySessionToken(raw, s.Cfg.ShopifyAPIKey, s.Cfg.Secrets(), time.Now())
		if err != nil {
			s.Log.Info("session token rejected", "error", err)
			return &models.Error{Code: models.EUnauthorized, Message: "invalid session token"}
		}
		shopID, err := s.shopForSession(c.Request().Context(), sess.Shop, raw)
		if err != nil {
			return err
		}
		c.Set(ctxShop, sess.Shop)
		c.Set(ctxShopID, shopID)
		c.Set(ctxUser, sess.UserID)
		return next(c)
	}
}

// shopForSession makes the shop known and, while it has no offline token (first load, or the
// first load after a reinstall), trades the session token for an expiring one: Shopify-managed
// install gives us no other moment to get one. A valid session token is Shopify's word that the
// app is installed, so it may create the shop (a fresh record after shop/redact). The stored
// token is checked on every request rather than remembered in memory, because the uninstall
// that deletes it is processed by the worker, usually another process.
func (s *Server) shopForSession(ctx context.Context, shop, sessionToken string) (int64, error) {
	id, created, err := models.InstallShop(ctx, s.DB, shop)
	if err != nil {
		return 0, err
	}
	if s.Tokens != nil {
		t, err := s.Tokens.Load(ctx, shop)
		if err == nil && t.AccessToken != "" {
			return id, nil
		}
	}
	if created && s.Queue != nil {
		_ = s.Queue.EnqueueInstall(ctx, id)
	}
	if s.Tokens == nil {
		return id, nil
	}
	t, err := s.tokenExchange.Exchange(ctx, shop, sessionToken)
	if err != nil {
		// The admin still works on stored data; calls to Shopify wait for the next load.
		s.Log.Warn("token exchange failed", "shop", shop, "error", err)
		return id, nil
	}
	if missing := shopify.HasScopes(t.Scope, s.Cfg.ShopifyScopes); len(missing) > 0 {
		s.Log.Warn("granted scopes miss some required ones", "shop", shop, "missing", missing)
	}
	if err := s.Tokens.Save(ctx, shop, t); err != nil {
		return 0, err
	}
	return id, nil
}

// ForgetShopToken is kept for the uninstall wiring (jobs.Worker.OnUninstall); there is no
// per-process token memory left to clear.
func ForgetShopToken(shop string) {}
