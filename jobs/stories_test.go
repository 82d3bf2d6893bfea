package jobs_test

import (
	"context"
	"fmt"
	"html"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/boomerang-app/boomerang/delivery/smtptest"
	"github.com/boomerang-app/boomerang/internal/apptest"
	"github.com/boomerang-app/boomerang/internal/testenv"
	"github.com/boomerang-app/boomerang/jobs"
	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/models/loyalty"
	"github.com/boomerang-app/boomerang/models/messaging"
	"github.com/boomerang-app/boomerang/models/reviews"
	"github.com/boomerang-app/boomerang/shopify"
	"github.com/boomerang-app/boomerang/shopify/fakeshop"
)

// The three stories of PRODUCT.md, end to end: signed webhooks (and reviews) in, a real SMTP
// server catching the mail, and the decisions read back through the admin API.

type story struct {
	customers map[int64]map[string]any // as last sent, so orders embed the customer as Shopify does
	t         *testing.T
	a         *apptest.App
	smtp      *smtptest.Server
	shop      string
	shopID    int64
}

func newStory(t *testing.T, prefix string) *story {
	t.Helper()
	srv := smtptest.Start(t)
	a := apptest.Start(t, apptest.Options{Env: map[string]string{"SMTP_URL": srv.URL(), "MAIL_FROM": "Boomerang <hello@boomerang.test>"}})
	shop := testenv.Shop(prefix)
	id := a.Install(t, shop)
	return &story{t: t, a: a, smtp: srv, shop: shop, shopID: id, customers: map[int64]map[string]any{}}
}

