package jobs_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/boomerang-app/boomerang/internal/apptest"
	"github.com/boomerang-app/boomerang/internal/testenv"
	"github.com/boomerang-app/boomerang/shopify/fakeshop"
)

// The selling plan a line was bought on is kept, from a 2026-10 order webhook
// (line_items[].selling_plan_id) and from the history (LineItem.sellingPlan): the fact
// subscribers are recognised by.
func TestSellingPlanOnOrderLines(t *testing.T) {
	a := apptest.Start(t, apptest.Options{NoWorker: true})
	shop := testenv.Shop("sellingplan")
	id := a.Install(t, shop)

	body := orderBody(4001, 77, "paid", "25.00", ts("05"), nil)
	lines := body["line_items"].([]any)
	lines[0].(map[string]any)["selling_plan_id"] = 690_000_555
	lines[1].(map[string]any)["selling_plan_id"] = nil
	a.Webhook(t, shop, "orders/paid", "plan-1", body)
	process(t, a, deliverID(t, a, shop, "plan-1"))
	var plans []string
	a.Inspect().Raw(`SELECT COALESCE(selling_plan_id::text, 'null') FROM order_lines WHERE shop_id = ? AND order_id = 4001
		ORDER BY line_item_id`, id).Scan(&plans)
	if strings.Join(plans, ",") != "690000555,null" {
		t.Fatalf("selling plans of the live order's lines: %v", plans)
	}

	now := time.Now().UTC()
	spec := fakeshop.HistorySpec{Orders: 300, Customers: 40, From: now.AddDate(-1, 0, 0), To: now.Add(-time.Hour), Seed: 9}
	var file bytes.Buffer
	if err := fakeshop.OrderHistory(spec)(&file); err != nil {
		t.Fatal(err)
	}
	want := int64(strings.Count(file.String(), `"sellingPlan":{`))
	a.Fake.SetBulkResult(shop, fakeshop.OrderHistory(spec))
	if err := runImport(t, a, id); err != nil {
		t.Fatal(err)
	}
	var got int64
	a.Inspect().Raw(`SELECT count(*) FROM order_lines WHERE shop_id = ? AND selling_plan_id = 1`, id).Scan(&got)
	if want == 0 || got != want {
		t.Fatalf("%d history lines on a selling plan stored, the file has %d", got, want)
	}
}
