package jobs_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/boomerang-app/boomerang/internal/testenv"
	"github.com/boomerang-app/boomerang/models/reviews"
	"github.com/boomerang-app/boomerang/shopify"
)

// submission is the storefront's answer to a review: its id and the token that adds its photos.
type submission struct {
	Review struct {
		ID int64 `json:"id"`
	} `json:"review"`
	PhotoToken string `json:"photo_token"`
}

func testImage(t *testing.T, format string, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		img.Set(x, x%h, color.RGBA{200, 80, 20, 255})
	}
	var b bytes.Buffer
	var err error
	if format == "png" {
		err = png.Encode(&b, img)
	} else {
		err = jpeg.Encode(&b, img, nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// postPhotos uploads photos for a review through the signed app proxy, as the storefront does.
func (s *story) postPhotos(reviewID int64, token string, photos ...[]byte) (int, string) {
	s.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("token", token)
	for i, p := range photos {
		fw, _ := mw.CreateFormFile("photo", fmt.Sprintf("photo-%d.jpg", i))
		_, _ = fw.Write(p)
	}
	_ = mw.Close()
	q := shopify.SignProxyQuery(url.Values{"shop": {s.shop}, "path_prefix": {"/apps/boomerang"}, "logged_in_customer_id": {""},
		"timestamp": {strconv.FormatInt(time.Now().Unix(), 10)}}, testenv.APISecret)
	req, _ := http.NewRequest(http.MethodPost, fmt.Sprintf("%s/proxy/reviews/%d/photos?%s", s.a.Server.URL, reviewID, q.Encode()), &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	_, _ = b.ReadFrom(resp.Body)
	return resp.StatusCode, b.String()
}

// syncPhotos runs the photo job until it has nothing left (Shopify processes images in the
// background, so a photo takes an upload round and two reads; the worker's run may hold the lock).
func (s *story) syncPhotos() {
	s.t.Helper()
	for range 50 {
		run, err := reviews.SyncPhotos(context.Background(), s.a.DB, s.a.Admin, s.shopID)
		if err != nil {
			s.t.Fatal(err)
		}
		if !run.Again {
			return
		}
		time.Sleep(20 * time.Millisecond) // the worker's own run may hold the lock
	}
	s.t.Fatal("photo work left after 50 rounds")
}

// Photo reviews: a shopper adds photos to the review they just wrote; they go to the shop's Shopify
// Files, show on the storefront once processed, and leave Files with the review and on redaction.
func TestReviewPhotos(t *testing.T) {
	s := newStory(t, "photos")
	const ann, product = int64(4201), int64(9301)
	s.customer(ann, "Ann", "ann.photos@example.com", "subscribed")
	s.order(9401, ann, product, "30.00", time.Now().Add(-48*time.Hour))
	s.a.Drain(t, 30*time.Second)
	var sub submission
	if code := s.a.Proxy(t, s.shop, "POST", "/proxy/reviews", ann, nil, map[string]any{"product_id": product, "rating": 5,
		"order_id": 9401, "title": "Looks great", "body": "Here is how it looks on my desk."}, &sub); code != 201 || sub.PhotoToken == "" {
		t.Fatalf("review: %d %+v", code, sub)
	}
	id := sub.Review.ID
	jpg, pngImg := testImage(t, "jpeg", 64, 48), testImage(t, "png", 30, 40)

	// Refused, with nothing stored: a token for another review, a file that is no image, four photos.
	if code, body := s.postPhotos(id+1, sub.PhotoToken, jpg); code != http.StatusUnauthorized {
		t.Fatalf("another review's token: %d %s", code, body)
	}
	if code, body := s.postPhotos(id, sub.PhotoToken, []byte("GIF89a not really")); code != http.StatusUnprocessableEntity {
		t.Fatalf("not an image: %d %s", code, body)
	}
	if code, body := s.postPhotos(id, sub.PhotoToken, jpg, jpg, jpg, jpg); code != http.StatusUnprocessableEntity {
		t.Fatalf("four photos: %d %s", code, body)
	}
	if code, body := s.postPhotos(id, sub.PhotoToken, jpg, pngImg); code != http.StatusCreated {
		t.Fatalf("two photos: %d %s", code, body)
	}
	if code, body := s.postPhotos(id, sub.PhotoToken, jpg, jpg); code != http.StatusUnprocessableEntity {
		t.Fatalf("a fourth and fifth in all: %d %s", code, body)
	}
	s.a.Drain(t, 30*time.Second)
	s.syncPhotos()
	if n := len(s.a.Fake.Files(s.shop)); n != 2 {
		t.Fatalf("%d files in Shopify, want 2", n)
	}

	// On the storefront, with their sizes; in moderation too.
	var list struct {
		Reviews []struct {
			ID     int64                 `json:"id"`
			Photos []reviews.PublicPhoto `json:"photos"`
		} `json:"reviews"`
	}
	s.a.Proxy(t, s.shop, "GET", "/proxy/reviews", 0, url.Values{"product_id": {fmt.Sprint(product)}}, nil, &list)
	if len(list.Reviews) != 1 || len(list.Reviews[0].Photos) != 2 || list.Reviews[0].Photos[1].Width != 30 || list.Reviews[0].Photos[1].Height != 40 {
		t.Fatalf("storefront photos: %+v", list)
	}
	if resp, err := http.Get(list.Reviews[0].Photos[0].URL); err != nil || resp.StatusCode != 200 {
		t.Fatalf("photo URL: %v %v", resp, err)
	}
	var adm struct {
		Photos []reviews.ReviewPhoto `json:"photos"`
	}
	s.a.API(t, s.shop, "GET", fmt.Sprintf("/api/reviews/%d", id), nil, &adm)
	if len(adm.Photos) != 2 || adm.Photos[0].Status != reviews.PhotoReady {
		t.Fatalf("moderation photos: %+v", adm.Photos)
	}

	// Deleting the review deletes its files.
	if code := s.a.API(t, s.shop, "DELETE", fmt.Sprintf("/api/reviews/%d", id), nil, nil); code != 204 {
		t.Fatalf("delete: %d", code)
	}
	s.syncPhotos()
	if n := len(s.a.Fake.Files(s.shop)); n != 0 {
		t.Fatalf("%d files left after the review was deleted", n)
	}

	// A redacted customer's photos leave the storefront at once, and Files on the next run.
	if code := s.a.Proxy(t, s.shop, "POST", "/proxy/reviews", ann, nil, map[string]any{"product_id": product + 1, "rating": 4,
		"title": "Second", "body": "Another one."}, &sub); code != 201 {
		t.Fatalf("second review: %d", code)
	}
	if code, body := s.postPhotos(sub.Review.ID, sub.PhotoToken, jpg); code != http.StatusCreated {
		t.Fatalf("photo: %d %s", code, body)
	}
	s.a.Drain(t, 30*time.Second)
	s.syncPhotos()
	if n := len(s.a.Fake.Files(s.shop)); n != 1 {
		t.Fatalf("%d files, want 1", n)
	}
	// Ann also reviewed once as a guest, with the same email, and added a photo.
	var guest submission
	if code := s.a.Proxy(t, s.shop, "POST", "/proxy/reviews", 0, nil, map[string]any{"product_id": product + 2, "rating": 3,
		"title": "As a guest", "body": "Before I had an account.", "name": "Ann S", "email": "Ann.Photos@example.com"}, &guest); code != 201 {
		t.Fatalf("guest review: %d", code)
	}
	if code, body := s.postPhotos(guest.Review.ID, guest.PhotoToken, jpg); code != http.StatusCreated {
		t.Fatalf("guest photo: %d %s", code, body)
	}
	s.a.Drain(t, 30*time.Second)
	s.syncPhotos()
	if n := len(s.a.Fake.Files(s.shop)); n != 2 {
		t.Fatalf("%d files, want 2", n)
	}
	s.a.Webhook(t, s.shop, "customers/redact", "", map[string]any{"shop_id": 1, "shop_domain": s.shop,
		"customer": map[string]any{"id": ann, "email": "ann.photos@example.com"}, "orders_to_redact": []int64{}})
	s.a.Drain(t, 30*time.Second)
	s.syncPhotos()
	if n := len(s.a.Fake.Files(s.shop)); n != 0 {
		t.Fatalf("%d files left after redaction", n)
	}
	g, err := reviews.GetReview(context.Background(), s.a.DB, s.shopID, guest.Review.ID)
	if err != nil || g.ReviewerEmail != "" || g.ReviewerName != "" || g.Body != "" || g.Rating != 3 {
		t.Fatalf("the guest review after redaction: %+v %v", g, err)
	}
}
