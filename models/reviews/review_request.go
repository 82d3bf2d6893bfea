package reviews

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"gorm.io/gorm"

	"github.com/boomerang-app/boomerang/models"
)

// Review request statuses.
const (
	RequestScheduled = "scheduled"
	RequestSent      = "sent"
	RequestCompleted = "completed" // the customer reviewed through the link (no reminder)
	RequestSkipped   = "skipped"
)

// Skip and wait reasons (review_requests.skip_reason / wait_reason).
const (
	SkipCancelled         = "cancelled"
	SkipRefunded          = "refunded"
	SkipTestOrder         = "test_order"
	SkipNoCustomer        = "no_customer"
	SkipRedacted          = "redacted"
	SkipDisabled          = "disabled"
	SkipExpired           = "expired"
	SkipAlreadyReviewed   = "already_reviewed"
	SkipRecentlyRequested = "recently_requested"
	SkipNoProducts        = "no_products"
	WaitOpenCase          = "open_case"
	WaitEmailCap          = "email_cap"
)

// requestGiveUp is how long past its first due date a request that keeps waiting (open case,
// email cap) may still go out; after that the moment has passed.
const requestGiveUp = 60 * 24 * time.Hour

// openCaseRecheck is how soon a request waiting on an open case is looked at again.
const openCaseRecheck = 24 * time.Hour

