package main

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/boomerang-app/boomerang/internal/testenv"
	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/models/loyalty"
)

func TestVerifyAllChecksTheLedger(t *testing.T) {
	db, _ := testenv.DB(t)
	ctx := context.Background()
	shop, _, err := models.InstallShop(ctx, db, testenv.Shop("verify"))
	if err != nil {
		t.Fatal(err)
	}
	sub := decimal.RequireFromString("20.00")
	if _, err := models.UpsertOrder(ctx, db, shop, models.OrderFact{OrderID: 1, CustomerID: 3, Subtotal: sub, Paid: true}); err != nil {
		t.Fatal(err)
	}
	if err := loyalty.SettleOrderLoyalty(ctx, db, shop, 1, time.Now()); err != nil {
		t.Fatal(err)
	}
	a := &app{db: db, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if err := verifyAll(ctx, a); err != nil {
		t.Fatalf("verify on a sound ledger: %v", err)
	}
	db.Exec(`UPDATE loyalty_accounts SET balance = 7 WHERE shop_id = ? AND customer_id = 3`, shop)
	if err := verifyAll(ctx, a); err == nil || !strings.Contains(err.Error(), "customer 3") {
		t.Fatalf("verify on a drifted balance: %v", err)
	}
}
