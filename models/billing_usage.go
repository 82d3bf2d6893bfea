package models

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/shopspring/decimal"
	"gorm.io/gorm"
)

// AppUsage is the Billing API's usage records (shopify.Admin): a charge on the usage line of
// the shop's subscription. ErrUsageCapReached says Shopify refused it for the capped amount.
type AppUsage interface {
	CreateUsageRecord(ctx context.Context, shop, subscriptionID string, price decimal.Decimal, description, idempotencyKey string) (recordID string, err error)
}

// ErrUsageCapReached: the charge would take the billing interval's usage past its capped amount.
var ErrUsageCapReached = errors.New("the usage charge would pass the subscription's capped amount")

// ChargeUsage charges each started block of orders above the plan's own this month that is not
// charged yet, at most the blocks the usage cap pays for; it returns how many it charged. A
// block is charged once: its row's key is the usage record's idempotency key, so a charge that
// reached Shopify before a crash is not charged again. Shopify's interval is 30 days from the
// subscription's start, not the calendar month: a charge it refuses for the cap stops the run
// and is tried again on the next one.
func ChargeUsage(ctx context.Context, db *gorm.DB, usage AppUsage, shopID int64, now time.Time) (int, error) {
	// Most shops are on the free plan: their orders are not counted for nothing.
	p, err := planInForce(ctx, db, shopID)
	if err != nil || p.Subscription == nil || p.Plan.usageBlocks() == 0 {
		return 0, err
	}
	sh, err := GetShop(ctx, db, shopID)
	if err != nil {
		return 0, err
	}
	b, err := p.withUsage(ctx, db, sh, now)
	if err != nil || b.OrdersThisMonth <= b.Plan.OrdersPerMonth {
		return 0, err
	}
	over := b.OrdersThisMonth - b.Plan.OrdersPerMonth
	blocks := min((over+b.Plan.OverageBlock-1)/b.Plan.OverageBlock, b.Plan.usageBlocks())
	sub, month := b.Subscription.SubscriptionID, b.MonthStarts.Format(time.DateOnly)
	var done []int
	if err := db.WithContext(ctx).Raw(`SELECT block FROM app_usage_charges WHERE shop_id = ? AND subscription_id = ? AND month = ?`,
		shopID, sub, month).Scan(&done).Error; err != nil {
		return 0, fmt.Errorf("usage charged to shop %d: %w", shopID, err)
	}
	charged := map[int]bool{}
	for _, n := range done {
		charged[n] = true
	}
	n := 0
	for block := 1; block <= blocks; block++ {
		if charged[block] {
			continue
		}
		from := b.Plan.OrdersPerMonth + (block-1)*b.Plan.OverageBlock + 1
		desc := fmt.Sprintf("Orders %d–%d of %s", from, from+b.Plan.OverageBlock-1, b.MonthStarts.Format("January 2006"))
		key := fmt.Sprintf("usage:%d:%s:%s:%d", shopID, sub, month, block)
		id, err := usage.CreateUsageRecord(ctx, sh.Domain, sub, b.Plan.OveragePrice, desc, key)
		if errors.Is(err, ErrUsageCapReached) {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		if err := db.WithContext(ctx).Exec(`INSERT INTO app_usage_charges (shop_id, subscription_id, month, block, price, record_id)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`, shopID, sub, month, block, b.Plan.OveragePrice, id).Error; err != nil {
			return n, fmt.Errorf("record usage charge of shop %d: %w", shopID, err)
		}
		n++
	}
	return n, nil
}
