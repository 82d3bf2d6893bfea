// Package shopify is Boomerang's adapter to the Shopify platform: request signatures,
// session tokens, OAuth token exchange and refresh, the GraphQL Admin client and webhook
// payload shapes. It knows nothing of the database; models never import it. It implements the
// Shopify ports the domains name (models.CustomerTags, loyalty.Discounts, reviews.RatingPublisher,
// …) with their types.
package shopify

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/boomerang-app/boomerang/models"
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

const shopProfileQuery = `query { shop { name email currencyCode ianaTimezone } }`

// ShopProfile is models.ShopProfileSource: the shop's name, contact email, currency and time
// zone.
func (a *Admin) ShopProfile(ctx context.Context, shop string) (models.ShopProfile, error) {
	var out struct {
		Shop struct {
			Name         string `json:"name"`
			Email        string `json:"email"`
			CurrencyCode string `json:"currencyCode"`
			IanaTimezone string `json:"ianaTimezone"`
		} `json:"shop"`
	}
	err := a.Query(ctx, shop, shopProfileQuery, nil, &out)
	p := out.Shop
	prof := models.ShopProfile{Name: p.Name, Email: p.Email, Currency: p.CurrencyCode, Timezone: p.IanaTimezone}
	if err == nil {
		prof.PrimaryLocale = a.primaryLocale(ctx, shop)
	}
	return prof, err
}

const shopLocalesQuery = `query { shopLocales { locale primary } }`

// primaryLocale is the shop's primary locale, or "" when Shopify does not say (a shop that has
// not granted read_locales): shoppers of unknown language are then written to in English.
func (a *Admin) primaryLocale(ctx context.Context, shop string) string {
	var out struct {
		ShopLocales []struct {
			Locale  string `json:"locale"`
			Primary bool   `json:"primary"`
		} `json:"shopLocales"`
	}
	if err := a.Query(ctx, shop, shopLocalesQuery, nil, &out); err != nil {
		return ""
	}
	for _, l := range out.ShopLocales {
		if l.Primary {
			return l.Locale
		}
	}
	return ""
}

const contractLinesQuery = `query subscriptionContract($id: ID!) {
  subscriptionContract(id: $id) {
    id
    lines(first: 50) { nodes { productId variantId title quantity } }
  }
}`

// ContractLines reads a subscription contract's lines (the app's own contracts, with
// read_own_subscription_contracts); found is false when Shopify has no such contract.
func (a *Admin) ContractLines(ctx context.Context, shop string, contractID int64) (lines []models.SubscriptionLine, found bool, err error) {
	var out struct {
		SubscriptionContract *struct {
			Lines struct {
				Nodes []struct {
					ProductID string `json:"productId"`
					VariantID string `json:"variantId"`
					Title     string `json:"title"`
					Quantity  int    `json:"quantity"`
				} `json:"nodes"`
			} `json:"lines"`
		} `json:"subscriptionContract"`
	}
	gid := fmt.Sprintf("gid://shopify/SubscriptionContract/%d", contractID)
	if err := a.Query(ctx, shop, contractLinesQuery, map[string]any{"id": gid}, &out); err != nil {
		return nil, false, err
	}
	if out.SubscriptionContract == nil {
		return nil, false, nil
	}
	for _, n := range out.SubscriptionContract.Lines.Nodes {
		lines = append(lines, models.SubscriptionLine{ProductID: GIDNumber(n.ProductID), VariantID: GIDNumber(n.VariantID), Title: n.Title, Quantity: n.Quantity})
	}
	return lines, true, nil
}
