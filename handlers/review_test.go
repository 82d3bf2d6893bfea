package handlers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/boomerang-app/boomerang/delivery/smtptest"
	"github.com/boomerang-app/boomerang/internal/apptest"
	"github.com/boomerang-app/boomerang/internal/testenv"
	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/models/reviews"
	"github.com/boomerang-app/boomerang/shopify"
)

// ipSeq gives every test its own client addresses: the per-IP limiter lives for the process.
var ipSeq atomic.Int64

func freshIP() string {
	n := ipSeq.Add(1)
	return fmt.Sprintf("198.51.%d.%d", 100+n/250, n%250+1)
}

type proxyCall struct {
	method, path string
	customer     int64
	query        url.Values
	contentType  string
	body         []byte
	secret       string // signing secret; the app's by default
	ip           string
	tamper       func(q url.Values)
}

// proxyDo sends a request the way Shopify's app proxy forwards it: signed query, and the
// shopper's address appended to whatever X-Forwarded-For the shopper sent (here a forged one).
func proxyDo(t testing.TB, a *apptest.App, shop string, pc proxyCall) (int, []byte) {
	t.Helper()
	q := url.Values{"shop": {shop}, "path_prefix": {"/apps/boomerang"}, "timestamp": {strconv.FormatInt(time.Now().Unix(), 10)},
		"logged_in_customer_id": {""}}
	if pc.customer != 0 {
		q.Set("logged_in_customer_id", strconv.FormatInt(pc.customer, 10))
	}
	for k, v := range pc.query {
		q[k] = v
	}
	secret := pc.secret
	if secret == "" {
		secret = testenv.APISecret
	}
	q = shopify.SignProxyQuery(q, secret)
	if pc.tamper != nil {
		pc.tamper(q)
	}
	req, _ := http.NewRequest(pc.method, a.Server.URL+pc.path+"?"+q.Encode(), bytes.NewReader(pc.body))
	if pc.contentType != "" {
		req.Header.Set("Content-Type", pc.contentType)
	}
	ip := pc.ip
	if ip == "" {
		ip = freshIP()
	}
	req.Header.Set("X-Forwarded-For", freshIP()+", "+ip)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func submitJSON(t *testing.T, a *apptest.App, shop string, customer int64, in map[string]any, ip string) (int, map[string]any) {
	t.Helper()
	b, _ := json.Marshal(in)
	st, body := proxyDo(t, a, shop, proxyCall{method: http.MethodPost, path: "/proxy/reviews", customer: customer,
		contentType: "application/json", body: b, ip: ip})
	var out map[string]any
	_ = json.Unmarshal(body, &out)
	return st, out
}

func errField(out map[string]any) string {
	e, _ := out["error"].(map[string]any)
	f, _ := e["field"].(string)
	return f
}

// orderWebhook is an orders/create payload with one line per product.
func orderWebhook(id, customer int64, email string, products []int64, fulfilledAt *time.Time) map[string]any {
	now := time.Now().UTC().Format(time.RFC3339)
	var lines []map[string]any
	for i, p := range products {
		lines = append(lines, map[string]any{"id": id*100 + int64(i), "product_id": p, "variant_id": p + 1, "title": fmt.Sprintf("Linen shirt %d", p),
			"quantity": 1, "price": fmt.Sprintf("%d.00", 20*(i+1))})
	}
	o := map[string]any{"id": id, "name": fmt.Sprintf("#%d", id), "email": email, "currency": "USD",
		"subtotal_price": "40.00", "total_price": "44.00", "financial_status": "paid", "test": false,
		"processed_at": now, "created_at": now, "updated_at": now,
		"customer":   map[string]any{"id": customer, "email": email, "first_name": "Naomi", "last_name": "Kent", "state": "enabled"},
		"line_items": lines}
	if fulfilledAt != nil {
		o["fulfillments"] = []map[string]any{{"id": id + 5000, "order_id": id, "status": "success",
			"created_at": fulfilledAt.Format(time.RFC3339), "updated_at": fulfilledAt.Format(time.RFC3339)}}
	}
	return o
}

func TestProxyReviewSubmission(t *testing.T) {
	a := apptest.Start(t, apptest.Options{})
	shop := testenv.Shop("rvproxy")
	a.Install(t, shop)
	a.Webhook(t, shop, "orders/create", "", orderWebhook(7001, 42, "naomi@example.com", []int64{900}, nil))
	a.Drain(t, 10*time.Second)

	st, out := submitJSON(t, a, shop, 42, map[string]any{"product_id": 900, "rating": 5, "title": "Lovely", "body": "Soft and fits well."}, "")
	if st != http.StatusCreated {
		t.Fatalf("signed submission: %d %v", st, out)
	}
	rev := out["review"].(map[string]any)
	if rev["verified_buyer"] != true || rev["status"] != "published" {
		t.Fatalf("review %v", rev)
	}
	// gid and string forms of ids are accepted; not having bought the product means not verified.
	st, out = submitJSON(t, a, shop, 42, map[string]any{"product_id": "gid://shopify/Product/901", "rating": "4", "body": "Nice."}, "")
	if st != http.StatusCreated || out["review"].(map[string]any)["verified_buyer"] != false {
		t.Fatalf("gid submission: %d %v", st, out)
	}

	good, _ := json.Marshal(map[string]any{"product_id": 902, "rating": 5, "body": "x"})
	forged := []struct {
		name string
		pc   proxyCall
	}{
		{"wrong secret", proxyCall{secret: "not-the-secret"}},
		{"customer changed after signing", proxyCall{tamper: func(q url.Values) { q.Set("logged_in_customer_id", "43") }}},
		{"no signature", proxyCall{tamper: func(q url.Values) { q.Del("signature") }}},
		{"stale", proxyCall{query: url.Values{"timestamp": {strconv.FormatInt(time.Now().Add(-10*time.Minute).Unix(), 10)}}}},
	}
	for _, f := range forged {
		f.pc.method, f.pc.path, f.pc.customer, f.pc.contentType, f.pc.body = http.MethodPost, "/proxy/reviews", 42, "application/json", good
		if st, body := proxyDo(t, a, shop, f.pc); st != http.StatusUnauthorized {
			t.Errorf("%s: status %d %s", f.name, st, body)
		}
	}
	// Signed but anonymous, with no review link: nobody to attribute the review to.
	if st, out := submitJSON(t, a, shop, 0, map[string]any{"product_id": 902, "rating": 5}, ""); st != http.StatusUnauthorized {
		t.Fatalf("anonymous: %d %v", st, out)
	}
	// A guest with a name and an email: held for moderation, unverified, once per email and product.
	guest := map[string]any{"product_id": 902, "rating": 5, "title": "Great", "body": "Bought it in the shop.", "name": "Gia", "email": "Gia@Example.com"}
	st, out = submitJSON(t, a, shop, 0, guest, "")
	if rev, _ := out["review"].(map[string]any); st != http.StatusCreated || rev["status"] != "pending" || rev["verified_buyer"] != false {
		t.Fatalf("guest review: %d %v", st, out)
	}
	guest["email"] = "gia@example.com"
	if st, out := submitJSON(t, a, shop, 0, guest, ""); st != http.StatusConflict {
		t.Fatalf("the same guest again: %d %v", st, out)
	}
	for field, v := range map[string]string{"email": "not-an-email", "name": ""} {
		g := map[string]any{"product_id": 904, "rating": 4, "name": "Gia", "email": "gia@example.com"}
		g[field] = v
		if st, out := submitJSON(t, a, shop, 0, g, ""); st != http.StatusUnprocessableEntity || out["error"].(map[string]any)["field"] != field {
			t.Errorf("guest with bad %s: %d %v", field, st, out)
		}
	}

	bad := []struct {
		in    map[string]any
		field string
	}{
		{map[string]any{"rating": 5}, "product_id"},
		{map[string]any{"product_id": "shoe", "rating": 5}, "product_id"},
		{map[string]any{"product_id": 903, "rating": 6}, "rating"},
		{map[string]any{"product_id": 903, "rating": 2.5}, "rating"},
		{map[string]any{"product_id": 903, "rating": 5, "title": strings.Repeat("t", 151)}, "title"},
		{map[string]any{"product_id": 903, "rating": 5, "body": 12}, "body"},
		{map[string]any{"product_id": 903, "rating": 5, "order_id": "x"}, "order_id"},
		{map[string]any{"product_id": 903, "rating": 5, "order_id": 99999}, "order_id"},
	}
	for _, b := range bad {
		st, out := submitJSON(t, a, shop, 42, b.in, "")
		if st != http.StatusUnprocessableEntity || errField(out) != b.field {
			t.Errorf("%v: %d %v, want 422 naming %s", b.in, st, out, b.field)
		}
	}
	if st, _ := proxyDo(t, a, shop, proxyCall{method: http.MethodPost, path: "/proxy/reviews", customer: 42,
		contentType: "application/json", body: []byte("{not json")}); st != http.StatusUnprocessableEntity {
		t.Fatalf("malformed JSON: %d", st)
	}
	if st, out := submitJSON(t, a, shop, 42, map[string]any{"product_id": 903, "rating": 5, "body": strings.Repeat("é", 5001)}, ""); st != http.StatusRequestEntityTooLarge {
		t.Fatalf("5,001 characters: %d %v", st, out)
	}
	if st, out := submitJSON(t, a, shop, 42, map[string]any{"product_id": 903, "rating": 5, "body": strings.Repeat("é", 5000)}, ""); st != http.StatusCreated {
		t.Fatalf("5,000 characters: %d %v", st, out)
	}
	if st, _ := submitJSON(t, a, shop, 42, map[string]any{"product_id": 900, "rating": 5}, ""); st != http.StatusConflict {
		t.Fatalf("second review of the same product: %d", st)
	}

	// Per customer: at most 5 a day (three so far today).
	for p := 904; p < 906; p++ {
		if st, out := submitJSON(t, a, shop, 42, map[string]any{"product_id": p, "rating": 4}, ""); st != http.StatusCreated {
			t.Fatalf("review %d: %d %v", p, st, out)
		}
	}
	if st, _ := submitJSON(t, a, shop, 42, map[string]any{"product_id": 906, "rating": 4}, ""); st != http.StatusTooManyRequests {
		t.Fatalf("sixth review today: %d", st)
	}
	// Per address: a burst of 10, then 429, whoever is logged in; another address is unaffected.
	ip := freshIP()
	for i := 0; i < 10; i++ {
		if st, out := submitJSON(t, a, shop, int64(100+i), map[string]any{"product_id": 950, "rating": 5}, ip); st != http.StatusCreated {
			t.Fatalf("burst %d: %d %v", i, st, out)
		}
	}
	if st, _ := submitJSON(t, a, shop, 200, map[string]any{"product_id": 950, "rating": 5}, ip); st != http.StatusTooManyRequests {
		t.Fatalf("11th from one address: %d", st)
	}
	if st, _ := submitJSON(t, a, shop, 200, map[string]any{"product_id": 950, "rating": 5}, freshIP()); st != http.StatusCreated {
		t.Fatalf("another address: %d", st)
	}

	// Scored in the background; the admin list shows the sentiment, newest first.
	a.Drain(t, 15*time.Second)
	var list struct {
		Reviews []struct {
			ID        int64 `json:"id"`
			Sentiment *struct {
				Label    string `json:"label"`
				Language string `json:"language"`
			} `json:"sentiment"`
		} `json:"reviews"`
		NextCursor string `json:"next_cursor"`
	}
	if st := a.API(t, shop, http.MethodGet, "/api/reviews?customer_id=42", nil, &list); st != http.StatusOK || len(list.Reviews) != 5 {
		t.Fatalf("admin list: %d %+v", st, list)
	}
	for i, r := range list.Reviews {
		if r.Sentiment == nil || r.Sentiment.Label == "" {
			t.Fatalf("review %d not scored", r.ID)
		}
		if i > 0 && r.ID > list.Reviews[i-1].ID {
			t.Fatalf("not newest first: %+v", list.Reviews)
		}
	}
	if st := a.API(t, shop, http.MethodGet, "/api/reviews?rating=9", nil, nil); st != http.StatusUnprocessableEntity {
		t.Fatalf("rating=9: %d", st)
	}

	// The storefront sees published reviews and the product's summary, without contact details.
	st, body := proxyDo(t, a, shop, proxyCall{method: http.MethodGet, path: "/proxy/reviews", query: url.Values{"product_id": {"900"}}})
	if st != http.StatusOK || !strings.Contains(string(body), `"author":"Naomi K."`) || strings.Contains(string(body), "naomi@example.com") {
		t.Fatalf("storefront list: %d %s", st, body)
	}
	var pub struct {
		Reviews []map[string]any `json:"reviews"`
		Summary struct {
			Count   int     `json:"count"`
			Average float64 `json:"average"`
		} `json:"summary"`
	}
	_ = json.Unmarshal(body, &pub)
	if len(pub.Reviews) != 1 || pub.Summary.Count != 1 || pub.Summary.Average != 5 {
		t.Fatalf("storefront: %s", body)
	}
	// Hiding it takes it off the storefront.
	id := int64(pub.Reviews[0]["id"].(float64))
	if st := a.API(t, shop, http.MethodPatch, fmt.Sprintf("/api/reviews/%d", id), map[string]string{"status": "hidden"}, nil); st != http.StatusOK {
		t.Fatalf("hide: %d", st)
	}
	_, body = proxyDo(t, a, shop, proxyCall{method: http.MethodGet, path: "/proxy/reviews", query: url.Values{"product_id": {"900"}}})
	if !strings.Contains(string(body), `"reviews":[]`) || !strings.Contains(string(body), `"count":0`) {
		t.Fatalf("after hiding: %s", body)
	}
	if st := a.API(t, shop, http.MethodPatch, fmt.Sprintf("/api/reviews/%d", id), map[string]string{"status": "gone"}, nil); st != http.StatusUnprocessableEntity {
		t.Fatalf("bad status: %d", st)
	}
}

func TestNegativeReviewEndToEnd(t *testing.T) {
	mail := smtptest.Start(t)
	a := apptest.Start(t, apptest.Options{Env: map[string]string{"SMTP_URL": mail.URL(), "MAIL_FROM": "Boomerang <alerts@boomerang.test>"}})
	shop := testenv.Shop("rvneg")
	shopID := a.Install(t, shop)
	ctx := context.Background()
	if err := models.UpdateShopProfile(ctx, a.DB, shopID, models.ShopProfile{Name: "Juniper & Oak", Email: "owner@juniper.test"}); err != nil {
		t.Fatal(err)
	}
	a.Webhook(t, shop, "orders/create", "", orderWebhook(8001, 77, "naomi@example.com", []int64{700}, nil))
	a.Drain(t, 10*time.Second)

	st, out := submitJSON(t, a, shop, 77, map[string]any{"product_id": 700, "rating": 1, "title": "Broken",
		"body": "It arrived broken and support never answered my emails."}, "")
	if st != http.StatusCreated {
		t.Fatalf("submit: %d %v", st, out)
	}
	a.Drain(t, 15*time.Second)

	var cases struct {
		Cases []struct {
			ID         int64  `json:"id"`
			CustomerID int64  `json:"customer_id"`
			Status     string `json:"status"`
			Review     struct {
				Rating int `json:"rating"`
			} `json:"review"`
		} `json:"cases"`
	}
	if st := a.API(t, shop, http.MethodGet, "/api/cases?status=open", nil, &cases); st != http.StatusOK || len(cases.Cases) != 1 {
		t.Fatalf("open cases: %d %+v", st, cases)
	}
	cs := cases.Cases[0]
	if cs.CustomerID != 77 || cs.Review.Rating != 1 {
		t.Fatalf("case %+v", cs)
	}
	// The customer record shows the hold, the review and the open case.
	var rec struct {
		Holds []struct {
			Kind   string     `json:"kind"`
			Reason string     `json:"reason"`
			Until  *time.Time `json:"until"`
		} `json:"holds"`
		Reviews []struct {
			Rating    int `json:"rating"`
			Sentiment struct {
				Label string `json:"label"`
			} `json:"sentiment"`
		} `json:"reviews"`
		Cases []struct {
			Status string `json:"status"`
		} `json:"cases"`
	}
	if st := a.API(t, shop, http.MethodGet, "/api/customers/77", nil, &rec); st != http.StatusOK {
		t.Fatalf("customer record: %d", st)
	}
	if len(rec.Holds) != 1 || rec.Holds[0].Kind != "promotional" || rec.Holds[0].Reason != "negative_review" || rec.Holds[0].Until == nil ||
		time.Until(*rec.Holds[0].Until) < 13*24*time.Hour {
		t.Fatalf("holds %+v", rec.Holds)
	}
	if len(rec.Reviews) != 1 || rec.Reviews[0].Sentiment.Label != "negative" || len(rec.Cases) != 1 || rec.Cases[0].Status != "open" {
		t.Fatalf("record reviews %+v cases %+v", rec.Reviews, rec.Cases)
	}
	var evs []models.Event
	models.Scoped(ctx, a.DB, shopID).Where("kind = ?", models.EventNegativeReview).Find(&evs)
	if len(evs) != 1 || !strings.Contains(string(evs[0].Payload), fmt.Sprintf(`"case_id": %d`, cs.ID)) {
		t.Fatalf("negative_review events %+v", evs)
	}
	// Shoppers get their own messages through the same relay; the alert is the one to the shop.
	var m smtptest.Message
	deadline := time.Now().Add(10 * time.Second)
	for m.Subject == "" && time.Now().Before(deadline) {
		for _, x := range mail.Messages() {
			if len(x.To) == 1 && x.To[0] == "owner@juniper.test" {
				m = x
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	if !strings.Contains(m.Subject, "1-star review of Linen shirt 700") ||
		!strings.Contains(m.Text, "never answered") || !strings.Contains(m.Text, fmt.Sprintf("case #%d", cs.ID)) {
		t.Fatalf("alert mail to %v: %q\n%s", m.To, m.Subject, m.Text)
	}
	var sent int64
	a.DB.Raw(`SELECT count(*) FROM merchant_alerts WHERE shop_id = ? AND sent_at IS NOT NULL`, shopID).Scan(&sent)
	if sent != 1 {
		t.Fatalf("alert not marked sent")
	}

	// Assign, then resolve: the hold lifts at once.
	if st := a.API(t, shop, http.MethodPatch, fmt.Sprintf("/api/cases/%d", cs.ID), map[string]string{"assignee": "sam@juniper.test"}, nil); st != http.StatusOK {
		t.Fatalf("assign: %d", st)
	}
	var resolved map[string]any
	if st := a.API(t, shop, http.MethodPost, fmt.Sprintf("/api/cases/%d/resolve", cs.ID), map[string]string{"note": "Replacement sent"}, &resolved); st != http.StatusOK {
		t.Fatalf("resolve: %d %v", st, resolved)
	}
	if resolved["status"] != "resolved" || resolved["assignee"] != "sam@juniper.test" || resolved["note"] != "Replacement sent" {
		t.Fatalf("resolved case %v", resolved)
	}
	rec.Holds = nil
	if st := a.API(t, shop, http.MethodGet, "/api/customers/77", nil, &rec); st != http.StatusOK || len(rec.Holds) != 0 {
		t.Fatalf("holds after resolve: %d %+v", st, rec.Holds)
	}
	if st := a.API(t, shop, http.MethodPost, fmt.Sprintf("/api/cases/%d/resolve", cs.ID), map[string]string{}, nil); st != http.StatusConflict {
		t.Fatalf("resolve twice: %d", st)
	}
	// The complaint shows up in the themes.
	var themes struct {
		Themes []struct {
			Theme string `json:"theme"`
			Count int    `json:"count"`
		} `json:"themes"`
	}
	if st := a.API(t, shop, http.MethodGet, "/api/themes", nil, &themes); st != http.StatusOK {
		t.Fatalf("themes: %d", st)
	}
	found := map[string]int{}
	for _, th := range themes.Themes {
		found[th.Theme] = th.Count
	}
	if found["damaged"] != 1 || found["support"] != 1 {
		t.Fatalf("themes %+v", themes)
	}
	// Another shop sees none of it.
	other := testenv.Shop("rvother")
	a.Install(t, other)
	var none struct {
		Cases []any `json:"cases"`
	}
	if st := a.API(t, other, http.MethodGet, "/api/cases", nil, &none); st != http.StatusOK || len(none.Cases) != 0 {
		t.Fatalf("other shop's cases: %d %+v", st, none)
	}
	if st := a.API(t, other, http.MethodPost, fmt.Sprintf("/api/cases/%d/resolve", cs.ID), nil, nil); st != http.StatusNotFound {
		t.Fatalf("other shop resolving: %d", st)
	}
}

func TestReviewRequestLinkAndForm(t *testing.T) {
	a := apptest.Start(t, apptest.Options{})
	shop := testenv.Shop("rvlink")
	shopID := a.Install(t, shop)
	ctx := context.Background()
	fulfilled := time.Now().UTC().Add(-time.Hour)
	a.Webhook(t, shop, "orders/create", "", orderWebhook(9001, 88, "ria@example.com", []int64{301, 302}, &fulfilled))
	a.Drain(t, 10*time.Second)
	req, err := reviews.GetReviewRequest(ctx, a.DB, shopID, 9001)
	if err != nil || req.Status != reviews.RequestScheduled {
		t.Fatalf("request after fulfillment: %+v %v", req, err)
	}

	// Fourteen days later the sweep sends it.
	later := req.DueAt.Add(time.Minute)
	a.StopWorker() // the clock changes only while no task runs
	a.Worker.Now = func() time.Time { return later }
	a.StartWorker(t)
	if err := a.Queue.EnqueueReviewRequests(ctx, shopID); err != nil {
		t.Fatal(err)
	}
	a.Drain(t, 10*time.Second)
	var evs []models.Event
	models.Scoped(ctx, a.DB, shopID).Where("kind = ?", models.EventReviewRequest).Find(&evs)
	if len(evs) != 1 {
		t.Fatalf("review_request events: %d", len(evs))
	}
	var p models.ReviewRequestPayload
	_ = json.Unmarshal(evs[0].Payload, &p)
	prefix := "https://" + shop + "/apps/boomerang/reviews/new?t="
	if !strings.HasPrefix(p.ReviewLink, prefix) || fmt.Sprint(p.ProductIDs) != "[302 301]" {
		t.Fatalf("payload %+v", p)
	}
	token, _ := url.QueryUnescape(strings.TrimPrefix(p.ReviewLink, prefix))

	// The link opens a plain HTML form (no script) for both products, posting back through the proxy.
	st, page := proxyDo(t, a, shop, proxyCall{method: http.MethodGet, path: "/proxy/reviews/new", query: url.Values{"t": {token}}})
	html := string(page)
	if st != http.StatusOK || !strings.Contains(html, "Linen shirt 301") || !strings.Contains(html, "Linen shirt 302") ||
		!strings.Contains(html, `action="/apps/boomerang/reviews"`) || strings.Contains(strings.ToLower(html), "<script") {
		t.Fatalf("form page: %d\n%s", st, html)
	}
	// A tampered or foreign token is refused.
	if st, _ := proxyDo(t, a, shop, proxyCall{method: http.MethodGet, path: "/proxy/reviews/new", query: url.Values{"t": {token + "x"}}}); st != http.StatusUnauthorized {
		t.Fatalf("tampered token: %d", st)
	}
	other := testenv.Shop("rvlink2")
	a.Install(t, other)
	if st, _ := proxyDo(t, a, other, proxyCall{method: http.MethodGet, path: "/proxy/reviews/new", query: url.Values{"t": {token}}}); st != http.StatusUnauthorized {
		t.Fatalf("token used on another shop: %d", st)
	}

	// Submitting the form (form-encoded, anonymous visitor) stores a verified review.
	form := url.Values{"t": {token}, "product_id": {"302"}, "rating": {"4"}, "title": {"Good shirt"}, "body": {"Fits well, washes nicely."}}
	st, page = proxyDo(t, a, shop, proxyCall{method: http.MethodPost, path: "/proxy/reviews", contentType: "application/x-www-form-urlencoded",
		body: []byte(form.Encode())})
	if st != http.StatusOK || !strings.Contains(string(page), "Thank you") || !strings.Contains(string(page), "/apps/boomerang/reviews/new?t=") {
		t.Fatalf("form submit: %d\n%s", st, page)
	}
	var r reviews.Review
	if err := models.Scoped(ctx, a.DB, shopID).Where("product_id = 302").First(&r).Error; err != nil {
		t.Fatal(err)
	}
	if r.Source != reviews.SourceLink || !r.VerifiedBuyer || *r.CustomerID != 88 || r.OrderID == nil || *r.OrderID != 9001 {
		t.Fatalf("link review %+v", r)
	}
	if q, _ := reviews.GetReviewRequest(ctx, a.DB, shopID, 9001); q.Status != reviews.RequestCompleted {
		t.Fatalf("request after review: %s", q.Status)
	}
	// The form now shows 302 as done; a bad rating comes back on the form, with the text kept.
	_, page = proxyDo(t, a, shop, proxyCall{method: http.MethodGet, path: "/proxy/reviews/new", query: url.Values{"t": {token}}})
	if !strings.Contains(string(page), "Linen shirt 302: reviewed") {
		t.Fatalf("form after review:\n%s", page)
	}
	form = url.Values{"t": {token}, "product_id": {"301"}, "rating": {"9"}, "body": {"Keep this text"}}
	st, page = proxyDo(t, a, shop, proxyCall{method: http.MethodPost, path: "/proxy/reviews", contentType: "application/x-www-form-urlencoded",
		body: []byte(form.Encode())})
	if st != http.StatusUnprocessableEntity || !strings.Contains(string(page), "rating") || !strings.Contains(string(page), "Keep this text") {
		t.Fatalf("bad form: %d\n%s", st, page)
	}
	// The link only covers the order's products.
	form = url.Values{"t": {token}, "product_id": {"999"}, "rating": {"5"}}
	if st, _ := proxyDo(t, a, shop, proxyCall{method: http.MethodPost, path: "/proxy/reviews", contentType: "application/x-www-form-urlencoded",
		body: []byte(form.Encode())}); st != http.StatusUnprocessableEntity {
		t.Fatalf("product outside the link: %d", st)
	}
}

// uploadFile posts a file to an import endpoint as the admin does: multipart with a "file"
// field when name is set, the raw body (text/csv) otherwise. It returns the status and the JSON.
func uploadFile(t *testing.T, a *apptest.App, shop, path, name string, content []byte) (int, map[string]any) {
	t.Helper()
	ct, body := "text/csv", content
	if name != "" {
		ct, body = multipartFile(t, name, content)
	}
	req, _ := http.NewRequest(http.MethodPost, a.Server.URL+path, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+a.SessionToken(t, shop))
	req.Header.Set("Content-Type", ct)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func multipartFile(t *testing.T, name string, content []byte) (string, []byte) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	fw, err := w.CreateFormFile("file", name)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(content)
	w.Close()
	return w.FormDataContentType(), buf.Bytes()
}

func TestReviewImportUpload(t *testing.T) {
	a := apptest.Start(t, apptest.Options{})
	shop := testenv.Shop("rvimp")
	shopID := a.Install(t, shop)
	file := strings.Join([]string{
		"Review Title,Review Content,Review Score,Date,Product ID,Email,Display Name",
		"Great,Really good,5,2024-01-02,501,a@example.com,Ann",
		"Oops,No score,,2024-01-02,501,b@example.com,Bea",
		"Meh,\"Late, and the box was crushed\",2,2024-01-03,502,c@example.com,Cal",
		"Bad,x,4,2024-01-03,not-a-product,d@example.com,Dee",
	}, "\n")
	upload := func() (int, map[string]any) {
		return uploadFile(t, a, shop, "/api/reviews/import", "yotpo.csv", []byte(file))
	}
	st, rep := upload()
	if st != http.StatusOK || rep["imported"] != float64(2) || rep["skipped"] != float64(2) {
		t.Fatalf("import: %d %v", st, rep)
	}
	errs := rep["errors"].([]any)
	if len(errs) != 2 || errs[0].(map[string]any)["line"] != float64(3) || errs[1].(map[string]any)["line"] != float64(5) {
		t.Fatalf("errors %v", errs)
	}
	st, rep = upload()
	if st != http.StatusOK || rep["imported"] != float64(0) || rep["duplicates"] != float64(2) {
		t.Fatalf("second import: %d %v", st, rep)
	}
	// Imported reviews are scored in the background and feed the themes, without opening cases.
	a.Drain(t, 15*time.Second)
	var unscored, cases int64
	a.DB.Raw(`SELECT count(*) FROM reviews WHERE shop_id = ? AND scored_at IS NULL`, shopID).Scan(&unscored)
	a.DB.Raw(`SELECT count(*) FROM cases WHERE shop_id = ?`, shopID).Scan(&cases)
	if unscored != 0 || cases != 0 {
		t.Fatalf("unscored %d, cases %d", unscored, cases)
	}
	// A file the importer cannot read at all is 422 naming the file and line.
	st, out := uploadFile(t, a, shop, "/api/reviews/import", "x.csv", []byte("foo,bar\n1,2\n"))
	if e, _ := out["error"].(map[string]any); st != http.StatusUnprocessableEntity || e["field"] != "file" || e["line"] != float64(1) {
		t.Fatalf("unreadable file: %d %v", st, out)
	}
}
