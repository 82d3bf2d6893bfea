package jobs_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/boomerang-app/boomerang/models/reviews"
	"github.com/boomerang-app/boomerang/shopify"
	"github.com/boomerang-app/boomerang/shopify/fakeshop"
)

// review submits a review from the storefront and publishes it from the admin.
func (s *story) review(customer, order, product int64, rating int, title string) int64 {
	s.t.Helper()
	var out struct {
		Review struct {
			ID int64 `json:"id"`
		} `json:"review"`
		Error any `json:"error"`
	}
	if code := s.a.Proxy(s.t, s.shop, "POST", "/proxy/reviews", customer, nil, map[string]any{"product_id": product, "rating": rating,
		"order_id": order, "title": title, "body": "Written by a shopper who bought it and used it for a while."}, &out); code != 201 {
		s.t.Fatalf("review submission: %d %v", code, out.Error)
	}
	s.a.Drain(s.t, 30*time.Second) // scored
	if code := s.a.API(s.t, s.shop, "PATCH", fmt.Sprintf("/api/reviews/%d", out.Review.ID), map[string]any{"status": "published"}, nil); code != 200 {
		s.t.Fatalf("publish review %d: %d", out.Review.ID, code)
	}
	return out.Review.ID
}

func (s *story) syncRatings() {
	s.t.Helper()
	s.a.Drain(s.t, 30*time.Second)
	if _, err := reviews.PublishRatings(context.Background(), s.a.DB, s.a.Admin, s.shopID, time.Now()); err != nil {
		s.t.Fatal(err)
	}
}

// ratingOf reads a product's rating metafields from the fake Shopify.
func ratingOf(t *testing.T, fake *fakeshop.Server, shop string, product int64) (rating, count string, top []map[string]any) {
	t.Helper()
	owner := shopify.ProductGID(product)
	if m, ok := fake.Metafield(shop, owner, "reviews", "rating"); ok {
		var r map[string]string
		if err := json.Unmarshal([]byte(m.Value), &r); err != nil || m.Type != "rating" || r["scale_max"] != "5.0" {
			t.Fatalf("reviews.rating %+v", m)
		}
		rating = r["value"]
	}
	if m, ok := fake.Metafield(shop, owner, "reviews", "rating_count"); ok {
		count = m.Value
	}
	if m, ok := fake.Metafield(shop, owner, "$app:reviews", "top"); ok {
		var v struct {
			Reviews []map[string]any `json:"reviews"`
		}
		if err := json.Unmarshal([]byte(m.Value), &v); err != nil {
			t.Fatalf("$app:reviews.top %q: %v", m.Value, err)
		}
		top = v.Reviews
	}
	return rating, count, top
}

// A product's rating metafields follow its published reviews through publishing, a reply,
// deletion and hiding, and survive Shopify's throttle; the storefront list shows the reply and
// sorts by rating.
func TestRatingMetafields(t *testing.T) {
	s := newStory(t, "ratingmeta")
	const ann, bob, product = int64(4101), int64(4102), int64(9101)
	s.customer(ann, "Ann", "ann.rating@example.com", "subscribed")
	s.customer(bob, "Bob", "bob.rating@example.com", "subscribed")
	s.order(9201, ann, product, "30.00", time.Now().Add(-48*time.Hour))
	s.order(9202, bob, product, "30.00", time.Now().Add(-48*time.Hour))
	s.a.Drain(t, 30*time.Second)
	five := s.review(ann, 9201, product, 5, "Lovely")
	three := s.review(bob, 9202, product, 3, "Fine")
	s.syncRatings()
	if r, n, top := ratingOf(t, s.a.Fake, s.shop, product); r != "4.00" || n != "2" || len(top) != 2 || top[0]["title"] != "Fine" {
		t.Fatalf("two reviews: rating %q count %q top %v", r, n, top)
	}

	// The reply shows on the storefront; the list sorts by rating either way.
	if code := s.a.API(t, s.shop, "PUT", fmt.Sprintf("/api/reviews/%d/reply", three), map[string]any{"reply": "Thanks Bob, we are on it."}, nil); code != 200 {
		t.Fatalf("reply: %d", code)
	}
	for sort, first := range map[string]string{"highest": "Lovely", "lowest": "Fine"} {
		var list struct {
			Reviews []struct{ Title, Reply string } `json:"reviews"`
		}
		q := url.Values{"product_id": {fmt.Sprint(product)}, "sort": {sort}}
		if code := s.a.Proxy(t, s.shop, "GET", "/proxy/reviews", 0, q, nil, &list); code != 200 || len(list.Reviews) != 2 || list.Reviews[0].Title != first {
			t.Fatalf("sort %s: %d %+v", sort, code, list)
		}
		for _, r := range list.Reviews {
			if (r.Title == "Fine") != (r.Reply == "Thanks Bob, we are on it.") {
				t.Fatalf("reply on the storefront: %+v", list.Reviews)
			}
		}
	}

	// Deleted, under a throttle that outlasts go-shopify's retries: the write fails, the mark
	// stays, and the next run writes the rating of the one review left.
	s.a.Fake.Throttle(1000)
	if code := s.a.API(t, s.shop, "DELETE", fmt.Sprintf("/api/reviews/%d", three), nil, nil); code != 204 {
		t.Fatalf("delete: %d", code)
	}
	s.a.Drain(t, 30*time.Second) // the worker's own attempt fails and waits for its retry
	if _, err := reviews.PublishRatings(context.Background(), s.a.DB, s.a.Admin, s.shopID, time.Now()); err == nil {
		t.Fatal("a throttled write reported success")
	}
	s.a.Fake.Throttle(0)
	s.syncRatings()
	if r, n, top := ratingOf(t, s.a.Fake, s.shop, product); r != "5.00" || n != "1" || len(top) != 1 || top[0]["author"] != "Ann S." {
		t.Fatalf("after deleting Bob's: rating %q count %q top %v", r, n, top)
	}

	// Hidden, the last one: the product has no rating and its metafields go.
	if code := s.a.API(t, s.shop, "PATCH", fmt.Sprintf("/api/reviews/%d", five), map[string]any{"status": "hidden"}, nil); code != 200 {
		t.Fatalf("hide: %d", code)
	}
	s.syncRatings()
	if r, n, top := ratingOf(t, s.a.Fake, s.shop, product); r != "" || n != "" || top != nil {
		t.Fatalf("no published review left: rating %q count %q top %v", r, n, top)
	}
}
