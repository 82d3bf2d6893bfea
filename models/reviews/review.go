package reviews

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/boomerang-app/boomerang/models"
)

// Review statuses.
const (
	ReviewPending   = "pending"
	ReviewPublished = "published"
	ReviewHidden    = "hidden"
)

// Review sources: the storefront widget (logged-in customer), a signed review-request link, or
// an import from another review app. Only the first two are "live": they can open cases.
const (
	SourceStorefront = "storefront"
	SourceLink       = "link"
	SourceImport     = "import"
)

// Limits on one submission.
const (
	MaxReviewBody       = 5000 // characters; longer is 413 at the edge
	MaxReviewTitle      = 150
	ReviewsPerDay       = 5 // per customer, rolling 24 hours
	maxReviewNameLength = 100
)

// ErrTooManyReviews: the customer already submitted ReviewsPerDay reviews in the last 24 hours.
var ErrTooManyReviews = errors.New("too many reviews from this customer today")

// Review is one product review with its sentiment once scored.
type Review struct {
	ID                     int64
	ShopID                 int64
	ProductID              *int64
	ProductHandle          string
	CustomerID             *int64
	OrderID                *int64
	RequestID              *int64
	Rating                 int
	Title                  string
	Body                   string
	ReviewerName           string
	ReviewerEmail          string
	Status                 string
	VerifiedBuyer          bool
	Source                 string
	SourceKey              *string
	SentimentScore         *float64
	SentimentLabel         *string
	SentimentLanguage      *string
	SentimentConfidence    *float64
	SentimentContradiction bool
	ScorerVersion          *string
	ScoredAt               *time.Time
	PublishedAt            *time.Time
	CreatedAt              time.Time
	ReceivedAt             time.Time
	UpdatedAt              time.Time
	Reply                  string
	RepliedAt              *time.Time
	Photos                 []ReviewPhoto       `gorm:"-"` // filled by the handlers that show them
	Product                *models.ProductCard `gorm:"-"` // likewise: the product's title and image
}

// ReviewSentiment is the stored score of a review, as the API shows it.
type ReviewSentiment struct {
	Score         float64 `json:"score"`
	Label         string  `json:"label"`
	Language      string  `json:"language"`
	Confidence    float64 `json:"confidence"`
	Contradiction bool    `json:"contradiction"`
	Version       string  `json:"version"`
}

// Sentiment returns the stored score, or nil while the review waits for the scorer.
func (r Review) Sentiment() *ReviewSentiment {
	if r.SentimentScore == nil || r.SentimentLabel == nil {
		return nil
	}
	s := &ReviewSentiment{Score: *r.SentimentScore, Label: *r.SentimentLabel, Contradiction: r.SentimentContradiction}
	if r.SentimentLanguage != nil {
		s.Language = *r.SentimentLanguage
	}
	if r.SentimentConfidence != nil {
		s.Confidence = *r.SentimentConfidence
	}
	if r.ScorerVersion != nil {
		s.Version = *r.ScorerVersion
	}
	return s
}

// MarshalJSON is the admin API shape (docs/api.md).
func (r Review) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		ID            int64               `json:"id"`
		ProductID     *int64              `json:"product_id"`
		ProductHandle string              `json:"product_handle,omitempty"`
		CustomerID    *int64              `json:"customer_id"`
		OrderID       *int64              `json:"order_id,omitempty"`
		Rating        int                 `json:"rating"`
		Title         string              `json:"title"`
		Body          string              `json:"body"`
		ReviewerName  string              `json:"reviewer_name,omitempty"`
		Status        string              `json:"status"`
		VerifiedBuyer bool                `json:"verified_buyer"`
		Source        string              `json:"source"`
		Sentiment     *ReviewSentiment    `json:"sentiment"`
		CreatedAt     time.Time           `json:"created_at"`
		PublishedAt   *time.Time          `json:"published_at,omitempty"`
		Reply         string              `json:"reply,omitempty"`
		RepliedAt     *time.Time          `json:"replied_at,omitempty"`
		Photos        []ReviewPhoto       `json:"photos,omitempty"`
		Product       *models.ProductCard `json:"product,omitempty"`
	}{r.ID, r.ProductID, r.ProductHandle, r.CustomerID, r.OrderID, r.Rating, r.Title, r.Body, r.ReviewerName,
		r.Status, r.VerifiedBuyer, r.Source, r.Sentiment(), r.CreatedAt, r.PublishedAt, r.Reply, r.RepliedAt, r.Photos, r.Product})
}

// ReviewInput is one storefront submission after the edge has decided who the reviewer is.
type ReviewInput struct {
	ProductID  int64
	Rating     int
	Title      string
	Body       string
	OrderID    int64 // optional; must be the customer's
	CustomerID int64 // verified: logged_in_customer_id or the signed link's customer
	Source     string
	// LinkProducts, for a link submission, are the products the link asks about.
	LinkProducts []int64
}

