package fakeshop

import (
	"bufio"
	"io"
	"math/rand/v2"
	"strconv"
	"time"
)

// HistorySpec describes a synthetic order history, as an OrderHistoryQuery bulk operation
// returns it: orders oldest first, each followed by its line items (__parentId). The same spec
// always gives the same file, so a benchmark, a test and the demo shop can each regenerate it.
type HistorySpec struct {
	Orders    int
	Customers int
	From, To  time.Time // orders are spread evenly over [From, To)
	Seed      uint64
	Currency  string // default USD
	// FirstOrderID and FirstCustomerID offset the ids (defaults: 13-digit ids, as real shops have).
	FirstOrderID, FirstCustomerID int64
}

// Shares of orders with each trait, in thousandths.
const (
	guestPermille     = 30
	refundPermille    = 50 // a partial refund of one line
	fullRefundPermill = 10
	cancelPermille    = 15
	testPermille      = 2
	discountPermille  = 100
	planPermille      = 40 // of line items: bought on a selling plan (a subscription)
)

var historyFirstNames = []string{"Ada", "Ben", "Chrissy", "Dev", "Elif", "Femi", "Gus", "Hana", "Ines", "Jon", "Kai", "Lena", "Marshall", "Naomi"}

// CustomerID is the id the spec gives customer k (0-based).
func (h HistorySpec) CustomerID(k int) int64 { return h.firstCustomer() + int64(k) }

// OrderID is the id the spec gives order i (0-based).
func (h HistorySpec) OrderID(i int) int64 { return h.firstOrder() + int64(i) }

func (h HistorySpec) firstOrder() int64 {
	if h.FirstOrderID == 0 {
		return 5_000_000_000_000
	}
	return h.FirstOrderID
}

func (h HistorySpec) firstCustomer() int64 {
	if h.FirstCustomerID == 0 {
		return 7_000_000_000_000
	}
	return h.FirstCustomerID
}

