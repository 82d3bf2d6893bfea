package shopify

import (
	"context"
	"fmt"

	"github.com/boomerang-app/boomerang/models"
)

// The Billing API: a plan is an app subscription with one recurring line, every 30 days, in USD
// (Shopify converts for the merchant). Test subscriptions charge nothing; everything outside
// production creates them.

const appSubscriptionCreateMutation = `mutation appSubscriptionCreate($name: String!, $returnUrl: URL!, $test: Boolean, $trialDays: Int, $lineItems: [AppSubscriptionLineItemInput!]!) {
  appSubscriptionCreate(name: $name, returnUrl: $returnUrl, test: $test, trialDays: $trialDays, lineItems: $lineItems) {
    appSubscription { id status }
    confirmationUrl
    userErrors { field message }
  }
}`

const appSubscriptionCancelMutation = `mutation appSubscriptionCancel($id: ID!) {
  appSubscriptionCancel(id: $id) { appSubscription { id status } userErrors { field message } }
}`

const appSubscriptionStatusQuery = `query appSubscription($id: ID!) { node(id: $id) { ... on AppSubscription { id status } } }`

// CreateAppSubscription is models.AppBilling's create: the subscription (PENDING) and the page
// where the merchant approves it.
func (a *Admin) CreateAppSubscription(ctx context.Context, shop string, p models.Plan, returnURL string, test bool) (string, string, error) {
	var out struct {
		AppSubscriptionCreate struct {
			AppSubscription *struct {
				ID string `json:"id"`
			} `json:"appSubscription"`
			ConfirmationURL string      `json:"confirmationUrl"`
			UserErrors      []UserError `json:"userErrors"`
		} `json:"appSubscriptionCreate"`
	}
	lines := []any{map[string]any{"plan": map[string]any{"appRecurringPricingDetails": map[string]any{
		"price": map[string]any{"amount": p.Price.String(), "currencyCode": "USD"}, "interval": "EVERY_30_DAYS"}}}}
	if p.UsageCap.IsPositive() {
		lines = append(lines, map[string]any{"plan": map[string]any{"appUsagePricingDetails": map[string]any{
			"terms":        fmt.Sprintf("$%s for every %d orders over %d in a month", p.OveragePrice.StringFixed(2), p.OverageBlock, p.OrdersPerMonth),
			"cappedAmount": map[string]any{"amount": p.UsageCap.String(), "currencyCode": "USD"}}}})
	}
	vars := map[string]any{"name": "Boomerang " + p.Name, "returnUrl": returnURL, "test": test, "trialDays": p.TrialDays, "lineItems": lines}
	if err := a.Query(ctx, shop, appSubscriptionCreateMutation, vars, &out); err != nil {
		return "", "", fmt.Errorf("appSubscriptionCreate: %w", err)
	}
	r := out.AppSubscriptionCreate
	if len(r.UserErrors) > 0 {
		return "", "", &RefusedError{Op: "appSubscriptionCreate", Errors: r.UserErrors}
	}
	if r.AppSubscription == nil || r.ConfirmationURL == "" {
		return "", "", fmt.Errorf("appSubscriptionCreate: no subscription in the answer")
	}
	return r.AppSubscription.ID, r.ConfirmationURL, nil
}

// CancelAppSubscription is models.AppBilling's cancel; it returns the status Shopify reports.
func (a *Admin) CancelAppSubscription(ctx context.Context, shop, id string) (string, error) {
	var out struct {
		AppSubscriptionCancel struct {
			AppSubscription *struct {
				Status string `json:"status"`
			} `json:"appSubscription"`
			UserErrors []UserError `json:"userErrors"`
		} `json:"appSubscriptionCancel"`
	}
	if err := a.Query(ctx, shop, appSubscriptionCancelMutation, map[string]any{"id": id}, &out); err != nil {
		return "", fmt.Errorf("appSubscriptionCancel: %w", err)
	}
	r := out.AppSubscriptionCancel
	if len(r.UserErrors) > 0 {
		return "", &RefusedError{Op: "appSubscriptionCancel", Errors: r.UserErrors}
	}
	if r.AppSubscription == nil {
		return "", fmt.Errorf("appSubscriptionCancel: no subscription in the answer")
	}
	return r.AppSubscription.Status, nil
}

// AppSubscriptionStatus is models.AppBilling's read of one subscription's status ("" for one
// Shopify does not know).
func (a *Admin) AppSubscriptionStatus(ctx context.Context, shop, id string) (string, error) {
	var out struct {
		Node *struct {
			Status string `json:"status"`
		} `json:"node"`
	}
	if err := a.Query(ctx, shop, appSubscriptionStatusQuery, map[string]any{"id": id}, &out); err != nil {
		return "", err
	}
	if out.Node == nil {
		return "", nil
	}
	return out.Node.Status, nil
}

// AppSubscriptionUpdate is the app_subscriptions/update webhook's body.
type AppSubscriptionUpdate struct {
	AppSubscription struct {
		ID        string `json:"admin_graphql_api_id"`
		Name      string `json:"name"`
		Status    string `json:"status"`
		UpdatedAt string `json:"updated_at"`
	} `json:"app_subscription"`
}