// Validate checks every field and names the first bad one. Text is trimmed in place.
func (in *ReviewInput) Validate() error {
	if err := in.validateText(); err != nil {
		return err
	}
	if in.CustomerID <= 0 {
		return models.Invalid("customer_id", "a review needs a signed-in customer or a review link")
	}
	if in.Source != SourceStorefront && in.Source != SourceLink {
		return models.Invalid("source", "unknown review source")
	}
	if in.Source == SourceLink {
		ok := false
		for _, p := range in.LinkProducts {
			ok = ok || p == in.ProductID
		}
		if !ok {
			return models.Invalid("product_id", "this review link is for other products")
		}
	}
	return nil
}

// validateText checks what any reviewer writes: the product, the stars and the words.
func (in *ReviewInput) validateText() error {
	in.Title, in.Body = strings.TrimSpace(in.Title), strings.TrimSpace(in.Body)
	if in.ProductID <= 0 {
		return models.Invalid("product_id", "must be a Shopify product id")
	}
	if in.Rating < 1 || in.Rating > 5 {
		return models.Invalid("rating", "must be a whole number from 1 to 5")
	}
	if err := checkText("title", in.Title, MaxReviewTitle); err != nil {
		return err
	}
	if err := checkText("body", in.Body, MaxReviewBody); err != nil {
		return err
	}
	if in.OrderID < 0 {
		return models.Invalid("order_id", "must be a Shopify order id")
	}
	return nil
}

// checkText refuses what Postgres cannot store (invalid UTF-8, NUL) and over-long text.
func checkText(field, s string, max int) error {
	if !utf8.ValidString(s) {
		return models.Invalid(field, "is not valid UTF-8 text")
	}
	if strings.IndexByte(s, 0) >= 0 {
		return models.Invalid(field, "contains a NUL character")
	}
	if n := utf8.RuneCountInString(s); n > max {
		return models.Invalid(field, "is %d characters long; the limit is %d", n, max)
	}
	return nil
}

// SubmitReview stores a live review: limits checked under a per-customer lock, verified-buyer
// status from stored orders, moderation status from the shop's settings. Scoring happens in a
// job (reviews:score) enqueued by the caller after this returns.
func SubmitReview(ctx context.Context, db *gorm.DB, shopID int64, in ReviewInput, now time.Time) (*Review, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	settings, err := GetReviewSettings(ctx, db, shopID)
	if err != nil {
		return nil, err
	}
	var rev *Review
	err = db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		// Serialises one customer's submissions so two at once cannot both pass the daily limit.
		if err := tx.Exec(`SELECT pg_advisory_xact_lock(?)`, models.LockKey("review-submit", shopID, in.CustomerID)).Error; err != nil {
			return err
		}
		var recent int64
		if err := tx.Raw(`SELECT count(*) FROM reviews WHERE shop_id = ? AND customer_id = ? AND source <> 'import'
			AND received_at > ?`, shopID, in.CustomerID, now.Add(-24*time.Hour)).Scan(&recent).Error; err != nil {
			return err
		}
		if recent >= ReviewsPerDay {
			return ErrTooManyReviews
		}
		var dup int64
		if err := tx.Raw(`SELECT count(*) FROM reviews WHERE shop_id = ? AND customer_id = ? AND product_id = ?
			AND source <> 'import'`, shopID, in.CustomerID, in.ProductID).Scan(&dup).Error; err != nil {
			return err
		}
		if dup > 0 {
			return models.Conflict("this customer has already reviewed this product")
		}
		if in.OrderID != 0 {
			var owner struct{ CustomerID *int64 }
			res := tx.Raw(`SELECT customer_id FROM orders WHERE shop_id = ? AND order_id = ?`, shopID, in.OrderID).Scan(&owner)
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected == 0 || owner.CustomerID == nil || *owner.CustomerID != in.CustomerID {
				return models.Invalid("order_id", "is not an order of this customer")
			}
		}
		verified, err := boughtProduct(ctx, tx, shopID, in.CustomerID, in.ProductID)
		if err != nil {
			return err
		}
		if err := models.EnsureCustomer(ctx, tx, shopID, in.CustomerID); err != nil {
			return err
		}
		r := Review{ShopID: shopID, ProductID: &in.ProductID, CustomerID: &in.CustomerID, Rating: in.Rating,
			Title: in.Title, Body: in.Body, Status: settings.statusFor(in.Rating), VerifiedBuyer: verified,
			Source: in.Source, CreatedAt: now.UTC(), ReceivedAt: now.UTC(), UpdatedAt: now.UTC()}
		if in.OrderID != 0 {
			r.OrderID = &in.OrderID
		}
		if r.Status == ReviewPublished {
			r.PublishedAt = &r.CreatedAt
		}
		if in.Source == SourceLink && in.OrderID != 0 {
			var reqID int64
			if err := tx.Raw(`UPDATE review_requests SET status = 'completed', updated_at = now()
				WHERE shop_id = ? AND order_id = ? AND status IN ('scheduled', 'sent') RETURNING id`,
				shopID, in.OrderID).Scan(&reqID).Error; err != nil {
				return err
			}
			if reqID != 0 {
				r.RequestID = &reqID
			}
		}
		if err := tx.Create(&r).Error; err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return models.Conflict("this customer has already reviewed this product")
			}
			return err
		}
		if err := reviewSubmitted(ctx, tx, &r, now); err != nil {
			return err
		}
		rev = &r
		return nil
	})
	if err != nil {
		if errors.Is(err, ErrTooManyReviews) || models.ErrorCode(err) != models.EInternal {
			return nil, err
		}
		return nil, fmt.Errorf("submit review: %w", err)
	}
	return rev, nil
}

