package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/boomerang-app/boomerang/internal/apptest"
	"github.com/boomerang-app/boomerang/internal/testenv"
	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/models/loyalty"
)

// Shopify REST-shaped webhook bodies for the loyalty tests.

func customerBody(id int64, email string) map[string]any {
	return map[string]any{"id": id, "email": email, "first_name": "Chrissy", "last_name": "Park", "state": "enabled",
		"updated_at": time.Now().UTC().Add(-time.Hour).Format(time.RFC3339)}
}

func orderBody(id, cust int64, subtotal, status string, extra map[string]any) map[string]any {
	now := time.Now().UTC().Format(time.RFC3339)
	o := map[string]any{"id": id, "name": fmt.Sprintf("#%d", id), "email": "chrissy@example.com", "currency": "USD",
		"subtotal_price": subtotal, "total_price": subtotal, "financial_status": status, "test": false,
		"processed_at": now, "created_at": now, "updated_at": now,
		"customer":   map[string]any{"id": cust, "email": "chrissy@example.com", "state": "enabled"},
		"line_items": []map[string]any{{"id": id*10 + 1, "product_id": 7001, "variant_id": 8001, "title": "Coffee", "quantity": 1, "price": subtotal}}}
	for k, v := range extra {
		o[k] = v
	}
	return o
}

func refundBody(id, order int64, subtotal string) map[string]any {
	return map[string]any{"id": id, "order_id": order, "created_at": time.Now().UTC().Format(time.RFC3339),
		"refund_line_items": []map[string]any{{"id": id*10 + 1, "line_item_id": order*10 + 1, "quantity": 1, "subtotal": subtotal}}}
}

type customerView struct {
	ID      int64  `json:"id"`
	Email   string `json:"email"`
	Stage   string `json:"stage"`
	Loyalty struct {
		Balance  int64  `json:"balance"`
		Pending  int64  `json:"pending"`
		Tier     string `json:"tier"`
		NextTier string `json:"next_tier"`
		Expiring []struct {
			Points    int64     `json:"points"`
			ExpiresAt time.Time `json:"expires_at"`
		} `json:"expiring"`
	} `json:"loyalty"`
	Holds []any `json:"holds"`
}

func getCustomerView(t *testing.T, a *apptest.App, shop string, id int64) customerView {
	t.Helper()
	var v customerView
	if st := a.API(t, shop, http.MethodGet, fmt.Sprintf("/api/customers/%d", id), nil, &v); st != http.StatusOK {
		t.Fatalf("GET customer %d: status %d", id, st)
	}
	return v
}

func TestLoyaltyWebhooksToCustomerRecord(t *testing.T) {
	a := apptest.Start(t, apptest.Options{})
	shop := testenv.Shop("loyal")
	a.Install(t, shop)
	const cust = 501

	a.Webhook(t, shop, "customers/create", "", customerBody(cust, "chrissy@example.com"))
	a.Webhook(t, shop, "orders/create", "", orderBody(9001, cust, "100.00", "pending", nil))
	a.Drain(t, 10*time.Second)
	v := getCustomerView(t, a, shop, cust)
	if v.Loyalty.Balance != 50 {
		t.Fatalf("after sign-up and an unpaid order: balance %d, want the 50-point sign-up bonus only", v.Loyalty.Balance)
	}

	paid := orderBody(9001, cust, "100.00", "paid", nil)
	a.Webhook(t, shop, "orders/paid", "", paid)
	a.Webhook(t, shop, "orders/paid", "", paid) // Shopify retried under a new delivery id
	a.Webhook(t, shop, "orders/updated", "", paid)
	a.Drain(t, 10*time.Second)
	v = getCustomerView(t, a, shop, cust)
	if v.Loyalty.Balance != 550 || v.Stage != models.StageNew || v.Loyalty.Tier != "Bronze" || v.Loyalty.NextTier != "Silver" {
		t.Fatalf("after the paid order: %+v", v)
	}
	if len(v.Loyalty.Expiring) != 1 || v.Loyalty.Expiring[0].Points != 550 {
		t.Fatalf("expiring = %+v, want all 550 points on one date", v.Loyalty.Expiring)
	}

	// A second order of 450 reaches Silver (500 spent) and makes a two-time buyer.
	a.Webhook(t, shop, "orders/paid", "", orderBody(9002, cust, "450.00", "paid", nil))
	a.Drain(t, 10*time.Second)
	v = getCustomerView(t, a, shop, cust)
	if v.Loyalty.Balance != 550+2250 || v.Loyalty.Tier != "Silver" || v.Stage != models.StageTwoTime {
		t.Fatalf("after the second order: balance %d tier %q stage %q", v.Loyalty.Balance, v.Loyalty.Tier, v.Stage)
	}

	// Half of the first order refunded: half its points come back off; then the second order
	// is cancelled: all of its points are reversed and the tier drops back.
	a.Webhook(t, shop, "refunds/create", "", refundBody(77, 9001, "50.00"))
	a.Drain(t, 10*time.Second)
	a.Webhook(t, shop, "orders/cancelled", "", orderBody(9002, cust, "450.00", "paid",
		map[string]any{"cancelled_at": time.Now().UTC().Format(time.RFC3339), "cancel_reason": "customer"}))
	a.Drain(t, 10*time.Second)
	v = getCustomerView(t, a, shop, cust)
	if v.Loyalty.Balance != 550-250 || v.Loyalty.Tier != "Bronze" || v.Stage != models.StageNew {
		t.Fatalf("after refund and cancellation: balance %d tier %q stage %q", v.Loyalty.Balance, v.Loyalty.Tier, v.Stage)
	}

	var ledger struct {
		Entries []loyalty.LedgerEntry `json:"entries"`
	}
	a.API(t, shop, http.MethodGet, fmt.Sprintf("/api/customers/%d/ledger", cust), nil, &ledger)
	kinds := []string{}
	for _, e := range ledger.Entries {
		kinds = append(kinds, e.Kind)
	}
	if got := strings.Join(kinds, ","); got != "reversal,clawback,earn,earn,bonus" {
		t.Fatalf("ledger kinds newest first = %s", got)
	}

	var bad map[string]map[string]string
	if st := a.API(t, shop, http.MethodPost, fmt.Sprintf("/api/customers/%d/adjustments", cust), map[string]any{"points": 20}, &bad); st != http.StatusUnprocessableEntity || bad["error"]["field"] != "reason" {
		t.Fatalf("adjustment without a reason: status %d body %v", st, bad)
	}
	var adj loyalty.LedgerEntry
	if st := a.API(t, shop, http.MethodPost, fmt.Sprintf("/api/customers/%d/adjustments", cust), map[string]any{"points": -400, "reason": "goodwill correction"}, &adj); st != http.StatusCreated {
		t.Fatalf("adjustment: status %d", st)
	}
	if adj.StaffUser != "42" || adj.BalanceAfter != -100 {
		t.Fatalf("adjustment entry = %+v, want staff 42 and a balance of -100", adj)
	}

	var list struct {
		Customers []loyalty.CustomerRow `json:"customers"`
	}
	a.API(t, shop, http.MethodGet, "/api/customers?stage=new&tier=Bronze&q=chrissy", nil, &list)
	if len(list.Customers) != 1 || list.Customers[0].ID != cust || list.Customers[0].Balance != -100 {
		t.Fatalf("customer list = %+v", list.Customers)
	}
	if _, err := loyalty.VerifyLedger(context.Background(), a.DB); err != nil {
		t.Fatal(err)
	}
}

