package handlers

import (
	"errors"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/boomerang-app/boomerang/models"
)

// The shop's plan: GET /api/billing → {"plan", "subscription", "pending", "orders_this_month",
// "orders_allowed", "usage_charged", "over_limit", "month_starts", "plans"}; POST /api/billing/plan {"plan": "growth"} → for a paid
// plan {"confirmation_url"} (the admin sends the merchant's browser there to approve it), for
// the free plan the current subscription is cancelled and the new state returned.

func (s *Server) getBilling(c echo.Context) error {
	ctx, shopID, now := c.Request().Context(), ShopID(c), time.Now()
	if s.Admin != nil {
		// The merchant may be back from approving or declining before Shopify's webhook.
		if err := models.SyncAppSubscriptions(ctx, s.DB, s.Admin, shopID, now); err != nil {
			s.Log.Warn("app subscription not read from Shopify; the webhook will settle it", "shop_id", shopID, "error", err)
		}
	}
	return s.billingAnswer(c, now)
}

func (s *Server) billingAnswer(c echo.Context, now time.Time) error {
	b, err := models.BillingOf(c.Request().Context(), s.DB, ShopID(c), now)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"plan": b.Plan, "subscription": b.Subscription, "pending": b.Pending,
		"orders_this_month": b.OrdersThisMonth, "orders_allowed": b.OrdersAllowed, "usage_charged": b.UsageCharged,
		"over_limit": b.OverLimit, "month_starts": b.MonthStarts, "plans": models.Plans})
}

func (s *Server) choosePlan(c echo.Context) error {
	var in struct {
		Plan string `json:"plan"`
	}
	if err := c.Bind(&in); err != nil {
		return models.Invalid("", "body must be {\"plan\": \"...\"}: %v", bindReason(err))
	}
	if s.Admin == nil {
		return errors.New("billing: no Admin API client")
	}
	ctx, shopID, now := c.Request().Context(), ShopID(c), time.Now()
	sh, err := models.GetShop(ctx, s.DB, shopID)
	if err != nil {
		return err
	}
	url, err := models.ChoosePlan(ctx, s.DB, s.Admin, shopID, in.Plan, s.billingReturnURL(sh.Domain), s.Cfg.Development(), now)
	if err != nil {
		return err
	}
	if url != "" {
		return c.JSON(http.StatusOK, map[string]any{"confirmation_url": url})
	}
	return s.billingAnswer(c, now)
}

// billingReturnURL is where Shopify sends the merchant after the approval page: the app's setup
// page inside Shopify admin (outside it in development, where the fake's page returns to the
// app itself).
func (s *Server) billingReturnURL(shop string) string {
	if s.Cfg.Development() {
		return s.Cfg.AppURL + "/setup?shop=" + shop
	}
	return "https://" + shop + "/admin/apps/" + s.Cfg.ShopifyAPIKey + "/setup"
}
