package handlers_test

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/boomerang-app/boomerang/internal/apptest"
	"github.com/boomerang-app/boomerang/internal/testenv"
	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/models/loyalty"
)

// GET /api/customers?segment= over orders that arrived as webhooks: the worker keeps the stats
// the filter reads, and the list agrees with the segment rules.
func TestCustomerListSegmentFilter(t *testing.T) {
	a := apptest.Start(t, apptest.Options{})
	shop := testenv.Shop("custseg")
	a.Install(t, shop)
	daysAgo := func(d int) map[string]any {
		at := time.Now().UTC().AddDate(0, 0, -d).Format(time.RFC3339)
		return map[string]any{"processed_at": at, "created_at": at, "updated_at": at}
	}
	a.Webhook(t, shop, "orders/paid", "", orderBody(9101, 601, "40.00", "paid", daysAgo(10))) // one-time buyer
	a.Webhook(t, shop, "orders/paid", "", orderBody(9102, 602, "40.00", "paid", daysAgo(60))) // every 30 days,
	a.Webhook(t, shop, "orders/paid", "", orderBody(9103, 602, "40.00", "paid", daysAgo(30))) // last 30 days ago: ready
	a.Webhook(t, shop, "orders/paid", "", orderBody(9104, 603, "40.00", "paid", daysAgo(60))) // the second order is
	a.Webhook(t, shop, "orders/paid", "", orderBody(9105, 603, "40.00", "paid", daysAgo(30))) // refunded in full:
	a.Drain(t, 10*time.Second)
	a.Webhook(t, shop, "refunds/create", "", refundBody(78, 9105, "40.00")) // a one-time buyer
	a.Drain(t, 10*time.Second)

	list := func(seg string) []int64 {
		t.Helper()
		var out struct {
			Customers []loyalty.CustomerRow `json:"customers"`
		}
		if st := a.API(t, shop, http.MethodGet, "/api/customers?segment="+seg, nil, &out); st != http.StatusOK {
			t.Fatalf("?segment=%s: status %d", seg, st)
		}
		ids := []int64{}
		for _, c := range out.Customers {
			ids = append(ids, c.ID)
		}
		slices.Sort(ids)
		return ids
	}
	for seg, want := range map[string][]int64{
		models.SegmentOneTimeBuyers: {601, 603},
		models.SegmentReadyToBuy:    {602},
		models.SegmentAtRisk:        {},
	} {
		if got := list(seg); !slices.Equal(got, want) {
			t.Errorf("?segment=%s = %v, want %v", seg, got, want)
		}
	}

	var bad struct {
		Error struct {
			Field string `json:"field"`
		} `json:"error"`
	}
	if st := a.API(t, shop, http.MethodGet, "/api/customers?segment=big_spenders", nil, &bad); st != http.StatusUnprocessableEntity || bad.Error.Field != "segment" {
		t.Errorf("unknown segment: status %d field %q, want 422 on segment", st, bad.Error.Field)
	}
}