func rfc(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// noticesAtOnce turns the notice window off for a shop whose test is about delivery, not about
// merging notices: its "points earned" mails then go at once, one per order.
func noticesAtOnce(t testing.TB, a *apptest.App, shop string) {
	t.Helper()
	if code := a.API(t, shop, "PUT", "/api/policy", map[string]any{"notice_window_minutes": 0}, nil); code != 200 {
		t.Fatalf("notice window off: %d", code)
	}
}

func (s *story) customer(id int64, first, email string, consent string) {
	s.t.Helper()
	c := map[string]any{"id": id, "email": email, "first_name": first, "last_name": "Shopper",
		"updated_at": rfc(time.Now()), "email_marketing_consent": map[string]any{"state": consent}}
	s.customers[id] = c
	s.a.Webhook(s.t, s.shop, "customers/create", "", c)
}

func (s *story) order(id, customerID, productID int64, subtotal string, at time.Time) {
	s.t.Helper()
	s.a.Webhook(s.t, s.shop, "orders/paid", "", map[string]any{"id": id, "name": fmt.Sprintf("#%d", id),
		"currency": "USD", "subtotal_price": subtotal, "total_price": subtotal, "financial_status": "paid",
		"processed_at": rfc(at), "created_at": rfc(at), "updated_at": rfc(at),
		"customer": s.customers[customerID],
		"line_items": []any{map[string]any{"id": id*10 + 1, "product_id": productID, "variant_id": productID*10 + 1,
			"title": fmt.Sprintf("Product %d", productID), "quantity": 1, "price": subtotal}}})
}

type decisionRow struct {
	ID         int64  `json:"id"`
	MessageID  *int64 `json:"message_id"`
	CampaignID *int64 `json:"campaign_id"`
	Trigger    string `json:"trigger"`
	Channel    string `json:"channel"`
	Decision   string `json:"decision"`
	Reason     string `json:"reason"`
	CreatedAt  string `json:"created_at"`
	ProviderID string `json:"provider_id"`
}

func (s *story) decisions(customerID int64) []decisionRow {
	s.t.Helper()
	var out struct {
		Messages []decisionRow `json:"messages"`
	}
	if code := s.a.API(s.t, s.shop, "GET", fmt.Sprintf("/api/customers/%d/messages", customerID), nil, &out); code != 200 {
		s.t.Fatalf("GET messages of %d: status %d", customerID, code)
	}
	return out.Messages
}

// waitDecision polls the admin API until the customer has a decision for the trigger (or
// campaign) in one of the final states, and returns it. The timeout only guards against a hang.
func (s *story) waitDecision(customerID int64, trigger string, campaignID int64) decisionRow {
	s.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		for _, d := range s.decisions(customerID) {
			match := d.Trigger == trigger
			if campaignID != 0 {
				match = d.CampaignID != nil && *d.CampaignID == campaignID
			}
			if match && d.Decision != "sending" && d.Decision != "queued" {
				return d
			}
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("customer %d: no final decision for %q (campaign %d); log: %+v", customerID, trigger, campaignID, s.decisions(customerID))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (s *story) mailsTo(addr string) []smtptest.Message {
	var out []smtptest.Message
	for _, m := range s.smtp.Messages() {
		for _, to := range m.To {
			if strings.EqualFold(to, addr) {
				out = append(out, m)
			}
		}
	}
	return out
}

// waitMail waits for a mail to addr whose subject contains want.
func (s *story) waitMail(addr, want string) smtptest.Message {
	s.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		for _, m := range s.mailsTo(addr) {
			if strings.Contains(m.Subject, want) {
				return m
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	var subjects []string
	for _, m := range s.mailsTo(addr) {
		subjects = append(subjects, m.Subject)
	}
	s.t.Fatalf("no mail to %s with %q in the subject; got %q", addr, want, subjects)
	return smtptest.Message{}
}

func (s *story) campaign(body map[string]any) int64 {
	s.t.Helper()
	var created struct {
		ID int64 `json:"id"`
	}
	if code := s.a.API(s.t, s.shop, "POST", "/api/campaigns", body, &created); code != 201 || created.ID == 0 {
		s.t.Fatalf("create campaign: status %d", code)
	}
	var sent struct {
		ID     int64  `json:"id"`
		Status string `json:"status"`
	}
	if code := s.a.API(s.t, s.shop, "POST", fmt.Sprintf("/api/campaigns/%d/send", created.ID), nil, &sent); code != 200 || sent.Status != "sending" {
		s.t.Fatalf("send campaign: status %d %+v", code, sent)
	}
	return created.ID
}

func expectDecision(t *testing.T, what string, d decisionRow, decision, reason string) {
	t.Helper()
	if d.Decision != decision || d.Reason != reason {
		t.Fatalf("%s: decision %s/%s, want %s/%s", what, d.Decision, d.Reason, decision, reason)
	}
}

// Chrissy earns 500 points on her last order: she is told her balance, reminded before the
// points expire and told when her tier goes up.
func TestStoryChrissy(t *testing.T) {
	s := newStory(t, "chrissy")
	const chrissy, email = int64(1001), "chrissy@example.com"
	s.customer(chrissy, "Chrissy", email, "subscribed")
	s.order(5001, chrissy, 42, "420.00", time.Now().Add(-48*time.Hour)) // 2100 points, Bronze
	s.waitDecision(chrissy, models.EventPointsEarned, 0)
	s.order(5002, chrissy, 43, "100.00", time.Now()) // 500 points: 520 spent reaches Silver
	s.a.Drain(t, 30*time.Second)

	// Her two "points earned" notices wait out the notice window (10 minutes) and merge: when
	// they come due, one mail goes out with the points of both and her balance.
	ctx := context.Background()
	s.a.Worker.Now = func() time.Time { return time.Now().Add(15 * time.Minute) }
	defer func() { s.a.Worker.Now = nil }()
	if err := s.a.Queue.Enqueue(ctx, asynq.NewTask(jobs.TypeMessagingSweep, nil), asynq.Queue(jobs.QueueLow)); err != nil {
		t.Fatal(err)
	}
	s.a.Drain(t, 30*time.Second)
	var sent, merged int
	for _, d := range s.decisions(chrissy) {
		if d.Trigger == models.EventPointsEarned {
			switch {
			case d.Decision == messaging.DecisionSent:
				sent++
			case d.Decision == messaging.DecisionSkipped && d.Reason == messaging.ReasonCoalesced:
				merged++
			}
		}
	}
	if sent != 1 || merged != 1 {
		t.Fatalf("points notices: %d sent, %d merged; want 1 and 1: %+v", sent, merged, s.decisions(chrissy))
	}
	m := s.waitMail(email, "You earned 2600 points")
	if !strings.Contains(m.Text, "Your balance is now 2600 points") || !strings.Contains(m.HTML, "<strong>2600 points</strong>") {
		t.Errorf("points mail does not state the balance:\n%s", m.Text)
	}
	if m.Text == "" || m.Header.Get("List-Unsubscribe") == "" || m.Header.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" {
		t.Errorf("points mail lacks a text part or one-click unsubscribe headers: %v", m.Header)
	}

	tier := s.waitDecision(chrissy, models.EventTierChanged, 0)
	expectDecision(t, "tier change", tier, messaging.DecisionSent, "")
	if m := s.waitMail(email, "Welcome to Silver"); !strings.Contains(m.Text, "You reached Silver!") {
		t.Errorf("tier mail: %s", m.Text)
	}

	// Eleven months on, the nightly reminder finds her points expiring within 30 days.
	n, err := loyalty.RemindExpiring(ctx, s.a.DB, s.shopID, time.Now().AddDate(0, 11, 10))
	if err != nil || n != 1 {
		t.Fatalf("expiry reminders emitted = %d, %v; want 1", n, err)
	}
	if err := s.a.Queue.EnqueueDispatch(ctx, s.shopID); err != nil {
		t.Fatal(err)
	}
	exp := s.waitDecision(chrissy, models.EventPointsExpiring, 0)
	expectDecision(t, "expiry reminder", exp, messaging.DecisionSent, "")
	if m := s.waitMail(email, "points expire soon"); !strings.Contains(m.Text, "2600 points of your 2600-point balance expire on") {
		t.Errorf("expiry mail: %s", m.Text)
	}

	// A promotion to the Silver tier reaches her audience, but the welcome she got today used
	// the day's promotional budget (one per 16 h, across every trigger): skipped, and logged.
	camp := s.campaign(map[string]any{"name": "Silver perks", "channel": "email", "subject": "Silver perks",
		"body": "<p>New perks for {{ tier.name }} members</p>", "audience": map[string]any{"tier": "Silver"}})
	expectDecision(t, "tier campaign", s.waitDecision(chrissy, "", camp), messaging.DecisionSkipped, messaging.ReasonFrequencyCap)

	// All of it is in the log, newest first, with the provider's message id.
	log := s.decisions(chrissy)
	for i := 1; i < len(log); i++ {
		if log[i-1].ID < log[i].ID {
			t.Fatalf("log is not newest first: %+v", log)
		}
	}
	for _, d := range log {
		if d.Decision == messaging.DecisionSent && (d.ProviderID == "" || d.Channel != messaging.ChannelEmail || d.MessageID == nil) {
			t.Errorf("sent decision without provider id, channel or message: %+v", d)
		}
	}
}

// Naomi buys once and leaves a 1-star review: she gets the apology, and every promotion to her
// is held (negative_review) until the case is resolved; Shopify carries the hold tag meanwhile.
func TestStoryNaomi(t *testing.T) {
	s := newStory(t, "naomi")
	ctx := context.Background()
	const naomi, email = int64(2001), "naomi@example.com"
	s.customer(naomi, "Naomi", email, "subscribed")
	s.order(6001, naomi, 77, "35.00", time.Now())
	welcome := s.waitDecision(naomi, models.EventFirstOrder, 0)
	expectDecision(t, "welcome", welcome, messaging.DecisionSent, "")

	// The 1-star review comes in from the storefront through Shopify's signed app proxy; the
	// scoring job opens the case, places the hold and emits negative_review.
	var submitted map[string]any
	if code := s.a.Proxy(t, s.shop, "POST", "/proxy/reviews", naomi, nil, map[string]any{"product_id": 77, "rating": 1,
		"order_id": 6001, "title": "Broke after one day",
		"body": "Terrible quality, it broke the day after it arrived. Very disappointed."}, &submitted); code != 201 && code != 200 {
		t.Fatalf("review submission: status %d %v", code, submitted)
	}
	apology := s.waitDecision(naomi, models.EventNegativeReview, 0)
	expectDecision(t, "apology", apology, messaging.DecisionSent, "")
	if m := s.waitMail(email, "We're sorry, Naomi"); !strings.Contains(m.Text, "make it right") {
		t.Errorf("apology mail: %s", m.Text)
	}

	// A sale campaign to every new customer: Naomi's copy is held; another shopper's is sent.
	const other, otherEmail = int64(2002), "olga@example.com"
	s.customer(other, "Olga", otherEmail, "subscribed")
	s.order(6002, other, 78, "20.00", time.Now().Add(-10*24*time.Hour)) // a new customer, too long ago for a welcome
	s.a.Drain(t, 30*time.Second)
	camp := s.campaign(map[string]any{"name": "Spring sale", "channel": "email", "subject": "Our spring sale starts now",
		"body": "<p>Hi {{ customer.first_name }}, everything is 20% off this week.</p>", "audience": map[string]any{"stage": "new"}})
	held := s.waitDecision(naomi, "", camp)
	expectDecision(t, "Naomi's promotion", held, messaging.DecisionHeld, messaging.ReasonNegativeReview)
	expectDecision(t, "Olga's promotion", s.waitDecision(other, "", camp), messaging.DecisionSent, "")
	promo := s.waitMail(otherEmail, "spring sale")
	// Promotional mail unsubscribes in one click (RFC 8058) and shows the same link in its footer.
	unsub := strings.Trim(promo.Header.Get("List-Unsubscribe"), "<>")
	if !strings.Contains(unsub, "/unsubscribe?t=") || promo.Header.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" {
		t.Errorf("campaign mail's unsubscribe headers: %q, %q", promo.Header.Get("List-Unsubscribe"), promo.Header.Get("List-Unsubscribe-Post"))
	}
	if !strings.Contains(promo.HTML, `href="`+html.EscapeString(unsub)+`">Unsubscribe</a>`) || !strings.Contains(promo.Text, "Unsubscribe") {
		t.Errorf("campaign mail has no visible unsubscribe footer with its link:\n%s", promo.HTML)
	}
	for _, m := range s.mailsTo(email) {
		if strings.Contains(m.Subject, "spring sale") {
			t.Fatalf("Naomi received the held promotion")
		}
	}
	// Olga buys after her copy; Naomi, whose copy was held, buys too: only Olga's order follows the campaign.
	s.order(6003, other, 78, "35.50", time.Now().Add(time.Minute))
	s.order(6004, naomi, 78, "12.00", time.Now().Add(time.Minute))
	s.a.Drain(t, 30*time.Second)
	var res struct {
		Decisions    map[string]int `json:"decisions"`
		ByReason     map[string]int `json:"by_reason"`
		OrdersAfter  int            `json:"orders_after"`
		RevenueAfter string         `json:"revenue_after"`
	}
	s.a.API(t, s.shop, "GET", fmt.Sprintf("/api/campaigns/%d", camp), nil, &res)
	if res.Decisions[messaging.DecisionHeld] != 1 || res.Decisions[messaging.DecisionSent] != 1 || res.ByReason[messaging.ReasonNegativeReview] != 1 ||
		res.OrdersAfter != 1 || res.RevenueAfter != "35.5" {
		t.Errorf("campaign results %+v: want 1 held, 1 sent, and Olga's order of 35.50 after it", res)
	}

	// Shopify carries the hold as a tag while the case is open.
	gid := shopify.CustomerGID(naomi)
	waitTag(t, s.a.Fake, gid, true)

	// The merchant resolves the case: the hold and the tag go, promotions flow again.
	var caseID int64
	s.a.DB.Raw(`SELECT id FROM cases WHERE shop_id = ? AND customer_id = ?`, s.shopID, naomi).Scan(&caseID)
	if _, err := reviews.ResolveCase(ctx, s.a.DB, s.shopID, caseID, "refunded and replaced", "staff", time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := models.SyncHoldTags(ctx, s.a.DB, s.a.Admin, s.shopID, time.Now()); err != nil {
		t.Fatal(err)
	}
	waitTag(t, s.a.Fake, gid, false)
}

func waitTag(t *testing.T, fake *fakeshop.Server, gid string, want bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		has := false
		for _, tag := range fake.Tags(gid) {
			has = has || tag == models.HoldTag
		}
		if has == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: hold tag present = %v, want %v", gid, has, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Marshall subscribes to a product: a promotion featuring it is never sent to him; when he
// cancels, the win-back goes out and the cancellation counts in the churn figures.
func TestStoryMarshall(t *testing.T) {
	s := newStory(t, "marshall")
	ctx := context.Background()
	const marshall, email = int64(3001), "marshall@example.com"
	const product = int64(7001)
	s.customer(marshall, "Marshall", email, "subscribed")
	started := time.Now().Add(-40 * 24 * time.Hour)
	s.order(8001, marshall, product, "30.00", started) // the subscription's origin order

	contractGID := "gid://shopify/SubscriptionContract/9001"
	s.a.Fake.SetContract(fakeshop.Contract{ID: contractGID, Lines: []fakeshop.ContractLine{
		{ProductID: shopify.ProductGID(product), VariantID: "gid://shopify/ProductVariant/70011", Title: "Coffee beans, monthly", Quantity: 1}}})
	contract := func(status string, rev int64, at time.Time, reason string) map[string]any {
		return map[string]any{"id": 9001, "admin_graphql_api_id": contractGID, "customer_id": marshall,
			"admin_graphql_api_customer_id": shopify.CustomerGID(marshall), "status": status, "revision_id": rev,
			"currency_code": "USD", "billing_policy": map[string]any{"interval": "month", "interval_count": 1},
			"delivery_policy": map[string]any{"interval": "month", "interval_count": 1}, "origin_order_id": 8001,
			"updated_at": rfc(at), "cancellation_reason": reason}
	}
	s.a.Webhook(t, s.shop, "subscription_contracts/create", "", contract("active", 1, started, ""))
	s.a.Drain(t, 30*time.Second)
	subs, err := models.SubscribedProducts(ctx, s.a.DB, s.shopID, []int64{marshall})
	if err != nil || len(subs[marshall]) != 1 || subs[marshall][0] != product {
		t.Fatalf("subscribed products = %v, %v; want [%d] (lines fetched through GraphQL)", subs, err, product)
	}

	// A promotion featuring the product he already gets every month: held for him only.
	const other, otherEmail = int64(3002), "sam@example.com"
	s.customer(other, "Sam", otherEmail, "subscribed")
	s.a.Drain(t, 30*time.Second)
	camp := s.campaign(map[string]any{"name": "Coffee promo", "channel": "email", "subject": "Fresh coffee beans, 15% off",
		"body": "<p>{% for p in featured_products %}{{ p.title }} {% endfor %}</p>", "featured_product_ids": []int64{product},
		"audience": map[string]any{"customer_ids": []int64{marshall, other}}})
	expectDecision(t, "Marshall's promotion", s.waitDecision(marshall, "", camp), messaging.DecisionHeld, messaging.ReasonSubscribedProduct)
	expectDecision(t, "Sam's promotion", s.waitDecision(other, "", camp), messaging.DecisionSent, "")
	if m := s.waitMail(otherEmail, "Fresh coffee beans"); !strings.Contains(m.Text, "Product 7001") { // titled from the order line
		t.Errorf("featured product not rendered: %q", m.Text)
	}

	// He cancels. The cancel topic arrives, then a duplicate update with the same revision and a
	// stale "active" update from before: one win-back, and the contract stays cancelled.
	cancelAt := time.Now()
	s.a.Webhook(t, s.shop, "subscription_contracts/cancel", "", contract("cancelled", 2, cancelAt, "Too much coffee"))
	s.a.Webhook(t, s.shop, "subscription_contracts/update", "", contract("cancelled", 2, cancelAt, "Too much coffee"))
	s.a.Webhook(t, s.shop, "subscription_contracts/update", "", contract("active", 1, started.Add(time.Hour), ""))
	winback := s.waitDecision(marshall, models.EventSubscriptionCancelled, 0)
	expectDecision(t, "win-back", winback, messaging.DecisionSent, "")
	s.waitMail(email, "We'll miss you, Marshall")
	s.a.Drain(t, 30*time.Second)
	n := 0
	for _, d := range s.decisions(marshall) {
		if d.Trigger == models.EventSubscriptionCancelled {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("win-back decisions = %d, want 1", n)
	}
	c, err := models.GetSubscriptionContract(ctx, s.a.DB, s.shopID, 9001)
	if err != nil || c.Status != models.SubscriptionCancelled || c.CancellationReason != "Too much coffee" {
		t.Fatalf("contract after out-of-order updates: %+v, %v", c, err)
	}
	churn, err := models.SubscriptionChurn(ctx, s.a.DB, s.shopID, time.Now().AddDate(0, 0, -30), time.Now().Add(time.Hour))
	if err != nil || churn.Cancelled != 1 || churn.ActiveAtStart != 1 || churn.Rate != 1 {
		t.Fatalf("churn = %+v, %v", churn, err)
	}
	reasons, err := models.CancellationReasons(ctx, s.a.DB, s.shopID, time.Now().AddDate(0, 0, -1), 10)
	if err != nil || len(reasons) != 1 || reasons[0].Reason != "Too much coffee" {
		t.Fatalf("cancellation reasons = %+v, %v", reasons, err)
	}

	// Right after cancelling, promotions wait out the cool-down even for other products.
	camp2 := s.campaign(map[string]any{"name": "Mugs", "channel": "email", "subject": "New mugs", "body": "<p>Mugs!</p>",
		"featured_product_ids": []int64{7999}, "audience": map[string]any{"customer_ids": []int64{marshall}}})
	expectDecision(t, "promotion after cancelling", s.waitDecision(marshall, "", camp2), messaging.DecisionHeld, messaging.ReasonRecentCancellation)
}
