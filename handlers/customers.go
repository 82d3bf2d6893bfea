package handlers

import (
	"context"
	"net/http"
	"sort"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/models/loyalty"
)

// The customer record (docs/api.md "Customers"). GET /api/customers/{id} is the 360° view:
// the profile and stats, the loyalty statement and the holds, plus whatever sections other
// parts add with addCustomerSection (reviews, subscriptions, segments, messages…).

// customerSection returns one part's data for the record, under the key it was registered with.
type customerSection func(ctx context.Context, s *Server, shopID, customerID int64) (any, error)

var customerSections = map[string]customerSection{}

// addCustomerSection is called from init functions in other parts' handler files. A section
// may replace a default (segments and subscriptions start as empty lists).
func addCustomerSection(key string, fn customerSection) { customerSections[key] = fn }

type customerHold struct {
	Kind     string     `json:"kind"`
	Reason   string     `json:"reason"`
	Until    *time.Time `json:"until"`
	Source   string     `json:"source"`
	SourceID string     `json:"source_id"`
	Since    time.Time  `json:"since"`
}

func (s *Server) getCustomer(c echo.Context) error {
	id, err := customerParam(c)
	if err != nil {
		return err
	}
	ctx, shopID, now := c.Request().Context(), ShopID(c), time.Now()
	cust, err := models.GetCustomer(ctx, s.DB, shopID, id)
	if err != nil {
		return err
	}
	st, err := loyalty.LoyaltyStatementOf(ctx, s.DB, shopID, id, now)
	if err != nil {
		return err
	}
	hs, err := models.ActiveHolds(ctx, s.DB, shopID, id, now)
	if err != nil {
		return err
	}
	holds := make([]customerHold, len(hs))
	for i, h := range hs {
		holds[i] = customerHold{Kind: h.Kind, Reason: h.Reason, Until: h.Until, Source: h.SourceType, SourceID: h.SourceID, Since: h.CreatedAt}
	}
	reds, err := loyalty.RedemptionsOf(ctx, s.DB, shopID, id, 20)
	if err != nil {
		return err
	}
	refs, err := loyalty.ReferralsOf(ctx, s.DB, shopID, id)
	if err != nil {
		return err
	}
	if reds == nil {
		reds = []loyalty.Redemption{}
	}
	if refs == nil {
		refs = []loyalty.Referral{}
	}
	out := map[string]any{
		"id": cust.CustomerID, "email": cust.Email, "first_name": cust.FirstName, "last_name": cust.LastName,
		"phone": cust.Phone, "stage": cust.Stage, "orders_count": cust.OrdersCount, "total_spent": cust.TotalSpent,
		"first_order_at": cust.FirstOrderAt, "last_order_at": cust.LastOrderAt, "email_consent": cust.EmailConsent,
		"sms_consent": cust.SMSConsent, "timezone": cust.Timezone, "redacted": cust.RedactedAt != nil,
		"loyalty": st, "holds": holds, "redemptions": reds, "referrals": refs,
		"segments": []string{}, "subscriptions": []any{},
	}
	keys := make([]string, 0, len(customerSections))
	for k := range customerSections {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v, err := customerSections[k](ctx, s, shopID, id)
		if err != nil {
			return err
		}
		out[k] = v
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) listCustomers(c echo.Context) error {
	limit, err := limitParam(c)
	if err != nil {
		return err
	}
	before, err := cursorParam(c)
	if err != nil {
		return err
	}
	f := loyalty.CustomerFilter{Query: c.QueryParam("q"), Stage: c.QueryParam("stage"), Tier: c.QueryParam("tier"),
		HoldOnly: c.QueryParam("hold") == "true", Segment: c.QueryParam("segment"), Before: before, Limit: limit}
	rows, next, err := loyalty.ListCustomers(c.Request().Context(), s.DB, ShopID(c), f, time.Now())
	if err != nil {
		return err
	}
	if rows == nil {
		rows = []loyalty.CustomerRow{}
	}
	out := map[string]any{"customers": rows}
	if next != 0 {
		out["next_cursor"] = strconv.FormatInt(next, 10)
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) customerLedger(c echo.Context) error {
	id, err := customerParam(c)
	if err != nil {
		return err
	}
	limit, err := limitParam(c)
	if err != nil {
		return err
	}
	before, err := cursorParam(c)
	if err != nil {
		return err
	}
	entries, next, err := loyalty.LedgerPage(c.Request().Context(), s.DB, ShopID(c), id, before, limit)
	if err != nil {
		return err
	}
	if entries == nil {
		entries = []loyalty.LedgerEntry{}
	}
	out := map[string]any{"entries": entries}
	if next != 0 {
		out["next_cursor"] = strconv.FormatInt(next, 10)
	}
	return c.JSON(http.StatusOK, out)
}

type adjustmentRequest struct {
	Points int64  `json:"points"`
	Reason string `json:"reason"`
}

// adjustPoints records a manual adjustment by the staff user of the session token. An
// Idempotency-Key header makes a retried request post once.
func (s *Server) adjustPoints(c echo.Context) error {
	id, err := customerParam(c)
	if err != nil {
		return err
	}
	var req adjustmentRequest
	if err := c.Bind(&req); err != nil {
		return models.Invalid("", "body must be {\"points\": n, \"reason\": \"...\"}")
	}
	e, err := loyalty.AdjustPoints(c.Request().Context(), s.DB, ShopID(c), id, req.Points, req.Reason, StaffUser(c),
		c.Request().Header.Get("Idempotency-Key"), time.Now())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, e)
}

func customerParam(c echo.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, models.Invalid("id", "not a customer id")
	}
	return id, nil
}

// limitParam reads ?limit= (default 50, at most 200).
func limitParam(c echo.Context) (int, error) {
	v := c.QueryParam("limit")
	if v == "" {
		return 50, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 200 {
		return 0, models.Invalid("limit", "must be between 1 and 200")
	}
	return n, nil
}

func cursorParam(c echo.Context) (int64, error) {
	v := c.QueryParam("cursor")
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		return 0, models.Invalid("cursor", "not a cursor from a previous page")
	}
	return n, nil
}
