package handlers

import (
	"context"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/models/loyalty"
)

// The storefront's loyalty widget, through Shopify's app proxy. The customer is the verified
// logged_in_customer_id (requireProxySignature); an anonymous visitor sees the program only.

// issueTimeout bounds how long a redemption waits for Shopify before answering "pending"
// (the reward sweep finishes it).
const issueTimeout = 10 * time.Second

type proxyReward struct {
	loyalty.Reward
	Label      string `json:"label"` // the name to show (Reward.Label)
	Affordable bool   `json:"affordable"`
}

func (s *Server) proxyLoyalty(c echo.Context) error {
	ctx, shopID, cust, now := c.Request().Context(), ShopID(c), ProxyCustomer(c), time.Now()
	set, err := loyalty.LoadLoyaltySettings(ctx, s.DB, shopID)
	if err != nil {
		return err
	}
	out := map[string]any{"logged_in": cust != 0, "earn_rate": set.EarnRate, "tiers": set.Tiers,
		"tier_measure": set.TierMeasure, "tier_window": set.TierWindow, "bonus": set.Bonus, "referrals": set.Referral.Enabled}
	sh, err := models.GetShop(ctx, s.DB, shopID)
	if err != nil {
		return err
	}
	rewards := make([]proxyReward, len(set.Rewards))
	for i, r := range set.Rewards {
		rewards[i] = proxyReward{Reward: r, Label: r.Label(sh.Currency)}
	}
	out["rewards"] = rewards
	if cust == 0 {
		return c.JSON(http.StatusOK, out)
	}
	st, err := loyalty.LoyaltyStatementOf(ctx, s.DB, shopID, cust, now)
	if err != nil {
		return err
	}
	for i := range rewards {
		rewards[i].Affordable = st.Spendable >= rewards[i].PointsCost
	}
	out["customer_id"] = cust
	out["balance"], out["pending"], out["spendable"] = st.Balance, st.Pending, st.Spendable
	out["tier"], out["next_tier"], out["progress"], out["next_tier_at"] = st.Tier, st.NextTier, st.Progress, st.NextTierAt
	out["measure"], out["tier_at_risk"], out["expiring"] = st.Measure, st.TierAtRisk, st.Expiring
	if set.Referral.Enabled {
		code := st.ReferralCode
		if code == "" {
			if code, err = loyalty.EnsureReferralCode(ctx, s.DB, shopID, cust); err != nil {
				return err
			}
		}
		out["referral"] = map[string]any{"code": code, "link": loyalty.ReferralLink(shopDomain(c), code),
			"friend_points": set.Referral.FriendPoints, "referrer_points": set.Bonus.Referral}
	}
	reds, err := loyalty.RedemptionsOf(ctx, s.DB, shopID, cust, 10)
	if err != nil {
		return err
	}
	if reds == nil {
		reds = []loyalty.Redemption{}
	}
	out["redemptions"] = reds
	if out["activity"], err = storefrontActivity(ctx, s, shopID, cust); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

// activityItem is a ledger entry as the shopper sees it: what moved their points, and when.
type activityItem struct {
	Kind       string    `json:"kind"`
	Points     int64     `json:"points"`
	SourceType string    `json:"source_type"`
	OccurredAt time.Time `json:"occurred_at"`
}

// storefrontActivity is the customer's latest point movements (imported history, which moves
// no points, left out).
func storefrontActivity(ctx context.Context, s *Server, shopID, cust int64) ([]activityItem, error) {
	entries, _, err := loyalty.LedgerPage(ctx, s.DB, shopID, cust, 0, 20)
	if err != nil {
		return nil, err
	}
	out := []activityItem{}
	for _, e := range entries {
		if e.Points != 0 && len(out) < 10 {
			out = append(out, activityItem{e.Kind, e.Points, e.SourceType, e.OccurredAt})
		}
	}
	return out, nil
}

type redeemRequest struct {
	Reward     string `json:"reward"`
	RequestKey string `json:"request_key"`
}

// proxyRedeem spends points on a reward: the points are reserved, then Shopify creates the
// single-use code. 200 with the code when issued; 202 while Shopify is throttling or away (the
// code follows, the points stay reserved); 502 when Shopify refused (the points are back).
func (s *Server) proxyRedeem(c echo.Context) error {
	ctx, shopID, cust := c.Request().Context(), ShopID(c), ProxyCustomer(c)
	if cust == 0 {
		return &models.Error{Code: models.EUnauthorized, Message: "log in to redeem points"}
	}
	var req redeemRequest
	if err := c.Bind(&req); err != nil || req.Reward == "" {
		return models.Invalid("reward", "name the reward to redeem")
	}
	if req.RequestKey == "" {
		req.RequestKey = c.Request().Header.Get("Idempotency-Key")
	}
	r, err := loyalty.ReserveRedemption(ctx, s.DB, shopID, cust, req.Reward, req.RequestKey, time.Now())
	if err != nil {
		return err
	}
	if r.Status == loyalty.RedemptionPending && s.Admin != nil {
		ictx, cancel := context.WithTimeout(context.WithoutCancel(ctx), issueTimeout)
		r2, err := loyalty.IssueRedemption(ictx, s.DB, s.Admin, shopDomain(c), shopID, r.ID, time.Now())
		cancel()
		if err != nil {
			s.Log.Warn("reward not issued yet; the sweep retries", "shop", shopDomain(c), "redemption", r.ID, "error", err)
		}
		if r2 != nil {
			r = r2
		}
	}
	st, err := loyalty.LoyaltyStatementOf(ctx, s.DB, shopID, cust, time.Now())
	if err != nil {
		return err
	}
	body := map[string]any{"redemption": r, "status": r.Status, "balance": st.Balance, "spendable": st.Spendable}
	switch r.Status {
	case loyalty.RedemptionIssued:
		body["code"] = r.Code
		return c.JSON(http.StatusOK, body)
	case loyalty.RedemptionFailed:
		return c.JSON(http.StatusBadGateway, map[string]any{"error": errorBody{Code: models.EInternal,
			Message: "the discount could not be created; your points were returned"}, "redemption": r, "balance": st.Balance})
	}
	return c.JSON(http.StatusAccepted, body)
}

func shopDomain(c echo.Context) string { v, _ := c.Get(ctxShop).(string); return v }

// proxyBirthday records the logged-in customer's birthday, once, for the birthday bonus.
func (s *Server) proxyBirthday(c echo.Context) error {
	cust := ProxyCustomer(c)
	if cust == 0 {
		return &models.Error{Code: models.EUnauthorized, Message: "log in to set your birthday"}
	}
	var req struct {
		Birthday string `json:"birthday"`
	}
	if err := c.Bind(&req); err != nil {
		return models.Invalid("birthday", "a past date as YYYY-MM-DD")
	}
	if err := loyalty.SetBirthday(c.Request().Context(), s.DB, ShopID(c), cust, req.Birthday, time.Now()); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"birthday": req.Birthday})
}
