package shopify_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/boomerang-app/boomerang/models/loyalty"
)

// A code is created once; the same code again is ours already (taken), and input Shopify
// refuses is a refusal, not an error worth retrying.
func TestCreateDiscountCode(t *testing.T) {
	f, admin, shop := bulkAdmin(t)
	ctx := context.Background()
	now := time.Now()
	d := loyalty.DiscountCode{Title: "Loyalty reward: $5 off (500 points)", Code: "BMR-5OFF-1", CustomerID: 7,
		StartsAt: now, EndsAt: now.Add(30 * 24 * time.Hour), Amount: decimal.NewFromInt(5)}
	id, err := admin.CreateDiscountCode(ctx, shop, d)
	if err != nil || id == "" {
		t.Fatalf("create: %q, %v", id, err)
	}
	if codes := f.DiscountCodes(shop); len(codes) != 1 || codes[0] != d.Code {
		t.Fatalf("codes in Shopify: %v", codes)
	}
	if _, err := admin.CreateDiscountCode(ctx, shop, d); !errors.Is(err, loyalty.ErrDiscountCodeTaken) {
		t.Fatalf("the same code again: %v, want taken", err)
	}
	d.Code = ""
	var refused *loyalty.DiscountRefused
	if _, err := admin.CreateDiscountCode(ctx, shop, d); !errors.As(err, &refused) || refused.Reason != "basicCodeDiscount.code Code can't be blank" {
		t.Fatalf("a blank code: %v, want refused with its reason", err)
	}
}
