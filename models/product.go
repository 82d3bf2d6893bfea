package models

import (
	"context"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"
)

// ProductCard is what a page shows of a product.
type ProductCard struct {
	ID       int64  `json:"id"`
	Title    string `json:"title"`
	Handle   string `json:"handle"`
	ImageURL string `json:"image_url"`
}

// ProductSource reads products from Shopify; a product it does not have (deleted) is absent.
type ProductSource interface {
	Products(ctx context.Context, shop string, ids []int64) ([]ProductCard, error)
}

// ProductScope is what reading products needs (write_products implies it).
const ProductScope = "read_products"

// ProductCards reads the shop's cached products by Shopify id, in one query.
func ProductCards(ctx context.Context, db *gorm.DB, shopID int64, ids []int64) (map[int64]ProductCard, error) {
	out := map[int64]ProductCard{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []ProductCard
	if err := db.WithContext(ctx).Raw(`SELECT product_id AS id, title, handle, image_url FROM products
		WHERE shop_id = ? AND product_id = ANY(?)`, shopID, Array(ids)).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("products of shop %d: %w", shopID, err)
	}
	for _, p := range rows {
		out[p.ID] = p
	}
	return out, nil
}

// StoreProducts writes products as of `at`, to the second (Shopify's updated_at has no more), in
// one statement; a row written as of a later second (a newer products/update) stays.
func StoreProducts(ctx context.Context, db *gorm.DB, shopID int64, ps []ProductCard, at time.Time) error {
	if len(ps) == 0 {
		return nil
	}
	ids, titles, handles, images := make([]int64, len(ps)), make([]string, len(ps)), make([]string, len(ps)), make([]string, len(ps))
	for i, p := range ps {
		ids[i], titles[i], handles[i], images[i] = p.ID, p.Title, p.Handle, p.ImageURL
	}
	err := db.WithContext(ctx).Exec(`INSERT INTO products (shop_id, product_id, title, handle, image_url, updated_at)
		SELECT ?::bigint, v.*, ?::timestamptz FROM unnest(?::bigint[], ?::text[], ?::text[], ?::text[]) AS v
		ON CONFLICT (shop_id, product_id) DO UPDATE
		SET title = EXCLUDED.title, handle = EXCLUDED.handle, image_url = EXCLUDED.image_url, updated_at = EXCLUDED.updated_at
		WHERE products.updated_at <= EXCLUDED.updated_at`,
		shopID, at.UTC().Truncate(time.Second), Array(ids), Array(titles), Array(handles), Array(images)).Error
	if err != nil {
		return fmt.Errorf("store products of shop %d: %w", shopID, err)
	}
	return nil
}

// NameProducts returns the cards of ids, reading from Shopify (and caching) the ones not cached
// yet, where the shop granted ProductScope. A product Shopify does not answer for is left out:
// the page names it by number.
func NameProducts(ctx context.Context, db *gorm.DB, src ProductSource, shopID int64, ids []int64, now time.Time) (map[int64]ProductCard, error) {
	cards, err := ProductCards(ctx, db, shopID, ids)
	if err != nil || src == nil {
		return cards, err
	}
	var missing []int64
	for _, id := range ids {
		if _, ok := cards[id]; !ok && id != 0 && !slices.Contains(missing, id) {
			missing = append(missing, id)
		}
	}
	if len(missing) == 0 {
		return cards, nil
	}
	sh, err := GetShop(ctx, db, shopID)
	if err != nil || !sh.Granted(ProductScope) {
		return cards, err
	}
	got, err := src.Products(ctx, sh.Domain, missing)
	if err != nil {
		return cards, err
	}
	if err := StoreProducts(ctx, db, shopID, got, now); err != nil {
		return cards, err
	}
	for _, p := range got {
		cards[p.ID] = p
	}
	return cards, nil
}
