package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/boomerang-app/boomerang/internal/apptest"
	"github.com/boomerang-app/boomerang/internal/testenv"
	"github.com/boomerang-app/boomerang/jobs"
	"github.com/boomerang-app/boomerang/models"
)

// historyResult writes n past orders (ids 1..n, customer 100+id%7, two line items each) as the
// bulk query returns them, with a malformed line after order 3; with breakAfter > 0 the
// download breaks after that many orders, as a dropped connection does.
func historyResult(n, breakAfter int) func(w io.Writer) error {
	return func(w io.Writer) error {
		for i := 1; i <= n; i++ {
			if breakAfter > 0 && i > breakAfter {
				return errors.New("connection reset")
			}
			fmt.Fprintf(w, `{"id":"gid://shopify/Order/%d","name":"#%d","email":"p%d@example.com","createdAt":"2024-0%d-10T10:00:00Z",`+
				`"processedAt":"2024-0%d-10T10:00:00Z","cancelledAt":null,"test":false,"displayFinancialStatus":"PAID","discountCodes":[],`+
				`"customer":{"id":"gid://shopify/Customer/%d","email":"c%d@example.com","firstName":"C","emailMarketingConsent":{"marketingState":"SUBSCRIBED"}},`+
				`"subtotalPriceSet":{"shopMoney":{"amount":"30.00","currencyCode":"USD"}},"currentSubtotalPriceSet":{"shopMoney":{"amount":"30.00"}},`+
				`"totalPriceSet":{"shopMoney":{"amount":"33.00"}}}`+"\n", i, i, i, 1+i%9, 1+i%9, 100+i%7, 100+i%7)
			for l := 1; l <= 2; l++ {
				fmt.Fprintf(w, `{"id":"gid://shopify/LineItem/%d","title":"Tea","quantity":1,"originalUnitPriceSet":{"shopMoney":{"amount":"15.00"}},`+
					`"product":{"id":"gid://shopify/Product/%d"},"variant":null,"sellingPlan":null,"__parentId":"gid://shopify/Order/%d"}`+"\n",
					i*10+l, 500+l, i)
			}
			if i == 3 {
				fmt.Fprintln(w, `{"id":"gid://shopify/Order/broken", "name":`)
			}
		}
		return nil
	}
}

// history is the import use case with the app's database and fake Admin API.
func history(a *apptest.App) jobs.History {
	return jobs.History{DB: a.DB, Bulk: a.Admin, Log: a.Log}
}

// runImport calls the import until it has nothing to wait for, as the task and its polls would.
func runImport(t *testing.T, a *apptest.App, shopID int64) error {
	t.Helper()
	for i := 0; i < 100; i++ {
		again, err := history(a).Import(context.Background(), shopID)
		if err != nil || again == 0 {
			return err
		}
		time.Sleep(30 * time.Millisecond) // the fake finishes an operation 20 ms after it starts
	}
	t.Fatal("the import kept waiting")
	return nil
}

func TestHistoryImport(t *testing.T) {
	a := apptest.Start(t, apptest.Options{NoWorker: true})
	shop := testenv.Shop("history")
	shopID := a.Install(t, shop)
	ctx := context.Background()
	const n = 2500 // more than two batches

	// A live order that is also in the history: one order, as the webhook left it.
	a.Webhook(t, shop, "orders/paid", "live-5", orderBody(5, 105, "paid", "99.00", ts("02"), nil))
	process(t, a, deliverID(t, a, shop, "live-5"))
	var liveEvents int64
	a.Inspect().Raw(`SELECT count(*) FROM events WHERE shop_id = ?`, shopID).Scan(&liveEvents)

	// The first download breaks after 1,700 orders: the import stops with an error, keeping what it
	// stored. Later downloads of the same file are whole.
	downloads := 0
	a.Fake.SetBulkResult(shop, func(w io.Writer) error {
		if _, ok := w.(http.ResponseWriter); !ok {
			return historyResult(n, 0)(w) // the fake counting the result's lines for objectCount
		}
		downloads++
		if downloads == 1 {
			return historyResult(n, 1700)(w)
		}
		return historyResult(n, 0)(w)
	})
	if err := runImport(t, a, shopID); err == nil {
		t.Fatal("a broken download ended the import")
	}
	imp, _ := models.GetHistoryImport(ctx, a.DB, shopID)
	if imp.State != models.ImportRunning || imp.Position == 0 || imp.Orders == 0 {
		t.Fatalf("after a broken download: %+v", imp)
	}
	// The setup guide tells how far it got: 1,700 of 2,500 orders (3 lines each, and the
	// malformed one) and the time left at that pace.
	if p := imp.Progress(time.Now()); p.Phase != "storing" || p.Percent < 60 || p.Percent > 75 || p.ETASeconds == nil {
		t.Fatalf("progress after a broken download: %+v (%+v)", p, imp)
	}
	// The retry resumes from the stored position, over the same operation's file.
	if err := runImport(t, a, shopID); err != nil {
		t.Fatal(err)
	}
	imp, _ = models.GetHistoryImport(ctx, a.DB, shopID)
	if imp.State != models.ImportDone || imp.Orders != n-1 || imp.ErrorCount != 1 || string(imp.LineErrors) == "[]" {
		t.Fatalf("after the import: %+v (want done, %d new orders, 1 malformed line)", imp, n-1)
	}
	var orders, lines, events int64
	a.Inspect().Raw(`SELECT count(*) FROM orders WHERE shop_id = ?`, shopID).Scan(&orders)
	a.Inspect().Raw(`SELECT count(*) FROM order_lines WHERE shop_id = ?`, shopID).Scan(&lines)
	a.Inspect().Raw(`SELECT count(*) FROM events WHERE shop_id = ?`, shopID).Scan(&events)
	if orders != n || events != liveEvents {
		t.Fatalf("%d orders (want %d), %d events (the live order made %d; history makes none)", orders, n, events, liveEvents)
	}
	if o, _ := models.GetOrder(ctx, a.DB, shopID, 5); !o.Subtotal.Equal(o.Total) || o.Subtotal.String() != "99" {
		t.Fatalf("the live order was overwritten: %+v", o)
	}
	// Done is done: running it again changes nothing and asks Shopify for nothing.
	calls := len(a.Fake.BulkQueries(shop))
	if err := runImport(t, a, shopID); err != nil || len(a.Fake.BulkQueries(shop)) != calls {
		t.Fatalf("a finished import ran again: %v", err)
	}
}