// ReviewRequest is the review request of one order.
type ReviewRequest struct {
	ID            int64
	ShopID        int64
	CustomerID    *int64
	OrderID       int64
	Status        string
	SkipReason    string
	WaitReason    string
	ProductIDs    models.Int64Array `gorm:"type:bigint[]"`
	FulfilledAt   *time.Time
	DeliveredAt   *time.Time
	FirstDueAt    time.Time
	DueAt         time.Time
	SentAt        *time.Time
	ReminderDueAt *time.Time
	RemindedAt    *time.Time
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// ReviewLinker signs a review link for a grant valid until expires.
type ReviewLinker func(g ReviewGrant, expires time.Time) string

// orderState is what the request rules need to know about an order.
type orderState struct {
	Found       bool
	CustomerID  *int64
	Name        string
	Test        bool
	Cancelled   bool
	Refunded    bool
	Redacted    bool
	FulfilledAt *time.Time
	DeliveredAt *time.Time
}

func loadOrderState(ctx context.Context, tx *gorm.DB, shopID, orderID int64) (orderState, error) {
	var s orderState
	res := tx.WithContext(ctx).Raw(`SELECT true AS found, o.customer_id, o.name, o.test,
			o.cancelled_at IS NOT NULL AS cancelled,
			EXISTS (SELECT 1 FROM refunds r WHERE r.shop_id = o.shop_id AND r.order_id = o.order_id) AS refunded,
			COALESCE(c.redacted_at IS NOT NULL, false) AS redacted,
			(SELECT min(COALESCE(f.shopify_created_at, f.created_at)) FROM fulfillments f
				WHERE f.shop_id = o.shop_id AND f.order_id = o.order_id AND f.status NOT IN ('cancelled', 'error', 'failure')) AS fulfilled_at,
			(SELECT max(f.delivered_at) FROM fulfillments f
				WHERE f.shop_id = o.shop_id AND f.order_id = o.order_id AND f.status NOT IN ('cancelled', 'error', 'failure')) AS delivered_at
		FROM orders o LEFT JOIN customers c ON c.shop_id = o.shop_id AND c.customer_id = o.customer_id
		WHERE o.shop_id = ? AND o.order_id = ?`, shopID, orderID).Scan(&s)
	if res.Error != nil {
		return s, fmt.Errorf("order %d state: %w", orderID, res.Error)
	}
	return s, nil
}

// skipReason is why an order must not get a request at all, or "".
func (s orderState) skipReason() string {
	switch {
	case s.Test:
		return SkipTestOrder
	case s.CustomerID == nil:
		return SkipNoCustomer
	case s.Cancelled:
		return SkipCancelled
	case s.Refunded:
		return SkipRefunded
	case s.Redacted:
		return SkipRedacted
	}
	return ""
}

// OrdersToSync returns which of a shop's orders SyncReviewRequest has work for: those with a
// fulfillment or a review request. For any other order it only reads the order, so a batch of
// new orders asks once instead of once an order.
func OrdersToSync(ctx context.Context, db *gorm.DB, shopID int64, orderIDs []int64) (map[int64]bool, error) {
	out := map[int64]bool{}
	if len(orderIDs) == 0 {
		return out, nil
	}
	var ids []int64
	err := db.WithContext(ctx).Raw(`SELECT order_id FROM fulfillments WHERE shop_id = ? AND order_id IN ?
		UNION SELECT order_id FROM review_requests WHERE shop_id = ? AND order_id IN ?`,
		shopID, orderIDs, shopID, orderIDs).Find(&ids).Error
	if err != nil {
		return nil, fmt.Errorf("orders with review state: %w", err)
	}
	for _, id := range ids {
		out[id] = true
	}
	return out, nil
}

// SyncReviewRequest brings an order's review request in line with the order's facts. Call it
// after any order, refund or fulfillment fact for the order; it is idempotent and independent
// of the order facts arrived in:
//   - first fulfillment → a request due request_delay_days later (delivery_delay_days after
//     delivery once a delivery is known);
//   - cancellation or refund → a scheduled request is skipped, a sent one gets no reminder.
func SyncReviewRequest(ctx context.Context, db *gorm.DB, shopID, orderID int64, now time.Time) error {
	st, err := loadOrderState(ctx, db, shopID, orderID)
	if err != nil || !st.Found {
		return err
	}
	skip := st.skipReason()
	if st.FulfilledAt == nil {
		if skip == "" {
			return nil
		}
		// Not fulfilled (any more): a request already there stops.
		return db.WithContext(ctx).Exec(`UPDATE review_requests SET status = 'skipped', skip_reason = ?, updated_at = now()
			WHERE shop_id = ? AND order_id = ? AND status IN ('scheduled', 'sent')`, skip, shopID, orderID).Error
	}
	settings, err := GetReviewSettings(ctx, db, shopID)
	if err != nil {
		return err
	}
	due := st.FulfilledAt.Add(days(settings.RequestDelayDays))
	if st.DeliveredAt != nil {
		due = st.DeliveredAt.Add(days(settings.DeliveryDelayDays))
	}
	status := RequestScheduled
	if skip != "" {
		status = RequestSkipped
	} else if !settings.RequestsEnabled {
		status, skip = RequestSkipped, SkipDisabled
	}
	err = db.WithContext(ctx).Exec(`INSERT INTO review_requests (shop_id, customer_id, order_id, status, skip_reason,
			fulfilled_at, delivered_at, first_due_at, due_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (shop_id, order_id) DO UPDATE SET
			fulfilled_at = EXCLUDED.fulfilled_at, delivered_at = EXCLUDED.delivered_at,
			first_due_at = CASE WHEN review_requests.status = 'scheduled' AND review_requests.wait_reason = ''
				THEN EXCLUDED.first_due_at ELSE review_requests.first_due_at END,
			due_at = CASE WHEN review_requests.status = 'scheduled' AND review_requests.wait_reason = ''
				THEN EXCLUDED.due_at ELSE review_requests.due_at END,
			skip_reason = CASE WHEN EXCLUDED.skip_reason IN ('cancelled', 'refunded', 'redacted')
				AND review_requests.status IN ('scheduled', 'sent') THEN EXCLUDED.skip_reason ELSE review_requests.skip_reason END,
			status = CASE WHEN EXCLUDED.skip_reason IN ('cancelled', 'refunded', 'redacted')
				AND review_requests.status IN ('scheduled', 'sent') THEN 'skipped' ELSE review_requests.status END,
			updated_at = now()`,
		shopID, st.CustomerID, orderID, status, skip, st.FulfilledAt, st.DeliveredAt, due, due).Error
	if err != nil {
		return fmt.Errorf("sync review request for order %d: %w", orderID, err)
	}
	return nil
}

func days(n int) time.Duration { return time.Duration(n) * 24 * time.Hour }

// GetReviewRequest loads an order's review request.
func GetReviewRequest(ctx context.Context, db *gorm.DB, shopID, orderID int64) (*ReviewRequest, error) {
	return models.FindOne[ReviewRequest](ctx, db, shopID, "review request", "order_id", orderID)
}

// ShopsWithDueReviewRequests lists shops with requests or reminders due at now.
func ShopsWithDueReviewRequests(ctx context.Context, db *gorm.DB, now time.Time) ([]int64, error) {
	var ids []int64
	err := db.WithContext(models.AllShops(ctx)).Raw(`SELECT shop_id FROM review_requests WHERE status = 'scheduled' AND due_at <= ?
		UNION SELECT shop_id FROM review_requests WHERE status = 'sent' AND reminder_due_at <= ?`, now, now).Scan(&ids).Error
	return ids, err
}

// RequestRun counts what one run of ProcessDueReviewRequests did.
type RequestRun struct {
	Sent, Reminded, Skipped, Waiting, Completed int
}

// ProcessDueReviewRequests sends (as events) the shop's requests and reminders due at now,
// applying every rule at the moment of sending, up to limit of each. Each request is decided
// in its own transaction under a per-customer lock, so the email cap holds under concurrency.
func ProcessDueReviewRequests(ctx context.Context, db *gorm.DB, shopID int64, now time.Time, link ReviewLinker, limit int) (RequestRun, error) {
	var run RequestRun
	shop, err := models.GetShop(ctx, db, shopID)
	if err != nil {
		return run, err
	}
	settings, err := GetReviewSettings(ctx, db, shopID)
	if err != nil {
		return run, err
	}
	var due []int64
	if err := db.WithContext(ctx).Raw(`SELECT id FROM review_requests WHERE shop_id = ? AND status = 'scheduled' AND due_at <= ?
		ORDER BY due_at, id LIMIT ?`, shopID, now, limit).Scan(&due).Error; err != nil {
		return run, fmt.Errorf("due review requests: %w", err)
	}
	for _, id := range due {
		if err := decideRequest(ctx, db, shop, settings, id, now, link, false, &run); err != nil {
			return run, err
		}
	}
	var reminders []int64
	if err := db.WithContext(ctx).Raw(`SELECT id FROM review_requests WHERE shop_id = ? AND status = 'sent' AND reminder_due_at <= ?
		ORDER BY reminder_due_at, id LIMIT ?`, shopID, now, limit).Scan(&reminders).Error; err != nil {
		return run, fmt.Errorf("due review reminders: %w", err)
	}
	for _, id := range reminders {
		if err := decideRequest(ctx, db, shop, settings, id, now, link, true, &run); err != nil {
			return run, err
		}
	}
	return run, nil
}

func decideRequest(ctx context.Context, db *gorm.DB, shop *models.Shop, s ReviewSettings, id int64, now time.Time, link ReviewLinker, reminder bool, run *RequestRun) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var req ReviewRequest
		err := tx.Raw(`SELECT * FROM review_requests WHERE shop_id = ? AND id = ? FOR UPDATE SKIP LOCKED`, shop.ID, id).Scan(&req).Error
		if err != nil {
			return err
		}
		if req.ID == 0 {
			return nil // another run holds it
		}
		if reminder && (req.Status != RequestSent || req.ReminderDueAt == nil || req.ReminderDueAt.After(now)) {
			return nil
		}
		if !reminder && (req.Status != RequestScheduled || req.DueAt.After(now)) {
			return nil
		}
		skip := func(reason string) error {
			run.Skipped++
			return tx.Exec(`UPDATE review_requests SET status = 'skipped', skip_reason = ?, reminder_due_at = NULL,
				updated_at = now() WHERE shop_id = ? AND id = ?`, reason, shop.ID, req.ID).Error
		}
		if req.CustomerID == nil {
			return skip(SkipNoCustomer)
		}
		cust := *req.CustomerID
		if err := tx.Exec(`SELECT pg_advisory_xact_lock(?)`, models.LockKey("review-request", shop.ID, cust)).Error; err != nil {
			return err
		}
		st, err := loadOrderState(ctx, tx, shop.ID, req.OrderID)
		if err != nil {
			return err
		}
		if !st.Found {
			return skip(SkipNoCustomer)
		}
		if r := st.skipReason(); r != "" {
			return skip(r)
		}
		if !s.RequestsEnabled {
			return skip(SkipDisabled)
		}
		openCases, err := OpenCaseCount(ctx, tx, shop.ID, cust)
		if err != nil {
			return err
		}
		if reminder {
			return decideReminder(ctx, tx, shop, s, &req, cust, openCases, now, link, run)
		}
		if now.Sub(req.FirstDueAt) > requestGiveUp {
			return skip(SkipExpired)
		}
		wait := func(reason string, until time.Time) error {
			run.Waiting++
			return tx.Exec(`UPDATE review_requests SET due_at = ?, wait_reason = ?, updated_at = now() WHERE shop_id = ? AND id = ?`,
				until, reason, shop.ID, req.ID).Error
		}
		// A customer with an open complaint is not asked for a review; the request waits for
		// the case to be resolved.
		if openCases > 0 {
			return wait(WaitOpenCase, now.Add(openCaseRecheck))
		}
		products, reason, err := requestProducts(ctx, tx, shop.ID, cust, req.OrderID, req.ID, s, now)
		if err != nil {
			return err
		}
		if len(products) == 0 {
			return skip(reason)
		}
		if free, ok, err := emailCapFree(ctx, tx, shop.ID, cust, s, now); err != nil {
			return err
		} else if !ok {
			return wait(WaitEmailCap, free)
		}
		ids := make([]int64, len(products))
		for i, p := range products {
			ids[i] = p.ID
		}
		payload := requestPayload(shop, &req, st, ids, products, s, now, link)
		if _, err := models.Emit(ctx, tx, shop.ID, cust, "review_request:"+strconv.FormatInt(req.ID, 10), payload, now); err != nil {
			return err
		}
		var remind *time.Time
		if s.ReminderEnabled {
			t := now.UTC().Add(days(s.ReminderDelayDays))
			remind = &t
		}
		run.Sent++
		return tx.Exec(`UPDATE review_requests SET status = 'sent', sent_at = ?, product_ids = ?::bigint[], reminder_due_at = ?,
			wait_reason = '', updated_at = now() WHERE shop_id = ? AND id = ?`, now.UTC(), models.Int64Array(ids), remind, shop.ID, req.ID).Error
	})
}

