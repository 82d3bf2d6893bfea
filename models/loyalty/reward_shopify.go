package loyalty

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/shopspring/decimal"
	"gorm.io/gorm"
)

// DiscountCode is the single-use code a redemption becomes in Shopify: for one customer, once.
type DiscountCode struct {
	Title      string
	Code       string
	CustomerID int64
	StartsAt   time.Time
	EndsAt     time.Time
	Percentage decimal.Decimal // of the order, 0–100; zero for an amount off
	Amount     decimal.Decimal // off the order, in the shop's currency; zero for a percentage
}

// Discounts creates discount codes in Shopify (shopify.Admin). The domain depends on this one
// method, not on the API behind it.
type Discounts interface {
	CreateDiscountCode(ctx context.Context, shop string, d DiscountCode) (id string, err error)
}

// ErrDiscountCodeTaken is Shopify saying the code exists: ours, from an earlier attempt whose
// answer was lost.
var ErrDiscountCodeTaken = errors.New("discount code already exists")

// DiscountRefused is Shopify refusing the code's input: sending it again cannot succeed.
type DiscountRefused struct{ Reason string }

func (e *DiscountRefused) Error() string { return "discount refused: " + e.Reason }

// discountCode is the code a redemption asks for.
func discountCode(r *Redemption) DiscountCode {
	d := DiscountCode{Title: fmt.Sprintf("Loyalty reward: %s (%d points)", r.RewardName, r.Points), Code: r.Code,
		CustomerID: r.CustomerID, StartsAt: r.StartsAt, EndsAt: r.EndsAt}
	if r.RewardType == RewardPercentage {
		d.Percentage = r.RewardValue
	} else {
		d.Amount = r.RewardValue
	}
	return d
}

// IssueRedemption asks Shopify for a pending redemption's discount code. The result is the
// redemption as it now stands: issued, failed (Shopify refused; the points are back), or still
// pending with an error (throttled after retries, network, token) to retry later with the same
// code. A code Shopify reports as taken is ours from an earlier attempt whose answer was lost.
func IssueRedemption(ctx context.Context, db *gorm.DB, shopify Discounts, shopDomain string, shopID, id int64, now time.Time) (*Redemption, error) {
	r, err := GetRedemption(ctx, db, shopID, id)
	if err != nil || r.Status != RedemptionPending {
		return r, err
	}
	if err := db.WithContext(ctx).Exec(`UPDATE loyalty_redemptions SET attempts = attempts + 1, updated_at = ? WHERE shop_id = ? AND id = ?`,
		now, shopID, id).Error; err != nil {
		return r, fmt.Errorf("redemption %d: %w", id, err)
	}
	discountID, err := shopify.CreateDiscountCode(ctx, shopDomain, discountCode(r))
	var refused *DiscountRefused
	switch {
	case errors.Is(err, ErrDiscountCodeTaken):
		return r, markIssued(ctx, db, r, "", now)
	case errors.As(err, &refused):
		return r, failRedemption(ctx, db, r, refused.Reason, now)
	case err != nil:
		return r, fmt.Errorf("create discount for redemption %d: %w", id, err)
	}
	return r, markIssued(ctx, db, r, discountID, now)
}
