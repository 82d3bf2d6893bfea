package reviews

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/boomerang-app/boomerang/models"
)

// What the storefront shows of reviews beyond the list (issue 13): the merchant's reply, and
// each product's rating as metafields in Shopify (the standard reviews.rating and
// reviews.rating_count, which any theme and Google Shopping read, and the app's own top reviews,
// which the Product reviews block renders as JSON-LD). A database trigger marks a product in
// product_rating_sync whenever its published reviews change; a job writes the metafields.

const (
	maxReplyLength = 2000
	// topReviews is how many reviews the product's JSON-LD carries.
	topReviews = 5
)

// SetReviewReply sets the merchant's public reply to a review; an empty reply removes it.
func SetReviewReply(ctx context.Context, db *gorm.DB, shopID, id int64, reply string, now time.Time) (*Review, error) {
	reply = strings.TrimSpace(reply)
	if len([]rune(reply)) > maxReplyLength {
		return nil, models.Invalid("reply", "longer than %d characters", maxReplyLength)
	}
	var at *time.Time
	if reply != "" {
		t := now.UTC()
		at = &t
	}
	res := db.WithContext(ctx).Exec(`UPDATE reviews SET reply = ?, replied_at = ?, updated_at = now() WHERE shop_id = ? AND id = ?`,
		reply, at, shopID, id)
	if res.Error != nil {
		return nil, fmt.Errorf("reply to review %d: %w", id, res.Error)
	}
	if res.RowsAffected == 0 {
		return nil, models.NotFound("review")
	}
	return GetReview(ctx, db, shopID, id)
}

// DeleteReview removes a review for good (spam, a review of the wrong product); its product's
// rating metafields follow. A review whose make-it-right case is still open is refused: the case
// holds promotions back from the customer and must be resolved first.
func DeleteReview(ctx context.Context, db *gorm.DB, shopID, id int64) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var open int64
		if err := tx.Raw(`SELECT count(*) FROM cases WHERE shop_id = ? AND review_id = ? AND status = 'open'`, shopID, id).
			Scan(&open).Error; err != nil {
			return err
		}
		if open > 0 {
			return models.Conflict("the review's make-it-right case is open: resolve it first")
		}
		res := tx.Exec(`DELETE FROM reviews WHERE shop_id = ? AND id = ?`, shopID, id)
		if res.Error != nil {
			return fmt.Errorf("delete review %d: %w", id, res.Error)
		}
		if res.RowsAffected == 0 {
			return models.NotFound("review")
		}
		return nil
	})
}

// ProductRating is a product's published rating as its metafields carry it.
type ProductRating struct {
	ProductID int64
	Count     int64
	Average   float64
	Top       []RatingReview `gorm:"-"`
	ChangedAt time.Time      // the mark this rating was read under
}

// RatingReview is one review in the product's JSON-LD.
type RatingReview struct {
	Author string    `json:"author"`
	Rating int       `json:"rating"`
	Title  string    `json:"title"`
	Body   string    `json:"body"`
	Date   time.Time `json:"date"`
}

// jsonLDText keeps a shopper's words from closing the block's JSON-LD <script>: the theme renders
// them with Liquid's json filter, which leaves < and > as they are.
var jsonLDText = strings.NewReplacer("<", "‹", ">", "›").Replace

// DueProductRatings returns up to limit products of a shop whose metafields are stale, each with
// its published rating and latest reviews, in two statements.
func DueProductRatings(ctx context.Context, db *gorm.DB, shopID int64, limit int) ([]ProductRating, error) {
	var due []ProductRating
	if err := db.WithContext(ctx).Raw(`SELECT s.product_id, s.changed_at,
			count(r.id) AS count, COALESCE(avg(r.rating), 0) AS average
		FROM product_rating_sync s
		LEFT JOIN reviews r ON r.shop_id = s.shop_id AND r.product_id = s.product_id AND r.status = 'published'
		WHERE s.shop_id = ? AND (s.synced_at IS NULL OR s.synced_at < s.changed_at)
		GROUP BY s.product_id, s.changed_at ORDER BY s.changed_at LIMIT ?`, shopID, limit).Scan(&due).Error; err != nil {
		return nil, fmt.Errorf("due product ratings of shop %d: %w", shopID, err)
	}
	if len(due) == 0 {
		return nil, nil
	}
	ids := make([]int64, len(due))
	for i := range due {
		ids[i] = due[i].ProductID
		due[i].Average = math.Round(due[i].Average*100) / 100
	}
	var rows []struct {
		ProductID                         int64
		Rating                            int
		Title, Body                       string
		CreatedAt                         time.Time
		ReviewerName, FirstName, LastName string
	}
	if err := db.WithContext(ctx).Raw(`SELECT p AS product_id, t.* FROM unnest(?::bigint[]) AS p, LATERAL (
			SELECT r.rating, r.title, r.body, r.created_at, r.reviewer_name,
				COALESCE(c.first_name, '') AS first_name, COALESCE(c.last_name, '') AS last_name
			FROM reviews r LEFT JOIN customers c ON c.shop_id = r.shop_id AND c.customer_id = r.customer_id
			WHERE r.shop_id = ? AND r.product_id = p AND r.status = 'published'
			ORDER BY r.created_at DESC, r.id DESC LIMIT ?) t`, models.Array(ids), shopID, topReviews).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("top reviews of shop %d: %w", shopID, err)
	}
	at := map[int64]int{}
	for i := range due {
		at[due[i].ProductID] = i
	}
	for _, r := range rows {
		i := at[r.ProductID]
		due[i].Top = append(due[i].Top, RatingReview{Author: jsonLDText(displayName(r.ReviewerName, r.FirstName, r.LastName)),
			Rating: r.Rating, Title: jsonLDText(r.Title), Body: jsonLDText(models.Truncate(r.Body, 1000)), Date: r.CreatedAt.UTC()})
	}
	return due, nil
}

