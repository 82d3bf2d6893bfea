package shopify

import (
	"context"
	"encoding/json"
	"strconv"

	"github.com/boomerang-app/boomerang/models/reviews"
)

const (
	// ratingNamespace and its keys are Shopify's standard product rating metafields, which
	// themes and Google Shopping read.
	ratingNamespace = "reviews"
	// appReviewsNamespace is app-owned: only Boomerang can write what the Product reviews
	// block renders as JSON-LD.
	appReviewsNamespace = "$app:reviews"
)

// PublishProductRatings is reviews.RatingPublisher: each product's reviews.rating,
// reviews.rating_count and $app:reviews.top, set in one metafieldsSet (up to eight products a
// call) or deleted for products left without published reviews.
func (a *Admin) PublishProductRatings(ctx context.Context, shop string, ratings []reviews.ProductRating) error {
	var set, del []Metafield
	for _, r := range ratings {
		if r.Count == 0 {
			del = append(del, ratingMetafields(r)...)
		} else {
			set = append(set, ratingMetafields(r)...)
		}
	}
	if err := a.MetafieldsSet(ctx, shop, set); err != nil {
		return err
	}
	return a.MetafieldsDelete(ctx, shop, del)
}

// ratingMetafields are a product's three metafields (values only matter for a set).
func ratingMetafields(r reviews.ProductRating) []Metafield {
	owner := ProductGID(r.ProductID)
	rating, _ := json.Marshal(map[string]string{"value": strconv.FormatFloat(r.Average, 'f', 2, 64), "scale_min": "1.0", "scale_max": "5.0"})
	top, _ := json.Marshal(map[string]any{"reviews": r.Top})
	return []Metafield{
		{OwnerID: owner, Namespace: ratingNamespace, Key: "rating", Type: "rating", Value: string(rating)},
		{OwnerID: owner, Namespace: ratingNamespace, Key: "rating_count", Type: "number_integer", Value: strconv.FormatInt(r.Count, 10)},
		{OwnerID: owner, Namespace: appReviewsNamespace, Key: "top", Type: "json", Value: string(top)},
	}
}
