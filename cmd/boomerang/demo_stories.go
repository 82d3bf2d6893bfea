package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/models/loyalty"
	"github.com/boomerang-app/boomerang/shopify"
	"github.com/boomerang-app/boomerang/shopify/fakeshop"
)

// demoStories plays the three stories on the demo shop through the same doors Shopify uses:
// Marshall subscribes (contract webhook, lines from the fake Admin API), Naomi leaves a 1-star
// review through the app proxy, then a promotion featuring Marshall's product goes to everyone.
// The admin then shows Naomi's and Marshall's promotions held, each with its reason. Once
// Marshall's is decided he cancels: a win-back goes to him, and the scorecard counts the churn.
// Chrissy, who earned her points on the demo's orders, is reminded before they expire.
func demoStories(ctx context.Context, a *app, base string, fake *fakeshop.Server) error {
	const marshall, naomi, coffee = 9003, 9001, 7001
	contractGID := "gid://shopify/SubscriptionContract/5001"
	if fake != nil {
		fake.SetContract(fakeshop.Contract{ID: contractGID, Lines: []fakeshop.ContractLine{{
			ProductID: shopify.ProductGID(coffee), VariantID: "gid://shopify/ProductVariant/8001", Title: "Morning Blend Coffee", Quantity: 1}}})
	}
	contract := map[string]any{"id": 5001, "admin_graphql_api_id": contractGID, "customer_id": marshall,
		"admin_graphql_api_customer_id": shopify.CustomerGID(marshall), "status": "active", "currency_code": "USD",
		"billing_policy":  map[string]any{"interval": "month", "interval_count": 1},
		"delivery_policy": map[string]any{"interval": "month", "interval_count": 1}, "origin_order_id": 900300, "revision_id": 1}
	if err := postDemo(ctx, a, base, "subscription_contracts/create", "demo-contract-5001", contract); err != nil {
		return err
	}
	review := map[string]any{"product_id": 7001, "rating": 1, "title": "Arrived broken",
		"body": "The bag was torn and the coffee spilled everywhere. Very disappointed, first and last order."}
	if status, err := demoProxy(ctx, a, base, "/proxy/reviews", naomi, review); err != nil {
		return err
	} else if status != http.StatusCreated && status != http.StatusOK && status != http.StatusConflict {
		return fmt.Errorf("demo review: status %d", status)
	}
	// The promotion waits until Naomi's review was scored and her case opened, so the hold is there.
	if err := waitFor(ctx, 60*time.Second, func() bool {
		var c struct{ Holds []any }
		return demoAPI(ctx, a, base, http.MethodGet, "/api/customers/"+strconv.Itoa(naomi), nil, &c) == nil && len(c.Holds) > 0
	}); err != nil {
		return fmt.Errorf("naomi's hold: %w", err)
	}
	var list struct{ Campaigns []struct{ Name string } }
	if err := demoAPI(ctx, a, base, http.MethodGet, "/api/campaigns", nil, &list); err != nil {
		return err
	}
	if err := demoExpiryReminder(ctx, a, base); err != nil {
		return err
	}
	for _, c := range list.Campaigns {
		if c.Name == "Autumn coffee sale" {
			return demoCancellation(ctx, a, base, contract) // the rest played on an earlier start
		}
	}
	var created struct{ ID int64 }
	ids := make([]int64, 0, len(demoCustomers))
	for _, c := range demoCustomers {
		ids = append(ids, c.ID)
	}
	if err := demoAPI(ctx, a, base, http.MethodPost, "/api/campaigns", map[string]any{
		"name": "Autumn coffee sale", "channel": "email", "subject": "20% off Morning Blend this week",
		"body":                 "<p>Hi {{ customer.first_name }}, our Morning Blend is 20% off until Sunday.</p>",
		"featured_product_ids": []int64{coffee}, "audience": map[string]any{"customer_ids": ids},
	}, &created); err != nil {
		return err
	}
	if err := demoAPI(ctx, a, base, http.MethodPost, "/api/campaigns/"+strconv.FormatInt(created.ID, 10)+"/send", nil, nil); err != nil {
		return err
	}
	return demoCancellation(ctx, a, base, contract)
}

