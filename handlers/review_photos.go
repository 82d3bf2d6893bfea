package handlers

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/boomerang-app/boomerang/delivery"
	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/models/reviews"
)

// Photo reviews through the app proxy (issue 13). Submitting a review answers a photo token, good
// for an hour and for that review only; the storefront then posts up to three photos with it.
// The photos are checked and re-encoded here, stored, and uploaded to the shop's Shopify Files
// by a job, so the shopper never waits on Shopify.

const (
	photoTokenTTL = time.Hour
	// maxPhotoRequest bounds one upload request: three photos and the form around them.
	maxPhotoRequest = 3*reviews.MaxPhotoBytes + 64<<10
)

// photoQueue hands stored photos to the upload job (jobs.Queue has it).
type photoQueue interface {
	EnqueueReviewPhotos(ctx context.Context, shopID int64, in time.Duration) error
}

// photoToken lets the author of a review just submitted add its photos.
func (s *Server) photoToken(shop string, reviewID int64) string {
	return delivery.Sign(delivery.ReviewLinkKey(s.Cfg.ShopifyAPISecret), delivery.PurposeReviewPhotos,
		map[string]string{"shop": shop, "review": strconv.FormatInt(reviewID, 10)}, time.Now().Add(photoTokenTTL))
}

func (s *Server) verifyPhotoToken(shop string, reviewID int64, token string) bool {
	for _, secret := range s.Cfg.Secrets() {
		f, err := delivery.Verify(delivery.ReviewLinkKey(secret), delivery.PurposeReviewPhotos, token, time.Now())
		if err == nil {
			return f["shop"] == shop && f["review"] == strconv.FormatInt(reviewID, 10)
		}
	}
	return false
}

// proxyReviewPhotos serves POST /proxy/reviews/{id}/photos (multipart: "token" and up to three
// "photo" files, JPEG or PNG, 5 MB each) → 201 {"photos":[{"id","position","status"}]}. 401 a
// bad or expired token, 413 too large, 422 naming "photo" (type, size, or more than three in
// all); nothing is stored unless every photo passes.
func (s *Server) proxyReviewPhotos(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return models.Invalid("id", "must be a review id")
	}
	req := c.Request()
	req.Body = http.MaxBytesReader(c.Response(), req.Body, maxPhotoRequest)
	if err := req.ParseMultipartForm(1 << 20); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return apiError(http.StatusRequestEntityTooLarge, "photos larger than 5 MB each")
		}
		return models.Invalid("photo", "send the photos as multipart/form-data")
	}
	defer req.MultipartForm.RemoveAll()
	if !s.verifyPhotoToken(shopDomain(c), id, req.FormValue("token")) {
		return &models.Error{Code: models.EUnauthorized, Message: "the photo token is missing, expired or for another review"}
	}
	files := req.MultipartForm.File["photo"]
	if len(files) == 0 || len(files) > reviews.MaxReviewPhotos {
		return models.Invalid("photo", "send one to %d photos", reviews.MaxReviewPhotos)
	}
	var jpegs [][]byte
	for _, fh := range files {
		f, err := fh.Open()
		if err != nil {
			return models.Invalid("photo", "could not be read")
		}
		data, err := io.ReadAll(io.LimitReader(f, reviews.MaxPhotoBytes+1))
		f.Close()
		if err != nil {
			return models.Invalid("photo", "could not be read")
		}
		jpg, err := reviews.NormalizePhoto(data)
		if err != nil {
			return err
		}
		jpegs = append(jpegs, jpg)
	}
	ctx, shopID := req.Context(), ShopID(c)
	if _, err := reviews.GetReview(ctx, s.DB, shopID, id); err != nil {
		return err
	}
	photos, err := reviews.AddReviewPhotos(ctx, s.DB, shopID, id, jpegs)
	if err != nil {
		return err
	}
	if q, ok := s.Queue.(photoQueue); ok {
		if err := q.EnqueueReviewPhotos(ctx, shopID, 0); err != nil {
			s.Log.Warn("review photos not queued; the sweep uploads them", "error", err)
		}
	}
	out := make([]map[string]any, len(photos))
	for i, p := range photos {
		out[i] = map[string]any{"id": p.ID, "position": p.Position, "status": p.Status}
	}
	return c.JSON(http.StatusCreated, map[string]any{"photos": out})
}

// withPublicPhotos adds the ready photos of a storefront page of reviews.
func (s *Server) withPublicPhotos(c echo.Context, page []reviews.PublicReview) error {
	photos, err := photosOf(c, s, page, func(r reviews.PublicReview) int64 { return r.ID }, true)
	for i := range page {
		for _, p := range photos[page[i].ID] {
			page[i].Photos = append(page[i].Photos, reviews.PublicPhoto{URL: p.URL, Width: p.Width, Height: p.Height})
		}
	}
	return err
}

// withPhotos adds every photo (any state) to a page of reviews for moderation.
func (s *Server) withPhotos(c echo.Context, page []reviews.Review) error {
	photos, err := photosOf(c, s, page, func(r reviews.Review) int64 { return r.ID }, false)
	for i := range page {
		page[i].Photos = photos[page[i].ID]
	}
	return err
}

// photosOf reads the photos of a page of reviews, by review id.
func photosOf[T any](c echo.Context, s *Server, page []T, id func(T) int64, readyOnly bool) (map[int64][]reviews.ReviewPhoto, error) {
	ids := make([]int64, len(page))
	for i, r := range page {
		ids[i] = id(r)
	}
	return reviews.ReviewPhotos(c.Request().Context(), s.DB, ShopID(c), ids, readyOnly)
}
