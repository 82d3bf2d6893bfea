package handlers

import (
	"context"
	"fmt"
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
	f := customerFilter(c)
	f.Before, f.Limit = before, limit
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

// customerFilter is the list's filters and order from the query string (the list and its export).
func customerFilter(c echo.Context) loyalty.CustomerFilter {
	return loyalty.CustomerFilter{Query: c.QueryParam("q"), Stage: c.QueryParam("stage"), Tier: c.QueryParam("tier"),
		HoldOnly: c.QueryParam("hold") == "true", Segment: c.QueryParam("segment"), Sort: c.QueryParam("sort")}
}

// exportCustomers streams the filtered list as CSV, in the list's order, a page at a time.
func (s *Server) exportCustomers(c echo.Context) error {
	f := customerFilter(c)
	f.Limit = 200
	ctx, shopID, now := c.Request().Context(), ShopID(c), time.Now()
	header := []string{"customer_id", "first_name", "last_name", "email", "stage", "tier", "points", "orders", "total_spent", "last_order_at", "holds"}
	return streamCSV(c, "customers.csv", header, func() ([][]string, bool, error) {
		rows, next, err := loyalty.ListCustomers(ctx, s.DB, shopID, f, now)
		if err != nil {
			return nil, false, err
		}
		out := make([][]string, len(rows))
		for i, r := range rows {
			last := ""
			if r.LastOrder != nil {
				last = r.LastOrder.UTC().Format(time.RFC3339)
			}
			out[i] = []string{strconv.FormatInt(r.ID, 10), r.FirstName, r.LastName, r.Email, r.Stage, r.Tier,
				strconv.FormatInt(r.Balance, 10), strconv.Itoa(r.Orders), r.Spent.StringFixed(2), last, strconv.Itoa(r.Holds)}
		}
		f.Before = next
		return out, next != 0, nil
	})
}

// exportLedger streams a customer's whole points ledger as CSV, newest first.
func (s *Server) exportLedger(c echo.Context) error {
	id, err := customerParam(c)
	if err != nil {
		return err
	}
	ctx, shopID, before := c.Request().Context(), ShopID(c), int64(0)
	header := []string{"entry_id", "occurred_at", "kind", "points", "balance_after", "reason", "order_id", "source_type", "source_id", "staff_user"}
	return streamCSV(c, fmt.Sprintf("ledger-%d.csv", id), header, func() ([][]string, bool, error) {
		entries, next, err := loyalty.LedgerPage(ctx, s.DB, shopID, id, before, 200)
		if err != nil {
			return nil, false, err
		}
		out := make([][]string, len(entries))
		for i, e := range entries {
			order := ""
			if e.OrderID != nil {
				order = strconv.FormatInt(*e.OrderID, 10)
			}
			out[i] = []string{strconv.FormatInt(e.ID, 10), e.OccurredAt.UTC().Format(time.RFC3339), e.Kind, strconv.FormatInt(e.Points, 10),
				strconv.FormatInt(e.BalanceAfter, 10), e.Reason, order, e.SourceType, e.SourceID, e.StaffUser}
		}
		before = next
		return out, next != 0, nil
	})
}
