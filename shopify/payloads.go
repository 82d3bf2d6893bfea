package shopify

import (
	"time"

	"github.com/shopspring/decimal"
)

// Webhook bodies are the REST resource JSON at the pinned API version. Only the fields
// Boomerang uses are declared; money arrives as strings ("10.00") or numbers and decodes
// into decimals either way.

type Order struct {
	ID                int64           `json:"id"`
	Name              string          `json:"name"`
	Email             string          `json:"email"`
	Currency          string          `json:"currency"`
	SubtotalPrice     decimal.Decimal `json:"subtotal_price"` // after discounts, before shipping, duties and tax
	TotalPrice        decimal.Decimal `json:"total_price"`
	FinancialStatus   string          `json:"financial_status"`
	Test              bool            `json:"test"`
	CancelledAt       *time.Time      `json:"cancelled_at"`
	CancelReason      string          `json:"cancel_reason"`
	ProcessedAt       *time.Time      `json:"processed_at"`
	CreatedAt         *time.Time      `json:"created_at"`
	UpdatedAt         *time.Time      `json:"updated_at"`
	LandingSite       string          `json:"landing_site"`
	DiscountCodes     []DiscountCode  `json:"discount_codes"`
	Customer          *Customer       `json:"customer"`
	LineItems         []LineItem      `json:"line_items"`
	Refunds           []Refund        `json:"refunds"`
	Fulfillments      []Fulfillment   `json:"fulfillments"`
	NoteAttributes    []NoteAttribute `json:"note_attributes"`
	AdminGraphqlAPIID string          `json:"admin_graphql_api_id"`
	CustomerLocale    string          `json:"customer_locale"` // the language the order was placed in: en, fr-CA
}

type DiscountCode struct {
	Code   string          `json:"code"`
	Amount decimal.Decimal `json:"amount"`
	Type   string          `json:"type"`
}

type NoteAttribute struct {
	Name  string `json:"name"`
	Value any    `json:"value"`
}

type LineItem struct {
	ID            int64           `json:"id"`
	ProductID     *int64          `json:"product_id"`
	VariantID     *int64          `json:"variant_id"`
	SellingPlanID *int64          `json:"selling_plan_id"` // API 2026-10: the subscription's plan, null for a one-time line
	Title         string          `json:"title"`
	Quantity      int             `json:"quantity"`
	Price         decimal.Decimal `json:"price"`
}

type Customer struct {
	ID                    int64      `json:"id"`
	Email                 string     `json:"email"`
	Phone                 string     `json:"phone"`
	FirstName             string     `json:"first_name"`
	LastName              string     `json:"last_name"`
	State                 string     `json:"state"`
	Tags                  string     `json:"tags"`
	UpdatedAt             *time.Time `json:"updated_at"`
	CreatedAt             *time.Time `json:"created_at"`
	EmailMarketingConsent *Consent   `json:"email_marketing_consent"`
	SMSMarketingConsent   *Consent   `json:"sms_marketing_consent"`
	DefaultAddress        *Address   `json:"default_address"`
	Locale                string     `json:"locale"`
}

type Consent struct {
	State            string     `json:"state"`
	OptInLevel       string     `json:"opt_in_level"`
	ConsentUpdatedAt *time.Time `json:"consent_updated_at"`
}

type Address struct {
	CountryCode  string `json:"country_code"`
	ProvinceCode string `json:"province_code"`
	Address1     string `json:"address1"`
	Zip          string `json:"zip"`
}

type Refund struct {
	ID               int64             `json:"id"`
	OrderID          int64             `json:"order_id"`
	CreatedAt        *time.Time        `json:"created_at"`
	ProcessedAt      *time.Time        `json:"processed_at"`
	Note             string            `json:"note"`
	RefundLineItems  []RefundLineItem  `json:"refund_line_items"`
	Transactions     []Transaction     `json:"transactions"`
	OrderAdjustments []OrderAdjustment `json:"order_adjustments"`
}

// Transaction is a money movement of a refund: kind "refund", status "success" when it went through.
type Transaction struct {
	Kind   string          `json:"kind"`
	Status string          `json:"status"`
	Amount decimal.Decimal `json:"amount"`
}

