package shopify

import (
	"context"
	"fmt"

	"github.com/boomerang-app/boomerang/models"
)

const productsQuery = `query products($ids: [ID!]!) {
  nodes(ids: $ids) { ... on Product { id title handle featuredImage { url } } }
}`

// productsPerCall is at most how many products one nodes(ids:) call reads.
const productsPerCall = 250

// Products is models.ProductSource: titles, handles and featured images by id.
func (a *Admin) Products(ctx context.Context, shop string, ids []int64) ([]models.ProductCard, error) {
	var out []models.ProductCard
	for start := 0; start < len(ids); start += productsPerCall {
		batch := ids[start:min(start+productsPerCall, len(ids))]
		gids := make([]string, len(batch))
		for i, id := range batch {
			gids[i] = ProductGID(id)
		}
		var res struct {
			Nodes []*struct {
				ID            string `json:"id"`
				Title         string `json:"title"`
				Handle        string `json:"handle"`
				FeaturedImage *struct {
					URL string `json:"url"`
				} `json:"featuredImage"`
			} `json:"nodes"`
		}
		if err := a.Query(ctx, shop, productsQuery, map[string]any{"ids": gids}, &res); err != nil {
			return nil, fmt.Errorf("products: %w", err)
		}
		for _, n := range res.Nodes {
			if n == nil || n.ID == "" {
				continue // deleted
			}
			p := models.ProductCard{ID: GIDNumber(n.ID), Title: n.Title, Handle: n.Handle}
			if n.FeaturedImage != nil {
				p.ImageURL = n.FeaturedImage.URL
			}
			out = append(out, p)
		}
	}
	return out, nil
}

// ProductUpdate is the products/update webhook's body (the fields the cache keeps).
type ProductUpdate struct {
	ID        int64  `json:"id"`
	Title     string `json:"title"`
	Handle    string `json:"handle"`
	UpdatedAt string `json:"updated_at"`
	Image     *struct {
		Src string `json:"src"`
	} `json:"image"`
}

// Card is the product as the cache keeps it.
func (p ProductUpdate) Card() models.ProductCard {
	c := models.ProductCard{ID: p.ID, Title: p.Title, Handle: p.Handle}
	if p.Image != nil {
		c.ImageURL = p.Image.Src
	}
	return c
}
