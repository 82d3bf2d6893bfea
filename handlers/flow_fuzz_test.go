package handlers_test

import (
	"bytes"
	"net/http"
	"testing"

	"github.com/boomerang-app/boomerang/internal/apptest"
	"github.com/boomerang-app/boomerang/internal/testenv"
	"github.com/boomerang-app/boomerang/shopify"
)

// FuzzFlowAction posts arbitrary Flow action runs, signed or not: never a 5xx, and never anything
// but 401 without a valid signature.
func FuzzFlowAction(f *testing.F) {
	a := apptest.Start(f, apptest.Options{NoWorker: true})
	shop := testenv.Shop("fuzzflow")
	a.AddShop(f, shop)
	f.Add([]byte(`{"shopify_domain":"`+shop+`","action_run_id":"r1","properties":{"customer_id":1,"product_ids":"1, gid://shopify/Product/2","reason":"x"}}`), true)
	f.Add([]byte(`{"shopify_domain":"`+shop+`","action_run_id":"r2","properties":{"customer_id":"gid://shopify/Customer/x","product_ids":[1,"a"]}}`), true)
	f.Add([]byte(`{"shopify_domain":"evil.example.com","properties":{"customer_id":-1}}`), true)
	f.Add([]byte(`[]`), true)
	f.Add([]byte(`{"shopify_domain":"`+shop+`"}`), false)
	client := &http.Client{}
	f.Fuzz(func(t *testing.T, body []byte, sign bool) {
		req, err := http.NewRequest(http.MethodPost, a.Server.URL+"/flow/actions/subscription-cancelled", bytes.NewReader(body))
		if err != nil {
			return
		}
		if sign {
			req.Header.Set("X-Shopify-Hmac-Sha256", shopify.SignWebhook(body, testenv.APISecret))
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		switch {
		case !sign && resp.StatusCode != http.StatusUnauthorized:
			t.Fatalf("unsigned run answered %d", resp.StatusCode)
		case resp.StatusCode >= 500:
			t.Fatalf("status %d for a %d-byte body", resp.StatusCode, len(body))
		}
	})
}
