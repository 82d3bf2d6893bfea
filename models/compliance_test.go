package models_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/boomerang-app/boomerang/internal/testenv"
	"github.com/boomerang-app/boomerang/models"
)

func TestDataRequestExport(t *testing.T) {
	db, _ := testenv.DB(t)
	ctx := context.Background()
	shop, _, _ := models.InstallShop(ctx, db, testenv.Shop("export"))
	other, _, _ := models.InstallShop(ctx, db, testenv.Shop("export-other"))
	if _, err := models.UpsertCustomer(ctx, db, shop, models.CustomerFact{CustomerID: 191167, Email: "john@example.com", Phone: "555-625-1199"}); err != nil {
		t.Fatal(err)
	}
	if _, err := models.UpsertOrder(ctx, db, shop, models.OrderFact{OrderID: 299938, CustomerID: 191167, Subtotal: decimal.NewFromInt(40)}); err != nil {
		t.Fatal(err)
	}
	if _, err := models.Emit(ctx, db, shop, 191167, "299938", models.FirstOrderPayload{OrderID: 299938}, time.Now()); err != nil {
		t.Fatal(err)
	}
	// Another customer's order must not leak into the export.
	if _, err := models.UpsertOrder(ctx, db, shop, models.OrderFact{OrderID: 1, CustomerID: 2}); err != nil {
		t.Fatal(err)
	}

	if err := models.FulfillDataRequest(ctx, db, shop, 9999, 191167); err != nil {
		t.Fatal(err)
	}
	if err := models.FulfillDataRequest(ctx, db, shop, 9999, 191167); err != nil { // redelivery
		t.Fatal(err)
	}
	list, err := models.ListDataRequests(ctx, db, shop)
	if err != nil || len(list) != 1 || list[0].RequestID != 9999 || list[0].Status != "completed" || list[0].CompletedAt == nil {
		t.Fatalf("requests = %+v, %v", list, err)
	}
	dr, err := models.GetDataRequest(ctx, db, shop, list[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	var export struct {
		CustomerID int64 `json:"customer_id"`
		Profile    struct{ Email, Phone string }
		Orders     []struct{ OrderID int64 }
		Events     []struct{ Kind string }
	}
	if err := json.Unmarshal(dr.Export, &export); err != nil {
		t.Fatalf("export is not JSON: %v", err)
	}
	if export.CustomerID != 191167 || export.Profile.Email != "john@example.com" || export.Profile.Phone != "555-625-1199" ||
		len(export.Orders) != 1 || export.Orders[0].OrderID != 299938 || len(export.Events) != 1 || export.Events[0].Kind != models.EventFirstOrder {
		t.Fatalf("export = %s", dr.Export)
	}
	if _, err := models.GetDataRequest(ctx, db, other, list[0].ID); models.ErrorCode(err) != models.ENotFound {
		t.Fatalf("another shop read the export: %v", err)
	}
	// A request for a customer we never saw still completes, with an empty profile.
	if err := models.FulfillDataRequest(ctx, db, shop, 10000, 424242); err != nil {
		t.Fatal(err)
	}
}

func TestRedactCustomer(t *testing.T) {
	db, _ := testenv.DB(t)
	ctx := context.Background()
	shop, _, _ := models.InstallShop(ctx, db, testenv.Shop("redact"))
	upd := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, id := range []int64{1, 2} {
		if _, err := models.UpsertCustomer(ctx, db, shop, models.CustomerFact{CustomerID: id, Email: "c@example.com", Phone: "+15550001",
			FirstName: "Ann", LastName: "Lee", Tags: "vip", UpdatedAt: &upd}); err != nil {
			t.Fatal(err)
		}
		if _, err := models.UpsertOrder(ctx, db, shop, models.OrderFact{OrderID: 100 + id, CustomerID: id, Email: "c@example.com",
			Subtotal: decimal.RequireFromString("25.50"), Total: decimal.RequireFromString("30.00"), Paid: true, LandingSite: "/?ref=ann"}); err != nil {
			t.Fatal(err)
		}
		if _, err := models.RefreshCustomerStats(ctx, db, shop, id, false); err != nil {
			t.Fatal(err)
		}
		if _, err := models.Emit(ctx, db, shop, id, "o", models.NegativeReviewPayload{Title: "from c@example.com"}, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	if err := models.RedactCustomer(ctx, db, shop, 1); err != nil {
		t.Fatal(err)
	}
	c, _ := models.GetCustomer(ctx, db, shop, 1)
	if c.Email != "" || c.Phone != "" || c.FirstName != "" || c.LastName != "" || c.Tags != "" || c.RedactedAt == nil {
		t.Fatalf("PII left after redact: %+v", c)
	}
	if c.OrdersCount != 1 || !c.TotalSpent.Equal(decimal.RequireFromString("25.50")) {
		t.Fatalf("redact changed amounts: %d orders, %s spent", c.OrdersCount, c.TotalSpent)
	}
	o, _ := models.GetOrder(ctx, db, shop, 101)
	if o.Email != "" || o.LandingSite != "" || !o.Subtotal.Equal(decimal.RequireFromString("25.50")) || !o.Total.Equal(decimal.RequireFromString("30")) || o.PaidAt == nil {
		t.Fatalf("order after redact: %+v", o)
	}
	var payload string
	db.Raw(`SELECT payload::text FROM events WHERE shop_id = ? AND customer_id = 1`, shop).Scan(&payload)
	if strings.Contains(payload, "example.com") {
		t.Fatalf("event payload keeps PII: %s", payload)
	}
	// A late customers/update does not bring the data back.
	later := upd.Add(time.Hour)
	if applied, err := models.UpsertCustomer(ctx, db, shop, models.CustomerFact{CustomerID: 1, Email: "back@example.com", UpdatedAt: &later}); err != nil || applied {
		t.Fatalf("redacted customer overwritten: applied %v, %v", applied, err)
	}
	// The other customer is untouched.
	if c2, _ := models.GetCustomer(ctx, db, shop, 2); c2.Email != "c@example.com" || c2.RedactedAt != nil {
		t.Fatalf("other customer changed: %+v", c2)
	}
}
