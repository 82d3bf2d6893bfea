package shopify_test

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/boomerang-app/boomerang/shopify"
)

// A history result as the bulk query returns it (ungrouped: line items follow their order with
// __parentId), with a broken line, an orphan line item and a guest order.
const historyJSONL = `{"id":"gid://shopify/Order/1001","name":"#1001","email":"ann@example.com","createdAt":"2024-03-01T10:00:00Z","processedAt":"2024-03-01T10:00:00Z","cancelledAt":null,"test":false,"displayFinancialStatus":"PAID","discountCodes":["WELCOME10"],"customer":{"id":"gid://shopify/Customer/501","email":"ann@example.com","firstName":"Ann","lastName":"Lee","phone":null,"emailMarketingConsent":{"marketingState":"SUBSCRIBED"},"smsMarketingConsent":null},"subtotalPriceSet":{"shopMoney":{"amount":"40.00","currencyCode":"USD"}},"currentSubtotalPriceSet":{"shopMoney":{"amount":"30.00"}},"totalPriceSet":{"shopMoney":{"amount":"44.00"}},"customerJourneySummary":{"firstVisit":{"landingPage":"https://shop.example/?ref=ABC","referrerUrl":null}}}
{"id":"gid://shopify/LineItem/1","title":"Mug","quantity":2,"originalUnitPriceSet":{"shopMoney":{"amount":"10.00"}},"product":{"id":"gid://shopify/Product/7001"},"variant":{"id":"gid://shopify/ProductVariant/8001"},"sellingPlan":null,"__parentId":"gid://shopify/Order/1001"}
{"id":"gid://shopify/LineItem/2","title":"Coffee","quantity":1,"originalUnitPriceSet":{"shopMoney":{"amount":"20.00"}},"product":{"id":"gid://shopify/Product/7002"},"variant":null,"sellingPlan":{"sellingPlanId":"gid://shopify/SellingPlan/9","name":"Monthly"},"__parentId":"gid://shopify/Order/1001"}
{"id":"gid://shopify/Order/1002", "name": broken
{"id":"gid://shopify/LineItem/3","quantity":1,"__parentId":"gid://shopify/Order/1002"}
{"id":"gid://shopify/Order/1003","name":"#1003","createdAt":"2024-04-01T10:00:00Z","test":true,"displayFinancialStatus":"PENDING","discountCodes":[],"customer":null,"subtotalPriceSet":{"shopMoney":{"amount":"5.00","currencyCode":"USD"}},"currentSubtotalPriceSet":{"shopMoney":{"amount":"5.00"}},"totalPriceSet":{"shopMoney":{"amount":"5.00"}}}

`

func TestHistoryReader(t *testing.T) {
	hr := shopify.NewHistoryReader(strings.NewReader(historyJSONL))
	var orders []*shopify.HistoryOrder
	var bad []int
	for {
		o, err := hr.Next()
		var le *shopify.BulkLineError
		if errors.As(err, &le) {
			bad = append(bad, le.Line)
			continue
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		orders = append(orders, o)
	}
	if len(bad) != 2 || bad[0] != 4 || bad[1] != 5 {
		t.Fatalf("bad lines %v, want [4 5] (the broken order and its orphan line item)", bad)
	}
	if len(orders) != 2 {
		t.Fatalf("%d orders, want 2", len(orders))
	}
	o := orders[0]
	if o.ID != 1001 || o.CustomerID() != 501 || !o.Paid() || len(o.Lines) != 2 || o.Lines[1].SellingPlan == nil ||
		o.Refunded().String() != "10" || o.DiscountCodes[0] != "WELCOME10" || o.Line != 1 ||
		o.Customer.EmailMarketingConsent.MarketingState != "SUBSCRIBED" || o.Journey.FirstVisit.LandingPage == "" {
		t.Fatalf("order 1001: %+v", o)
	}
	if g := orders[1]; g.ID != 1003 || g.CustomerID() != 0 || g.Paid() || !g.Test || len(g.Lines) != 0 {
		t.Fatalf("guest order: %+v", g)
	}
	if hr.Line() != 7 {
		t.Fatalf("read %d lines, want 7", hr.Line())
	}
}

func TestParseGID(t *testing.T) {
	for gid, want := range map[string]int64{"gid://shopify/Order/12": 12, "gid://shopify/Customer/9?x=1": 9,
		"gid://shopify/Order/": 0, "Order/12": 0, "gid://shopify/Order/-3": 0, "": 0} {
		if _, id, ok := shopify.ParseGID(gid); id != want || ok != (want != 0) {
			t.Errorf("ParseGID(%q) = %d, %v", gid, id, ok)
		}
	}
}

// FuzzHistoryReader: any bytes end the read, never panic, and every order it returns has an id
// and only its own line items.
func FuzzHistoryReader(f *testing.F) {
	f.Add([]byte(historyJSONL))
	f.Add([]byte("{\"id\":\"gid://shopify/LineItem/1\",\"__parentId\":\"x\"}\n"))
	f.Add([]byte(strings.Repeat("\n", 100)))
	f.Fuzz(func(t *testing.T, data []byte) {
		hr := shopify.NewHistoryReader(strings.NewReader(string(data)))
		for i := 0; ; i++ {
			if i > len(data)+2 {
				t.Fatalf("more results (%d) than bytes (%d)", i, len(data))
			}
			o, err := hr.Next()
			var le *shopify.BulkLineError
			if errors.As(err, &le) {
				if le.Line < 1 {
					t.Fatalf("line error without a line: %v", le)
				}
				continue
			}
			if err != nil {
				return
			}
			if o.ID <= 0 {
				t.Fatalf("order without an id: %+v", o)
			}
		}
	})
}
