package jobs_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/shopspring/decimal"

	"github.com/boomerang-app/boomerang/internal/apptest"
	"github.com/boomerang-app/boomerang/internal/testenv"
	"github.com/boomerang-app/boomerang/jobs"
	"github.com/boomerang-app/boomerang/models"
)

const drainWait = 15 * time.Second

func ts(s string) string { return "2026-03-" + s + "T10:00:00Z" }

// orderBody is an orders/* webhook body in Shopify's REST shape.
func orderBody(id, customer int64, status, subtotal, updated string, extra map[string]any) map[string]any {
	o := map[string]any{
		"id": id, "admin_graphql_api_id": "gid://shopify/Order/1", "name": "#1001", "email": "buyer@example.com",
		"currency": "USD", "subtotal_price": subtotal, "total_price": subtotal, "financial_status": status,
		"created_at": ts("01"), "processed_at": ts("01"), "updated_at": updated, "test": false,
		"discount_codes": []any{map[string]any{"code": " loyal-5off ", "amount": "5.00", "type": "fixed_amount"}},
		"line_items": []any{
			map[string]any{"id": 11, "product_id": 632910392, "variant_id": 808950810, "title": "IPod Nano", "quantity": 2, "price": "10.00"},
			map[string]any{"id": 12, "product_id": nil, "variant_id": nil, "title": "Custom", "quantity": 1, "price": "5.00"},
		},
	}
	if customer != 0 {
		o["customer"] = map[string]any{"id": customer, "email": "buyer@example.com", "first_name": "Bo", "updated_at": ts("01"),
			"email_marketing_consent": map[string]any{"state": "subscribed"}}
	}
	for k, v := range extra {
		o[k] = v
	}
	return o
}

// deliver posts a signed webhook and returns its stored event id.
func deliver(t *testing.T, a *apptest.App, shop, topic, webhookID string, body any) int64 {
	t.Helper()
	a.Webhook(t, shop, topic, webhookID, body)
	var id int64
	a.DB.Raw(`SELECT e.id FROM webhook_events e JOIN shops s ON s.id = e.shop_id WHERE s.domain = ? AND e.webhook_id = ?`, shop, webhookID).Scan(&id)
	if id == 0 {
		t.Fatalf("webhook %s not stored", webhookID)
	}
	return id
}

// process runs the webhook task of each event, in the order given, as a worker would.
func process(t *testing.T, a *apptest.App, events ...int64) {
	t.Helper()
	mux := a.Worker.Mux()
	for _, ev := range events {
		if err := mux.ProcessTask(context.Background(), jobs.NewWebhookTask(ev)); err != nil {
			t.Fatalf("event %d: %v", ev, err)
		}
	}
}

