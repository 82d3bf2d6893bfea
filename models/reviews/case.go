package reviews

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/boomerang-app/boomerang/models"
)

// Case statuses.
const (
	CaseOpen     = "open"
	CaseResolved = "resolved"
)

// HoldSourceCase is the holds.source_type of holds a case placed.
const HoldSourceCase = "case"

// MerchantAlertNegativeReview is the merchant_alerts.kind sent when a case opens.
const MerchantAlertNegativeReview = "negative_review"

// Case is a make-it-right case opened by a negative review.
type Case struct {
	ID         int64      `json:"id"`
	ShopID     int64      `json:"-"`
	CustomerID int64      `json:"customer_id"`
	ReviewID   int64      `json:"review_id"`
	OrderID    *int64     `json:"order_id,omitempty"`
	Status     string     `json:"status"`
	Note       string     `json:"note"`
	Assignee   string     `json:"assignee"`
	OpenedAt   time.Time  `json:"opened_at"`
	ResolvedAt *time.Time `json:"resolved_at"`
	ResolvedBy string     `json:"resolved_by,omitempty"`
	UpdatedAt  time.Time  `json:"-"`
	// Review summarises the review behind the case, for the list.
	Review *CaseReview `json:"review,omitempty" gorm:"-"`
}

// CaseReview is the part of a review shown with its case.
type CaseReview struct {
	Rating    int    `json:"rating"`
	Title     string `json:"title"`
	ProductID *int64 `json:"product_id"`
}

// openCase opens the make-it-right case for a negative live review, in the transaction that
// scored it: the case, the promotional hold, the negative_review event for the apology and the
// merchant alert all exist together or not at all. created is false when the case existed.
func openCase(ctx context.Context, tx *gorm.DB, r *Review, holdDays int, now time.Time) (caseID, alertID int64, created bool, err error) {
	if r.CustomerID == nil {
		return 0, 0, false, nil
	}
	cust := *r.CustomerID
	res := tx.WithContext(ctx).Raw(`INSERT INTO cases (shop_id, customer_id, review_id, order_id, opened_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (shop_id, review_id) DO NOTHING RETURNING id`,
		r.ShopID, cust, r.ID, r.OrderID, now.UTC(), now.UTC()).Scan(&caseID)
	if res.Error != nil {
		return 0, 0, false, fmt.Errorf("open case for review %d: %w", r.ID, res.Error)
	}
	if res.RowsAffected == 0 {
		return 0, 0, false, nil
	}
	if holdDays > 0 {
		until := now.UTC().AddDate(0, 0, holdDays)
		if _, err := models.PlaceHold(ctx, tx, r.ShopID, cust, models.HoldNegativeReview, HoldSourceCase, strconv.FormatInt(caseID, 10), &until); err != nil {
			return 0, 0, false, err
		}
	}
	payload := models.NegativeReviewPayload{ReviewID: r.ID, CaseID: caseID, Rating: r.Rating, ProductID: r.ProductID, Title: r.Title}
	if _, err := models.Emit(ctx, tx, r.ShopID, cust, "review:"+strconv.FormatInt(r.ID, 10), payload, now); err != nil {
		return 0, 0, false, err
	}
	if err := tx.WithContext(ctx).Raw(`INSERT INTO merchant_alerts (shop_id, kind, source_id, created_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (shop_id, kind, source_id) DO NOTHING RETURNING id`,
		r.ShopID, MerchantAlertNegativeReview, caseID, now.UTC()).Scan(&alertID).Error; err != nil {
		return 0, 0, false, fmt.Errorf("merchant alert for case %d: %w", caseID, err)
	}
	return caseID, alertID, true, nil
}

// CaseFilter narrows the case list.
type CaseFilter struct {
	Status     string
	CustomerID int64
	Cursor     string
	Limit      int
}

// ListCases returns cases newest first with their reviews' summaries.
func ListCases(ctx context.Context, db *gorm.DB, shopID int64, f CaseFilter) ([]Case, string, error) {
	q := models.Scoped(ctx, db, shopID).Model(&Case{})
	switch f.Status {
	case "":
	case CaseOpen, CaseResolved:
		q = q.Where("status = ?", f.Status)
	default:
		return nil, "", models.Invalid("status", "must be open or resolved")
	}
	if f.CustomerID != 0 {
		q = q.Where("customer_id = ?", f.CustomerID)
	}
	if f.Cursor != "" {
		before, err := strconv.ParseInt(f.Cursor, 10, 64)
		if err != nil || before <= 0 {
			return nil, "", models.Invalid("cursor", "is not a cursor from a previous page")
		}
		q = q.Where("id < ?", before)
	}
	n := pageSize(f.Limit)
	var cs []Case
	if err := q.Order("id DESC").Limit(n + 1).Find(&cs).Error; err != nil {
		return nil, "", fmt.Errorf("list cases: %w", err)
	}
	next := ""
	if len(cs) > n {
		cs = cs[:n]
		next = strconv.FormatInt(cs[n-1].ID, 10)
	}
	if err := attachCaseReviews(ctx, db, shopID, cs); err != nil {
		return nil, "", err
	}
	return cs, next, nil
}

