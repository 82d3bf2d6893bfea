package reviews

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/jpeg"
	_ "image/png" // photos may be PNG
	"time"

	"gorm.io/gorm"

	"github.com/boomerang-app/boomerang/models"
)

// Photo reviews (issue 13). A shopper adds up to three images to their review; the image is
// re-encoded on arrival (which drops its metadata, GPS included) and waits in review_photos
// until a job uploads it to the shop's Shopify Files. The storefront shows a photo once Shopify
// has processed it, on a published review; the merchant sees every photo in moderation.

// Photo states.
const (
	PhotoPending  = "pending"  // bytes here, not yet in Shopify
	PhotoUploaded = "uploaded" // a Shopify file, being processed
	PhotoReady    = "ready"    // served from Shopify's CDN
	PhotoFailed   = "failed"   // Shopify refused it
	PhotoDeleting = "deleting" // to be deleted from Shopify (redaction)
)

// MaxReviewPhotos is how many photos one review takes.
const MaxReviewPhotos = 3

// ReviewPhoto is one photo of a review.
type ReviewPhoto struct {
	ID        int64     `json:"id"`
	ShopID    int64     `json:"-"`
	ReviewID  *int64    `json:"review_id"`
	Position  int       `json:"position"`
	Data      []byte    `json:"-"`
	FileID    string    `json:"file_id,omitempty"`
	URL       string    `json:"url,omitempty"`
	Width     int       `json:"width,omitempty"`
	Height    int       `json:"height,omitempty"`
	Status    string    `json:"status"`
	Attempts  int       `json:"-"`
	Error     string    `json:"error,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"-"`
}

// PublicPhoto is a photo as the storefront shows it.
type PublicPhoto struct {
	URL    string `json:"url"`
	Width  int    `json:"width"`
	Height int    `json:"height"`
}

// AddReviewPhotos stores photos (JPEG bytes, already re-encoded) for a review, after those it has;
// more than MaxReviewPhotos in all is refused and nothing is stored.
func AddReviewPhotos(ctx context.Context, db *gorm.DB, shopID, reviewID int64, jpegs [][]byte) ([]ReviewPhoto, error) {
	var out []ReviewPhoto
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec(`SELECT pg_advisory_xact_lock(?)`, models.LockKey("review-photos", shopID, reviewID)).Error; err != nil {
			return err
		}
		var have int
		if err := tx.Raw(`SELECT count(*) FROM review_photos WHERE shop_id = ? AND review_id = ?`, shopID, reviewID).Scan(&have).Error; err != nil {
			return err
		}
		if have+len(jpegs) > MaxReviewPhotos {
			return models.Invalid("photo", "a review takes at most %d photos", MaxReviewPhotos)
		}
		for i, b := range jpegs {
			id := reviewID
			out = append(out, ReviewPhoto{ShopID: shopID, ReviewID: &id, Position: have + i + 1, Data: b, Status: PhotoPending})
		}
		if len(out) == 0 {
			return nil
		}
		return tx.Omit("ID", "CreatedAt", "UpdatedAt").Create(&out).Error
	})
	return out, err
}

// PhotoWork is what a shop's photo job has to do.
type PhotoWork struct {
	Upload  []ReviewPhoto // pending: bytes to send
	Process []ReviewPhoto // uploaded: Shopify is processing them
	Delete  []ReviewPhoto // their review is gone or its author redacted
}

// PendingPhotoWork reads up to limit photos of each kind.
func PendingPhotoWork(ctx context.Context, db *gorm.DB, shopID int64, limit int) (PhotoWork, error) {
	var w PhotoWork
	q := func() *gorm.DB { return models.Scoped(ctx, db, shopID).Order("id").Limit(limit) }
	if err := q().Where("status = ? AND review_id IS NOT NULL", PhotoPending).Find(&w.Upload).Error; err != nil {
		return w, err
	}
	if err := q().Omit("data").Where("status = ? AND review_id IS NOT NULL", PhotoUploaded).Find(&w.Process).Error; err != nil {
		return w, err
	}
	err := q().Omit("data").Where("status = ? OR review_id IS NULL", PhotoDeleting).Find(&w.Delete).Error
	return w, err
}

// MarkPhotoUploaded records the Shopify file a photo became and drops its bytes.
func MarkPhotoUploaded(ctx context.Context, db *gorm.DB, shopID, id int64, fileID string) error {
	return models.Scoped(ctx, db, shopID).Model(&ReviewPhoto{}).Where("id = ? AND status = ?", id, PhotoPending).
		Updates(map[string]any{"status": PhotoUploaded, "file_id": fileID, "data": nil, "updated_at": time.Now()}).Error
}