func TestLoyaltySettingsAPI(t *testing.T) {
	a := apptest.Start(t, apptest.Options{NoWorker: true})
	shop := testenv.Shop("settings")
	a.Install(t, shop)
	var doc map[string]any
	if st := a.API(t, shop, http.MethodGet, "/api/loyalty/settings", nil, &doc); st != http.StatusOK {
		t.Fatalf("GET settings: %d", st)
	}
	if doc["earn_rate"] != 5.0 || doc["expiry_mode"] != "inactivity" || len(doc["tiers"].([]any)) != 3 {
		t.Fatalf("defaults = %v", doc)
	}
	tiers := doc["tiers"].([]any)
	tiers[1].(map[string]any)["threshold"] = 2000 // above Gold's 1500
	var errBody map[string]map[string]string
	if st := a.API(t, shop, http.MethodPut, "/api/loyalty/settings", doc, &errBody); st != http.StatusUnprocessableEntity {
		t.Fatalf("PUT with unordered tiers: status %d", st)
	}
	if errBody["error"]["field"] != "tiers[2].threshold" {
		t.Fatalf("error = %v, want field tiers[2].threshold", errBody)
	}
	tiers[1].(map[string]any)["threshold"] = 400
	doc["earn_rate"] = 2.5
	doc["bogus"] = true
	if st := a.API(t, shop, http.MethodPut, "/api/loyalty/settings", doc, &errBody); st != http.StatusUnprocessableEntity || errBody["error"]["field"] != "bogus" {
		t.Fatalf("PUT with an unknown field: status %d %v", st, errBody)
	}
	delete(doc, "bogus")
	if st := a.API(t, shop, http.MethodPut, "/api/loyalty/settings", doc, nil); st != http.StatusOK {
		t.Fatalf("PUT: status %d", st)
	}
	var again map[string]any
	a.API(t, shop, http.MethodGet, "/api/loyalty/settings", nil, &again)
	if again["earn_rate"] != 2.5 || again["tiers"].([]any)[1].(map[string]any)["threshold"] != 400.0 {
		t.Fatalf("saved settings = %v", again)
	}
}

type redeemAnswer struct {
	Status     string             `json:"status"`
	Code       string             `json:"code"`
	Balance    int64              `json:"balance"`
	Redemption loyalty.Redemption `json:"redemption"`
}

