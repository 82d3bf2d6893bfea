// Package shopify is Boomerang's adapter to the Shopify platform: request signatures,
// session tokens, OAuth token exchange and refresh, the GraphQL Admin client and webhook
// payload shapes. It knows nothing of the database; models never import it.
package shopify

import (
	"regexp"
	"strings"
)

var shopDomain = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*\.myshopify\.com$`)

// NormalizeShop lower-cases and validates a shop domain; ok is false for anything that is
// not exactly `name.myshopify.com` (no scheme, path, port or other host).
func NormalizeShop(s string) (string, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if len(s) > 255 || !shopDomain.MatchString(s) {
		return "", false
	}
	return s, true
}