// A bulk operation that fails is recorded, and the next run starts a new one.
func TestHistoryImportRetriesAFailedOperation(t *testing.T) {
	a := apptest.Start(t, apptest.Options{NoWorker: true})
	shop := testenv.Shop("historyfail")
	shopID := a.Install(t, shop)
	a.Fake.SetBulkResult(shop, historyResult(10, 0))
	a.Fake.FailNextBulk(shop, "INTERNAL_SERVER_ERROR")
	if err := runImport(t, a, shopID); err == nil {
		t.Fatal("a failed operation was not reported")
	}
	imp, _ := models.GetHistoryImport(context.Background(), a.DB, shopID)
	if imp.State != models.ImportFailed || imp.LastError == "" {
		t.Fatalf("after a failed operation: %+v", imp)
	}
	if err := runImport(t, a, shopID); err != nil {
		t.Fatal(err)
	}
	imp, _ = models.GetHistoryImport(context.Background(), a.DB, shopID)
	if imp.State != models.ImportDone || imp.Orders != 10 || len(a.Fake.BulkQueries(shop)) != 2 {
		t.Fatalf("after the retry: %+v, %d operations", imp, len(a.Fake.BulkQueries(shop)))
	}
}

func deliverID(t *testing.T, a *apptest.App, shop, webhookID string) int64 {
	t.Helper()
	var id int64
	a.Inspect().Raw(`SELECT e.id FROM webhook_events e JOIN shops s ON s.id = e.shop_id WHERE s.domain = ? AND e.webhook_id = ?`,
		shop, webhookID).Scan(&id)
	return id
}

// A result whose link expired before it was read is not retried forever: the import starts a
// new bulk operation.
func TestHistoryImportExpiredResult(t *testing.T) {
	a := apptest.Start(t, apptest.Options{NoWorker: true})
	shop := testenv.Shop("historyexpired")
	shopID := a.Install(t, shop)
	a.Fake.SetBulkResult(shop, historyResult(10, 0))
	if again, err := history(a).Import(context.Background(), shopID); err != nil || again == 0 {
		t.Fatalf("the first run should wait for the operation: %v %v", again, err)
	}
	time.Sleep(100 * time.Millisecond) // the fake's operation completes
	a.Fake.ExpireBulkResults(shop)
	if err := runImport(t, a, shopID); err != nil {
		t.Fatal(err)
	}
	imp, _ := models.GetHistoryImport(context.Background(), a.DB, shopID)
	if imp.State != models.ImportDone || imp.Orders != 10 || len(a.Fake.BulkQueries(shop)) != 2 {
		t.Fatalf("after an expired link: %+v, %d operations (want done, 10 orders, 2 operations)", imp, len(a.Fake.BulkQueries(shop)))
	}
}

// A malformed last line, after every order (here after exactly one full batch), is reported too.
func TestHistoryImportTrailingMalformedLine(t *testing.T) {
	a := apptest.Start(t, apptest.Options{NoWorker: true})
	shop := testenv.Shop("historytrail")
	shopID := a.Install(t, shop)
	a.Fake.SetBulkResult(shop, func(w io.Writer) error {
		if err := historyResult(1000, 0)(w); err != nil {
			return err
		}
		_, err := io.WriteString(w, "{\"id\":\"gid://shopify/Order/9\",\n")
		return err
	})
	if err := runImport(t, a, shopID); err != nil {
		t.Fatal(err)
	}
	imp, _ := models.GetHistoryImport(context.Background(), a.DB, shopID)
	if imp.State != models.ImportDone || imp.Orders != 1000 || imp.ErrorCount != 2 {
		t.Fatalf("import: %+v (want 1,000 orders, 2 malformed lines: one after order 3, one at the end)", imp)
	}
}
