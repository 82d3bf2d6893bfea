package fakeshop

import (
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The Billing API as the fake keeps it: appSubscriptionCreate makes a PENDING subscription and a
// confirmation page on the fake (GET shows it, POST approve=1 or approve=0 answers it, then
// redirects to the return URL, as Shopify's page does); approving cancels the shop's other active
// subscription. Tests answer it directly with Approve and Decline.

type billingState struct {
	mu   sync.Mutex
	seq  int
	subs map[string]*AppSubscription
	hook func(shop string, body []byte)
}

// OnSubscriptionUpdate sets where app_subscriptions/update goes when a subscription's status
// changes (`boomerang dev` delivers it to the app's /webhooks; tests read Subscriptions).
func (s *Server) OnSubscriptionUpdate(post func(shop string, body []byte)) {
	s.billing.mu.Lock()
	s.billing.hook = post
	s.billing.mu.Unlock()
}

// AppSubscription is a subscription the app asked for.
type AppSubscription struct {
	ID, Shop, Name, Status, ReturnURL string
	Test                              bool
	TrialDays                         int
	Price                             string
	// The usage line, when the subscription has one: its capped amount, terms and records.
	CappedAmount, Terms string
	Usage               []UsageRecord
}

// UsageRecord is a usage charge the app made.
type UsageRecord struct {
	ID, Description, IdempotencyKey string
	Price                           float64
}

func (sub *AppSubscription) usageLineID() string {
	return strings.Replace(sub.ID, "AppSubscription/", "AppSubscriptionLineItem/", 1) + "?v=1&index=1"
}

func (s *Server) registerBilling() {
	s.Handle("appSubscriptionCreate", func(shop string, vars map[string]any) (any, error) {
		name, _ := vars["name"].(string)
		ret, _ := vars["returnUrl"].(string)
		test, _ := vars["test"].(bool)
		trial, _ := vars["trialDays"].(float64)
		price, capped, terms := "", "", ""
		items, _ := vars["lineItems"].([]any)
		for _, it := range items {
			plan, _ := it.(map[string]any)["plan"].(map[string]any)
			if rec, ok := plan["appRecurringPricingDetails"].(map[string]any); ok {
				p, _ := rec["price"].(map[string]any)
				price = fmt.Sprint(p["amount"])
			}
			if use, ok := plan["appUsagePricingDetails"].(map[string]any); ok {
				c, _ := use["cappedAmount"].(map[string]any)
				capped, _ = c["amount"].(string)
				terms, _ = use["terms"].(string)
				if capped == "" || terms == "" {
					return payload("appSubscriptionCreate", nil, userError([]string{"lineItems"}, "INVALID", "a usage line needs terms and a capped amount")), nil
				}
			}
		}
		if name == "" || ret == "" || price == "" || len(items) > 2 {
			return payload("appSubscriptionCreate", nil, userError([]string{"lineItems"}, "INVALID", "name, returnUrl and one recurring line are required")), nil
		}
		b := &s.billing
		b.mu.Lock()
		defer b.mu.Unlock()
		if b.subs == nil {
			b.subs = map[string]*AppSubscription{}
		}
		b.seq++
		sub := &AppSubscription{ID: fmt.Sprintf("gid://shopify/AppSubscription/%d", 1000+b.seq), Shop: shop, Name: name,
			Status: "PENDING", ReturnURL: ret, Test: test, TrialDays: int(trial), Price: price, CappedAmount: capped, Terms: terms}
		b.subs[sub.ID] = sub
		confirm := fmt.Sprintf("%s/%s/billing/confirm/%d", s.srv.URL, shop, 1000+b.seq)
		return payload("appSubscriptionCreate", map[string]any{"appSubscription": map[string]any{"id": sub.ID, "status": sub.Status},
			"confirmationUrl": confirm}), nil
	})
	s.Handle("appUsageRecordCreate", s.appUsageRecordCreate)
	s.Handle("appSubscriptionCancel", func(shop string, vars map[string]any) (any, error) {
		id, _ := vars["id"].(string)
		b := &s.billing
		b.mu.Lock()
		defer b.mu.Unlock()
		sub := b.subs[id]
		if sub == nil || sub.Shop != shop || sub.Status != "ACTIVE" {
			return payload("appSubscriptionCancel", nil, userError([]string{"id"}, "SUBSCRIPTION_NOT_ACTIVE", "Subscription is not active")), nil
		}
		sub.Status = "CANCELLED"
		return payload("appSubscriptionCancel", map[string]any{"appSubscription": map[string]any{"id": id, "status": sub.Status}}), nil
	})
}

func (s *Server) appSubscriptionNode(shop, id string) any {
	b := &s.billing
	b.mu.Lock()
	defer b.mu.Unlock()
	sub := b.subs[id]
	if sub == nil || sub.Shop != shop {
		return map[string]any{"node": nil}
	}
	lines := []any{map[string]any{"id": strings.Replace(sub.ID, "AppSubscription/", "AppSubscriptionLineItem/", 1) + "?v=1&index=0",
		"plan": map[string]any{"pricingDetails": map[string]any{"__typename": "AppRecurringPricing"}}}}
	if sub.CappedAmount != "" {
		lines = append(lines, map[string]any{"id": sub.usageLineID(), "plan": map[string]any{"pricingDetails": map[string]any{"__typename": "AppUsagePricing"}}})
	}
	return map[string]any{"node": map[string]any{"id": sub.ID, "status": sub.Status, "lineItems": lines}}
}

// appUsageRecordCreate charges the usage line of an active subscription of the shop, refusing
// a charge past the capped amount as Shopify does; a repeated idempotency key returns the
// record it made the first time.
func (s *Server) appUsageRecordCreate(shop string, vars map[string]any) (any, error) {
	line, _ := vars["subscriptionLineItemId"].(string)
	desc, _ := vars["description"].(string)
	key, _ := vars["idempotencyKey"].(string)
	p, _ := vars["price"].(map[string]any)
	price, err := strconv.ParseFloat(fmt.Sprint(p["amount"]), 64)
	if err != nil || price <= 0 || desc == "" {
		return payload("appUsageRecordCreate", nil, userError([]string{"price"}, "INVALID", "Price must be greater than 0 and description present")), nil
	}
	b := &s.billing
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, sub := range b.subs {
		if sub.Shop != shop || sub.usageLineID() != line || sub.CappedAmount == "" {
			continue
		}
		if sub.Status != "ACTIVE" {
			return payload("appUsageRecordCreate", nil, userError([]string{"subscriptionLineItemId"}, "INVALID", "Subscription is not active")), nil
		}
		total := 0.0
		for _, r := range sub.Usage {
			if key != "" && r.IdempotencyKey == key {
				return payload("appUsageRecordCreate", map[string]any{"appUsageRecord": map[string]any{"id": r.ID}}), nil
			}
			total += r.Price
		}
		capped, _ := strconv.ParseFloat(sub.CappedAmount, 64)
		if total+price > capped+1e-9 {
			return payload("appUsageRecordCreate", nil, userError([]string{"price"}, "INVALID", "Total price exceeds balance remaining")), nil
		}
		b.seq++
		r := UsageRecord{ID: fmt.Sprintf("gid://shopify/AppUsageRecord/%d", 5000+b.seq), Description: desc, IdempotencyKey: key, Price: price}
		sub.Usage = append(sub.Usage, r)
		return payload("appUsageRecordCreate", map[string]any{"appUsageRecord": map[string]any{"id": r.ID}}), nil
	}
	return payload("appUsageRecordCreate", nil, userError([]string{"subscriptionLineItemId"}, "INVALID", "Subscription line item not found")), nil
}

// Approve and Decline answer a subscription's confirmation as the merchant would; they return
// the subscription as it is then.
func (s *Server) Approve(id string) AppSubscription { return s.answer(id, true) }
func (s *Server) Decline(id string) AppSubscription { return s.answer(id, false) }

func (s *Server) answer(id string, approve bool) AppSubscription {
	b := &s.billing
	b.mu.Lock()
	sub := b.subs[id]
	if sub == nil || sub.Status != "PENDING" {
		b.mu.Unlock()
		return AppSubscription{}
	}
	changed := []*AppSubscription{sub}
	if approve {
		for _, other := range b.subs {
			if other.Shop == sub.Shop && other.Status == "ACTIVE" {
				other.Status = "CANCELLED" // the new plan replaces the old
				changed = append(changed, other)
			}
		}
		sub.Status = "ACTIVE"
	} else {
		sub.Status = "DECLINED"
	}
	hook, out := b.hook, *sub
	var bodies [][]byte
	for _, c := range changed {
		bodies = append(bodies, subscriptionUpdateBody(c))
	}
	b.mu.Unlock()
	if hook != nil {
		for _, body := range bodies {
			hook(out.Shop, body)
		}
	}
	return out
}

// subscriptionUpdateBody is app_subscriptions/update as Shopify sends it.
func subscriptionUpdateBody(sub *AppSubscription) []byte {
	now := time.Now().UTC().Format(time.RFC3339Nano)
	b, _ := json.Marshal(map[string]any{"app_subscription": map[string]any{"admin_graphql_api_id": sub.ID, "name": sub.Name,
		"status": sub.Status, "admin_graphql_api_shop_id": "gid://shopify/Shop/1", "created_at": now, "updated_at": now,
		"currency": "USD", "capped_amount": nil}})
	return b
}

// Subscriptions lists a shop's subscriptions.
func (s *Server) Subscriptions(shop string) []AppSubscription {
	b := &s.billing
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []AppSubscription
	for _, sub := range b.subs {
		if sub.Shop == shop {
			out = append(out, *sub)
		}
	}
	return out
}

func (s *Server) serveBillingConfirm(w http.ResponseWriter, r *http.Request, shop, n string) {
	id := "gid://shopify/AppSubscription/" + n
	b := &s.billing
	b.mu.Lock()
	sub := b.subs[id]
	b.mu.Unlock()
	if sub == nil || sub.Shop != shop {
		http.NotFound(w, r)
		return
	}
	if r.Method == http.MethodPost {
		done := s.answer(id, r.FormValue("approve") == "1")
		if done.ID == "" {
			http.Error(w, "already answered", http.StatusConflict)
			return
		}
		http.Redirect(w, r, sub.ReturnURL, http.StatusSeeOther)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprintf(w, `<!doctype html><html lang="en"><title>Approve subscription</title><main><h1>%s</h1>
<p>$%s every 30 days%s%s.</p><form method="post"><button name="approve" value="1">Approve</button>
<button name="approve" value="0">Decline</button></form></main></html>`, html.EscapeString(sub.Name), html.EscapeString(sub.Price),
		map[bool]string{true: ", test charge", false: ""}[sub.Test], map[bool]string{true: fmt.Sprintf(", %d-day trial", sub.TrialDays), false: ""}[sub.TrialDays > 0])
}
