package shopify

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Customer-level Admin API operations: tags and marketing consent.

const (
	tagsAddMutation = `mutation tagsAdd($id: ID!, $tags: [String!]!) {
  tagsAdd(id: $id, tags: $tags) { node { id } userErrors { field message } }
}`
	tagsRemoveMutation = `mutation tagsRemove($id: ID!, $tags: [String!]!) {
  tagsRemove(id: $id, tags: $tags) { node { id } userErrors { field message } }
}`
	emailConsentMutation = `mutation customerEmailMarketingConsentUpdate($input: CustomerEmailMarketingConsentUpdateInput!) {
  customerEmailMarketingConsentUpdate(input: $input) { customer { id } userErrors { field message } }
}`
	smsConsentMutation = `mutation customerSmsMarketingConsentUpdate($input: CustomerSmsMarketingConsentUpdateInput!) {
  customerSmsMarketingConsentUpdate(input: $input) { customer { id } userErrors { field message } }
}`
)

// SetCustomerTag adds (on) or removes a tag on a customer. A customer Shopify no longer has is a
// *RefusedError.
func (a *Admin) SetCustomerTag(ctx context.Context, shop string, customerID int64, tag string, on bool) error {
	op, q := "tagsRemove", tagsRemoveMutation
	if on {
		op, q = "tagsAdd", tagsAddMutation
	}
	return a.mutate(ctx, shop, op, q, map[string]any{"id": CustomerGID(customerID), "tags": []string{tag}})
}

// SetMarketingConsent writes a customer's marketing consent on "email" or "sms": state is
// Shopify's webhook spelling ("subscribed", "unsubscribed"), at when the shopper gave it.
func (a *Admin) SetMarketingConsent(ctx context.Context, shop string, customerID int64, channel, state string, at time.Time) error {
	op, q, field := "customerEmailMarketingConsentUpdate", emailConsentMutation, "emailMarketingConsent"
	if channel == "sms" {
		op, q, field = "customerSmsMarketingConsentUpdate", smsConsentMutation, "smsMarketingConsent"
	}
	consent := map[string]any{"marketingState": strings.ToUpper(state), "consentUpdatedAt": at.UTC().Format(time.RFC3339)}
	if state == "subscribed" {
		consent["marketingOptInLevel"] = "SINGLE_OPT_IN"
	}
	return a.mutate(ctx, shop, op, q, map[string]any{"input": map[string]any{"customerId": CustomerGID(customerID), field: consent}})
}

// mutate runs a mutation whose answer matters only for its userErrors (a *RefusedError).
func (a *Admin) mutate(ctx context.Context, shop, op, query string, vars map[string]any) error {
	var out map[string]struct {
		UserErrors []UserError `json:"userErrors"`
	}
	if err := a.Query(ctx, shop, query, vars, &out); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if ue := out[op].UserErrors; len(ue) > 0 {
		return &RefusedError{Op: op, Errors: ue}
	}
	return nil
}
