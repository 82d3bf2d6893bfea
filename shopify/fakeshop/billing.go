package fakeshop

import (
	"encoding/json"
	"fmt"
	"html"
	"net/http"
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
}

func (s *Server) registerBilling() {
	s.Handle("appSubscriptionCreate", func(shop string, vars map[string]any) (any, error) {
		name, _ := vars["name"].(string)
		ret, _ := vars["returnUrl"].(string)
		test, _ := vars["test"].(bool)
		trial, _ := vars["trialDays"].(float64)
		price := ""
		if items, _ := vars["lineItems"].([]any); len(items) == 1 {
			plan, _ := items[0].(map[string]any)["plan"].(map[string]any)
			rec, _ := plan["appRecurringPricingDetails"].(map[string]any)
			p, _ := rec["price"].(map[string]any)
			price = fmt.Sprint(p["amount"])
		}
		if name == "" || ret == "" || price == "" {
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
			Status: "PENDING", ReturnURL: ret, Test: test, TrialDays: int(trial), Price: price}
		b.subs[sub.ID] = sub
		confirm := fmt.Sprintf("%s/%s/billing/confirm/%d", s.srv.URL, shop, 1000+b.seq)
		return payload("appSubscriptionCreate", map[string]any{"appSubscription": map[string]any{"id": sub.ID, "status": sub.Status},
			"confirmationUrl": confirm}), nil
	})
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
	return map[string]any{"node": map[string]any{"id": sub.ID, "status": sub.Status}}
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