func attachCaseReviews(ctx context.Context, db *gorm.DB, shopID int64, cs []Case) error {
	if len(cs) == 0 {
		return nil
	}
	ids := make(models.Int64Array, len(cs))
	for i, c := range cs {
		ids[i] = c.ReviewID
	}
	var rows []struct {
		ID int64
		CaseReview
	}
	if err := db.WithContext(ctx).Raw(`SELECT id, rating, title, product_id FROM reviews WHERE shop_id = ? AND id = ANY(?::bigint[])`,
		shopID, ids).Scan(&rows).Error; err != nil {
		return fmt.Errorf("case reviews: %w", err)
	}
	by := map[int64]CaseReview{}
	for _, r := range rows {
		by[r.ID] = r.CaseReview
	}
	for i := range cs {
		if r, ok := by[cs[i].ReviewID]; ok {
			cs[i].Review = &r
		}
	}
	return nil
}

// GetCase loads one case with its review summary.
func GetCase(ctx context.Context, db *gorm.DB, shopID, id int64) (*Case, error) {
	c, err := models.FindOne[Case](ctx, db, shopID, "case", "id", id)
	if err != nil {
		return nil, err
	}
	cs := []Case{*c}
	if err := attachCaseReviews(ctx, db, shopID, cs); err != nil {
		return nil, err
	}
	return &cs[0], nil
}

// CaseUpdate changes a case's assignee and/or note; nil leaves a field as it is.
type CaseUpdate struct {
	Assignee *string
	Note     *string
}

const maxCaseText = 2000

func checkCaseText(field string, s *string) error {
	if s == nil {
		return nil
	}
	*s = strings.TrimSpace(*s)
	return checkText(field, *s, maxCaseText)
}

// UpdateCase sets the assignee or note of a case.
func UpdateCase(ctx context.Context, db *gorm.DB, shopID, id int64, u CaseUpdate) (*Case, error) {
	if err := checkCaseText("assignee", u.Assignee); err != nil {
		return nil, err
	}
	if err := checkCaseText("note", u.Note); err != nil {
		return nil, err
	}
	set := map[string]any{"updated_at": time.Now().UTC()}
	if u.Assignee != nil {
		set["assignee"] = *u.Assignee
	}
	if u.Note != nil {
		set["note"] = *u.Note
	}
	res := models.Scoped(ctx, db, shopID).Model(&Case{}).Where("id = ?", id).Updates(set)
	if res.Error != nil {
		return nil, fmt.Errorf("update case %d: %w", id, res.Error)
	}
	if res.RowsAffected == 0 {
		return nil, models.NotFound("case")
	}
	return GetCase(ctx, db, shopID, id)
}

// ResolveCase closes a case and releases the promotional hold it placed, in one transaction.
func ResolveCase(ctx context.Context, db *gorm.DB, shopID, id int64, note, by string, now time.Time) (*Case, error) {
	if err := checkCaseText("note", &note); err != nil {
		return nil, err
	}
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var status string
		res := tx.Raw(`SELECT status FROM cases WHERE shop_id = ? AND id = ? FOR UPDATE`, shopID, id).Scan(&status)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return models.NotFound("case")
		}
		if status == CaseResolved {
			return models.Conflict("case %d is already resolved", id)
		}
		if err := tx.Exec(`UPDATE cases SET status = 'resolved', resolved_at = ?, resolved_by = ?,
				note = CASE WHEN ? <> '' THEN ? ELSE note END, updated_at = ?
			WHERE shop_id = ? AND id = ?`, now.UTC(), by, note, note, now.UTC(), shopID, id).Error; err != nil {
			return err
		}
		return models.ReleaseHolds(ctx, tx, shopID, HoldSourceCase, strconv.FormatInt(id, 10))
	})
	if err != nil {
		if models.ErrorCode(err) != models.EInternal {
			return nil, err
		}
		return nil, fmt.Errorf("resolve case %d: %w", id, err)
	}
	return GetCase(ctx, db, shopID, id)
}

// OpenCaseCount counts a customer's open cases (review requests wait while there is one).
func OpenCaseCount(ctx context.Context, db *gorm.DB, shopID, customerID int64) (int64, error) {
	var n int64
	err := db.WithContext(ctx).Raw(`SELECT count(*) FROM cases WHERE shop_id = ? AND customer_id = ? AND status = 'open'`,
		shopID, customerID).Scan(&n).Error
	return n, err
}

func init() {
	models.RegisterExporter("cases", func(ctx context.Context, tx *gorm.DB, shopID, customerID int64) (any, error) {
		var cs []Case
		err := models.Scoped(ctx, tx, shopID).Where("customer_id = ?", customerID).Order("id").Find(&cs).Error
		return cs, err
	})
	models.RegisterRedactor(func(ctx context.Context, tx *gorm.DB, shopID, customerID int64) error {
		return tx.Exec(`UPDATE cases SET note = '', updated_at = now() WHERE shop_id = ? AND customer_id = ?`, shopID, customerID).Error
	})
}
