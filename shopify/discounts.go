package shopify

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/boomerang-app/boomerang/models/loyalty"
)

// Contract §6.3, API 2025-10 and later (`context` replaced `customerSelection`).
const discountCodeBasicCreate = `mutation CreateReward($basicCodeDiscount: DiscountCodeBasicInput!) {
  discountCodeBasicCreate(basicCodeDiscount: $basicCodeDiscount) {
    codeDiscountNode { id }
    userErrors { field code message }
  }
}`

// CreateDiscountCode creates a single-use code for one customer (loyalty.Discounts). A code that
// exists already is loyalty.ErrDiscountCodeTaken; other userErrors are a *loyalty.DiscountRefused;
// anything else (throttled after go-shopify's retries, network, token) is worth retrying.
func (a *Admin) CreateDiscountCode(ctx context.Context, shop string, d loyalty.DiscountCode) (string, error) {
	var out struct {
		DiscountCodeBasicCreate struct {
			CodeDiscountNode *struct {
				ID string `json:"id"`
			} `json:"codeDiscountNode"`
			UserErrors []UserError `json:"userErrors"`
		} `json:"discountCodeBasicCreate"`
	}
	if err := a.Query(ctx, shop, discountCodeBasicCreate, discountInput(d), &out); err != nil {
		return "", err
	}
	res := out.DiscountCodeBasicCreate
	if len(res.UserErrors) > 0 {
		msgs := make([]string, len(res.UserErrors))
		for i, e := range res.UserErrors {
			if e.Code == "TAKEN" && len(e.Field) > 0 && e.Field[len(e.Field)-1] == "code" {
				return "", loyalty.ErrDiscountCodeTaken
			}
			msgs[i] = strings.TrimSpace(strings.Join(e.Field, ".") + " " + e.Message)
		}
		return "", &loyalty.DiscountRefused{Reason: strings.Join(msgs, "; ")}
	}
	if res.CodeDiscountNode == nil {
		return "", errors.New("discountCodeBasicCreate: no discount and no error in the answer")
	}
	return res.CodeDiscountNode.ID, nil
}

// discountInput is the DiscountCodeBasicInput of a code: single use, for its customer only.
func discountInput(d loyalty.DiscountCode) map[string]any {
	value := map[string]any{"discountAmount": map[string]any{"amount": d.Amount.StringFixed(2), "appliesOnEachItem": false}}
	if !d.Percentage.IsZero() {
		value = map[string]any{"percentage": d.Percentage.Div(decimal.NewFromInt(100)).InexactFloat64()}
	}
	return map[string]any{"basicCodeDiscount": map[string]any{
		"title":                  d.Title,
		"code":                   d.Code,
		"startsAt":               d.StartsAt.UTC().Format(time.RFC3339),
		"endsAt":                 d.EndsAt.UTC().Format(time.RFC3339),
		"context":                map[string]any{"customers": map[string]any{"add": []string{"gid://shopify/Customer/" + strconv.FormatInt(d.CustomerID, 10)}}},
		"customerGets":           map[string]any{"value": value, "items": map[string]any{"all": true}},
		"appliesOncePerCustomer": true,
		"usageLimit":             1,
		"combinesWith":           map[string]any{"orderDiscounts": false, "productDiscounts": true, "shippingDiscounts": true},
	}}
}