// OrderHistory streams the spec's JSONL. Customers are drawn with a skew (a few buy often, most
// once or twice); about three line items an order, one to five.
func OrderHistory(h HistorySpec) BulkResult {
	return func(w io.Writer) error {
		bw := bufio.NewWriterSize(w, 1<<16)
		rng := rand.New(rand.NewPCG(h.Seed, 0x626f6f6d))
		cur := h.Currency
		if cur == "" {
			cur = "USD"
		}
		step := h.To.Sub(h.From) / time.Duration(max(h.Orders, 1))
		var b []byte
		for i := 0; i < h.Orders; i++ {
			id := h.OrderID(i)
			at := h.From.Add(time.Duration(i) * step).UTC()
			roll := func() int { return rng.IntN(1000) }
			nLines := 1 + rng.IntN(5)
			type line struct {
				product, qty int
				price        int64 // cents
				plan         bool
			}
			lines := make([]line, nLines)
			var subtotal int64
			for j := range lines {
				p := rng.IntN(200)
				lines[j] = line{product: p, qty: 1 + rng.IntN(2), price: 500 + int64(p%40)*125, plan: roll() < planPermille}
				subtotal += lines[j].price * int64(lines[j].qty)
			}
			current, status := subtotal, "PAID"
			switch r := roll(); {
			case r < fullRefundPermill:
				current, status = 0, "REFUNDED"
			case r < fullRefundPermill+refundPermille:
				current, status = subtotal-lines[0].price, "PARTIALLY_REFUNDED"
			}
			cancelled, test := roll() < cancelPermille, roll() < testPermille
			if cancelled {
				current, status = 0, "REFUNDED"
			}

			b = b[:0]
			b = append(b, `{"id":"gid://shopify/Order/`...)
			b = strconv.AppendInt(b, id, 10)
			b = append(b, `","name":"#`...)
			b = strconv.AppendInt(b, int64(1001+i), 10)
			b = append(b, `","createdAt":"`...)
			b = at.AppendFormat(b, time.RFC3339)
			b = append(b, `","processedAt":"`...)
			b = at.AppendFormat(b, time.RFC3339)
			b = append(b, `","cancelledAt":`...)
			if cancelled {
				b = append(b, '"')
				b = at.Add(2*time.Hour).AppendFormat(b, time.RFC3339)
				b = append(b, '"')
			} else {
				b = append(b, "null"...)
			}
			b = append(b, `,"test":`...)
			b = strconv.AppendBool(b, test)
			b = append(b, `,"displayFinancialStatus":"`...)
			b = append(b, status...)
			b = append(b, `","discountCodes":[`...)
			if roll() < discountPermille {
				b = append(b, `"WELCOME10"`...)
			}
			b = append(b, ']')
			if roll() < guestPermille {
				b = append(b, `,"email":"guest`...)
				b = strconv.AppendInt(b, int64(i), 10)
				b = append(b, `@example.com","customer":null`...)
			} else {
				u := rng.Float64()
				k := int(u * u * float64(h.Customers)) // skewed: low k buy often
				b = h.appendCustomer(b, k, at)
			}
			b = appendMoney(append(b, `,"subtotalPriceSet":`...), subtotal, cur)
			b = appendMoney(append(b, `,"currentSubtotalPriceSet":`...), current, "")
			b = appendMoney(append(b, `,"totalPriceSet":`...), subtotal+495, "")
			if i%4 == 0 {
				b = append(b, `,"customerJourneySummary":{"firstVisit":{"landingPage":"https://shop.example/?ref=R`...)
				b = strconv.AppendInt(b, int64(i%97), 10)
				b = append(b, `","referrerUrl":null}}`...)
			} else {
				b = append(b, `,"customerJourneySummary":null`...)
			}
			b = append(b, "}\n"...)
			for j, l := range lines {
				b = append(b, `{"id":"gid://shopify/LineItem/`...)
				b = strconv.AppendInt(b, id*10+int64(j), 10)
				b = append(b, `","title":"Product `...)
				b = strconv.AppendInt(b, int64(l.product), 10)
				b = append(b, `","quantity":`...)
				b = strconv.AppendInt(b, int64(l.qty), 10)
				b = appendMoney(append(b, `,"originalUnitPriceSet":`...), l.price, "")
				b = append(b, `,"product":{"id":"gid://shopify/Product/`...)
				b = strconv.AppendInt(b, int64(8_000_000+l.product), 10)
				b = append(b, `"},"variant":{"id":"gid://shopify/ProductVariant/`...)
				b = strconv.AppendInt(b, int64(9_000_000+l.product), 10)
				b = append(b, `"},"sellingPlan":`...)
				if l.plan {
					b = append(b, `{"sellingPlanId":"gid://shopify/SellingPlan/1","name":"Delivered monthly"}`...)
				} else {
					b = append(b, "null"...)
				}
				b = append(b, `,"__parentId":"gid://shopify/Order/`...)
				b = strconv.AppendInt(b, id, 10)
				b = append(b, "\"}\n"...)
			}
			if _, err := bw.Write(b); err != nil {
				return err
			}
		}
		return bw.Flush()
	}
}

func (h HistorySpec) appendCustomer(b []byte, k int, at time.Time) []byte {
	cid := h.CustomerID(k)
	b = append(b, `,"email":"c`...)
	b = strconv.AppendInt(b, int64(k), 10)
	b = append(b, `@example.com","customer":{"id":"gid://shopify/Customer/`...)
	b = strconv.AppendInt(b, cid, 10)
	b = append(b, `","email":"c`...)
	b = strconv.AppendInt(b, int64(k), 10)
	b = append(b, `@example.com","firstName":"`...)
	b = append(b, historyFirstNames[k%len(historyFirstNames)]...)
	b = append(b, `","lastName":"Shopper","phone":null,"createdAt":"`...)
	b = h.From.AppendFormat(b, time.RFC3339)
	b = append(b, `","updatedAt":"`...)
	b = at.AppendFormat(b, time.RFC3339)
	b = append(b, `","emailMarketingConsent":{"marketingState":"`...)
	if k%5 < 3 {
		b = append(b, "SUBSCRIBED"...)
	} else {
		b = append(b, "NOT_SUBSCRIBED"...)
	}
	b = append(b, `"},"smsMarketingConsent":null}`...)
	return b
}

// appendMoney writes a MoneyBag's shopMoney (with its currency when cur is set).
func appendMoney(b []byte, cents int64, cur string) []byte {
	b = append(b, `{"shopMoney":{"amount":"`...)
	b = strconv.AppendInt(b, cents/100, 10)
	b = append(b, '.')
	if c := cents % 100; c < 10 {
		b = append(b, '0')
		b = strconv.AppendInt(b, c, 10)
	} else {
		b = strconv.AppendInt(b, c, 10)
	}
	b = append(b, '"')
	if cur != "" {
		b = append(b, `,"currencyCode":"`...)
		b = append(b, cur...)
		b = append(b, '"')
	}
	return append(b, "}}"...)
}
