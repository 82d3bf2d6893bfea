package models

import (
	"testing"

	"github.com/shopspring/decimal"
)

func TestMoneyText(t *testing.T) {
	for _, c := range []struct{ amount, cur, want string }{
		{"5", "USD", "$5"}, {"5.5", "USD", "$5.50"}, {"12", "eur", "€12"}, {"3", "GBP", "£3"},
		{"500", "JPY", "¥500"}, {"5", "CHF", "CHF 5"}, {"5", "XYZ1", "5.00 XYZ1"}, {"5", "", "5.00"},
	} {
		if got := MoneyText(decimal.RequireFromString(c.amount), c.cur); got != c.want {
			t.Errorf("MoneyText(%s, %q) = %q, want %q", c.amount, c.cur, got, c.want)
		}
	}
}
