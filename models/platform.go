package models

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
)

// The Shopify side of the use cases. Each domain names the few Admin API calls it needs as an
// interface (loyalty.Discounts, reviews.RatingPublisher, …) and shopify.Admin implements them;
// these are the answers they share besides success, so a use case decides without importing
// the API client.

// ErrNoAdminToken: the shop has no offline access token (not granted yet, or revoked). Work
// waits for the shop to connect again; retrying sooner cannot help.
var ErrNoAdminToken = errors.New("shop has no offline access token")

// Refusal is Shopify turning an input down (a mutation's userErrors): sending it again cannot
// succeed, so the work is settled with the reason.
type Refusal interface {
	error
	Refused() string
}

// Refused returns the reason when err is a refusal.
func Refused(err error) (reason string, ok bool) {
	var r Refusal
	if errors.As(err, &r) {
		return r.Refused(), true
	}
	return "", false
}

// MissingScopes lists the required access scopes (comma-separated) not granted. write_x
// implies read_x.
func MissingScopes(granted, required string) (missing []string) {
	have := map[string]bool{}
	for _, s := range strings.Split(granted, ",") {
		s = strings.TrimSpace(s)
		have[s] = true
		if rest, ok := strings.CutPrefix(s, "write_"); ok {
			have["read_"+rest] = true
		}
	}
	for _, s := range strings.Split(required, ",") {
		if s = strings.TrimSpace(s); s != "" && !have[s] {
			missing = append(missing, s)
		}
	}
	return missing
}

// Granted reports whether the shop granted every scope in required (comma-separated).
func (s *Shop) Granted(required string) bool { return len(MissingScopes(s.Scopes, required)) == 0 }

// ShopProfileSource reads the shop's name, contact email, currency and time zone.
type ShopProfileSource interface {
	ShopProfile(ctx context.Context, shop string) (ShopProfile, error)
}

// SellingPlanSource reads how many days a selling plan bills apart; ok is false for a plan that
// is gone or bills once.
type SellingPlanSource interface {
	SellingPlanIntervalDays(ctx context.Context, shop string, planID int64) (days int, ok bool, err error)
}

// CustomerTags sets or removes one tag on a Shopify customer.
type CustomerTags interface {
	SetCustomerTag(ctx context.Context, shop string, customerID int64, tag string, on bool) error
}

// ContractLineSource reads a subscription contract's lines; found is false for a contract
// Shopify does not know (deleted, or another app's).
type ContractLineSource interface {
	ContractLines(ctx context.Context, shop string, contractID int64) (lines []SubscriptionLine, found bool, err error)
}

// FlowTriggerReceiver starts the shop's Flow workflows that begin with a trigger.
type FlowTriggerReceiver interface {
	FlowTriggerReceive(ctx context.Context, shop, handle string, payload json.RawMessage) error
}
