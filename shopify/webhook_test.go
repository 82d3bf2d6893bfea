package shopify_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/boomerang-app/boomerang/shopify"
)

// Computed independently with `openssl dgst -sha256 -hmac hush -binary | base64`.
const (
	webhookVectorBody = `{"id":820982911946154508,"email":"jon@example.com"}`
	webhookVectorMAC  = "D0UMXmhjwBRi4y66TmhJrDlhQABD7zI2fm3p6/QLMo8="
)

func TestVerifyWebhook(t *testing.T) {
	body := []byte(webhookVectorBody)
	if got := shopify.SignWebhook(body, vectorSecret); got != webhookVectorMAC {
		t.Fatalf("SignWebhook = %s, want %s", got, webhookVectorMAC)
	}
	cases := []struct {
		name    string
		body    []byte
		mac     string
		secrets []string
		want    bool
	}{
		{"vector", body, webhookVectorMAC, []string{vectorSecret}, true},
		{"previous secret", body, webhookVectorMAC, []string{"new", vectorSecret}, true},
		{"wrong secret", body, webhookVectorMAC, []string{"new"}, false},
		{"empty secret skipped", body, shopify.SignWebhook(body, ""), []string{""}, false},
		{"body changed by one byte", []byte(webhookVectorBody + " "), webhookVectorMAC, []string{vectorSecret}, false},
		{"hex instead of base64", body, "0f450c5e6863c01462e32eba4e6849ac3961400043ef32367e6de9ebf40b328f", []string{vectorSecret}, false},
		{"truncated", body, webhookVectorMAC[:20], []string{vectorSecret}, false},
		{"not base64", body, "!!!", []string{vectorSecret}, false},
		{"empty mac", body, "", []string{vectorSecret}, false},
		{"empty body signed", nil, shopify.SignWebhook(nil, vectorSecret), []string{vectorSecret}, true},
	}
	for _, c := range cases {
		if got := shopify.VerifyWebhook(c.body, c.mac, c.secrets); got != c.want {
			t.Errorf("%s: VerifyWebhook = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestReadWebhookHeaders(t *testing.T) {
	h := http.Header{}
	h.Set("X-Shopify-Hmac-Sha256", "mac")
	h.Set("X-Shopify-Topic", "orders/paid")
	h.Set("x-shopify-shop-domain", "a.myshopify.com") // header names are case-insensitive
	h.Set("X-Shopify-API-Version", "2026-10")
	h.Set("X-Shopify-Webhook-Id", "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043")
	h.Set("X-Shopify-Event-Id", "98880550-7158-44d4-b7cd-2c97c8a091b5")
	h.Set("X-Shopify-Triggered-At", "2023-03-29T18:00:27.877041743Z")
	// A header of the other set must not leak in.
	h.Set("Shopify-Topic", "customers/redact")
	w := shopify.ReadWebhookHeaders(h)
	if w.HMAC != "mac" || w.Topic != "orders/paid" || w.ShopDomain != "a.myshopify.com" || w.APIVersion != "2026-10" ||
		w.WebhookID != "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043" || w.EventID != "98880550-7158-44d4-b7cd-2c97c8a091b5" {
		t.Fatalf("classic headers = %+v", w)
	}
	want := time.Date(2023, 3, 29, 18, 0, 27, 877041743, time.UTC)
	if w.TriggeredAt == nil || !w.TriggeredAt.Equal(want) {
		t.Fatalf("triggered at = %v, want %v", w.TriggeredAt, want)
	}

	e := http.Header{}
	e.Set("shopify-hmac-sha256", "mac2")
	e.Set("shopify-topic", "orders/create")
	e.Set("shopify-shop-domain", "b.myshopify.com")
	e.Set("shopify-webhook-id", "w2")
	e.Set("X-Shopify-Topic", "app/uninstalled") // metadata without its own HMAC is ignored
	e.Set("shopify-triggered-at", "not a time")
	w = shopify.ReadWebhookHeaders(e)
	if w.HMAC != "mac2" || w.Topic != "orders/create" || w.ShopDomain != "b.myshopify.com" || w.WebhookID != "w2" {
		t.Fatalf("events headers = %+v", w)
	}
	if w.TriggeredAt != nil {
		t.Fatalf("unparseable triggered-at gave %v", w.TriggeredAt)
	}
}

func TestNormalizeShop(t *testing.T) {
	good := map[string]string{
		"a.myshopify.com": "a.myshopify.com", "My-Shop.MyShopify.com": "my-shop.myshopify.com",
		" shop1.myshopify.com\n": "shop1.myshopify.com", "0abc.myshopify.com": "0abc.myshopify.com",
	}
	for in, want := range good {
		if got, ok := shopify.NormalizeShop(in); !ok || got != want {
			t.Errorf("NormalizeShop(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, bad := range []string{"", "myshopify.com", ".myshopify.com", "-a.myshopify.com", "a_b.myshopify.com",
		"a.myshopify.com.evil.com", "evil.com/a.myshopify.com", "https://a.myshopify.com", "a.myshopify.com:443",
		"a.myshopify.com/", "a b.myshopify.com", "a.b.myshopify.com", "admin.shopify.com", "a.myshopify.io",
		"a\x00.myshopify.com", "a.myshopify.com\x00"} {
		if got, ok := shopify.NormalizeShop(bad); ok {
			t.Errorf("NormalizeShop(%q) accepted as %q", bad, got)
		}
	}
	long := make([]byte, 250)
	for i := range long {
		long[i] = 'a'
	}
	if _, ok := shopify.NormalizeShop(string(long) + ".myshopify.com"); ok {
		t.Error("a 265-character shop was accepted")
	}
}

func TestGIDs(t *testing.T) {
	if g := shopify.CustomerGID(191167); g != "gid://shopify/Customer/191167" {
		t.Fatal(g)
	}
	if g := shopify.ProductGID(7); g != "gid://shopify/Product/7" {
		t.Fatal(g)
	}
	for in, want := range map[string]int64{"gid://shopify/Product/42": 42, "gid://shopify/Order/9x": 0, "": 0, "17": 17, "gid://shopify/Customer/": 0} {
		if got := shopify.GIDNumber(in); got != want {
			t.Errorf("GIDNumber(%q) = %d, want %d", in, got, want)
		}
	}
}
