package jobs_test

import (
	"fmt"
	"sync/atomic"
	"testing"

	"gorm.io/gorm"

	"github.com/boomerang-app/boomerang/internal/apptest"
	"github.com/boomerang-app/boomerang/internal/testenv"
)

// countStatements counts the SQL statements GORM runs on db from now on.
func countStatements(t *testing.T, db *gorm.DB) *atomic.Int64 {
	t.Helper()
	var n atomic.Int64
	count := func(*gorm.DB) { n.Add(1) }
	cb := db.Callback()
	for i, reg := range []func(string, func(*gorm.DB)) error{
		cb.Query().After("gorm:query").Register, cb.Create().After("gorm:create").Register,
		cb.Update().After("gorm:update").Register, cb.Delete().After("gorm:delete").Register,
		cb.Row().After("gorm:row").Register, cb.Raw().After("gorm:raw").Register,
	} {
		if err := reg(fmt.Sprintf("test:count_%d", i), count); err != nil {
			t.Fatal(err)
		}
	}
	return &n
}

// The statements one orders/paid delivery costs the worker, with and without a line on a
// selling plan (docs/benchmarks.md): recognising subscribers from orders must cost an order
// that is not on a plan nothing.
func TestOrderStatements(t *testing.T) {
	a := apptest.Start(t, apptest.Options{NoWorker: true})
	shop := testenv.Shop("orderstmts")
	id := a.Install(t, shop)
	if err := runImport(t, a, id); err != nil { // an installed shop has imported its (here empty) history
		t.Fatal(err)
	}
	n := countStatements(t, a.DB)
	measure := func(id int64, plan any) int64 {
		body := orderBody(id, 900+id, "paid", "25.00", ts("05"), nil)
		body["line_items"].([]any)[0].(map[string]any)["selling_plan_id"] = plan
		wid := fmt.Sprintf("stmts-%d", id)
		a.Webhook(t, shop, "orders/paid", wid, body)
		ev := deliverID(t, a, shop, wid)
		before := n.Load()
		process(t, a, ev)
		return n.Load() - before
	}
	measure(1, nil) // warm the caches (settings, templates) as a running worker has them
	oneTime, onPlan, known := measure(2, nil), measure(3, 690_001), measure(4, 690_001)
	t.Logf("statements per orders/paid: one-time %d, on a selling plan first seen %d, on a plan already read %d", oneTime, onPlan, known)
	if onPlan <= oneTime {
		t.Fatalf("a plan order (%d statements) should do more than a one-time order (%d)", onPlan, oneTime)
	}
}
