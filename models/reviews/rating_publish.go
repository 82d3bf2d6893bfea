package reviews

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/boomerang-app/boomerang/models"
)

// Each product's rating in Shopify (issue 13): the standard rating metafields themes and Google
// Shopping read, and the latest reviews the Product reviews block renders as JSON-LD. Products
// are marked by a database trigger on every change to their published reviews; a run publishes
// a shop's marked products eight at a time and settles each mark only if nothing changed since
// it was read. A failed call leaves the marks for the task's retry and the sweep.

const (
	ratingProductsPerCall = 8 // three metafields each, under metafieldsSet's 25
	ratingRounds          = 25
	// RatingScope is what writing product metafields needs.
	RatingScope = "write_products"
)

// RatingPublisher writes products' ratings where the storefront reads them: set while a
// product has published reviews, removed when it has none left (Count 0).
type RatingPublisher interface {
	PublishProductRatings(ctx context.Context, shop string, ratings []ProductRating) error
}

// RatingRun is what one PublishRatings did.
type RatingRun struct {
	Refused []string // Shopify's reasons for the calls it refused (their marks are settled)
	NoScope bool     // the shop has not granted RatingScope: nothing was read
	NoToken bool     // stopped: the shop has no offline token
	More    bool     // stopped after a full run's worth: run again
}

// PublishRatings writes the ratings of a shop's marked products.
func PublishRatings(ctx context.Context, db *gorm.DB, pub RatingPublisher, shopID int64, now time.Time) (RatingRun, error) {
	var run RatingRun
	sh, err := models.GetShop(ctx, db, shopID)
	if err != nil || sh.Status != models.ShopInstalled {
		return run, err
	}
	if !sh.Granted(RatingScope) {
		run.NoScope = true
		return run, nil
	}
	for range ratingRounds {
		due, err := DueProductRatings(ctx, db, shopID, ratingProductsPerCall)
		if err != nil || len(due) == 0 {
			return run, err
		}
		err = pub.PublishProductRatings(ctx, sh.Domain, due)
		reason, refused := models.Refused(err)
		switch {
		case errors.Is(err, models.ErrNoAdminToken):
			run.NoToken = true
			return run, nil
		case refused:
			run.Refused = append(run.Refused, reason)
		case err != nil:
			return run, fmt.Errorf("rating metafields of shop %d: %w", shopID, err)
		}
		for _, r := range due {
			if err := MarkProductRatingSynced(ctx, db, shopID, r, reason, now); err != nil {
				return run, err
			}
		}
	}
	run.More = true
	return run, nil
}
