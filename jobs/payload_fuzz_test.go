package jobs_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/boomerang-app/boomerang/internal/apptest"
	"github.com/boomerang-app/boomerang/internal/testenv"
	"github.com/boomerang-app/boomerang/jobs"
	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/models/loyalty"
)

// fuzzTopics are the deliveries the worker decodes; shop/redact and app/uninstalled are left
// out only because they end the shop under test.
var fuzzTopics = []string{"orders/create", "orders/paid", "orders/updated", "orders/cancelled", "refunds/create",
	"customers/create", "customers/update", "fulfillments/create", "fulfillments/update",
	"subscription_contracts/create", "subscription_contracts/update", "subscription_contracts/cancel",
	"customers/data_request", "customers/redact", "app/scopes_update", "shop/update"}

// FuzzWorkerPayloads runs arbitrary bodies of every topic through the real worker on a real
// database: it never panics, and every delivery ends applied or recorded as failed with its
// reason. None is left pending to be retried as if the next attempt could parse it, and the
// ledger stays sound.
func FuzzWorkerPayloads(f *testing.F) {
	for i, body := range []string{
		`{"id":1,"financial_status":"paid","subtotal_price":"10.00","customer":{"id":5,"email":"a@b.c"},"line_items":[{"id":1,"product_id":2,"quantity":1,"price":"10.00"}]}`,
		`{"id":"order-1","customer":{"id":"abc"}}`,
		`{"id":2,"subtotal_price":"1e400"}`,
		`{"id":3,"order_id":1,"refund_line_items":[{"subtotal":"-5"}],"transactions":[{"kind":"refund","status":"success","amount":"99999999999999999999999"}]}`,
		`{"id":4,"email":"x@y.z","email_marketing_consent":{"state":"subscribed"},"updated_at":"not a time"}`,
		`{"id":5,"order_id":0,"status":"success"}`,
		`{"id":6,"admin_graphql_api_id":"gid://shopify/SubscriptionContract/6","customer_id":5,"status":"active"}`,
		`{"customer":{"id":5},"data_request":{"id":7}}`,
		`{"customer":{"id":-1}}`,
		`{"current":["read_orders"],"previous":null}`,
		`{"name":"` + "\u0000" + `","currency":"XXXXXXXX","iana_timezone":"Mars/Base"}`,
		`[]`, `null`, `{`, "\xff",
	} {
		f.Add(uint8(i), []byte(body))
	}
	a := apptest.Start(f, apptest.Options{NoWorker: true})
	shop := testenv.Shop("payloadfuzz")
	a.Install(f, shop)
	mux := a.Worker.Mux()
	var seq atomic.Int64
	f.Fuzz(func(t *testing.T, topic uint8, body []byte) {
		ctx := context.Background()
		tp := fuzzTopics[int(topic)%len(fuzzTopics)]
		st, err := models.StoreDelivery(ctx, a.DB, models.Delivery{ShopDomain: shop, Topic: tp,
			WebhookID: fmt.Sprintf("fz-%d", seq.Add(1)), Body: body})
		if err != nil {
			t.Fatalf("store: %v", err)
		}
		task := jobs.NewWebhookTask(st.EventID)
		_ = mux.ProcessTask(ctx, task) // no retry metadata: only a permanent error can end it failed
		ev, err := models.LoadWebhookEvent(ctx, a.DB, st.EventID)
		if err != nil {
			t.Fatal(err)
		}
		if ev.ProcessedAt == nil && ev.FailedAt == nil {
			t.Fatalf("%s %q left pending for a retry: %s", tp, body, ev.LastError)
		}
		if _, err := loyalty.VerifyLedger(ctx, a.DB); err != nil {
			t.Fatalf("%s %q: %v", tp, body, err)
		}
	})
}
