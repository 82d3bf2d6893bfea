package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/boomerang-app/boomerang/internal/apptest"
	"github.com/boomerang-app/boomerang/internal/testenv"
	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/models/messaging"
)

// adminOrder is a paid order webhook body dated at.
func adminOrder(id, customer int64, subtotal string, at time.Time) map[string]any {
	ts := at.UTC().Format(time.RFC3339)
	return map[string]any{"id": id, "name": fmt.Sprintf("#%d", id), "email": "naomi@example.com", "currency": "USD",
		"subtotal_price": subtotal, "total_price": subtotal, "financial_status": "paid", "test": false,
		"processed_at": ts, "created_at": ts, "updated_at": ts,
		"customer":   map[string]any{"id": customer, "email": "naomi@example.com", "state": "enabled"},
		"line_items": []map[string]any{{"id": id*10 + 1, "product_id": 7001, "variant_id": 8001, "title": "Coffee", "quantity": 1, "price": subtotal}}}
}

type scorecardBody struct {
	RepeatPurchaseRate float64 `json:"repeat_purchase_rate"`
	AOV                string  `json:"aov"`
	CLV                string  `json:"clv"`
	PointsLiability    int64   `json:"points_liability"`
	Cohorts            []struct {
		Month     string    `json:"month"`
		Size      int64     `json:"size"`
		Retention []float64 `json:"retention"`
	} `json:"cohorts"`
	SentimentTrend []any          `json:"sentiment_trend"`
	Messages       map[string]any `json:"messages"`
	Counts         struct {
		Orders    int64 `json:"orders"`
		Customers int64 `json:"customers"`
	} `json:"counts"`
}

// TestAdminScorecardAndTimeline: orders arriving as webhooks show up in the scorecard (its
// rollups are refreshed before it answers) and in the customer's timeline.
func TestAdminScorecardAndTimeline(t *testing.T) {
	a := apptest.Start(t, apptest.Options{})
	shop := testenv.Shop("admin")
	a.Install(t, shop)
	now := time.Now().UTC()
	a.Webhook(t, shop, "orders/paid", "", adminOrder(1001, 501, "40.00", now.Add(-40*24*time.Hour)))
	a.Webhook(t, shop, "orders/paid", "", adminOrder(1002, 501, "60.00", now.Add(-2*time.Hour)))
	a.Webhook(t, shop, "orders/paid", "", adminOrder(1003, 502, "20.00", now.Add(-time.Hour)))
	a.Drain(t, 20*time.Second)

	var sc scorecardBody
	if st := a.API(t, shop, http.MethodGet, "/api/metrics/scorecard", nil, &sc); st != http.StatusOK {
		t.Fatalf("scorecard: %d", st)
	}
	if sc.Counts.Orders != 3 || sc.Counts.Customers != 2 || sc.RepeatPurchaseRate != 0.5 || sc.AOV != "40" {
		t.Errorf("scorecard %+v: want 3 orders, 2 customers, repeat 0.5, aov 40", sc)
	}
	if sc.PointsLiability <= 0 {
		t.Errorf("points liability %d: the orders earned points", sc.PointsLiability)
	}
	if sc.SentimentTrend == nil || sc.Messages == nil || len(sc.Cohorts) == 0 {
		t.Errorf("lists and objects must be present: %+v", sc)
	}

	// A custom period that holds only the first order.
	day := now.Add(-40 * 24 * time.Hour).Format(time.DateOnly)
	if st := a.API(t, shop, http.MethodGet, "/api/metrics/scorecard?from="+day+"&to="+day, nil, &sc); st != http.StatusOK {
		t.Fatalf("scorecard for %s: %d", day, st)
	}
	if sc.Counts.Orders != 1 {
		t.Errorf("orders on %s: %d, want 1", day, sc.Counts.Orders)
	}
	var bad struct {
		Error struct{ Code, Field string } `json:"error"`
	}
	if st := a.API(t, shop, http.MethodGet, "/api/metrics/scorecard?from=2025-02-30", nil, &bad); st != http.StatusUnprocessableEntity || bad.Error.Field != "from" {
		t.Errorf("bad date: %d %+v, want 422 on from", st, bad)
	}

	var tl struct {
		Events []struct {
			At    time.Time `json:"at"`
			Kind  string    `json:"kind"`
			Title string    `json:"title"`
		} `json:"events"`
	}
	if st := a.API(t, shop, http.MethodGet, "/api/customers/501/timeline", nil, &tl); st != http.StatusOK {
		t.Fatalf("timeline: %d", st)
	}
	kinds := map[string]int{}
	for i, e := range tl.Events {
		kinds[e.Kind]++
		if i > 0 && e.At.After(tl.Events[i-1].At) {
			t.Errorf("timeline not newest first at %d", i)
		}
	}
	if kinds["order"] != 2 || kinds["points"] < 2 {
		t.Errorf("timeline kinds %v: want 2 orders and their points", kinds)
	}
	// The record names the segments the customer is in: 502 bought once.
	var rec struct {
		Segments      []string `json:"segments"`
		Subscriptions []any    `json:"subscriptions"`
	}
	if st := a.API(t, shop, http.MethodGet, "/api/customers/502", nil, &rec); st != http.StatusOK {
		t.Fatalf("customer 502: %d", st)
	}
	if !slices.Contains(rec.Segments, models.SegmentOneTimeBuyers) || rec.Subscriptions == nil {
		t.Errorf("customer 502 record: segments %v, subscriptions %v: want one_time_buyers and a list", rec.Segments, rec.Subscriptions)
	}
	if st := a.API(t, shop, http.MethodGet, "/api/customers/999/timeline", nil, nil); st != http.StatusNotFound {
		t.Errorf("unknown customer timeline: %d, want 404", st)
	}

	// Another shop sees none of it.
	other := testenv.Shop("admin-other")
	a.Install(t, other)
	if st := a.API(t, other, http.MethodGet, "/api/customers/501/timeline", nil, nil); st != http.StatusNotFound {
		t.Errorf("other shop's timeline: %d, want 404", st)
	}
	if st := a.API(t, other, http.MethodGet, "/api/metrics/scorecard", nil, &sc); st != http.StatusOK || sc.Counts.Orders != 0 {
		t.Errorf("other shop's scorecard: %d, %d orders", st, sc.Counts.Orders)
	}
}

