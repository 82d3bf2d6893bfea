package reviews

import (
	"context"
	"encoding/base64"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/boomerang-app/boomerang/models"
)

// ReviewFilter narrows the admin review list. Zero values mean "any".
type ReviewFilter struct {
	ProductID  int64
	CustomerID int64
	Rating     int
	Sentiment  string // negative | neutral | positive | unscored
	Status     string
	Cursor     string
	Limit      int
}

// Page limits (docs/api.md): default 50, at most 200.
const (
	defaultPageSize = 50
	maxPageSize     = 200
)

func pageSize(n int) int {
	switch {
	case n <= 0:
		return defaultPageSize
	case n > maxPageSize:
		return maxPageSize
	}
	return n
}

// timeCursor is a keyset position: (created_at, id) of the last row of the previous page.
type timeCursor struct {
	at time.Time
	id int64
}

func (c timeCursor) String() string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(c.at.UnixMicro(), 10) + "." + strconv.FormatInt(c.id, 10)))
}

func parseTimeCursor(s string) (*timeCursor, error) {
	if s == "" {
		return nil, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, models.Invalid("cursor", "is not a cursor from a previous page")
	}
	a, b, ok := strings.Cut(string(raw), ".")
	us, err1 := strconv.ParseInt(a, 10, 64)
	id, err2 := strconv.ParseInt(b, 10, 64)
	if !ok || err1 != nil || err2 != nil {
		return nil, models.Invalid("cursor", "is not a cursor from a previous page")
	}
	return &timeCursor{time.UnixMicro(us).UTC(), id}, nil
}

// ListReviews returns the shop's reviews newest first, one page at a time.
func ListReviews(ctx context.Context, db *gorm.DB, shopID int64, f ReviewFilter) ([]Review, string, error) {
	q := models.Scoped(ctx, db, shopID).Model(&Review{})
	if f.ProductID != 0 {
		q = q.Where("product_id = ?", f.ProductID)
	}
	if f.CustomerID != 0 {
		q = q.Where("customer_id = ?", f.CustomerID)
	}
	if f.Rating != 0 {
		if f.Rating < 1 || f.Rating > 5 {
			return nil, "", models.Invalid("rating", "must be from 1 to 5")
		}
		q = q.Where("rating = ?", f.Rating)
	}
	switch f.Sentiment {
	case "":
	case "negative", "neutral", "positive":
		q = q.Where("sentiment_label = ?", f.Sentiment)
	case "unscored":
		q = q.Where("sentiment_label IS NULL")
	default:
		return nil, "", models.Invalid("sentiment", "must be negative, neutral, positive or unscored")
	}
	switch f.Status {
	case "":
	case ReviewPending, ReviewPublished, ReviewHidden:
		q = q.Where("status = ?", f.Status)
	default:
		return nil, "", models.Invalid("status", "must be pending, published or hidden")
	}
	cur, err := parseTimeCursor(f.Cursor)
	if err != nil {
		return nil, "", err
	}
	if cur != nil {
		q = q.Where("(created_at, id) < (?, ?)", cur.at, cur.id)
	}
	n := pageSize(f.Limit)
	var rs []Review
	if err := q.Order("created_at DESC, id DESC").Limit(n + 1).Find(&rs).Error; err != nil {
		return nil, "", fmt.Errorf("list reviews: %w", err)
	}
	next := ""
	if len(rs) > n {
		rs = rs[:n]
		last := rs[n-1]
		next = timeCursor{last.CreatedAt, last.ID}.String()
	}
	return rs, next, nil
}

// PublicReview is what the storefront may show: no email, no customer id, a short name.
type PublicReview struct {
	ID            int64         `json:"id"`
	ProductID     *int64        `json:"product_id"`
	Rating        int           `json:"rating"`
	Title         string        `json:"title"`
	Body          string        `json:"body"`
	Author        string        `json:"author"`
	VerifiedBuyer bool          `json:"verified_buyer"`
	CreatedAt     time.Time     `json:"created_at"`
	Reply         string        `json:"reply,omitempty"` // the merchant's public answer
	RepliedAt     *time.Time    `json:"replied_at,omitempty"`
	Photos        []PublicPhoto `json:"photos,omitempty" gorm:"-"`
}

// RatingSummary is a product's published rating.
type RatingSummary struct {
	Count        int64            `json:"count"`
	Average      float64          `json:"average"`
	Distribution map[string]int64 `json:"distribution"` // "1".."5" → count
}

// ProductQuery names a product by Shopify id, handle or both (imports may know only the handle).
type ProductQuery struct {
	ProductID int64
	Handle    string
}

func (p ProductQuery) where(q *gorm.DB) (*gorm.DB, error) {
	switch {
	case p.ProductID > 0 && p.Handle != "":
		return q.Where("(r.product_id = ? OR (r.product_id IS NULL AND r.product_handle = ?))", p.ProductID, p.Handle), nil
	case p.ProductID > 0:
		return q.Where("r.product_id = ?", p.ProductID), nil
	case p.Handle != "":
		return q.Where("r.product_handle = ?", p.Handle), nil
	}
	return nil, models.Invalid("product_id", "name a product by product_id or handle")
}

// Storefront review orders.
const (
	SortNewest  = "newest"
	SortHighest = "highest"
	SortLowest  = "lowest"
)