// OrderAdjustment accounts for the part of a refund that is not line items: kind
// "shipping_refund" (a negative amount: shipping given back) or "refund_discrepancy".
type OrderAdjustment struct {
	Kind   string          `json:"kind"`
	Amount decimal.Decimal `json:"amount"`
}

type RefundLineItem struct {
	ID         int64           `json:"id"`
	LineItemID int64           `json:"line_item_id"`
	Quantity   int             `json:"quantity"`
	Subtotal   decimal.Decimal `json:"subtotal"`
	TotalTax   decimal.Decimal `json:"total_tax"`
}

// Subtotal is the refunded merchandise amount (no shipping, no tax): what points are clawed back
// on. A refund of an amount alone (no line items: "refund $10 as a goodwill gesture") counts the
// money that went back, less the shipping it gave back; the ledger caps it at the order's subtotal.
func (r Refund) Subtotal() decimal.Decimal {
	sum := decimal.Zero
	for _, li := range r.RefundLineItems {
		sum = sum.Add(li.Subtotal)
	}
	if len(r.RefundLineItems) > 0 {
		return sum
	}
	for _, t := range r.Transactions {
		if t.Kind == "refund" && t.Status == "success" {
			sum = sum.Add(t.Amount)
		}
	}
	for _, a := range r.OrderAdjustments {
		if a.Kind == "shipping_refund" {
			sum = sum.Sub(a.Amount.Abs())
		}
	}
	return decimal.Max(sum, decimal.Zero)
}

type Fulfillment struct {
	ID             int64      `json:"id"`
	OrderID        int64      `json:"order_id"`
	Status         string     `json:"status"`
	ShipmentStatus string     `json:"shipment_status"`
	CreatedAt      *time.Time `json:"created_at"`
	UpdatedAt      *time.Time `json:"updated_at"`
}

type Shop struct {
	ID              int64  `json:"id"`
	Name            string `json:"name"`
	Email           string `json:"email"`
	Domain          string `json:"domain"`
	MyshopifyDomain string `json:"myshopify_domain"`
	Currency        string `json:"currency"`
	IANATimezone    string `json:"iana_timezone"`
}

// SubscriptionContract is the subscription_contracts/* body; it carries no lines, which are
// fetched with the GraphQL subscriptionContract query.
type SubscriptionContract struct {
	ID                        int64          `json:"id"`
	AdminGraphqlAPIID         string         `json:"admin_graphql_api_id"`
	CustomerID                int64          `json:"customer_id"`
	AdminGraphqlAPICustomerID string         `json:"admin_graphql_api_customer_id"`
	Status                    string         `json:"status"`
	CurrencyCode              string         `json:"currency_code"`
	BillingPolicy             IntervalPolicy `json:"billing_policy"`
	DeliveryPolicy            IntervalPolicy `json:"delivery_policy"`
	OriginOrderID             int64          `json:"origin_order_id"`
	RevisionID                int64          `json:"revision_id"`
	UpdatedAt                 *time.Time     `json:"updated_at"`
	CancellationReason        string         `json:"cancellation_reason"`
}

type IntervalPolicy struct {
	Interval      string `json:"interval"`
	IntervalCount int    `json:"interval_count"`
}

type ComplianceCustomer struct {
	ID    int64  `json:"id"`
	Email string `json:"email"`
	Phone string `json:"phone"`
}

type CustomersDataRequest struct {
	ShopID          int64              `json:"shop_id"`
	ShopDomain      string             `json:"shop_domain"`
	OrdersRequested []int64            `json:"orders_requested"`
	Customer        ComplianceCustomer `json:"customer"`
	DataRequest     struct {
		ID int64 `json:"id"`
	} `json:"data_request"`
}

type CustomersRedact struct {
	ShopID         int64              `json:"shop_id"`
	ShopDomain     string             `json:"shop_domain"`
	Customer       ComplianceCustomer `json:"customer"`
	OrdersToRedact []int64            `json:"orders_to_redact"`
}

type ShopRedact struct {
	ShopID     int64  `json:"shop_id"`
	ShopDomain string `json:"shop_domain"`
}

type ScopesUpdate struct {
	Current  []string `json:"current"`
	Previous []string `json:"previous"`
}