// TestAdminActivity pages through the shop's decisions with filters.
func TestAdminActivity(t *testing.T) {
	a := apptest.Start(t, apptest.Options{NoWorker: true})
	shop := testenv.Shop("activity")
	id := a.Install(t, shop)
	for i := 1; i <= 5; i++ {
		decision, reason := messaging.DecisionSent, ""
		if i%2 == 0 {
			decision, reason = messaging.DecisionHeld, "negative_review"
		}
		err := a.DB.Exec(`INSERT INTO message_decisions (shop_id, customer_id, trigger, entity_key, dedupe_key, kind, channel, decision, reason, not_before)
			VALUES (?, ?, 'first_order', ?, 'k', 'promotional', 'email', ?, ?, now())`, id, 600+i, "e"+strconv.Itoa(i), decision, reason).Error
		if err != nil {
			t.Fatal(err)
		}
	}
	type page struct {
		Decisions []struct {
			CustomerID int64  `json:"customer_id"`
			Decision   string `json:"decision"`
			Reason     string `json:"reason"`
		} `json:"decisions"`
		NextCursor string `json:"next_cursor"`
	}
	var p1, p2 page
	if st := a.API(t, shop, http.MethodGet, "/api/activity?limit=3", nil, &p1); st != http.StatusOK {
		t.Fatalf("activity: %d", st)
	}
	if len(p1.Decisions) != 3 || p1.Decisions[0].CustomerID != 605 || p1.NextCursor == "" {
		t.Fatalf("first page %+v: want 605, 604, 603 and a cursor", p1)
	}
	a.API(t, shop, http.MethodGet, "/api/activity?limit=3&cursor="+p1.NextCursor, nil, &p2)
	if len(p2.Decisions) != 2 || p2.Decisions[0].CustomerID != 602 || p2.NextCursor != "" {
		t.Errorf("second page %+v: want 602, 601 and no cursor", p2)
	}
	// A page that ends exactly at the last decision has no cursor to an empty page.
	var exact page
	a.API(t, shop, http.MethodGet, "/api/activity?limit=5", nil, &exact)
	if len(exact.Decisions) != 5 || exact.NextCursor != "" {
		t.Errorf("limit 5 of 5: %d decisions, cursor %q; want 5 and none", len(exact.Decisions), exact.NextCursor)
	}
	var held page
	a.API(t, shop, http.MethodGet, "/api/activity?decision=held&reason=negative_review", nil, &held)
	if len(held.Decisions) != 2 {
		t.Errorf("held: %+v, want 2", held)
	}
	if st := a.API(t, shop, http.MethodGet, "/api/activity?decision=maybe", nil, nil); st != http.StatusUnprocessableEntity {
		t.Errorf("unknown decision: %d, want 422", st)
	}

	// A decision is titled with its campaign's name, or its trigger when it has neither message nor campaign.
	var campaignID int64
	if err := a.DB.Raw(`INSERT INTO campaigns (shop_id, name, channel) VALUES (?, 'Autumn coffee sale', 'email') RETURNING id`, id).Scan(&campaignID).Error; err != nil {
		t.Fatal(err)
	}
	if err := a.DB.Exec(`INSERT INTO message_decisions (shop_id, customer_id, campaign_id, trigger, entity_key, dedupe_key, kind, channel, decision, reason, not_before)
		VALUES (?, 610, ?, 'campaign', 'c', 'k', 'promotional', 'email', 'held', 'negative_review', now())`, id, campaignID).Error; err != nil {
		t.Fatal(err)
	}
	if _, err := models.UpsertCustomer(context.Background(), a.DB, id, models.CustomerFact{CustomerID: 610, FirstName: "Naomi", LastName: "Okafor",
		Email: "naomi@example.com"}); err != nil {
		t.Fatal(err)
	}
	var named struct {
		Decisions []struct {
			Title    string               `json:"title"`
			Customer *models.CustomerCard `json:"customer"`
		} `json:"decisions"`
	}
	a.API(t, shop, http.MethodGet, "/api/activity?limit=2", nil, &named)
	if len(named.Decisions) != 2 || named.Decisions[0].Title != "Campaign: Autumn coffee sale" || named.Decisions[1].Title != "first_order" {
		t.Errorf("titles %+v: want the campaign's name, then the trigger", named.Decisions)
	}
	// The merchant reads who it was, not a number.
	if c := named.Decisions[0].Customer; c == nil || c.FirstName != "Naomi" || c.Email != "naomi@example.com" {
		t.Errorf("customer of the decision: %+v, want Naomi's card", c)
	}

	var none page
	other := testenv.Shop("activity-other")
	a.Install(t, other)
	a.API(t, other, http.MethodGet, "/api/activity", nil, &none)
	if len(none.Decisions) != 0 {
		t.Errorf("another shop sees %d decisions", len(none.Decisions))
	}
}