// PublishedReviews lists a product's published reviews for the storefront, newest first or by
// rating (then newest), one page at a time.
func PublishedReviews(ctx context.Context, db *gorm.DB, shopID int64, p ProductQuery, sort, cursor string, limit int) ([]PublicReview, string, error) {
	q := db.WithContext(ctx).Table("reviews r").
		Select(`r.id, r.product_id, r.rating, r.title, r.body, r.verified_buyer, r.created_at, r.reply, r.replied_at,
			r.reviewer_name, COALESCE(c.first_name, '') AS first_name, COALESCE(c.last_name, '') AS last_name`).
		Joins("LEFT JOIN customers c ON c.shop_id = r.shop_id AND c.customer_id = r.customer_id").
		Where("r.shop_id = ? AND r.status = 'published'", shopID)
	q, err := p.where(q)
	if err != nil {
		return nil, "", err
	}
	cur, err := parseReviewCursor(cursor)
	if err != nil {
		return nil, "", err
	}
	switch sort {
	case "", SortNewest:
		if cur != nil {
			q = q.Where("(r.created_at, r.id) < (?, ?)", cur.at, cur.id)
		}
		q = q.Order("r.created_at DESC, r.id DESC")
	case SortHighest:
		if cur != nil {
			q = q.Where("(r.rating, r.created_at, r.id) < (?, ?, ?)", cur.rating, cur.at, cur.id)
		}
		q = q.Order("r.rating DESC, r.created_at DESC, r.id DESC")
	case SortLowest:
		if cur != nil {
			q = q.Where("(-r.rating, r.created_at, r.id) < (?, ?, ?)", -cur.rating, cur.at, cur.id)
		}
		q = q.Order("r.rating ASC, r.created_at DESC, r.id DESC")
	default:
		return nil, "", models.Invalid("sort", "must be newest, highest or lowest")
	}
	n := pageSize(limit)
	var rows []struct {
		PublicReview
		ReviewerName, FirstName, LastName string
	}
	if err := q.Limit(n + 1).Scan(&rows).Error; err != nil {
		return nil, "", fmt.Errorf("published reviews: %w", err)
	}
	next := ""
	if len(rows) > n {
		rows = rows[:n]
		last := rows[n-1]
		next = reviewCursor{timeCursor{last.CreatedAt, last.ID}, last.Rating}.String()
	}
	out := make([]PublicReview, len(rows))
	for i, r := range rows {
		out[i] = r.PublicReview
		out[i].Author = displayName(r.ReviewerName, r.FirstName, r.LastName)
	}
	return out, next, nil
}

// reviewCursor is a storefront page's position: the last review's time, id and rating.
type reviewCursor struct {
	timeCursor
	rating int
}

func (c reviewCursor) String() string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(c.at.UnixMicro(), 10) + "." +
		strconv.FormatInt(c.id, 10) + "." + strconv.Itoa(c.rating)))
}

func parseReviewCursor(s string) (*reviewCursor, error) {
	if s == "" {
		return nil, nil
	}
	bad := models.Invalid("cursor", "is not a cursor from a previous page")
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, bad
	}
	parts := strings.Split(string(raw), ".")
	if len(parts) != 3 {
		return nil, bad
	}
	us, err1 := strconv.ParseInt(parts[0], 10, 64)
	id, err2 := strconv.ParseInt(parts[1], 10, 64)
	rating, err3 := strconv.Atoi(parts[2])
	if err1 != nil || err2 != nil || err3 != nil {
		return nil, bad
	}
	return &reviewCursor{timeCursor{time.UnixMicro(us).UTC(), id}, rating}, nil
}

// displayName shows a first name and an initial, never a full name or an email.
func displayName(reviewer, first, last string) string {
	if first == "" && reviewer != "" && !strings.Contains(reviewer, "@") {
		first, last, _ = strings.Cut(strings.TrimSpace(reviewer), " ")
	}
	first = strings.TrimSpace(first)
	if first == "" {
		return "Customer"
	}
	if r := []rune(strings.TrimSpace(last)); len(r) > 0 {
		return first + " " + string(r[0]) + "."
	}
	return first
}

// ProductRatingSummary aggregates a product's published reviews.
func ProductRatingSummary(ctx context.Context, db *gorm.DB, shopID int64, p ProductQuery) (RatingSummary, error) {
	out := RatingSummary{Distribution: map[string]int64{"1": 0, "2": 0, "3": 0, "4": 0, "5": 0}}
	q := db.WithContext(ctx).Table("reviews r").Select("r.rating, count(*) AS n").
		Where("r.shop_id = ? AND r.status = 'published'", shopID)
	q, err := p.where(q)
	if err != nil {
		return out, err
	}
	var rows []struct {
		Rating int
		N      int64
	}
	if err := q.Group("r.rating").Scan(&rows).Error; err != nil {
		return out, fmt.Errorf("rating summary: %w", err)
	}
	var sum int64
	for _, r := range rows {
		out.Distribution[strconv.Itoa(r.Rating)] = r.N
		out.Count += r.N
		sum += int64(r.Rating) * r.N
	}
	if out.Count > 0 {
		out.Average = math.Round(float64(sum)/float64(out.Count)*100) / 100
	}
	return out, nil
}

// CustomerReviews lists a customer's reviews, newest first (the 360° view and timeline).
func CustomerReviews(ctx context.Context, db *gorm.DB, shopID, customerID int64, limit int) ([]Review, error) {
	var rs []Review
	err := models.Scoped(ctx, db, shopID).Where("customer_id = ?", customerID).
		Order("created_at DESC, id DESC").Limit(pageSize(limit)).Find(&rs).Error
	return rs, err
}
