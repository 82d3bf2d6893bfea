package shopify

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"time"
)

// WebhookHeaders are the delivery headers, from either the classic `X-Shopify-*` set or the
// newer un-prefixed `shopify-*` set (Events); both carry the same meaning.
type WebhookHeaders struct {
	HMAC        string
	Topic       string
	ShopDomain  string
	APIVersion  string
	WebhookID   string
	EventID     string
	TriggeredAt *time.Time
}

// ReadWebhookHeaders picks the header set by which HMAC header is present, as Shopify's own
// library does, so a request cannot mix a signature from one set with metadata from the other.
func ReadWebhookHeaders(h http.Header) WebhookHeaders {
	prefix := "X-Shopify-"
	if h.Get("X-Shopify-Hmac-Sha256") == "" && h.Get("Shopify-Hmac-Sha256") != "" {
		prefix = "Shopify-"
	}
	w := WebhookHeaders{
		HMAC:       h.Get(prefix + "Hmac-Sha256"),
		Topic:      h.Get(prefix + "Topic"),
		ShopDomain: h.Get(prefix + "Shop-Domain"),
		APIVersion: h.Get(prefix + "Api-Version"),
		WebhookID:  h.Get(prefix + "Webhook-Id"),
		EventID:    h.Get(prefix + "Event-Id"),
	}
	if t, err := time.Parse(time.RFC3339Nano, h.Get(prefix+"Triggered-At")); err == nil {
		t = t.UTC()
		w.TriggeredAt = &t
	}
	return w
}

// VerifyWebhook checks the base64 HMAC-SHA256 of the raw body against each secret (current,
// then previous during a rotation) in constant time. go-shopify's VerifyWebhookRequest reads
// only the X-Shopify header from an *http.Request; the edge already holds the bounded raw
// body and must accept both header sets, so the check is done here on bytes.
func VerifyWebhook(body []byte, mac string, secrets []string) bool {
	want, err := base64.StdEncoding.DecodeString(mac)
	if err != nil || len(want) != sha256.Size {
		return false
	}
	ok := false
	for _, s := range secrets {
		if s == "" {
			continue
		}
		m := hmac.New(sha256.New, []byte(s))
		m.Write(body)
		if hmac.Equal(m.Sum(nil), want) {
			ok = true
		}
	}
	return ok
}

// SignWebhook computes the header value Shopify would send; used by tests, fixtures and the
// benchmark load generator.
func SignWebhook(body []byte, secret string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}
