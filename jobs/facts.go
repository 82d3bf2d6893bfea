package jobs

import (
	"strings"

	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/shopify"
)

// paidStatuses are financial statuses of an order that was paid at some point.
var paidStatuses = map[string]bool{"paid": true, "partially_refunded": true, "refunded": true}

func orderFact(topic string, o shopify.Order) models.OrderFact {
	f := models.OrderFact{
		OrderID: o.ID, Name: o.Name, Email: o.Email, Currency: o.Currency, Subtotal: o.SubtotalPrice,
		Total: o.TotalPrice, FinancialStatus: o.FinancialStatus, Test: o.Test, LandingSite: o.LandingSite,
		CancelReason: o.CancelReason, CancelledAt: o.CancelledAt, ProcessedAt: o.ProcessedAt,
		CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt,
		Paid: topic == "orders/paid" || paidStatuses[o.FinancialStatus],
	}
	if o.Customer != nil {
		f.CustomerID = o.Customer.ID
	}
	for _, dc := range o.DiscountCodes {
		if c := strings.TrimSpace(dc.Code); c != "" {
			f.DiscountCodes = append(f.DiscountCodes, strings.ToUpper(c))
		}
	}
	for _, li := range o.LineItems {
		f.Lines = append(f.Lines, models.OrderLine{LineItemID: li.ID, ProductID: li.ProductID, VariantID: li.VariantID,
			SellingPlanID: li.SellingPlanID, Title: li.Title, Quantity: li.Quantity, Price: li.Price})
	}
	return f
}

func customerFact(c shopify.Customer) models.CustomerFact {
	f := models.CustomerFact{CustomerID: c.ID, Email: c.Email, Phone: c.Phone, FirstName: c.FirstName,
		LastName: c.LastName, State: c.State, Tags: c.Tags, Locale: c.Locale, UpdatedAt: c.UpdatedAt}
	if c.EmailMarketingConsent != nil {
		f.EmailConsent = c.EmailMarketingConsent.State
	}
	if c.SMSMarketingConsent != nil {
		f.SMSConsent = c.SMSMarketingConsent.State
	}
	if c.DefaultAddress != nil {
		f.Timezone = timezoneHint(c.DefaultAddress.CountryCode, c.DefaultAddress.ProvinceCode)
	}
	return f
}

// orderCustomerFact is an order's customer, in the language the order was placed in when the
// customer record does not say.
func orderCustomerFact(o shopify.Order) models.CustomerFact {
	f := customerFact(*o.Customer)
	if f.Locale == "" {
		f.Locale = o.CustomerLocale
	}
	return f
}
