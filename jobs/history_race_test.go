package jobs_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/boomerang-app/boomerang/internal/apptest"
	"github.com/boomerang-app/boomerang/internal/testenv"
	"github.com/boomerang-app/boomerang/jobs"
	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/models/loyalty"
	"github.com/boomerang-app/boomerang/shopify"
	"github.com/boomerang-app/boomerang/shopify/fakeshop"
)

// slowWriter paces a bulk result so an import takes long enough to race with (or be killed).
type slowWriter struct {
	w     io.Writer
	n     int
	every int
	pause time.Duration
}

func (s *slowWriter) Write(p []byte) (int, error) {
	if s.n++; s.n%s.every == 0 {
		time.Sleep(s.pause)
	}
	return s.w.Write(p)
}

func slowly(r func(io.Writer) error, every int, pause time.Duration) func(io.Writer) error {
	return func(w io.Writer) error { return r(&slowWriter{w: w, every: every, pause: pause}) }
}

// importUntilDone runs the import as its task and polls would (no *testing.T: it may run in a
// goroutine of its own).
func importUntilDone(h jobs.History, shopID int64) error {
	for range 400 {
		again, err := h.Import(context.Background(), shopID)
		if err != nil || again == 0 {
			return err
		}
		time.Sleep(30 * time.Millisecond)
	}
	return fmt.Errorf("the import kept waiting")
}