// TestAdminDataRequests: a customers/data_request webhook becomes a downloadable export.
func TestAdminDataRequests(t *testing.T) {
	a := apptest.Start(t, apptest.Options{})
	shop := testenv.Shop("gdpr")
	a.Install(t, shop)
	a.Webhook(t, shop, "orders/paid", "", adminOrder(2001, 701, "30.00", time.Now().Add(-time.Hour)))
	// The order is stored before the request arrives, as in life: sent together, the two are
	// processed concurrently and the export could be taken before the order exists.
	a.Drain(t, 20*time.Second)
	a.Webhook(t, shop, "customers/data_request", "", map[string]any{"shop_domain": shop,
		"customer": map[string]any{"id": 701, "email": "naomi@example.com"}, "data_request": map[string]any{"id": 9001}})
	a.Drain(t, 20*time.Second)

	var list struct {
		Requests []struct {
			ID         int64                `json:"id"`
			CustomerID int64                `json:"customer_id"`
			Customer   *models.CustomerCard `json:"customer"`
			Status     string               `json:"status"`
		} `json:"requests"`
	}
	if st := a.API(t, shop, http.MethodGet, "/api/data-requests", nil, &list); st != http.StatusOK {
		t.Fatalf("data requests: %d", st)
	}
	if len(list.Requests) != 1 || list.Requests[0].CustomerID != 701 || list.Requests[0].Status != "completed" ||
		list.Requests[0].Customer == nil || list.Requests[0].Customer.Email != "naomi@example.com" {
		t.Fatalf("requests %+v: want Naomi's completed request, named", list.Requests)
	}
	var export map[string]any
	path := fmt.Sprintf("/api/data-requests/%d/export", list.Requests[0].ID)
	if st := a.API(t, shop, http.MethodGet, path, nil, &export); st != http.StatusOK {
		t.Fatalf("export: %d", st)
	}
	orders, _ := export["orders"].([]any)
	if export["customer_id"] != float64(701) || len(orders) != 1 {
		t.Errorf("export %v: want customer 701 with one order", export)
	}
	other := testenv.Shop("gdpr-other")
	a.Install(t, other)
	if st := a.API(t, other, http.MethodGet, path, nil, nil); st != http.StatusNotFound {
		t.Errorf("another shop's export: %d, want 404", st)
	}
}