func decideReminder(ctx context.Context, tx *gorm.DB, shop *models.Shop, s ReviewSettings, req *ReviewRequest, cust int64, openCases int64, now time.Time, link ReviewLinker, run *RequestRun) error {
	drop := func(reason string) error {
		run.Skipped++
		return tx.Exec(`UPDATE review_requests SET reminder_due_at = NULL, wait_reason = ?, updated_at = now() WHERE shop_id = ? AND id = ?`,
			reason, shop.ID, req.ID).Error
	}
	var reviewed int64
	if err := tx.Raw(`SELECT count(*) FROM reviews WHERE shop_id = ? AND customer_id = ? AND product_id = ANY(?::bigint[])`,
		shop.ID, cust, req.ProductIDs).Scan(&reviewed).Error; err != nil {
		return err
	}
	if reviewed > 0 {
		run.Completed++
		return tx.Exec(`UPDATE review_requests SET status = 'completed', reminder_due_at = NULL, updated_at = now()
			WHERE shop_id = ? AND id = ?`, shop.ID, req.ID).Error
	}
	if !s.ReminderEnabled {
		return drop(SkipDisabled)
	}
	if openCases > 0 {
		return drop(WaitOpenCase)
	}
	if _, ok, err := emailCapFree(ctx, tx, shop.ID, cust, s, now); err != nil {
		return err
	} else if !ok {
		return drop(WaitEmailCap)
	}
	st, err := loadOrderState(ctx, tx, shop.ID, req.OrderID)
	if err != nil {
		return err
	}
	products, err := productTitles(ctx, tx, shop.ID, req.OrderID, req.ProductIDs)
	if err != nil {
		return err
	}
	payload := requestPayload(shop, req, st, req.ProductIDs, products, s, now, link)
	if _, err := models.Emit(ctx, tx, shop.ID, cust, "review_reminder:"+strconv.FormatInt(req.ID, 10), models.ReviewReminderPayload{ReviewRequestPayload: payload}, now); err != nil {
		return err
	}
	run.Reminded++
	return tx.Exec(`UPDATE review_requests SET reminded_at = ?, reminder_due_at = NULL, updated_at = now() WHERE shop_id = ? AND id = ?`,
		now.UTC(), shop.ID, req.ID).Error
}

