package shopify

import (
	"encoding/json"
	"testing"
)

// What a refund takes back from an order's merchandise: its line items when it has them, else
// the money that went back less the shipping it returned.
func TestRefundSubtotal(t *testing.T) {
	for _, c := range []struct {
		name, body, want string
	}{
		{"line items", `{"refund_line_items":[{"subtotal":"10.00"},{"subtotal":"5.50"}],
			"transactions":[{"kind":"refund","status":"success","amount":"20.00"}]}`, "15.5"},
		{"amount only", `{"transactions":[{"kind":"refund","status":"success","amount":"12.00"}]}`, "12"},
		{"amount only, with shipping", `{"transactions":[{"kind":"refund","status":"success","amount":"17.00"}],
			"order_adjustments":[{"kind":"shipping_refund","amount":"-5.00"}]}`, "12"},
		{"failed transaction", `{"transactions":[{"kind":"refund","status":"failure","amount":"12.00"},
			{"kind":"refund","status":"success","amount":"3.00"}]}`, "3"},
		{"shipping only", `{"transactions":[{"kind":"refund","status":"success","amount":"5.00"}],
			"order_adjustments":[{"kind":"shipping_refund","amount":"-5.00"}]}`, "0"},
		{"nothing", `{}`, "0"},
	} {
		var r Refund
		if err := json.Unmarshal([]byte(c.body), &r); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got := r.Subtotal().String(); got != c.want {
			t.Errorf("%s: subtotal %s, want %s", c.name, got, c.want)
		}
	}
}