// reviewSubmitted raises review_submitted in the review's transaction: loyalty hears it on the
// bus and pays the first-review bonus (jobs/bus.go), so reviews never writes points itself.
func reviewSubmitted(ctx context.Context, tx *gorm.DB, r *Review, now time.Time) error {
	if r.CustomerID == nil {
		return nil
	}
	_, err := models.Emit(ctx, tx, r.ShopID, *r.CustomerID, "review:"+strconv.FormatInt(r.ID, 10),
		models.ReviewSubmittedPayload{ReviewID: r.ID, ProductID: r.ProductID}, now)
	return err
}

// boughtProduct reports whether the customer has a kept order containing the product.
func boughtProduct(ctx context.Context, tx *gorm.DB, shopID, customerID, productID int64) (bool, error) {
	var n int64
	err := tx.WithContext(ctx).Raw(`SELECT count(*) FROM order_lines ol
		JOIN orders o ON o.shop_id = ol.shop_id AND o.order_id = ol.order_id
		WHERE ol.shop_id = ? AND ol.product_id = ? AND o.customer_id = ? AND o.cancelled_at IS NULL AND NOT o.test`,
		shopID, productID, customerID).Scan(&n).Error
	return n > 0, err
}

// GetReview loads one review of the shop.
func GetReview(ctx context.Context, db *gorm.DB, shopID, id int64) (*Review, error) {
	return models.FindOne[Review](ctx, db, shopID, "review", "id", id)
}

// SetReviewStatus publishes or hides a review (moderation).
func SetReviewStatus(ctx context.Context, db *gorm.DB, shopID, id int64, status string) (*Review, error) {
	if status != ReviewPublished && status != ReviewHidden {
		return nil, models.Invalid("status", "must be published or hidden")
	}
	res := db.WithContext(ctx).Exec(`UPDATE reviews SET status = ?, updated_at = now(),
			published_at = CASE WHEN ? = 'published' THEN COALESCE(published_at, now()) ELSE published_at END
		WHERE shop_id = ? AND id = ?`, status, status, shopID, id)
	if res.Error != nil {
		return nil, fmt.Errorf("set review %d status: %w", id, res.Error)
	}
	if res.RowsAffected == 0 {
		return nil, models.NotFound("review")
	}
	return GetReview(ctx, db, shopID, id)
}

// PublishHeldReviews publishes reviews held for moderation longer than their shop allows
// (pending_publish_days; 0 = never), across shops: the anchors' FTC-aligned practice of never
// suppressing a review indefinitely. The merchant hides what must not be shown.
func PublishHeldReviews(ctx context.Context, db *gorm.DB, now time.Time) (int64, error) {
	res := db.WithContext(models.AllShops(ctx)).Exec(`UPDATE reviews r SET status = 'published', published_at = ?, updated_at = now()
		FROM review_settings s
		WHERE s.shop_id = r.shop_id AND s.pending_publish_days > 0 AND r.status = 'pending'
		  AND r.received_at <= ?::timestamptz - make_interval(days => s.pending_publish_days)`, now.UTC(), now.UTC())
	if res.Error != nil {
		return 0, fmt.Errorf("publish held reviews: %w", res.Error)
	}
	return res.RowsAffected, nil
}

func init() {
	models.RegisterExporter("reviews", func(ctx context.Context, tx *gorm.DB, shopID, customerID int64) (any, error) {
		var rs []Review
		err := models.Scoped(ctx, tx, shopID).Where("customer_id = ?", customerID).Order("id").Find(&rs).Error
		return rs, err
	})
	models.RegisterRedactor(func(ctx context.Context, tx *gorm.DB, shopID, customerID int64) error {
		// The rating stays (it is the shop's aggregate); words and names that identify the shopper go.
		if err := tx.Exec(`UPDATE reviews SET reviewer_name = '', reviewer_email = '', title = '', body = '',
			updated_at = now() WHERE shop_id = ? AND customer_id = ?`, shopID, customerID).Error; err != nil {
			return err
		}
		return tx.Exec(`UPDATE complaints SET quote = '' WHERE shop_id = ? AND customer_id = ?`, shopID, customerID).Error
	})
}
