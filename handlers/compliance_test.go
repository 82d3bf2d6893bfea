package handlers_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/boomerang-app/boomerang/internal/apptest"
	"github.com/boomerang-app/boomerang/internal/testenv"
	"github.com/boomerang-app/boomerang/shopify"
)

// The mandatory compliance topics, as Shopify's review checks them: an invalid digest is a 401
// (never a 2xx), a valid one is acknowledged and the delivery is stored byte for byte.
func TestComplianceWebhookContract(t *testing.T) {
	a := apptest.Start(t, apptest.Options{NoWorker: true})
	shop := testenv.Shop("gdpr")
	a.AddShop(t, shop)
	bodies := map[string]map[string]any{
		"customers/data_request": {"shop_id": 954889, "shop_domain": shop, "orders_requested": []int64{299938, 280263, 220458},
			"customer": map[string]any{"id": 191167, "email": "john@example.com", "phone": "555-625-1199"}, "data_request": map[string]any{"id": 9999}},
		"customers/redact": {"shop_id": 954889, "shop_domain": shop,
			"customer": map[string]any{"id": 191167, "email": "john@example.com", "phone": "555-625-1199"}, "orders_to_redact": []int64{299938}},
		"shop/redact": {"shop_id": 954889, "shop_domain": shop},
	}
	for topic, v := range bodies {
		body, _ := json.Marshal(v)
		for name, mac := range map[string]string{
			"forged":        shopify.SignWebhook(body, "attacker"),
			"missing":       "",
			"not base64":    "%%%",
			"other payload": shopify.SignWebhook([]byte(`{}`), testenv.APISecret),
		} {
			h := headers(shop, topic, "bad-"+topic+name, body, testenv.APISecret)
			h["X-Shopify-Hmac-Sha256"] = mac
			if got := postTo(t, a.Server.URL+"/webhooks/compliance", body, h); got != http.StatusUnauthorized {
				t.Errorf("%s with %s HMAC: %d, want 401", topic, name, got)
			}
		}
		h := headers(shop, topic, "good-"+topic, body, testenv.APISecret)
		h["Content-Type"] = "application/json"
		if got := postTo(t, a.Server.URL+"/webhooks/compliance", body, h); got != http.StatusOK {
			t.Fatalf("%s signed: %d, want 200", topic, got)
		}
		var stored struct{ Body []byte }
		a.Inspect().Raw(`SELECT body FROM webhook_events WHERE webhook_id = ?`, "good-"+topic).Scan(&stored)
		if string(stored.Body) != string(body) {
			t.Fatalf("%s stored %q, want the raw body", topic, stored.Body)
		}
	}
	var n int64
	a.Inspect().Raw(`SELECT count(*) FROM webhook_events WHERE webhook_id LIKE 'bad-%'`).Scan(&n)
	if n != 0 {
		t.Fatalf("%d rejected deliveries were stored", n)
	}
}
