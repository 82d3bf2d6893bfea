package reviews

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/boomerang-app/boomerang/models"
)

// MerchantAlert is one alert to the shop's contact address (a negative review opened a case).
type MerchantAlert struct {
	ID        int64
	ShopID    int64
	Kind      string
	SourceID  int64
	CreatedAt time.Time
	SentAt    *time.Time
	Attempts  int
	LastError string
}

// maxAlertAttempts bounds retries of an alert whose shop has no contact address or whose mail
// relay keeps refusing it.
const maxAlertAttempts = 20

// NegativeReviewAlert is what the alert email says.
type NegativeReviewAlert struct {
	Alert        MerchantAlert `gorm:"-"`
	ShopDomain   string
	ShopName     string
	ShopEmail    string
	CaseID       int64
	ReviewID     int64
	Rating       int
	Title        string
	Body         string
	ProductID    *int64
	ProductTitle string
	Verified     bool
	Label        string
}

// LoadNegativeReviewAlert gathers an unsent alert's content; nil when it was sent already, is
// gone, or its shop uninstalled Boomerang (nothing is sent in the name of a shop that left).
func LoadNegativeReviewAlert(ctx context.Context, db *gorm.DB, alertID int64) (*NegativeReviewAlert, error) {
	var a NegativeReviewAlert
	res := db.WithContext(models.AllShops(ctx)).Raw(`SELECT s.domain AS shop_domain, s.name AS shop_name, s.email AS shop_email,
			c.id AS case_id, r.id AS review_id, r.rating, r.title, r.body, r.product_id, r.verified_buyer AS verified,
			COALESCE(r.sentiment_label, '') AS label,
			COALESCE((SELECT ol.title FROM order_lines ol WHERE ol.shop_id = r.shop_id AND ol.product_id = r.product_id
				AND ol.title <> '' LIMIT 1), '') AS product_title
		FROM merchant_alerts m
		JOIN shops s ON s.id = m.shop_id
		JOIN cases c ON c.shop_id = m.shop_id AND c.id = m.source_id
		JOIN reviews r ON r.shop_id = c.shop_id AND r.id = c.review_id
		WHERE m.id = ? AND m.kind = ? AND m.sent_at IS NULL AND s.status = 'installed'`, alertID, MerchantAlertNegativeReview).Scan(&a)
	if res.Error != nil {
		return nil, fmt.Errorf("load alert %d: %w", alertID, res.Error)
	}
	if res.RowsAffected == 0 {
		return nil, nil
	}
	if err := db.WithContext(models.AllShops(ctx)).Where("id = ?", alertID).First(&a.Alert).Error; err != nil {
		return nil, fmt.Errorf("load alert %d: %w", alertID, err)
	}
	return &a, nil
}

// MarkAlertSent records delivery.
func MarkAlertSent(ctx context.Context, db *gorm.DB, shopID, alertID int64, at time.Time) error {
	return db.WithContext(ctx).Exec(`UPDATE merchant_alerts SET sent_at = ?, attempts = attempts + 1, last_error = ''
		WHERE shop_id = ? AND id = ?`, at.UTC(), shopID, alertID).Error
}

// MarkAlertFailed records a failed attempt; after maxAlertAttempts the alert is given up.
func MarkAlertFailed(ctx context.Context, db *gorm.DB, shopID, alertID int64, reason string) error {
	return db.WithContext(ctx).Exec(`UPDATE merchant_alerts SET attempts = attempts + 1, last_error = ? WHERE shop_id = ? AND id = ?`,
		models.Excerpt(reason, 500), shopID, alertID).Error
}

// UnsentAlerts lists alerts of installed shops created before `before` that are still to be
// delivered (sweeper). A shop that left keeps its alerts unsent, out of the sweeper's way.
func UnsentAlerts(ctx context.Context, db *gorm.DB, before time.Time, limit int) ([]int64, error) {
	var ids []int64
	err := db.WithContext(models.AllShops(ctx)).Raw(`SELECT m.id FROM merchant_alerts m JOIN shops s ON s.id = m.shop_id
		WHERE m.sent_at IS NULL AND m.attempts < ? AND m.created_at < ? AND s.status = 'installed'
		ORDER BY m.id LIMIT ?`, maxAlertAttempts, before, limit).Scan(&ids).Error
	return ids, err
}

// AlertTriggers are the event kinds whose merchant alerts the bus hands to delivery.
var AlertTriggers = []string{models.EventNegativeReview}

// AlertsFor lists the unsent merchant alerts of the cases a batch of negative_review events
// opened.
func AlertsFor(ctx context.Context, db *gorm.DB, shopID int64, evs []models.Event) ([]int64, error) {
	var cases models.Int64Array
	for _, ev := range evs {
		if ev.Kind != models.EventNegativeReview {
			continue
		}
		var p models.NegativeReviewPayload
		if err := json.Unmarshal(ev.Payload, &p); err != nil {
			return nil, fmt.Errorf("event %d: %w", ev.ID, err)
		}
		cases = append(cases, p.CaseID)
	}
	if len(cases) == 0 {
		return nil, nil
	}
	var ids []int64
	err := db.WithContext(ctx).Raw(`SELECT id FROM merchant_alerts WHERE shop_id = ? AND kind = ? AND source_id = ANY (?::bigint[])
		AND sent_at IS NULL AND attempts < ? ORDER BY id`, shopID, MerchantAlertNegativeReview, cases, maxAlertAttempts).Find(&ids).Error
	if err != nil {
		return nil, fmt.Errorf("alerts of %d cases: %w", len(cases), err)
	}
	return ids, nil
}
