package handlers

import (
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/shopify"
)

// requireProxySignature guards /proxy/*: Shopify's app proxy signs the forwarded query; only
// after checking it is `logged_in_customer_id` trusted (empty means an anonymous visitor).
func (s *Server) requireProxySignature(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		q := c.Request().URL.Query()
		shop, err := shopify.VerifyProxyQuery(q, s.Cfg.Secrets(), time.Now())
		if err != nil {
			s.Log.Warn("app proxy request rejected", "error", err, "remote", c.RealIP())
			return apiError(http.StatusUnauthorized, "invalid app proxy signature")
		}
		// A proxy request never creates a shop: Shopify only proxies for installed apps, and a
		// shop that left (or was erased) must not come back through the storefront.
		id, err := models.LookupShop(c.Request().Context(), s.DB, shop)
		if models.ErrorCode(err) == models.ENotFound {
			s.Log.Info("app proxy request for a shop that is not installed", "shop", shop)
			return apiError(http.StatusNotFound, "Boomerang is not installed on this shop")
		}
		if err != nil {
			return err
		}
		var cust int64
		if v := q.Get("logged_in_customer_id"); v != "" {
			if cust, err = strconv.ParseInt(v, 10, 64); err != nil || cust <= 0 {
				return models.Invalid("logged_in_customer_id", "not a customer id")
			}
		}
		c.Set(ctxShop, shop)
		c.Set(ctxShopID, id)
		c.Set(ctxProxyCustomer, cust)
		// Balances, codes and forms are about one shopper: no cache on the way may keep them.
		// A handler whose answer is the same for everyone (the review list) says so itself.
		c.Response().Header().Set(echo.HeaderCacheControl, "private, no-store")
		return next(c)
	}
}

// ProxyCustomer returns the verified storefront customer (0 for an anonymous visitor).
func ProxyCustomer(c echo.Context) int64 { v, _ := c.Get(ctxProxyCustomer).(int64); return v }
