package handlers_test

import (
	"bytes"
	"net/http"
	"testing"

	"github.com/boomerang-app/boomerang/internal/apptest"
	"github.com/boomerang-app/boomerang/internal/testenv"
	"github.com/boomerang-app/boomerang/shopify"
)

// FuzzWebhook posts arbitrary bodies and headers, signed or not, to the real webhook endpoint
// (Postgres and Redis up). The endpoint may only answer 200, 400, 401 or 413 — 503 is for a
// storage outage, which this test does not cause — and never panics (Recover would make it a
// 500). Unsigned requests are always 401; an acknowledged one is stored.
// Longer runs: go test ./handlers/ -run '^$' -fuzz FuzzWebhook -fuzztime 60s
func FuzzWebhook(f *testing.F) {
	a := apptest.Start(f, apptest.Options{NoWorker: true})
	shop := testenv.Shop("fuzz")
	a.AddShop(f, shop)
	f.Add([]byte(`{"id":1}`), "orders/paid", shop, "fz-1", true, false, "")
	f.Add([]byte(`{"id":1}`), "orders/paid", shop, "fz-1", true, true, "")
	f.Add([]byte{}, "", "", "", true, false, "")
	f.Add([]byte(`not json at all`), "app/uninstalled", "UPPER.myshopify.com", "fz-2", true, false, "")
	f.Add([]byte(`{"id":1}`), "orders/paid", shop, "fz-3", false, false, "AAAA")
	f.Add([]byte(`{"id":1}`), "orders/paid", "evil.example.com", "fz-4", true, false, "")
	f.Add([]byte("\x00\xff\xfe"), "topic\xff", shop, "id\xc3\x28", true, false, "")
	f.Add(bytes.Repeat([]byte("{"), 5000), "customers/redact", shop, "fz-5", true, true, "")
	client := &http.Client{}
	f.Fuzz(func(t *testing.T, body []byte, topic, shopHeader, id string, sign, events bool, mac string) {
		if sign {
			mac = shopify.SignWebhook(body, testenv.APISecret)
		}
		prefix := "X-Shopify-"
		if events {
			prefix = "Shopify-"
		}
		req, err := http.NewRequest(http.MethodPost, a.Server.URL+"/webhooks", bytes.NewReader(body))
		if err != nil {
			return
		}
		req.Header.Set(prefix+"Topic", topic)
		req.Header.Set(prefix+"Shop-Domain", shopHeader)
		req.Header.Set(prefix+"Webhook-Id", id)
		req.Header.Set(prefix+"Hmac-Sha256", mac)
		resp, err := client.Do(req)
		if err != nil {
			return // a header value net/http refuses to send never reaches the server
		}
		resp.Body.Close()
		switch resp.StatusCode {
		case http.StatusOK, http.StatusBadRequest, http.StatusUnauthorized, http.StatusRequestEntityTooLarge:
		default:
			t.Fatalf("status %d for topic %q shop %q id %q (%d-byte body, signed %v)", resp.StatusCode, topic, shopHeader, id, len(body), sign)
		}
		if !sign && !shopify.VerifyWebhook(body, mac, []string{testenv.APISecret, testenv.PreviousSecret}) && resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("unsigned request answered %d", resp.StatusCode)
		}
		if resp.StatusCode == http.StatusOK {
			// Acknowledged means stored for the installed shop, and nothing at all for any other
			// (a delivery never creates a shop).
			norm, _ := shopify.NormalizeShop(shopHeader)
			var n, shops int64
			a.DB.Raw(`SELECT count(*) FROM webhook_events e JOIN shops s ON s.id = e.shop_id WHERE s.domain = ? AND e.webhook_id = ?`, norm, id).Scan(&n)
			a.DB.Raw(`SELECT count(*) FROM shops WHERE domain = ?`, norm).Scan(&shops)
			if norm == shop && n != 1 {
				t.Fatalf("acknowledged but not stored: shop %q id %q", norm, id)
			}
			if norm != shop && (n != 0 || shops != 0) {
				t.Fatalf("a delivery for unknown shop %q stored %d rows and %d shops", norm, n, shops)
			}
		}
	})
}
