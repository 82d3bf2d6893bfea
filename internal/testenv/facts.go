package testenv

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"gorm.io/gorm"

	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/models/messaging"
)

// Order facts the domain tests build their stories from.

// AddCustomer stores a customer with an email, a phone subscribed to SMS, and the email consent
// given.
func AddCustomer(t testing.TB, db *gorm.DB, shop, id int64, emailConsent string) {
	t.Helper()
	if _, err := models.UpsertCustomer(context.Background(), db, shop, models.CustomerFact{CustomerID: id,
		Email: fmt.Sprintf("c%d@example.com", id), Phone: "+15555550100", EmailConsent: emailConsent, SMSConsent: "subscribed"}); err != nil {
		t.Fatal(err)
	}
}

// PaidOrder is a paid order of one customer, as an orders/paid webhook states it.
func PaidOrder(id, cust int64, subtotal string, at time.Time) models.OrderFact {
	return models.OrderFact{OrderID: id, CustomerID: cust, Subtotal: decimal.RequireFromString(subtotal),
		Total: decimal.RequireFromString(subtotal), FinancialStatus: "paid", Paid: true, ProcessedAt: &at, UpdatedAt: &at}
}

// PastOrder is an order from the history import, with lines mugs at 5.00 and, for a customer
// (cust ≠ 0), the customer as the export states them.
func PastOrder(id, cust int64, subtotal string, at time.Time, lines int) models.HistoryOrder {
	h := models.HistoryOrder{Order: models.OrderFact{OrderID: id, CustomerID: cust, Name: "#h", Currency: "USD",
		Subtotal: decimal.RequireFromString(subtotal), Total: decimal.RequireFromString(subtotal), FinancialStatus: "PAID",
		Paid: true, ProcessedAt: &at, CreatedAt: &at, UpdatedAt: &at}}
	for i := 1; i <= lines; i++ {
		pid := int64(7000 + i)
		h.Order.Lines = append(h.Order.Lines, models.OrderLine{LineItemID: id*10 + int64(i), ProductID: &pid, Title: "Mug",
			Quantity: 1, Price: decimal.RequireFromString("5.00")})
	}
	if cust != 0 {
		h.Customer = &models.CustomerFact{CustomerID: cust, Email: "past@example.com", FirstName: "Past",
			EmailConsent: messaging.ConsentSubscribed, UpdatedAt: &at}
	}
	return h
}
