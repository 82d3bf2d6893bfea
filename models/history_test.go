package models_test

import (
	"context"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/boomerang-app/boomerang/internal/testenv"
	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/models/messaging"
)

// History lands in the fact tables as facts: no event, no points; an order a live webhook
// stored stays as it was; storing the same batch again changes nothing.
func TestStoreHistory(t *testing.T) {
	db, shop := testenv.NewShop(t, "loyalty")
	ctx := context.Background()
	past := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

	// A live webhook got here first: order 3 (customer 11, known by id only from the order).
	live := testenv.PaidOrder(3, 11, "99.00", time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC))
	live.Lines = []models.OrderLine{{LineItemID: 31, Quantity: 3, Price: decimal.RequireFromString("33.00")}}
	if _, err := models.UpsertOrder(ctx, db, shop, live); err != nil {
		t.Fatal(err)
	}
	refunded := testenv.PastOrder(2, 11, "40.00", past, 1)
	refunded.Refunded = decimal.RequireFromString("10.00")
	batch := []models.HistoryOrder{testenv.PastOrder(1, 11, "20.00", past, 2), refunded, testenv.PastOrder(3, 11, "1.00", past, 2),
		testenv.PastOrder(4, 0, "7.00", past, 1)}

	n, err := models.StoreHistory(ctx, db, shop, batch)
	if err != nil {
		t.Fatal(err)
	}
	if n.Orders != 3 || n.Lines != 4 || n.Refunds != 1 || n.Customers != 1 {
		t.Fatalf("first store: %+v (want 3 orders, 4 lines, 1 refund, 1 customer filled)", n)
	}
	if o, _ := models.GetOrder(ctx, db, shop, 3); !o.Subtotal.Equal(decimal.RequireFromString("99")) {
		t.Fatalf("the live order was overwritten by history: %s", o.Subtotal)
	}
	if lines, _ := models.OrderLines(ctx, db, shop, 3); len(lines) != 1 || lines[0].LineItemID != 31 {
		t.Fatalf("the live order's lines: %+v", lines)
	}
	if c, _ := models.GetCustomer(ctx, db, shop, 11); c.Email != "past@example.com" || c.EmailConsent != messaging.ConsentSubscribed {
		t.Fatalf("a customer known by id only was not filled: %+v", c)
	}
	var events, entries int64
	db.Raw(`SELECT count(*) FROM events WHERE shop_id = ?`, shop).Scan(&events)
	db.Raw(`SELECT count(*) FROM ledger_entries WHERE shop_id = ?`, shop).Scan(&entries)
	if events != 0 || entries != 0 {
		t.Fatalf("history had effects: %d events, %d ledger entries", events, entries)
	}

	again, err := models.StoreHistory(ctx, db, shop, batch)
	if err != nil || again != (models.HistoryCounts{}) {
		t.Fatalf("storing the batch again: %+v, %v", again, err)
	}
	var orders, refunds int64
	db.Raw(`SELECT count(*) FROM orders WHERE shop_id = ?`, shop).Scan(&orders)
	db.Raw(`SELECT count(*) FROM refunds WHERE shop_id = ? AND refund_id = -2`, shop).Scan(&refunds)
	if orders != 4 || refunds != 1 {
		t.Fatalf("%d orders, %d history refunds", orders, refunds)
	}

	// The next live order of a customer with history is not their first.
	st, err := models.RefreshCustomerStats(ctx, db, shop, 11, false)
	if err != nil {
		t.Fatal(err)
	}
	if c, _ := models.GetCustomer(ctx, db, shop, 11); c.OrdersCount != 3 || st.Orders != 3 || st.Stage == models.StageNew {
		t.Fatalf("customer with history: %d orders (returned %d), stage %s", c.OrdersCount, st.Orders, st.Stage)
	}
}