func requestPayload(shop *models.Shop, req *ReviewRequest, st orderState, ids []int64, products []models.ReviewRequestProduct, s ReviewSettings, now time.Time, link ReviewLinker) models.ReviewRequestPayload {
	exp := now.UTC().Add(days(s.LinkValidDays)).Truncate(time.Second)
	g := ReviewGrant{Shop: shop.Domain, CustomerID: *req.CustomerID, OrderID: req.OrderID, ProductIDs: ids}
	return models.ReviewRequestPayload{RequestID: req.ID, OrderID: req.OrderID, OrderName: st.Name, ProductIDs: ids,
		Products: products, ReviewLink: link(g, exp), ExpiresAt: exp}
}

// requestProducts picks the products to ask about: the order's products, most expensive
// first, minus those the customer reviewed already and those asked about within the repeat
// window (anchors: one request per product per 12 months), at most products_per_request.
func requestProducts(ctx context.Context, tx *gorm.DB, shopID, customerID, orderID, requestID int64, s ReviewSettings, now time.Time) ([]models.ReviewRequestProduct, string, error) {
	var rows []struct {
		ProductID int64
		Title     string
		Reviewed  bool
		Requested bool
	}
	err := tx.WithContext(ctx).Raw(`SELECT ol.product_id, max(ol.title) AS title,
			EXISTS (SELECT 1 FROM reviews r WHERE r.shop_id = ? AND r.customer_id = ? AND r.product_id = ol.product_id) AS reviewed,
			EXISTS (SELECT 1 FROM review_requests q WHERE q.shop_id = ? AND q.customer_id = ? AND q.id <> ?
				AND q.sent_at > ? AND ol.product_id = ANY(q.product_ids)) AS requested
		FROM order_lines ol WHERE ol.shop_id = ? AND ol.order_id = ? AND ol.product_id IS NOT NULL
		GROUP BY ol.product_id ORDER BY max(ol.price) DESC, ol.product_id`,
		shopID, customerID, shopID, customerID, requestID, now.AddDate(0, -s.ProductRepeatMonths, 0), shopID, orderID).Scan(&rows).Error
	if err != nil {
		return nil, "", fmt.Errorf("request products for order %d: %w", orderID, err)
	}
	if len(rows) == 0 {
		return nil, SkipNoProducts, nil
	}
	reason := SkipAlreadyReviewed
	var out []models.ReviewRequestProduct
	for _, r := range rows {
		switch {
		case r.Reviewed:
		case r.Requested:
			reason = SkipRecentlyRequested
		case len(out) < s.ProductsPerRequest:
			out = append(out, models.ReviewRequestProduct{ID: r.ProductID, Title: r.Title})
		}
	}
	return out, reason, nil
}