func shopID(t *testing.T, a *apptest.App, shop string) int64 {
	t.Helper()
	id, _, err := models.InstallShop(context.Background(), a.DB, shop)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestOrderRefundAndFulfillmentFacts(t *testing.T) {
	a := apptest.Start(t, apptest.Options{})
	shop := testenv.Shop("facts")
	a.Install(t, shop)
	id := shopID(t, a, shop)
	ctx := context.Background()

	// The same order arrives through two topics and a duplicate delivery.
	a.Webhook(t, shop, "orders/create", "", orderBody(1001, 77, "pending", "25.00", ts("01"), nil))
	a.Webhook(t, shop, "orders/paid", "paid-1", orderBody(1001, 77, "paid", "25.00", ts("02"), nil))
	a.Webhook(t, shop, "orders/paid", "paid-1", orderBody(1001, 77, "paid", "25.00", ts("02"), nil))
	a.Drain(t, drainWait)

	o, err := models.GetOrder(ctx, a.DB, id, 1001)
	if err != nil {
		t.Fatal(err)
	}
	if o.PaidAt == nil || o.FinancialStatus != "paid" || o.DiscountCodes != "LOYAL-5OFF" || o.CustomerID == nil || *o.CustomerID != 77 {
		t.Fatalf("order = %+v", o)
	}
	lines, _ := models.OrderLines(ctx, a.DB, id, 1001)
	if len(lines) != 2 || lines[0].Quantity != 2 || !lines[0].Price.Equal(decimal.NewFromInt(10)) || lines[1].ProductID != nil {
		t.Fatalf("lines = %+v", lines)
	}
	c, _ := models.GetCustomer(ctx, a.DB, id, 77)
	if c.OrdersCount != 1 || !c.TotalSpent.Equal(decimal.NewFromInt(25)) || c.Stage != models.StageNew || c.EmailConsent != "subscribed" {
		t.Fatalf("customer after order = %+v", c)
	}

	// A partial refund, delivered twice, lowers spend once.
	refund := map[string]any{"id": 5001, "order_id": 1001, "created_at": ts("03"), "note": "damaged",
		"refund_line_items": []any{map[string]any{"id": 1, "line_item_id": 11, "quantity": 1, "subtotal": "10.00", "total_tax": "0.80"}}}
	a.Webhook(t, shop, "refunds/create", "refund-1", refund)
	a.Webhook(t, shop, "refunds/create", "refund-1-again", refund) // another subscription: new webhook id, same refund
	a.Drain(t, drainWait)
	rs, _ := models.RefundsForOrder(ctx, a.DB, id, 1001)
	if len(rs) != 1 || !rs[0].Subtotal.Equal(decimal.NewFromInt(10)) {
		t.Fatalf("refunds = %+v", rs)
	}
	if c, _ = models.GetCustomer(ctx, a.DB, id, 77); !c.TotalSpent.Equal(decimal.NewFromInt(15)) || c.OrdersCount != 1 {
		t.Fatalf("customer after refund: %d orders, %s spent", c.OrdersCount, c.TotalSpent)
	}

	// A second order makes a two-time buyer; cancelling it goes back.
	a.Webhook(t, shop, "orders/paid", "", orderBody(1002, 77, "paid", "40.00", ts("04"), nil))
	a.Drain(t, drainWait)
	if c, _ = models.GetCustomer(ctx, a.DB, id, 77); c.OrdersCount != 2 || c.Stage != models.StageTwoTime {
		t.Fatalf("after second order: %+v", c)
	}
	a.Webhook(t, shop, "orders/cancelled", "", orderBody(1002, 77, "voided", "40.00", ts("05"),
		map[string]any{"cancelled_at": ts("05"), "cancel_reason": "customer"}))
	a.Drain(t, drainWait)
	if c, _ = models.GetCustomer(ctx, a.DB, id, 77); c.OrdersCount != 1 || c.Stage != models.StageNew || !c.TotalSpent.Equal(decimal.NewFromInt(15)) {
		t.Fatalf("after cancellation: %+v", c)
	}

	// Fulfillments, standalone and embedded in an order.
	a.Webhook(t, shop, "fulfillments/update", "", map[string]any{"id": 9001, "order_id": 1001, "status": "success",
		"shipment_status": "delivered", "created_at": ts("03"), "updated_at": ts("06")})
	a.Webhook(t, shop, "orders/updated", "", orderBody(1001, 77, "partially_refunded", "25.00", ts("07"),
		map[string]any{"fulfillments": []any{map[string]any{"id": 9002, "status": "success", "shipment_status": "in_transit", "updated_at": ts("07")}}}))
	a.Drain(t, drainWait)
	var fs []models.Fulfillment
	models.Scoped(ctx, a.DB, id).Order("fulfillment_id").Find(&fs)
	if len(fs) != 2 || fs[0].DeliveredAt == nil || fs[1].OrderID != 1001 || fs[1].DeliveredAt != nil {
		t.Fatalf("fulfillments = %+v", fs)
	}
}

// Shopify does not order deliveries: an older state arriving (and processed) last must not win.
// Events are stored through the HTTP edge, then processed in the order chosen here.
func TestOutOfOrderDeliveries(t *testing.T) {
	a := apptest.Start(t, apptest.Options{NoWorker: true})
	shop := testenv.Shop("order")
	id := shopID(t, a, shop)
	ctx := context.Background()

	var evs []int64
	for i, u := range []struct{ email, at, consent string }{
		{"first@example.com", ts("01"), "not_subscribed"}, {"second@example.com", ts("02"), "unsubscribed"}, {"third@example.com", ts("03"), "subscribed"},
	} {
		body := map[string]any{"id": 42, "email": u.email, "updated_at": u.at, "tags": u.email,
			"email_marketing_consent": map[string]any{"state": u.consent}}
		evs = append(evs, deliver(t, a, shop, "customers/update", fmt.Sprintf("cu-%d", i), body))
	}
	process(t, a, evs[2], evs[0], evs[1]) // newest first, then the two older ones
	c, _ := models.GetCustomer(ctx, a.DB, id, 42)
	if c.Email != "third@example.com" || c.Tags != "third@example.com" || c.EmailConsent != "subscribed" || c.ShopifyUpdatedAt == nil || !c.ShopifyUpdatedAt.Equal(mustTime(ts("03"))) {
		t.Fatalf("older updates overwrote the newest: %+v", c)
	}

	// An order seen paid stays paid, and cancelled stays cancelled, whatever arrives later.
	paid := deliver(t, a, shop, "orders/paid", "o7-paid", orderBody(7, 42, "paid", "30.00", ts("05"), nil))
	created := deliver(t, a, shop, "orders/create", "o7-create", orderBody(7, 42, "pending", "30.00", ts("04"), nil))
	cancelled := deliver(t, a, shop, "orders/cancelled", "o9-cancel", orderBody(9, 42, "voided", "12.00", ts("06"),
		map[string]any{"cancelled_at": ts("06")}))
	updated := deliver(t, a, shop, "orders/updated", "o9-update", orderBody(9, 42, "pending", "12.00", ts("05"), nil))
	process(t, a, paid, created, cancelled, updated)
	if o, _ := models.GetOrder(ctx, a.DB, id, 7); o.PaidAt == nil || o.FinancialStatus != "paid" {
		t.Fatalf("late orders/create unpaid the order: %+v", o)
	}
	if o, _ := models.GetOrder(ctx, a.DB, id, 9); o.CancelledAt == nil {
		t.Fatalf("late orders/updated uncancelled the order: %+v", o)
	}

	// A refund before its order: stored, then accounted for when the order arrives.
	refund := deliver(t, a, shop, "refunds/create", "r88", map[string]any{"id": 88, "order_id": 8, "created_at": ts("06"),
		"refund_line_items": []any{map[string]any{"subtotal": "5.00"}}})
	order := deliver(t, a, shop, "orders/paid", "o8", orderBody(8, 42, "paid", "20.00", ts("06"), nil))
	process(t, a, refund, order)
	c, _ = models.GetCustomer(ctx, a.DB, id, 42)
	if c.OrdersCount != 2 || !c.TotalSpent.Equal(decimal.RequireFromString("45")) {
		t.Fatalf("refund-before-order: %d orders, %s spent (want 2, 45)", c.OrdersCount, c.TotalSpent)
	}
	// Replaying every event again (sweeper after a lost ack) changes nothing.
	if err := a.Inspect().Exec(`UPDATE webhook_events SET processed_at = NULL`).Error; err != nil {
		t.Fatal(err)
	}
	process(t, a, append(evs, paid, created, cancelled, updated, refund, order)...)
	again, _ := models.GetCustomer(ctx, a.DB, id, 42)
	if again.Email != c.Email || again.OrdersCount != c.OrdersCount || !again.TotalSpent.Equal(c.TotalSpent) || again.EmailConsent != c.EmailConsent {
		t.Fatalf("replay changed the customer: %+v then %+v", c, again)
	}

	// An order's customer without consent fields keeps the stored consent; a newer whole
	// customer record without them (Shopify sends null once the address is gone) clears it.
	noConsent := map[string]any{"id": 42, "email": "third@example.com", "updated_at": ts("07")}
	process(t, a, deliver(t, a, shop, "orders/paid", "o10", orderBody(10, 0, "paid", "5.00", ts("07"), map[string]any{"customer": noConsent})))
	if c, _ = models.GetCustomer(ctx, a.DB, id, 42); c.EmailConsent != "subscribed" {
		t.Fatalf("an order's customer without consent changed it: %q", c.EmailConsent)
	}
	process(t, a, deliver(t, a, shop, "customers/update", "cu-4", map[string]any{"id": 42, "email": nil, "updated_at": ts("08"),
		"email_marketing_consent": nil}))
	if c, _ = models.GetCustomer(ctx, a.DB, id, 42); c.EmailConsent != "" || c.Email != "" {
		t.Fatalf("a newer customer record without consent left it stale: email %q, consent %q", c.Email, c.EmailConsent)
	}
}

func waitFor(t *testing.T, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("condition not met after %v", d)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func mustTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestShopTopicsAndUnknownTopic(t *testing.T) {
	a := apptest.Start(t, apptest.Options{})
	shop := testenv.Shop("shoptopics")
	id := shopID(t, a, shop)
	a.Webhook(t, shop, "app/scopes_update", "", map[string]any{"current": []string{"read_orders", "write_discounts"}, "previous": []string{"read_orders"}})
	a.Webhook(t, shop, "shop/update", "", map[string]any{"id": 1, "name": "Renamed", "email": "owner@example.com", "currency": "CAD", "iana_timezone": "America/Toronto"})
	a.Webhook(t, shop, "products/update", "unknown-1", map[string]any{"id": 3})
	a.Drain(t, drainWait)
	sh, _ := models.GetShop(context.Background(), a.DB, id)
	if sh.Scopes != "read_orders,write_discounts" || sh.Name != "Renamed" || sh.Currency != "CAD" || sh.Timezone != "America/Toronto" {
		t.Fatalf("shop = %+v", sh)
	}
	var processed bool
	a.Inspect().Raw(`SELECT processed_at IS NOT NULL FROM webhook_events WHERE webhook_id = 'unknown-1'`).Scan(&processed)
	if !processed {
		t.Fatal("a topic without effects must still be marked processed")
	}
}

// A delivery that can never succeed is recorded as failed with its reason at the first attempt,
// instead of retried 12 times: a body that does not parse, one without an id, and a price
// Postgres refuses (numeric field overflow). Its task ends; nothing is left archived or retrying.
func TestPermanentFailuresAreNotRetried(t *testing.T) {
	a := apptest.Start(t, apptest.Options{})
	shop := testenv.Shop("badbody")
	a.AddShop(t, shop)
	a.Webhook(t, shop, "orders/paid", "bad-1", []byte(`{"id": "not a number"`))
	a.Webhook(t, shop, "orders/paid", "bad-2", []byte(`{"name":"#1"}`)) // parses, but has no id
	a.Webhook(t, shop, "orders/paid", "bad-3", []byte(`{"id":1,"subtotal_price":"1`+strings.Repeat("0", 40)+`"}`))
	a.Drain(t, drainWait)
	for w, want := range map[string]string{"bad-1": "does not parse", "bad-2": "does not parse", "bad-3": "numeric field overflow"} {
		var ev struct {
			Attempts    int
			LastError   string
			ProcessedAt *time.Time
			FailedAt    *time.Time
		}
		a.Inspect().Raw(`SELECT attempts, last_error, processed_at, failed_at FROM webhook_events WHERE webhook_id = ?`, w).Scan(&ev)
		if ev.Attempts != 1 || !strings.Contains(ev.LastError, want) || ev.ProcessedAt != nil || ev.FailedAt == nil {
			t.Fatalf("%s: %+v (want failed once with %q)", w, ev, want)
		}
	}
	insp := asynq.NewInspector(a.RedisOpt)
	defer insp.Close()
	info, err := insp.GetQueueInfo("critical")
	if err != nil || info.Archived != 0 || info.Retry != 0 {
		t.Fatalf("queue: %+v, %v (want nothing archived or retrying)", info, err)
	}
}
