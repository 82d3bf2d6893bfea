package models

import (
	"strings"
	"unicode"

	"github.com/shopspring/decimal"
	"golang.org/x/text/currency"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// MoneyText writes an amount as a merchant reads it in English copy: "$5", "$5.50", "€12",
// "CHF 5", whole amounts without cents; without a known currency code, the amount with cents and
// the code after it ("5.00", "5.00 XYZ").
// Locale-aware formatting belongs to the page that shows it (the admin and the storefront use
// Intl.NumberFormat).
func MoneyText(amount decimal.Decimal, cur string) string {
	u, err := currency.ParseISO(strings.ToUpper(strings.TrimSpace(cur)))
	if err != nil {
		return strings.TrimSpace(amount.StringFixed(2) + " " + cur)
	}
	num := amount.StringFixed(2)
	if amount.Equal(amount.Truncate(0)) {
		num = amount.StringFixed(0)
	}
	// x/text formats "$ 0.00": the symbol is what precedes the space.
	sym, _, _ := strings.Cut(message.NewPrinter(language.English).Sprint(currency.NarrowSymbol(u.Amount(0))), " ")
	if strings.IndexFunc(sym, unicode.IsLetter) >= 0 {
		return sym + " " + num
	}
	return sym + num
}
