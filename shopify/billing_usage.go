package shopify

import (
	"context"
	"fmt"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/boomerang-app/boomerang/models"
)

// Usage records: a charge on the usage line of a subscription (the line with usage pricing; a
// plan's subscription has one beside its recurring price).

const appSubscriptionLinesQuery = `query appSubscriptionLines($id: ID!) {
  node(id: $id) { ... on AppSubscription { lineItems { id plan { pricingDetails { __typename } } } } }
}`

const appUsageRecordCreateMutation = `mutation appUsageRecordCreate($subscriptionLineItemId: ID!, $price: MoneyInput!, $description: String!, $idempotencyKey: String) {
  appUsageRecordCreate(subscriptionLineItemId: $subscriptionLineItemId, price: $price, description: $description, idempotencyKey: $idempotencyKey) {
    appUsageRecord { id }
    userErrors { field message }
  }
}`

// CreateUsageRecord is models.AppUsage: it charges price on the subscription's usage line.
// Shopify refusing it for the capped amount is models.ErrUsageCapReached.
func (a *Admin) CreateUsageRecord(ctx context.Context, shop, subscriptionID string, price decimal.Decimal, description, key string) (string, error) {
	line, err := a.usageLine(ctx, shop, subscriptionID)
	if err != nil {
		return "", err
	}
	var out struct {
		AppUsageRecordCreate struct {
			AppUsageRecord *struct {
				ID string `json:"id"`
			} `json:"appUsageRecord"`
			UserErrors []UserError `json:"userErrors"`
		} `json:"appUsageRecordCreate"`
	}
	vars := map[string]any{"subscriptionLineItemId": line, "description": description, "idempotencyKey": key,
		"price": map[string]any{"amount": price.String(), "currencyCode": "USD"}}
	if err := a.Query(ctx, shop, appUsageRecordCreateMutation, vars, &out); err != nil {
		return "", fmt.Errorf("appUsageRecordCreate: %w", err)
	}
	r := out.AppUsageRecordCreate
	for _, e := range r.UserErrors {
		if strings.Contains(strings.ToLower(e.Message), "exceeds balance remaining") {
			return "", models.ErrUsageCapReached
		}
	}
	if len(r.UserErrors) > 0 {
		return "", &RefusedError{Op: "appUsageRecordCreate", Errors: r.UserErrors}
	}
	if r.AppUsageRecord == nil {
		return "", fmt.Errorf("appUsageRecordCreate: no record in the answer")
	}
	return r.AppUsageRecord.ID, nil
}

// usageLine is the id of the subscription's line with usage pricing.
func (a *Admin) usageLine(ctx context.Context, shop, subscriptionID string) (string, error) {
	var out struct {
		Node *struct {
			LineItems []struct {
				ID   string `json:"id"`
				Plan struct {
					PricingDetails struct {
						Typename string `json:"__typename"`
					} `json:"pricingDetails"`
				} `json:"plan"`
			} `json:"lineItems"`
		} `json:"node"`
	}
	if err := a.Query(ctx, shop, appSubscriptionLinesQuery, map[string]any{"id": subscriptionID}, &out); err != nil {
		return "", fmt.Errorf("app subscription lines: %w", err)
	}
	if out.Node != nil {
		for _, l := range out.Node.LineItems {
			if l.Plan.PricingDetails.Typename == "AppUsagePricing" {
				return l.ID, nil
			}
		}
	}
	return "", fmt.Errorf("app subscription %s has no usage line", subscriptionID)
}
