package shopify

import (
	"context"
	"fmt"
	"strings"
)

// SellingPlanGID is a selling plan's GraphQL id.
func SellingPlanGID(id int64) string { return fmt.Sprintf("gid://shopify/SellingPlan/%d", id) }

const sellingPlanQuery = `query sellingPlan($id: ID!) {
  node(id: $id) {
    ... on SellingPlan {
      billingPolicy { ... on SellingPlanRecurringBillingPolicy { interval intervalCount } }
    }
  }
}`

// intervalDays is the length of one SellingPlanInterval.
var intervalDays = map[string]int{"DAY": 1, "WEEK": 7, "MONTH": 30, "YEAR": 365}

// SellingPlanIntervalDays (models.SellingPlanSource) returns how many days a selling plan bills apart (renewal orders
// come on that schedule); ok is false for a plan that is gone or bills once.
func (a *Admin) SellingPlanIntervalDays(ctx context.Context, shop string, planID int64) (days int, ok bool, err error) {
	var out struct {
		Node *struct {
			BillingPolicy struct {
				Interval      string `json:"interval"`
				IntervalCount int    `json:"intervalCount"`
			} `json:"billingPolicy"`
		} `json:"node"`
	}
	if err := a.Query(ctx, shop, sellingPlanQuery, map[string]any{"id": SellingPlanGID(planID)}, &out); err != nil {
		return 0, false, err
	}
	if out.Node == nil {
		return 0, false, nil
	}
	bp := out.Node.BillingPolicy
	d := intervalDays[strings.ToUpper(bp.Interval)]
	if d == 0 || bp.IntervalCount <= 0 {
		return 0, false, nil
	}
	return d * bp.IntervalCount, true, nil
}