func TestLoyaltyRedeemThroughAppProxy(t *testing.T) {
	a := apptest.Start(t, apptest.Options{})
	shop := testenv.Shop("redeem")
	shopID := a.Install(t, shop)
	const cust = 601
	a.Webhook(t, shop, "orders/paid", "", orderBody(7001, cust, "300.00", "paid", nil)) // 1500 points
	a.Drain(t, 10*time.Second)

	var page map[string]any
	if st := a.Proxy(t, shop, http.MethodGet, "/proxy/loyalty", cust, nil, nil, &page); st != http.StatusOK {
		t.Fatalf("proxy statement: %d", st)
	}
	if page["balance"] != 1500.0 || page["tier"] != "Bronze" || page["referral"] == nil {
		t.Fatalf("statement = %v", page)
	}
	var anon map[string]any
	a.Proxy(t, shop, http.MethodGet, "/proxy/loyalty", 0, nil, nil, &anon)
	if anon["logged_in"] != false || anon["balance"] != nil {
		t.Fatalf("anonymous statement = %v", anon)
	}
	if st := a.Proxy(t, shop, http.MethodPost, "/proxy/loyalty/redeem", 0, nil, map[string]any{"reward": "5 off"}, nil); st != http.StatusUnauthorized {
		t.Fatalf("anonymous redeem: %d", st)
	}
	// Issued at once; a retried request (same key) returns the same code.
	var ok redeemAnswer
	body := map[string]any{"reward": "5 off", "request_key": "k1"}
	if st := a.Proxy(t, shop, http.MethodPost, "/proxy/loyalty/redeem", cust, nil, body, &ok); st != http.StatusOK || ok.Status != "issued" {
		t.Fatalf("redeem: status %d %+v", st, ok)
	}
	var again redeemAnswer
	a.Proxy(t, shop, http.MethodPost, "/proxy/loyalty/redeem", cust, nil, body, &again)
	if again.Code != ok.Code || again.Balance != 1000 || len(a.Fake.DiscountCodes(shop)) != 1 {
		t.Fatalf("retried redeem: %+v (first %s), codes in Shopify %v", again, ok.Code, a.Fake.DiscountCodes(shop))
	}
	call := a.Fake.CallsTo("discountCodeBasicCreate")[0]
	in := call.Vars["basicCodeDiscount"].(map[string]any)
	custs := in["context"].(map[string]any)["customers"].(map[string]any)["add"].([]any)
	if in["code"] != ok.Code || custs[0] != "gid://shopify/Customer/601" || in["usageLimit"] != 1.0 {
		t.Fatalf("mutation input = %v", in)
	}

	// Throttled twice: go-shopify waits out the cost bucket and the code is still issued.
	a.Fake.Throttle(2)
	var thr redeemAnswer
	if st := a.Proxy(t, shop, http.MethodPost, "/proxy/loyalty/redeem", cust, nil, map[string]any{"reward": "1 off"}, &thr); st != http.StatusOK {
		t.Fatalf("redeem through throttling: status %d %+v", st, thr)
	}

	// Throttled past the client's retries: pending, points held; the sweep issues it later.
	a.Fake.Throttle(5)
	var pend redeemAnswer
	if st := a.Proxy(t, shop, http.MethodPost, "/proxy/loyalty/redeem", cust, nil, map[string]any{"reward": "1 off"}, &pend); st != http.StatusAccepted || pend.Status != "pending" {
		t.Fatalf("redeem while throttled: status %d %+v", st, pend)
	}
	if pend.Balance != 1500-500-100-100 {
		t.Fatalf("pending redemption should hold its points: balance %d", pend.Balance)
	}
	r, err := loyalty.IssueRedemption(context.Background(), a.DB, a.Admin, shop, shopID, pend.Redemption.ID, time.Now())
	if err != nil || r.Status != loyalty.RedemptionIssued {
		t.Fatalf("retry of the pending redemption: %v %+v", err, r)
	}

	// Shopify refuses: the points come back and nothing is created.
	a.Fake.Handle("discountCodeBasicCreate", func(string, map[string]any) (any, error) {
		return map[string]any{"discountCodeBasicCreate": map[string]any{"codeDiscountNode": nil,
			"userErrors": []any{map[string]any{"field": []string{"basicCodeDiscount", "endsAt"}, "code": "INVALID", "message": "Ends at is invalid"}}}}, nil
	})
	var refused map[string]any
	if st := a.Proxy(t, shop, http.MethodPost, "/proxy/loyalty/redeem", cust, nil, map[string]any{"reward": "1 off"}, &refused); st != http.StatusBadGateway {
		t.Fatalf("refused redeem: status %d %v", st, refused)
	}
	if refused["balance"] != 800.0 {
		t.Fatalf("after a refused redeem the balance is %v, want 800", refused["balance"])
	}
	// Not enough points is a conflict.
	var conflict map[string]map[string]string
	if st := a.Proxy(t, shop, http.MethodPost, "/proxy/loyalty/redeem", cust, nil, map[string]any{"reward": "10 off"}, &conflict); st != http.StatusConflict {
		t.Fatalf("redeem beyond the balance: status %d %v", st, conflict)
	}
	if _, err := loyalty.VerifyLedger(context.Background(), a.DB); err != nil {
		t.Fatal(err)
	}
}