// MarkPhotoReady records the processed image Shopify serves.
func MarkPhotoReady(ctx context.Context, db *gorm.DB, shopID, id int64, url string, width, height int) error {
	return models.Scoped(ctx, db, shopID).Model(&ReviewPhoto{}).Where("id = ? AND status = ?", id, PhotoUploaded).
		Updates(map[string]any{"status": PhotoReady, "url": url, "width": width, "height": height, "updated_at": time.Now()}).Error
}

// MarkPhotoFailed records Shopify's refusal; the photo is never shown.
func MarkPhotoFailed(ctx context.Context, db *gorm.DB, shopID, id int64, reason string) error {
	return models.Scoped(ctx, db, shopID).Model(&ReviewPhoto{}).Where("id = ?", id).
		Updates(map[string]any{"status": PhotoFailed, "error": models.Truncate(reason, 500), "data": nil, "updated_at": time.Now()}).Error
}

// RemovePhotos deletes photo rows once their Shopify files are gone.
func RemovePhotos(ctx context.Context, db *gorm.DB, shopID int64, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	return db.WithContext(ctx).Exec(`DELETE FROM review_photos WHERE shop_id = ? AND id IN ?`, shopID, ids).Error
}

// ReviewPhotos returns the photos of reviews, by review: ready ones only for the storefront, all
// of them for moderation.
func ReviewPhotos(ctx context.Context, db *gorm.DB, shopID int64, reviewIDs []int64, readyOnly bool) (map[int64][]ReviewPhoto, error) {
	out := map[int64][]ReviewPhoto{}
	if len(reviewIDs) == 0 {
		return out, nil
	}
	q := models.Scoped(ctx, db, shopID).Omit("data").Where("review_id IN ?", reviewIDs).Order("review_id, position")
	if readyOnly {
		q = q.Where("status = ?", PhotoReady)
	} else {
		q = q.Where("status <> ?", PhotoDeleting)
	}
	var ps []ReviewPhoto
	if err := q.Find(&ps).Error; err != nil {
		return nil, fmt.Errorf("review photos: %w", err)
	}
	for _, p := range ps {
		out[*p.ReviewID] = append(out[*p.ReviewID], p)
	}
	return out, nil
}

// ShopsWithPhotoWork lists shops whose photo job has something to do (the sweeper's catch).
func ShopsWithPhotoWork(ctx context.Context, db *gorm.DB) ([]int64, error) {
	var ids []int64
	err := db.WithContext(models.AllShops(ctx)).Raw(`SELECT DISTINCT shop_id FROM review_photos
		WHERE status IN ('pending', 'uploaded', 'deleting') OR review_id IS NULL`).Scan(&ids).Error
	return ids, err
}

func init() {
	// A redacted customer's photos leave the storefront at once and Shopify's Files next.
	models.RegisterRedactor(func(ctx context.Context, tx *gorm.DB, shopID, customerID int64) error {
		return tx.Exec(`UPDATE review_photos p SET status = 'deleting', data = NULL, url = '', updated_at = now()
			FROM reviews r WHERE p.shop_id = ? AND r.shop_id = ? AND r.id = p.review_id AND r.customer_id = ?`,
			shopID, shopID, customerID).Error
	})
}

// Photo limits: what one upload may weigh and measure before it is decoded.
const (
	MaxPhotoBytes = 5 << 20
	maxPhotoSide  = 6000
)

// NormalizePhoto checks an uploaded image (JPEG or PNG, at most MaxPhotoBytes and 6000 pixels a
// side, read from its header before any decoding) and re-encodes it as a JPEG, which leaves its
// metadata (camera, GPS position) behind.
func NormalizePhoto(data []byte) ([]byte, error) {
	if len(data) > MaxPhotoBytes {
		return nil, models.Invalid("photo", "larger than %d MB", MaxPhotoBytes>>20)
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil || (format != "jpeg" && format != "png") {
		return nil, models.Invalid("photo", "must be a JPEG or PNG image")
	}
	if cfg.Width > maxPhotoSide || cfg.Height > maxPhotoSide || cfg.Width < 1 || cfg.Height < 1 {
		return nil, models.Invalid("photo", "must be at most %d pixels a side", maxPhotoSide)
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, models.Invalid("photo", "the image could not be read")
	}
	var out bytes.Buffer
	if err := jpeg.Encode(&out, img, &jpeg.Options{Quality: 85}); err != nil {
		return nil, fmt.Errorf("encode photo: %w", err)
	}
	return out.Bytes(), nil
}

// WithPhotoLock runs fn while holding the shop's photo lock, so two runs never upload the same
// photo twice (which would leave an orphan file in Shopify). ok is false, and fn not run, when
// another run holds it.
func WithPhotoLock(ctx context.Context, db *gorm.DB, shopID int64, fn func() error) (ok bool, err error) {
	return models.WithRunLock(ctx, db, models.LockKey("review-photos-run", shopID), false, fn)
}
