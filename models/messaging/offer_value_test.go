package messaging

import "testing"

// A reward is worded in the shopper's language, its amount in the shop's currency.
func TestOfferValueInTheShoppersLanguage(t *testing.T) {
	for _, c := range []struct{ v, typ, lang, currency, want string }{
		{"10.0", "percentage", "en", "USD", "10% off"},
		{"10.0", "percentage", "fr", "EUR", "10% de réduction"},
		{"5.00", "fixed_amount", "en", "USD", "$5 off"},
		{"5.00", "fixed_amount", "de", "EUR", "€5 Rabatt"},
		{"5.00", "fixed_amount", "ru", "RUB", "скидка ₽5"},
		{"5.00", "fixed_amount", "ja", "JPY", "¥5 off"},
	} {
		if got := offerValue(c.v, c.typ, c.lang, c.currency); got != c.want {
			t.Errorf("offerValue(%q, %q, %q, %q) = %q, want %q", c.v, c.typ, c.lang, c.currency, got, c.want)
		}
	}
}