// MarkProductRatingSynced settles a product's mark, unless its reviews changed after the rating
// was read: then it stays due and the next run writes the newer rating. failed keeps Shopify's
// refusal (settled too, since sending it again would be refused again).
func MarkProductRatingSynced(ctx context.Context, db *gorm.DB, shopID int64, r ProductRating, failed string, now time.Time) error {
	return db.WithContext(ctx).Exec(`UPDATE product_rating_sync SET synced_at = ?, failed = ?
		WHERE shop_id = ? AND product_id = ? AND changed_at = ?`, r.ChangedAt, failed, shopID, r.ProductID, r.ChangedAt).Error
}

// ShopsWithDueProductRatings lists shops with stale rating metafields (the sweeper's catch).
func ShopsWithDueProductRatings(ctx context.Context, db *gorm.DB, before time.Time) ([]int64, error) {
	var ids []int64
	err := db.WithContext(models.AllShops(ctx)).Raw(`SELECT DISTINCT shop_id FROM product_rating_sync
		WHERE (synced_at IS NULL OR synced_at < changed_at) AND changed_at < ?`, before).Scan(&ids).Error
	return ids, err
}

// GuestReview is a review from a shopper who is not logged in: a name and an email instead of a
// verified customer.
type GuestReview struct {
	ReviewInput
	Name  string
	Email string
}

// SubmitGuestReview stores a guest's review for moderation: never published before the merchant
// looks, never a verified buyer, and once per email and product (a second is a 409).
func SubmitGuestReview(ctx context.Context, db *gorm.DB, shopID int64, in GuestReview, now time.Time) (*Review, error) {
	if err := in.validateText(); err != nil {
		return nil, err
	}
	in.Name, in.Email = strings.TrimSpace(in.Name), strings.ToLower(strings.TrimSpace(in.Email))
	switch {
	case in.Name == "" || len([]rune(in.Name)) > 60:
		return nil, models.Invalid("name", "required, at most 60 characters")
	case len(in.Email) > 254 || !strings.Contains(in.Email, "@") || strings.ContainsAny(in.Email, " \t\r\n<>"):
		return nil, models.Invalid("email", "must be an email address")
	case in.OrderID != 0:
		return nil, models.Invalid("order_id", "log in to review an order")
	}
	key := fmt.Sprintf("guest:%x:%d", sha256.Sum256([]byte(in.Email)), in.ProductID)
	r := Review{ShopID: shopID, ProductID: &in.ProductID, Rating: in.Rating, Title: in.Title, Body: in.Body,
		ReviewerName: in.Name, ReviewerEmail: in.Email, Status: ReviewPending, Source: SourceStorefront, SourceKey: &key,
		CreatedAt: now.UTC(), ReceivedAt: now.UTC(), UpdatedAt: now.UTC()}
	if err := db.WithContext(ctx).Create(&r).Error; err != nil {
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return nil, models.Conflict("this email has already reviewed this product")
		}
		return nil, fmt.Errorf("guest review: %w", err)
	}
	return &r, nil
}

// RedactGuestReviews erases what a shopper wrote as a guest (reviews keyed by their email, not a
// customer id) when Shopify asks to redact the customer with that email: the words, the name
// and the address go, the stars stay in the shop's aggregate, and the photos leave Shopify Files.
func RedactGuestReviews(ctx context.Context, db *gorm.DB, shopID int64, email string) error {
	email = strings.ToLower(strings.TrimSpace(email))
	if email == "" {
		return nil
	}
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec(`UPDATE review_photos p SET status = 'deleting', data = NULL, url = '', updated_at = now()
			FROM reviews r WHERE p.shop_id = ? AND r.shop_id = ? AND r.id = p.review_id AND r.customer_id IS NULL
			  AND r.reviewer_email = ?`, shopID, shopID, email).Error; err != nil {
			return err
		}
		return tx.Exec(`UPDATE reviews SET reviewer_name = '', reviewer_email = '', title = '', body = '', updated_at = now()
			WHERE shop_id = ? AND customer_id IS NULL AND reviewer_email = ?`, shopID, email).Error
	})
}