// demoExpiryReminder plays Chrissy's reminder: the nightly run as it will find her points eleven
// months on, 30 days before they expire (every demo shopper's, as the night itself would). The
// reminders are keyed by shopper and expiry date, so a restart sends none twice.
func demoExpiryReminder(ctx context.Context, a *app, base string) error {
	const chrissy = 9002
	if err := waitFor(ctx, 60*time.Second, func() bool {
		var c struct {
			Loyalty struct{ Balance int64 } `json:"loyalty"`
		}
		return demoAPI(ctx, a, base, http.MethodGet, "/api/customers/"+strconv.Itoa(chrissy), nil, &c) == nil && c.Loyalty.Balance > 0
	}); err != nil {
		return fmt.Errorf("chrissy's points: %w", err)
	}
	shopID, err := models.LookupShop(ctx, a.db, demoShop)
	if err != nil {
		return err
	}
	if _, err := loyalty.RemindExpiring(ctx, a.db, shopID, time.Now().AddDate(0, 11, 10)); err != nil {
		return fmt.Errorf("chrissy's expiry reminder: %w", err)
	}
	return a.queue.EnqueueDispatch(ctx, shopID)
}

// demoCancellation ends Marshall's subscription once the promotion was decided for him (held for
// the product he subscribes to), as Shopify reports a cancellation; a fixed webhook id makes a
// restart deliver it once.
func demoCancellation(ctx context.Context, a *app, base string, contract map[string]any) error {
	const marshall = 9003
	if err := waitFor(ctx, 60*time.Second, func() bool {
		var m struct {
			Messages []struct {
				CampaignID int64 `json:"campaign_id"`
			} `json:"messages"`
		}
		if demoAPI(ctx, a, base, http.MethodGet, "/api/customers/"+strconv.Itoa(marshall)+"/messages", nil, &m) != nil {
			return false
		}
		for _, d := range m.Messages {
			if d.CampaignID != 0 {
				return true
			}
		}
		return false
	}); err != nil {
		return fmt.Errorf("marshall's promotion: %w", err)
	}
	cancelled := maps.Clone(contract)
	cancelled["status"], cancelled["revision_id"] = "cancelled", 2
	cancelled["updated_at"] = time.Now().UTC().Format(time.RFC3339)
	return postDemo(ctx, a, base, "subscription_contracts/update", "demo-contract-5001-cancelled", cancelled)
}

// demoAPI calls the admin API with a session token, as the embedded page does.
func demoAPI(ctx context.Context, a *app, base, method, path string, in, out any) error {
	tok, err := shopify.SignSessionToken(demoShop, a.cfg.ShopifyAPIKey, a.cfg.ShopifyAPISecret, "1", time.Now(), time.Minute)
	if err != nil {
		return err
	}
	var body bytes.Buffer
	if in != nil {
		if err := json.NewEncoder(&body).Encode(in); err != nil {
			return err
		}
	}
	req, err := http.NewRequestWithContext(ctx, method, base+path, &body)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		return fmt.Errorf("%s %s: status %d", method, path, resp.StatusCode)
	}
	if out != nil {
		return json.NewDecoder(resp.Body).Decode(out)
	}
	return nil
}

// demoProxy posts to an app-proxy route signed the way Shopify forwards storefront requests.
func demoProxy(ctx context.Context, a *app, base, path string, customerID int64, in any) (int, error) {
	q := shopify.SignProxyQuery(url.Values{"shop": {demoShop}, "path_prefix": {"/apps/boomerang"},
		"timestamp": {strconv.FormatInt(time.Now().Unix(), 10)}, "logged_in_customer_id": {strconv.FormatInt(customerID, 10)}},
		a.cfg.ShopifyAPISecret)
	b, err := json.Marshal(in)
	if err != nil {
		return 0, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+path+"?"+q.Encode(), bytes.NewReader(b))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

func waitFor(ctx context.Context, timeout time.Duration, ok func() bool) error {
	deadline := time.Now().Add(timeout)
	for !ok() {
		if time.Now().After(deadline) {
			return fmt.Errorf("not reached within %v", timeout)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
	return nil
}
