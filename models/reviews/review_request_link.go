package reviews

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/boomerang-app/boomerang/models"
)

// Review links: a review-request email carries a token (delivery.Sign, purpose "review")
// naming the shop, customer, order and products, so the shopper can review without logging in
// and cannot review for someone else. The key is derived from the app secret, so no new secret
// has to be configured (delivery.ReviewLinkKey), and it differs from every other use of that secret.

// ReviewGrant is what a verified review link allows: this customer reviews these products.
type ReviewGrant struct {
	Shop       string
	CustomerID int64
	OrderID    int64
	ProductIDs []int64
}

// Fields are the signed token's fields.
func (g ReviewGrant) Fields() map[string]string {
	ps := make([]string, len(g.ProductIDs))
	for i, p := range g.ProductIDs {
		ps[i] = strconv.FormatInt(p, 10)
	}
	return map[string]string{"shop": g.Shop, "customer": strconv.FormatInt(g.CustomerID, 10),
		"order": strconv.FormatInt(g.OrderID, 10), "products": strings.Join(ps, ",")}
}

// ParseReviewGrant reads verified token fields back; a token for another shop is refused by
// the caller comparing Shop.
func ParseReviewGrant(f map[string]string) (ReviewGrant, error) {
	g := ReviewGrant{Shop: f["shop"]}
	var err error
	if g.CustomerID, err = strconv.ParseInt(f["customer"], 10, 64); err != nil || g.CustomerID <= 0 {
		return g, models.Invalid("t", "review link has no customer")
	}
	if g.OrderID, err = strconv.ParseInt(f["order"], 10, 64); err != nil || g.OrderID < 0 {
		return g, models.Invalid("t", "review link has no order")
	}
	for _, p := range strings.Split(f["products"], ",") {
		n, err := strconv.ParseInt(p, 10, 64)
		if err != nil || n <= 0 {
			return g, models.Invalid("t", "review link has a bad product")
		}
		g.ProductIDs = append(g.ProductIDs, n)
	}
	if g.Shop == "" {
		return g, models.Invalid("t", "review link has no shop")
	}
	return g, nil
}

// ReviewLinkURL is the storefront address of the review form: Shopify's app proxy forwards
// /apps/boomerang/* to /proxy/* (shopify.app.toml).
func ReviewLinkURL(shopDomain, token string) string {
	return "https://" + shopDomain + "/apps/boomerang/reviews/new?t=" + url.QueryEscape(token)
}
