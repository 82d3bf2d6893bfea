package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/boomerang-app/boomerang/shopify"
)

// demoCustomer is one shopper of the demo shop.
type demoCustomer struct {
	ID                int64
	First, Last, Mail string
	Orders            int
	Amount            string
}

// The three stories' shoppers plus a spread of buyer stages.
var demoCustomers = []demoCustomer{
	{9001, "Naomi", "Reyes", "naomi@example.com", 1, "42.00"},
	{9002, "Chrissy", "Park", "chrissy@example.com", 4, "100.00"},
	{9003, "Marshall", "Okafor", "marshall@example.com", 2, "30.00"},
	{9004, "Ada", "Lovelace", "ada@example.com", 6, "75.00"},
	{9005, "Tom", "Baker", "tom@example.com", 3, "55.50"},
	{9006, "Lena", "Fischer", "lena@example.com", 1, "19.99"},
	{9007, "Marco", "Rossi", "marco@example.com", 2, "64.00"},
	{9008, "Sofia", "García", "sofia@example.com", 1, "120.00"},
}

// loadDemo feeds the demo shop through the real ingest path: signed webhooks posted to the
// running server. Fixed webhook ids make a restart of `make dev` a no-op.
func loadDemo(ctx context.Context, a *app, base string) error {
	now := time.Now().UTC()
	for _, c := range demoCustomers {
		cust := map[string]any{"id": c.ID, "email": c.Mail, "first_name": c.First, "last_name": c.Last,
			"phone": fmt.Sprintf("+1555000%04d", c.ID%10000), "state": "enabled", "tags": "",
			"updated_at":              now.Add(-48 * time.Hour).Format(time.RFC3339),
			"email_marketing_consent": map[string]any{"state": "subscribed", "opt_in_level": "single_opt_in"},
			"sms_marketing_consent":   map[string]any{"state": "subscribed", "opt_in_level": "single_opt_in"},
			"default_address":         map[string]any{"country_code": "US", "province_code": "NY"}}
		if err := postDemo(ctx, a, base, "customers/create", fmt.Sprintf("demo-cust-%d", c.ID), cust); err != nil {
			return err
		}
		for i := 0; i < c.Orders; i++ {
			at := now.AddDate(0, 0, -30*(c.Orders-i))
			oid := c.ID*100 + int64(i)
			order := map[string]any{"id": oid, "name": fmt.Sprintf("#%d", oid), "email": c.Mail, "currency": "USD",
				"subtotal_price": c.Amount, "total_price": c.Amount, "financial_status": "paid", "test": false,
				"processed_at": at.Format(time.RFC3339), "created_at": at.Format(time.RFC3339), "updated_at": at.Format(time.RFC3339),
				"customer": cust,
				"line_items": []map[string]any{{"id": oid*10 + 1, "product_id": 7001 + int64(i%3), "variant_id": 8001 + int64(i%3),
					"title": []string{"Morning Blend Coffee", "Ceramic Mug", "Cold Brew Kit"}[i%3], "quantity": 1, "price": c.Amount}}}
			if err := postDemo(ctx, a, base, "orders/paid", fmt.Sprintf("demo-order-%d", oid), order); err != nil {
				return err
			}
		}
	}
	return nil
}

func postDemo(ctx context.Context, a *app, base, topic, webhookID string, body any) error {
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/webhooks", bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Shopify-Topic", topic)
	req.Header.Set("X-Shopify-Shop-Domain", demoShop)
	req.Header.Set("X-Shopify-Webhook-Id", webhookID)
	req.Header.Set("X-Shopify-Api-Version", a.cfg.ShopifyAPIVersion)
	req.Header.Set("X-Shopify-Triggered-At", time.Now().UTC().Format(time.RFC3339Nano))
	req.Header.Set("X-Shopify-Hmac-Sha256", shopify.SignWebhook(b, a.cfg.ShopifyAPISecret))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("demo webhook %s: status %d", topic, resp.StatusCode)
	}
	return nil
}

func httpGetOK(ctx context.Context, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	return nil
}
