package loyalty

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/shopspring/decimal"
	"gorm.io/gorm"

	"github.com/boomerang-app/boomerang/models"
)

// Opening balances (issue 11): by default everyone starts at zero points. A merchant may instead
// grant points for the paid orders of the last N months before install, at the program's earn
// rate, as `opening` entries keyed by the order: granted once, with no message, expiring as if
// earned today. A dry run (PreviewOpening) shows what it would cost before anything is written.

// maxOpeningMonths bounds the window a merchant may choose.
const maxOpeningMonths = 120

// OpeningPreview is what granting opening balances would do.
type OpeningPreview struct {
	Months    int             `json:"months"`
	Customers int64           `json:"customers"`
	Orders    int64           `json:"orders"`
	Points    int64           `json:"points"`
	Liability decimal.Decimal `json:"liability"` // the points priced at the cheapest fixed reward
	Currency  string          `json:"currency"`
}

// checkOpeningMonths refuses a window outside 1..120 months.
func checkOpeningMonths(months int) error {
	if months < 1 || months > maxOpeningMonths {
		return models.Invalid("months", "must be between 1 and %d", maxOpeningMonths)
	}
	return nil
}

// openingOrders are the paid, kept orders of the window that earned nothing yet: no live earn
// and no opening entry. Parameters: shop, since, earn rate, shop (and customer, 0 for all).
const openingOrders = `
SELECT o.customer_id, o.order_id, o.paid_at,
	floor((o.subtotal - COALESCE(r.refunded, 0)) * @rate::numeric)::bigint AS points
FROM orders o
LEFT JOIN (SELECT order_id, sum(subtotal) AS refunded FROM refunds WHERE shop_id = @shop::bigint GROUP BY order_id) r
  ON r.order_id = o.order_id
WHERE o.shop_id = @shop::bigint AND o.customer_id IS NOT NULL AND o.paid_at >= @since::timestamptz
  AND (@customer::bigint = 0 OR o.customer_id = @customer::bigint)
  AND o.cancelled_at IS NULL AND NOT o.test AND o.subtotal - COALESCE(r.refunded, 0) > 0
  AND NOT EXISTS (SELECT 1 FROM ledger_entries e WHERE e.shop_id = @shop::bigint
    AND ((e.order_id = o.order_id AND e.kind = 'earn')
      OR (e.source_type = 'order' AND e.source_id = o.order_id::text AND e.kind = 'opening')))`

// PreviewOpening is the dry run: customers, orders, points and their value for a window.
func PreviewOpening(ctx context.Context, db *gorm.DB, shopID int64, months int, now time.Time) (OpeningPreview, error) {
	p := OpeningPreview{Months: months, Liability: decimal.Zero}
	if err := checkOpeningMonths(months); err != nil {
		return p, err
	}
	set, err := LoadLoyaltySettings(ctx, db, shopID)
	if err != nil {
		return p, err
	}
	q, args := models.Positional(`SELECT count(DISTINCT customer_id) AS customers, count(*) AS orders, COALESCE(sum(points), 0) AS points
		FROM (`+openingOrders+`) x WHERE points > 0`,
		map[string]any{"shop": shopID, "since": now.AddDate(0, -months, 0), "rate": set.EarnRate.Decimal, "customer": 0})
	if err := db.WithContext(ctx).Raw(q, args...).Scan(&p).Error; err != nil {
		return p, fmt.Errorf("opening preview of shop %d: %w", shopID, err)
	}
	p.Months = months
	p.Liability = set.PointsValue(p.Points)
	sh, err := models.GetShop(ctx, db, shopID)
	if err != nil {
		return p, err
	}
	p.Currency = sh.Currency
	return p, nil
}

// ApplyOpening grants the opening balances of a window, one customer's account at a time. It is
// idempotent (each order's key), so a rerun, or a wider window later, adds only what is missing;
// a narrower window takes nothing back. It returns the points granted.
func ApplyOpening(ctx context.Context, db *gorm.DB, shopID int64, months int, now time.Time) (int64, error) {
	if err := checkOpeningMonths(months); err != nil {
		return 0, err
	}
	set, err := LoadLoyaltySettings(ctx, db, shopID)
	if err != nil {
		return 0, err
	}
	since := now.AddDate(0, -months, 0)
	var granted, after int64
	for {
		var custs []int64
		if err := db.WithContext(ctx).Raw(`SELECT DISTINCT customer_id FROM orders
			WHERE shop_id = ? AND customer_id > ? AND paid_at >= ? ORDER BY customer_id LIMIT 1000`,
			shopID, after, since).Scan(&custs).Error; err != nil {
			return granted, fmt.Errorf("opening balances of shop %d: %w", shopID, err)
		}
		for _, c := range custs {
			n, err := openCustomer(ctx, db, set, shopID, c, since, now)
			if err != nil {
				return granted, err
			}
			granted += n
		}
		if len(custs) < 1000 {
			return granted, nil
		}
		after = custs[len(custs)-1]
	}
}

// openCustomer credits one customer's opening points and sets the tier they make, quietly.
func openCustomer(ctx context.Context, db *gorm.DB, set ProgramSettings, shopID, customerID int64, since, now time.Time) (int64, error) {
	var granted int64
	err := withBook(ctx, db, set, shopID, customerID, now, func(b *book) error {
		b.quiet = true
		var orders []struct {
			OrderID int64
			PaidAt  time.Time
			Points  int64
		}
		q, args := models.Positional(openingOrders+` ORDER BY o.paid_at, o.order_id`,
			map[string]any{"shop": shopID, "since": since, "rate": set.EarnRate.Decimal, "customer": customerID})
		if err := b.tx.Raw(q, args...).Scan(&orders).Error; err != nil {
			return fmt.Errorf("opening orders of %d: %w", customerID, err)
		}
		for _, o := range orders {
			if o.Points <= 0 {
				continue
			}
			_, ins, err := b.credit(posting{Kind: EntryOpening, SourceType: SourceOrder, SourceID: strconv.FormatInt(o.OrderID, 10),
				Points: o.Points, Reason: "opening balance for an order before install", OccurredAt: o.PaidAt,
				AvailableAt: now, ExpiryFrom: now})
			if err != nil {
				return err
			}
			if ins {
				granted += o.Points
			}
		}
		if granted == 0 {
			return nil
		}
		b.touch(now) // inactivity expiry counts from the grant, not from the old orders
		return b.reevaluateTier()
	})
	return granted, err
}

// RecordOpening notes the merchant's choice and how granting it went (running when queued, then
// done or failed), with the opening points the ledger holds.
func RecordOpening(ctx context.Context, db *gorm.DB, shopID int64, months int, state string, now time.Time) error {
	return db.WithContext(ctx).Exec(`INSERT INTO history_imports (shop_id, opening_months, opening_state, opening_points, opening_at, updated_at)
		VALUES (?, ?, ?, (SELECT COALESCE(sum(points), 0) FROM ledger_entries WHERE shop_id = ? AND kind = 'opening' AND source_type = 'order'), ?, ?)
		ON CONFLICT (shop_id) DO UPDATE SET opening_months = EXCLUDED.opening_months, opening_state = EXCLUDED.opening_state,
			opening_points = EXCLUDED.opening_points, opening_at = EXCLUDED.opening_at, updated_at = EXCLUDED.updated_at
		WHERE history_imports.shop_id = EXCLUDED.shop_id`, shopID, months, state, shopID, now, now).Error
}
