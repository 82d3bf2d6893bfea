package shopify

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/shopspring/decimal"

	json "github.com/goccy/go-json"
)

// OrderHistoryQuery is the bulk query that imports a shop's order history: what the live order
// path needs (customer, money, discount codes, cancelled and test flags, what was refunded,
// landing page) and, as child lines, each line item with its product, variant, quantity, price
// and selling plan. Without read_all_orders Shopify returns the last 60 days only.
const OrderHistoryQuery = `{
  orders(sortKey: CREATED_AT) {
    edges { node {
      id name email createdAt processedAt cancelledAt test displayFinancialStatus discountCodes customerLocale
      customer { id email firstName lastName phone locale createdAt updatedAt
        emailMarketingConsent { marketingState } smsMarketingConsent { marketingState } }
      subtotalPriceSet { shopMoney { amount currencyCode } }
      currentSubtotalPriceSet { shopMoney { amount } }
      totalPriceSet { shopMoney { amount } }
      customerJourneySummary { firstVisit { landingPage referrerUrl } }
      lineItems { edges { node {
        id title quantity
        originalUnitPriceSet { shopMoney { amount } }
        product { id } variant { id } sellingPlan { sellingPlanId name }
      } } }
    } }
  }
}`

type moneyBag struct {
	ShopMoney struct {
		Amount       decimal.Decimal `json:"amount"`
		CurrencyCode string          `json:"currencyCode"`
	} `json:"shopMoney"`
}

// HistoryCustomer is an order's customer as the bulk query returns it.
type HistoryCustomer struct {
	ID                    string     `json:"id"`
	Email                 string     `json:"email"`
	FirstName             string     `json:"firstName"`
	LastName              string     `json:"lastName"`
	Phone                 string     `json:"phone"`
	Locale                string     `json:"locale"`
	CreatedAt             *time.Time `json:"createdAt"`
	UpdatedAt             *time.Time `json:"updatedAt"`
	EmailMarketingConsent *struct {
		MarketingState string `json:"marketingState"`
	} `json:"emailMarketingConsent"`
	SMSMarketingConsent *struct {
		MarketingState string `json:"marketingState"`
	} `json:"smsMarketingConsent"`
}

// HistoryOrder is one order of the history with its line items.
type HistoryOrder struct {
	Line                   int              `json:"-"` // the order's line in the file
	ID                     int64            `json:"-"` // from the gid
	Name                   string           `json:"name"`
	Email                  string           `json:"email"`
	CreatedAt              *time.Time       `json:"createdAt"`
	ProcessedAt            *time.Time       `json:"processedAt"`
	CancelledAt            *time.Time       `json:"cancelledAt"`
	Test                   bool             `json:"test"`
	DisplayFinancialStatus string           `json:"displayFinancialStatus"`
	DiscountCodes          []string         `json:"discountCodes"`
	CustomerLocale         string           `json:"customerLocale"`
	Customer               *HistoryCustomer `json:"customer"`
	Subtotal               moneyBag         `json:"subtotalPriceSet"`
	CurrentSubtotal        moneyBag         `json:"currentSubtotalPriceSet"`
	Total                  moneyBag         `json:"totalPriceSet"`
	Journey                *struct {
		FirstVisit *struct {
			LandingPage string `json:"landingPage"`
			ReferrerURL string `json:"referrerUrl"`
		} `json:"firstVisit"`
	} `json:"customerJourneySummary"`
	Lines []HistoryLine `json:"-"`
}

// HistoryLine is one line item of a history order.
type HistoryLine struct {
	ID        int64    `json:"-"` // from the gid
	Title     string   `json:"title"`
	Quantity  int      `json:"quantity"`
	UnitPrice moneyBag `json:"originalUnitPriceSet"`
	Product   *struct {
		ID string `json:"id"`
	} `json:"product"`
	Variant *struct {
		ID string `json:"id"`
	} `json:"variant"`
	SellingPlan *struct {
		SellingPlanID string `json:"sellingPlanId"`
		Name          string `json:"name"`
	} `json:"sellingPlan"`
}

// CustomerID is the order's customer's numeric id (0 for a guest).
func (o *HistoryOrder) CustomerID() int64 {
	if o.Customer == nil {
		return 0
	}
	_, id, _ := ParseGID(o.Customer.ID)
	return id
}

// Paid reports whether the order was paid (its financial status is anything but pending,
// authorized, voided or expired).
func (o *HistoryOrder) Paid() bool {
	switch o.DisplayFinancialStatus {
	case "", "PENDING", "AUTHORIZED", "VOIDED", "EXPIRED":
		return false
	}
	return true
}

// Refunded is the merchandise refunded so far: the subtotal less what remains of it.
func (o *HistoryOrder) Refunded() decimal.Decimal {
	r := o.Subtotal.ShopMoney.Amount.Sub(o.CurrentSubtotal.ShopMoney.Amount)
	return decimal.Max(r, decimal.Zero)
}

// HistoryReader reads a history result order by order, each with its line items.
type HistoryReader struct {
	br         *BulkReader
	pending    *HistoryOrder // read, but its lines may still follow
	pendingGID string        // its gid, which its lines name as __parentId
	lineErr    []*BulkLineError
}

// NewHistoryReader reads the JSONL of an OrderHistoryQuery operation.
func NewHistoryReader(r io.Reader) *HistoryReader { return &HistoryReader{br: NewBulkReader(r)} }

// Line is the number of the last line read (a resumed import skips what it already stored).
func (hr *HistoryReader) Line() int { return hr.br.Line() }

// Next returns the next complete order; io.EOF at the end; a *BulkLineError for a line that
// was skipped (the read goes on); any other error ends the read.
func (hr *HistoryReader) Next() (*HistoryOrder, error) {
	for {
		if len(hr.lineErr) > 0 {
			e := hr.lineErr[0]
			hr.lineErr = hr.lineErr[1:]
			return nil, e
		}
		obj, err := hr.br.Next()
		var le *BulkLineError
		switch {
		case errors.As(err, &le):
			return nil, le
		case errors.Is(err, io.EOF):
			if o := hr.pending; o != nil {
				hr.pending = nil
				return o, nil
			}
			return nil, io.EOF
		case err != nil:
			return nil, err
		}
		switch obj.Type {
		case "Order":
			o := &HistoryOrder{Line: obj.Line}
			if err := json.Unmarshal(obj.Raw, o); err != nil {
				hr.lineErr = append(hr.lineErr, &BulkLineError{Line: obj.Line, Reason: "order: " + err.Error()})
				continue
			}
			_, o.ID, _ = ParseGID(obj.ID)
			done := hr.pending
			hr.pending, hr.pendingGID = o, obj.ID
			if done != nil {
				return done, nil
			}
		case "LineItem":
			var l HistoryLine
			if err := json.Unmarshal(obj.Raw, &l); err != nil {
				hr.lineErr = append(hr.lineErr, &BulkLineError{Line: obj.Line, Reason: "line item: " + err.Error()})
				continue
			}
			_, l.ID, _ = ParseGID(obj.ID)
			if hr.pending == nil || obj.ParentID != hr.pendingGID {
				hr.lineErr = append(hr.lineErr, &BulkLineError{Line: obj.Line,
					Reason: fmt.Sprintf("line item of %.80q does not follow its order", obj.ParentID)})
				continue
			}
			hr.pending.Lines = append(hr.pending.Lines, l)
		default:
			hr.lineErr = append(hr.lineErr, &BulkLineError{Line: obj.Line, Reason: "unexpected object " + obj.Type})
		}
	}
}
