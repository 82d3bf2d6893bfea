package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/hibiken/asynq"

	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/models/reviews"
	"github.com/boomerang-app/boomerang/shopify"
)

// Each product's rating in Shopify (issue 13): reviews.rating and reviews.rating_count, the
// standard metafields themes and Google Shopping read, and $app:reviews.top, the latest reviews
// the Product reviews block renders as JSON-LD. Products are marked by a database trigger on
// every change to their published reviews; this task writes a shop's marked products, eight a
// call (three metafields each, under metafieldsSet's 25), and settles each mark only if nothing
// changed since it was read. A failed call leaves the marks for Asynq's retry and the sweep.

// TypeRatingMetafields writes a shop's stale product rating metafields ({"id"}).
const TypeRatingMetafields = "reviews:metafields"

const (
	ratingProductsPerCall = 8
	ratingRounds          = 25
	// RatingNamespace and the keys are Shopify's standard product rating metafields.
	ratingNamespace = "reviews"
	// appReviewsNamespace is app-owned: only Boomerang can write what the block renders.
	appReviewsNamespace = "$app:reviews"
)

// EnqueueRatingMetafields writes a shop's stale rating metafields soon.
func (q *Queue) EnqueueRatingMetafields(ctx context.Context, shopID int64) error {
	return q.enqueue(ctx, shopTask(TypeRatingMetafields, shopID), asynq.Unique(10*time.Second), asynq.Queue(QueueLow), asynq.MaxRetry(20))
}

// SyncRatingMetafields writes the metafields of a shop's marked products: set while the product
// has published reviews, deleted when it has none left.
func (w *Worker) SyncRatingMetafields(ctx context.Context, shopID int64) error {
	sh, err := models.GetShop(ctx, w.DB, shopID)
	if err != nil || sh.Status != models.ShopInstalled {
		return err
	}
	if missing := shopify.HasScopes(sh.Scopes, shopify.ScopeWriteProducts); len(missing) > 0 {
		w.Log.Debug("rating metafields wait for write_products", "shop", sh.Domain)
		return nil
	}
	for round := 0; round < ratingRounds; round++ {
		due, err := reviews.DueProductRatings(ctx, w.DB, shopID, ratingProductsPerCall)
		if err != nil || len(due) == 0 {
			return err
		}
		var set, del []shopify.Metafield
		for _, r := range due {
			mfs := ratingMetafields(r)
			if r.Count == 0 {
				del = append(del, mfs...)
			} else {
				set = append(set, mfs...)
			}
		}
		failed := ""
		err = w.Admin.MetafieldsSet(ctx, sh.Domain, set)
		if err == nil {
			err = w.Admin.MetafieldsDelete(ctx, sh.Domain, del)
		}
		var refused *shopify.RefusedError
		switch {
		case errors.Is(err, shopify.ErrNoToken):
			return nil
		case errors.As(err, &refused):
			failed = refused.Error()
			w.Log.Warn("rating metafields refused", "shop", sh.Domain, "error", failed)
		case err != nil:
			return fmt.Errorf("rating metafields of shop %d: %w", shopID, err)
		}
		for _, r := range due {
			if err := reviews.MarkProductRatingSynced(ctx, w.DB, shopID, r, failed, w.now()); err != nil {
				return err
			}
		}
	}
	if w.Queue == nil {
		return nil
	}
	return w.Queue.EnqueueRatingMetafields(ctx, shopID) // more than one run's worth
}

// ratingMetafields are a product's three metafields (values only matter for a set).
func ratingMetafields(r reviews.ProductRating) []shopify.Metafield {
	owner := shopify.ProductGID(r.ProductID)
	rating, _ := json.Marshal(map[string]string{"value": strconv.FormatFloat(r.Average, 'f', 2, 64), "scale_min": "1.0", "scale_max": "5.0"})
	top, _ := json.Marshal(map[string]any{"reviews": r.Top})
	return []shopify.Metafield{
		{OwnerID: owner, Namespace: ratingNamespace, Key: "rating", Type: "rating", Value: string(rating)},
		{OwnerID: owner, Namespace: ratingNamespace, Key: "rating_count", Type: "number_integer", Value: strconv.FormatInt(r.Count, 10)},
		{OwnerID: owner, Namespace: appReviewsNamespace, Key: "top", Type: "json", Value: string(top)},
	}
}

// sweepRatingMetafields enqueues shops whose marks were left (a lost task, a change no code path
// enqueued for).
func (w *Worker) sweepRatingMetafields(ctx context.Context, now time.Time) error {
	shops, err := reviews.ShopsWithDueProductRatings(ctx, w.DB, now.Add(-5*time.Second))
	if err != nil {
		return err
	}
	for _, id := range shops {
		if err := w.Queue.EnqueueRatingMetafields(ctx, id); err != nil {
			return err
		}
	}
	return nil
}