func productTitles(ctx context.Context, tx *gorm.DB, shopID, orderID int64, ids models.Int64Array) ([]models.ReviewRequestProduct, error) {
	var rows []models.ReviewRequestProduct
	err := tx.WithContext(ctx).Raw(`SELECT product_id AS id, max(title) AS title FROM order_lines
		WHERE shop_id = ? AND order_id = ? AND product_id = ANY(?::bigint[]) GROUP BY product_id`, shopID, orderID, ids).Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	by := map[int64]string{}
	for _, r := range rows {
		by[r.ID] = r.Title
	}
	out := make([]models.ReviewRequestProduct, len(ids))
	for i, id := range ids {
		out[i] = models.ReviewRequestProduct{ID: id, Title: by[id]}
	}
	return out, nil
}

// emailCapFree reports whether one more review email fits the customer's 30-day budget, and
// if not, when the oldest email in the window leaves it. Requests and reminders both count.
func emailCapFree(ctx context.Context, tx *gorm.DB, shopID, customerID int64, s ReviewSettings, now time.Time) (time.Time, bool, error) {
	since := now.Add(-30 * 24 * time.Hour)
	var sent []time.Time
	err := tx.WithContext(ctx).Raw(`SELECT t FROM (
			SELECT sent_at AS t FROM review_requests WHERE shop_id = ? AND customer_id = ? AND sent_at > ?
			UNION ALL
			SELECT reminded_at FROM review_requests WHERE shop_id = ? AND customer_id = ? AND reminded_at > ?
		) e ORDER BY t`, shopID, customerID, since, shopID, customerID, since).Scan(&sent).Error
	if err != nil {
		return time.Time{}, false, fmt.Errorf("review email count: %w", err)
	}
	if len(sent) < s.EmailsPer30Days {
		return time.Time{}, true, nil
	}
	// The (n-cap+1)th oldest must leave the window before one more fits.
	return sent[len(sent)-s.EmailsPer30Days].Add(30*24*time.Hour + time.Second), false, nil
}

// CustomerReviewRequests lists a customer's review requests, newest first.
func CustomerReviewRequests(ctx context.Context, db *gorm.DB, shopID, customerID int64) ([]ReviewRequest, error) {
	var rs []ReviewRequest
	err := models.Scoped(ctx, db, shopID).Where("customer_id = ?", customerID).Order("id DESC").Limit(200).Find(&rs).Error
	return rs, err
}
