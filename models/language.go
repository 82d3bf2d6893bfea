package models

import "strings"

// Languages are the languages Boomerang writes its ready-made messages in (and the admin speaks).
var Languages = []string{"en", "fr", "de", "es", "it", "pt", "nl", "ru", "tr"}

// LanguageOf is the language of a Shopify locale ("fr-CA" → "fr", "pt-BR" → "pt"), lower case;
// empty for an empty locale.
func LanguageOf(locale string) string {
	lang, _, _ := strings.Cut(strings.TrimSpace(locale), "-")
	lang, _, _ = strings.Cut(lang, "_")
	return strings.ToLower(lang)
}

// ShopperLanguage is the language a shopper is written to in: their own locale when Shopify
// knows it, else the shop's primary locale, else English.
func ShopperLanguage(customerLocale, shopLocale string) string {
	if l := LanguageOf(customerLocale); l != "" {
		return l
	}
	if l := LanguageOf(shopLocale); l != "" {
		return l
	}
	return "en"
}
