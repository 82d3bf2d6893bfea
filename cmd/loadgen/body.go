package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"
)

// orderTemplate is an orders/paid body in Shopify's REST shape; %d is the order id. Padding in
// the note brings it to the requested size, like a real order with a few more lines would.
const orderTemplate = `{"id":%d,"admin_graphql_api_id":"gid://shopify/Order/%d","name":"#%d","email":"buyer%d@example.com",` +
	`"created_at":"2026-03-01T10:00:00Z","updated_at":"2026-03-01T10:00:05Z","processed_at":"2026-03-01T10:00:00Z",` +
	`"currency":"USD","financial_status":"paid","subtotal_price":"398.00","total_price":"409.94","test":false,` +
	`"discount_codes":[{"code":"SPRING10","amount":"10.00","type":"fixed_amount"}],` +
	`"customer":{"id":%d,"email":"buyer%d@example.com","first_name":"Bob","last_name":"Norman","state":"enabled",` +
	`"updated_at":"2026-03-01T10:00:00Z","email_marketing_consent":{"state":"subscribed"}},` +
	`"line_items":[{"id":%d1,"product_id":632910392,"variant_id":808950810,"title":"IPod Nano - 8GB","quantity":2,"price":"199.00"}],` +
	`"note":"%s"}`

// orderBody builds body number n (order and customer ids derived from n) of about size bytes.
func orderBody(n int64, size int) []byte {
	customer := 100000 + n%5000
	base := fmt.Sprintf(orderTemplate, n, n, n, customer, customer, customer, n, "")
	pad := size - len(base)
	if pad < 0 {
		pad = 0
	}
	return []byte(fmt.Sprintf(orderTemplate, n, n, n, customer, customer, customer, n, strings.Repeat("x", pad)))
}

// sign is the X-Shopify-Hmac-Sha256 value: base64 HMAC-SHA256 of the raw body.
func sign(body []byte, secret string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}
