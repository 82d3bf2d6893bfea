package models

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"gorm.io/gorm"
)

// GraphQL runs one Admin API operation for a shop with a fresh offline token (shopify.Admin).
// The domain depends on this one method, not on the HTTP client behind it.
type GraphQL interface {
	Query(ctx context.Context, shop, query string, vars, out any) error
}

// Contract §6.3, API 2025-10 and later (`context` replaced `customerSelection`).
const discountCodeBasicCreate = `mutation CreateReward($basicCodeDiscount: DiscountCodeBasicInput!) {
  discountCodeBasicCreate(basicCodeDiscount: $basicCodeDiscount) {
    codeDiscountNode { id }
    userErrors { field code message }
  }
}`

type discountUserError struct {
	Field   []string `json:"field"`
	Code    string   `json:"code"`
	Message string   `json:"message"`
}

// discountInput is the DiscountCodeBasicInput of a redemption: single use, for this customer only.
func discountInput(r *Redemption) map[string]any {
	var value map[string]any
	if r.RewardType == RewardPercentage {
		value = map[string]any{"percentage": r.RewardValue.Div(decimal.NewFromInt(100)).InexactFloat64()}
	} else {
		value = map[string]any{"discountAmount": map[string]any{"amount": r.RewardValue.StringFixed(2), "appliesOnEachItem": false}}
	}
	return map[string]any{"basicCodeDiscount": map[string]any{
		"title":                  fmt.Sprintf("Loyalty reward: %s (%d points)", r.RewardName, r.Points),
		"code":                   r.Code,
		"startsAt":               r.StartsAt.UTC().Format(time.RFC3339),
		"endsAt":                 r.EndsAt.UTC().Format(time.RFC3339),
		"context":                map[string]any{"customers": map[string]any{"add": []string{"gid://shopify/Customer/" + strconv.FormatInt(r.CustomerID, 10)}}},
		"customerGets":           map[string]any{"value": value, "items": map[string]any{"all": true}},
		"appliesOncePerCustomer": true,
		"usageLimit":             1,
		"combinesWith":           map[string]any{"orderDiscounts": false, "productDiscounts": true, "shippingDiscounts": true},
	}}
}

// IssueRedemption asks Shopify for a pending redemption's discount code. The result is the
// redemption as it now stands: issued, failed (Shopify refused; the points are back), or still
// pending with an error (throttled after retries, network, token) to retry later with the same
// code. A code Shopify reports as taken is ours from an earlier attempt whose answer was lost.
func IssueRedemption(ctx context.Context, db *gorm.DB, gql GraphQL, shopDomain string, shopID, id int64, now time.Time) (*Redemption, error) {
	r, err := GetRedemption(ctx, db, shopID, id)
	if err != nil || r.Status != RedemptionPending {
		return r, err
	}
	if err := db.WithContext(ctx).Exec(`UPDATE loyalty_redemptions SET attempts = attempts + 1, updated_at = ? WHERE shop_id = ? AND id = ?`,
		now, shopID, id).Error; err != nil {
		return r, fmt.Errorf("redemption %d: %w", id, err)
	}
	var out struct {
		DiscountCodeBasicCreate struct {
			CodeDiscountNode *struct {
				ID string `json:"id"`
			} `json:"codeDiscountNode"`
			UserErrors []discountUserError `json:"userErrors"`
		} `json:"discountCodeBasicCreate"`
	}
	if err := gql.Query(ctx, shopDomain, discountCodeBasicCreate, discountInput(r), &out); err != nil {
		return r, fmt.Errorf("create discount for redemption %d: %w", id, err)
	}
	res := out.DiscountCodeBasicCreate
	if len(res.UserErrors) > 0 {
		if codeTaken(res.UserErrors) {
			return r, markIssued(ctx, db, r, "", now)
		}
		msgs := make([]string, len(res.UserErrors))
		for i, e := range res.UserErrors {
			msgs[i] = strings.TrimSpace(strings.Join(e.Field, ".") + " " + e.Message)
		}
		return r, failRedemption(ctx, db, r, strings.Join(msgs, "; "), now)
	}
	if res.CodeDiscountNode == nil {
		return r, fmt.Errorf("create discount for redemption %d: no discount and no error in the answer", id)
	}
	return r, markIssued(ctx, db, r, res.CodeDiscountNode.ID, now)
}

func codeTaken(errs []discountUserError) bool {
	for _, e := range errs {
		if e.Code == "TAKEN" && len(e.Field) > 0 && e.Field[len(e.Field)-1] == "code" {
			return true
		}
	}
	return false
}
