package main

import (
	"encoding/json"
	"testing"

	"github.com/boomerang-app/boomerang/shopify"
)

func TestOrderBody(t *testing.T) {
	b := orderBody(1_000_000_042, 2048)
	if len(b) < 2000 || len(b) > 2100 {
		t.Fatalf("body is %d bytes, want about 2048", len(b))
	}
	var o shopify.Order
	if err := json.Unmarshal(b, &o); err != nil {
		t.Fatalf("body is not an order: %v", err)
	}
	if o.ID != 1_000_000_042 || o.Customer == nil || o.Customer.ID == 0 || len(o.LineItems) != 1 || o.FinancialStatus != "paid" {
		t.Fatalf("order = %+v", o)
	}
	if !shopify.VerifyWebhook(b, sign(b, "s3cret"), []string{"s3cret"}) {
		t.Fatal("signature does not verify")
	}
}

func TestTargetsLoopbackOnly(t *testing.T) {
	o := options{Secret: "s", Duration: 1, Concurrency: 1, Shops: 1, BodySize: 2048}
	for u, ok := range map[string]bool{"http://127.0.0.1:8080/webhooks": true, "http://localhost/webhooks": true,
		"http://[::1]:80/webhooks": true, "http://10.0.0.1/webhooks": false, "https://example.com/webhooks": false} {
		o.URL = u
		if err := o.check(); (err == nil) != ok {
			t.Errorf("%s: err %v", u, err)
		}
	}
}