// Live webhooks for orders the import is storing at the same time: each order is stored once,
// credited once (a live earn or a history entry, never both), and nobody with a past is
// welcomed as a first-time buyer; a new buyer who ordered during the import is, once it is in.
// An update to a past order after the import earns nothing.
func TestHistoryImportRacesLiveWebhooks(t *testing.T) {
	a := apptest.Start(t, apptest.Options{NoWorker: true})
	shop := testenv.Shop("historyrace")
	id := a.Install(t, shop)
	ctx := context.Background()
	now := time.Now().UTC()
	const n = 3000
	a.Fake.SetBulkResult(shop, slowly(fakeshop.OrderHistory(fakeshop.HistorySpec{Orders: n, Customers: 50,
		From: now.AddDate(0, -6, 0), To: now.Add(-2 * time.Hour), Seed: 5, FirstOrderID: 1, FirstCustomerID: 100}),
		40, 5*time.Millisecond))
	done := make(chan error, 1)
	go func() { done <- importUntilDone(history(a), id) }()
	waitFor(t, 30*time.Second, func() bool { // the bulk operation has started: live orders come after it
		imp, _ := models.GetHistoryImport(ctx, a.DB, id)
		return imp.StartedAt != nil
	})

	// Orders n-99..n are in the history too: the webhooks are updates of them. n+1..n+50 are
	// new orders, the last by a new customer.
	during := 0
	for oid := int64(n - 99); oid <= n+50; oid++ {
		recent := time.Now().UTC().Format(time.RFC3339)
		cust, topic := 100+oid%50, "orders/paid"
		if oid == n+50 {
			cust = 999
		}
		body := orderBody(oid, cust, "paid", "30.00", recent, nil)
		body["created_at"], body["processed_at"] = recent, recent
		if oid <= n {
			topic = "orders/updated"
			body["created_at"], body["processed_at"] = now.Add(-3*time.Hour).Format(time.RFC3339), now.Add(-3*time.Hour).Format(time.RFC3339)
		}
		wid := "live-" + strconv.FormatInt(oid, 10)
		a.Webhook(t, shop, topic, wid, body)
		process(t, a, deliverID(t, a, shop, wid))
		if state, _ := models.HistoryImportState(ctx, a.DB, id); state == models.ImportRunning {
			during++
		}
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if during == 0 {
		t.Fatal("the import ended before the first live webhook: nothing raced")
	}
	// After the import, an update to an order from before install.
	var past models.Order
	a.Inspect().Raw(`SELECT * FROM orders WHERE shop_id = ? AND order_id = 10`, id).Scan(&past)
	if past.CustomerID != nil {
		body := orderBody(10, *past.CustomerID, "paid", past.Subtotal.String(), now.Format(time.RFC3339), nil)
		a.Webhook(t, shop, "orders/updated", "late-10", body)
		process(t, a, deliverID(t, a, shop, "late-10"))
	}

	imp, _ := models.GetHistoryImport(ctx, a.DB, id)
	var orders, earns, history, welcomes, welcomed999 int64
	a.Inspect().Raw(`SELECT count(*) FROM orders WHERE shop_id = ?`, id).Scan(&orders)
	a.Inspect().Raw(`SELECT count(*) FROM ledger_entries WHERE shop_id = ? AND kind = 'earn' AND order_id > ?`, id, n).Scan(&earns)
	a.Inspect().Raw(`SELECT count(*) FROM ledger_entries WHERE shop_id = ? AND kind = 'history'`, id).Scan(&history)
	a.Inspect().Raw(`SELECT count(*) FROM events WHERE shop_id = ? AND kind = 'first_order'`, id).Scan(&welcomes)
	a.Inspect().Raw(`SELECT count(*) FROM events WHERE shop_id = ? AND kind = 'first_order' AND customer_id = 999`, id).Scan(&welcomed999)
	if imp.State != models.ImportDone || orders != n+50 || earns != 50 || history == 0 {
		t.Fatalf("import %+v: %d orders (want %d), %d new orders earned (want 50), %d history entries",
			imp, orders, n+50, earns, history)
	}
	if welcomes != 1 || welcomed999 != 1 {
		t.Fatalf("%d welcomes (want 1, to the new customer 999: %d)", welcomes, welcomed999)
	}
	if _, err := loyalty.VerifyLedger(ctx, a.DB); err != nil {
		t.Fatal(err)
	}
	// The customers' order counts are those of the facts, whatever arrived first.
	var wrong int64
	a.Inspect().Raw(`SELECT count(*) FROM customers c WHERE c.shop_id = ? AND c.orders_count <> (SELECT count(*) FROM orders o
		LEFT JOIN (SELECT order_id, sum(subtotal) AS r FROM refunds WHERE shop_id = ? GROUP BY order_id) f ON f.order_id = o.order_id
		WHERE o.shop_id = c.shop_id AND o.customer_id = c.customer_id AND o.cancelled_at IS NULL AND NOT o.test
		  AND (f.r IS NULL OR f.r < o.subtotal))`, id, id).Scan(&wrong)
	if wrong != 0 {
		t.Fatalf("%d customers with an order count that does not match their orders", wrong)
	}
}

// The child of TestHistoryImportSurvivesKill: a worker process importing one shop's history,
// killed with SIGKILL by its parent.
func TestHistoryImportChild(t *testing.T) {
	dsn := os.Getenv("HISTORY_CHILD_DSN")
	if dsn == "" {
		t.Skip("runs as the child of TestHistoryImportSurvivesKill")
	}
	db, err := models.Open(dsn, 4)
	if err != nil {
		t.Fatal(err)
	}
	id, _ := strconv.ParseInt(os.Getenv("HISTORY_CHILD_SHOP"), 10, 64)
	far := time.Now().Add(time.Hour)
	h := jobs.History{DB: db, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Bulk: &shopify.Admin{BaseURL: os.Getenv("HISTORY_CHILD_BASE"),
		APIVersion: "2026-10", Store: shopify.NewMemoryTokens(shopify.Tokens{AccessToken: os.Getenv("HISTORY_CHILD_TOKEN"),
			AccessTokenExpiresAt: &far, RefreshToken: "unused", RefreshTokenExpiresAt: &far})}}
	if err := importUntilDone(h, id); err != nil {
		t.Fatal(err)
	}
}

// A worker killed with SIGKILL in the middle of an import: the next run resumes from the stored
// operation and position (no new bulk operation) and ends where an unbroken import ends.
func TestHistoryImportSurvivesKill(t *testing.T) {
	a := apptest.Start(t, apptest.Options{NoWorker: true})
	shop := testenv.Shop("historykill")
	id := a.Install(t, shop)
	const n = 6000
	a.Fake.SetBulkResult(shop, slowly(historyResult(n, 0), 50, 5*time.Millisecond))
	token, err := a.Admin.AccessToken(context.Background(), shop)
	if err != nil {
		t.Fatal(err)
	}
	child := exec.Command(os.Args[0], "-test.run=^TestHistoryImportChild$", "-test.v")
	child.Env = append(os.Environ(), "HISTORY_CHILD_DSN="+a.Cfg.DatabaseURL, "HISTORY_CHILD_SHOP="+strconv.FormatInt(id, 10),
		"HISTORY_CHILD_BASE="+a.Cfg.ShopifyBaseURL, "HISTORY_CHILD_TOKEN="+token)
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	var pos int64
	waitFor(t, 60*time.Second, func() bool {
		imp, _ := models.GetHistoryImport(context.Background(), a.DB, id)
		pos = imp.Position
		return pos > 0
	})
	if err := child.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = child.Wait()
	imp, _ := models.GetHistoryImport(context.Background(), a.DB, id)
	if imp.State != models.ImportRunning || imp.Orders >= n {
		t.Fatalf("the child was killed after the import ended: %+v", imp)
	}
	ops := len(a.Fake.BulkQueries(shop))

	if err := importUntilDone(history(a), id); err != nil {
		t.Fatal(err)
	}
	imp, _ = models.GetHistoryImport(context.Background(), a.DB, id)
	var orders, lines, customers int64
	a.Inspect().Raw(`SELECT count(*) FROM orders WHERE shop_id = ?`, id).Scan(&orders)
	a.Inspect().Raw(`SELECT count(*) FROM order_lines WHERE shop_id = ?`, id).Scan(&lines)
	a.Inspect().Raw(`SELECT count(*) FROM customers WHERE shop_id = ? AND orders_count > 0`, id).Scan(&customers)
	if imp.State != models.ImportDone || imp.Orders != n || imp.ErrorCount != 1 || orders != n || lines != 2*n || customers != 7 {
		t.Fatalf("after the resume: %+v; %d orders, %d lines, %d buyers (want %d, %d, 7; 1 malformed line)", imp, orders, lines, customers, n, 2*n)
	}
	if got := len(a.Fake.BulkQueries(shop)); got != ops {
		t.Fatalf("the resume started %d new bulk operations", got-ops)
	}
	t.Logf("killed at line %d of about %d", pos, 3*n)
}
