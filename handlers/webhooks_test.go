package handlers_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/boomerang-app/boomerang/internal/apptest"
	"github.com/boomerang-app/boomerang/internal/testenv"
	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/shopify"
)

func post(t *testing.T, url string, body []byte, h map[string]string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url+"/webhooks", bytes.NewReader(body))
	for k, v := range h {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func headers(shop, topic, id string, body []byte, secret string) map[string]string {
	return map[string]string{
		"X-Shopify-Topic": topic, "X-Shopify-Shop-Domain": shop, "X-Shopify-Webhook-Id": id,
		"X-Shopify-Hmac-Sha256": shopify.SignWebhook(body, secret), "X-Shopify-Api-Version": "2026-10",
	}
}

func TestWebhookStatuses(t *testing.T) {
	a := apptest.Start(t, apptest.Options{NoWorker: true})
	shop := testenv.Shop("status")
	a.AddShop(t, shop)
	body := []byte(`{"id":1,"email":"a@example.com","updated_at":"2026-01-01T00:00:00Z"}`)

	if got := post(t, a.Server.URL, body, headers(shop, "customers/create", "w1", body, testenv.APISecret)); got != 200 {
		t.Fatalf("signed: got %d, want 200", got)
	}
	if got := post(t, a.Server.URL, body, headers(shop, "customers/create", "w2", body, testenv.PreviousSecret)); got != 200 {
		t.Fatalf("previous secret: got %d, want 200", got)
	}
	if got := post(t, a.Server.URL, body, headers(shop, "customers/create", "w3", body, "wrong")); got != 401 {
		t.Fatalf("forged: got %d, want 401", got)
	}
	h := headers(shop, "customers/create", "w4", body, testenv.APISecret)
	delete(h, "X-Shopify-Hmac-Sha256")
	if got := post(t, a.Server.URL, body, h); got != 401 {
		t.Fatalf("missing hmac: got %d, want 401", got)
	}
	if got := post(t, a.Server.URL, body, headers("evil.example.com", "customers/create", "w5", body, testenv.APISecret)); got != 400 {
		t.Fatalf("bad shop: got %d, want 400", got)
	}
	big := []byte(`{"x":"` + strings.Repeat("a", 1<<20) + `"}`)
	if got := post(t, a.Server.URL, big, headers(shop, "customers/create", "w6", big, testenv.APISecret)); got != 413 {
		t.Fatalf("too large: got %d, want 413", got)
	}
	// The un-prefixed header set of Shopify's Events deliveries is accepted too.
	h = map[string]string{"shopify-topic": "customers/update", "shopify-shop-domain": shop, "shopify-webhook-id": "w7",
		"shopify-hmac-sha256": shopify.SignWebhook(body, testenv.APISecret)}
	if got := post(t, a.Server.URL, body, h); got != 200 {
		t.Fatalf("shopify-* headers: got %d, want 200", got)
	}
	// A duplicate delivery is acknowledged and stored once.
	if got := post(t, a.Server.URL, body, headers(shop, "customers/create", "w1", body, testenv.APISecret)); got != 200 {
		t.Fatalf("duplicate: got %d, want 200", got)
	}
	var n int64
	a.Inspect().Raw(`SELECT count(*) FROM webhook_events`).Scan(&n)
	if n != 3 {
		t.Fatalf("stored events = %d, want 3 (w1, w2, w7)", n)
	}
}

func TestWebhookPostgresDown(t *testing.T) {
	a := apptest.Start(t, apptest.Options{NoWorker: true})
	sqlDB, _ := a.DB.DB()
	sqlDB.Close() // the pool is gone: storing must fail and Shopify must be told to retry
	body := []byte(`{"id":1}`)
	shop := testenv.Shop("pgdown")
	if got := post(t, a.Server.URL, body, headers(shop, "customers/create", "x1", body, testenv.APISecret)); got != 503 {
		t.Fatalf("postgres down: got %d, want 503", got)
	}
}

func TestWebhookProcessedOnce(t *testing.T) {
	a := apptest.Start(t, apptest.Options{})
	shop := testenv.Shop("once")
	a.AddShop(t, shop)
	cust := map[string]any{"id": 77, "email": "c@example.com", "first_name": "C", "updated_at": "2026-03-01T00:00:00Z",
		"email_marketing_consent": map[string]any{"state": "subscribed"}}
	a.Webhook(t, shop, "customers/create", "dup-1", cust)
	a.Webhook(t, shop, "customers/create", "dup-1", cust)
	a.Drain(t, 10*time.Second)
	id, _, _ := models.InstallShop(t.Context(), a.DB, shop)
	c, err := models.GetCustomer(t.Context(), a.DB, id, 77)
	if err != nil {
		t.Fatal(err)
	}
	if c.Email != "c@example.com" || c.EmailConsent != "subscribed" {
		t.Fatalf("customer = %+v", c)
	}
	// An older update arriving late does not overwrite the newer state.
	old := map[string]any{"id": 77, "email": "old@example.com", "updated_at": "2026-02-01T00:00:00Z"}
	a.Webhook(t, shop, "customers/update", "", old)
	a.Drain(t, 10*time.Second)
	c, _ = models.GetCustomer(t.Context(), a.DB, id, 77)
	if c.Email != "c@example.com" {
		t.Fatalf("stale update applied: email = %q", c.Email)
	}
}
