package delivery

import "time"

// SampleVars returns the variables every message template may use, filled with sample values.
// The admin preview renders with it when no customer is chosen, and it documents the contract
// the policy engine fills for a real shopper (use nil for a value a shopper does not have, e.g.
// offer when the message carries none: a missing key is an error, a nil one renders empty).
//
//	customer.first_name, .last_name, .email   strings
//	customer.stage                            "new" | "two-time" | "repeat" | "loyal"
//	shop.name, .domain, .url                  strings (domain is the myshopify domain)
//	points.balance, .earned, .expiring        integers (points)
//	points.expiring_at                        time.Time (UTC); format with | date: "%B %-d, %Y"
//	tier.name, .next                          strings; next is nil at the top tier
//	tier.progress_percent, .points_to_next    integers
//	referral_link, review_link                absolute URLs
//	featured_products                         list of {title, url}
//	unsubscribe_link                          absolute URL (a signed one-click link, see Sign)
//	offer.code, .value                        strings, e.g. "COMEBACK10", "10% off"
//
// Each call returns a fresh map, so callers may modify it.
func SampleVars() map[string]any {
	return map[string]any{
		"customer": map[string]any{
			"first_name": "Chrissy",
			"last_name":  "Moreau",
			"email":      "chrissy@example.com",
			"stage":      "repeat",
		},
		"shop": map[string]any{
			"name":   "Juniper & Oak",
			"domain": "juniper-oak.myshopify.com",
			"url":    "https://juniper-oak.myshopify.com",
		},
		"points": map[string]any{
			"balance":     1250,
			"earned":      500,
			"expiring":    200,
			"expiring_at": time.Date(2027, time.March, 31, 0, 0, 0, 0, time.UTC),
		},
		"tier": map[string]any{
			"name":             "Silver",
			"next":             "Gold",
			"progress_percent": 62,
			"points_to_next":   380,
		},
		"referral_link": "https://juniper-oak.myshopify.com/?ref=CHRISSY-7Q2K",
		"review_link":   "https://juniper-oak.myshopify.com/apps/boomerang/review?t=sample",
		"featured_products": []any{
			map[string]any{"title": "Linen Apron", "url": "https://juniper-oak.myshopify.com/products/linen-apron"},
			map[string]any{"title": "Oak Cutting Board", "url": "https://juniper-oak.myshopify.com/products/oak-cutting-board"},
			map[string]any{"title": "Cedar Candle", "url": "https://juniper-oak.myshopify.com/products/cedar-candle"},
		},
		"unsubscribe_link": "https://juniper-oak.myshopify.com/apps/boomerang/unsubscribe?t=sample",
		"offer": map[string]any{
			"code":  "COMEBACK10",
			"value": "10% off",
		},
	}
}
