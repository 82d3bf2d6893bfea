package loyalty

import (
	"context"

	"gorm.io/gorm"

	"github.com/boomerang-app/boomerang/models"
)

// Loyalty's part in customer data requests and redaction. Redaction keeps every ledger amount
// (the shop's points liability and the ledger invariants must survive it) and drops the
// referral code, the one identifier a third party could link back to the customer.
func init() {
	models.RegisterExporter("loyalty", func(ctx context.Context, tx *gorm.DB, shopID, customerID int64) (any, error) {
		acct, err := GetLoyaltyAccount(ctx, tx, shopID, customerID)
		if err != nil {
			return nil, err
		}
		var entries []LedgerEntry
		if err := models.Scoped(ctx, tx, shopID).Where("customer_id = ?", customerID).Order("id").Find(&entries).Error; err != nil {
			return nil, err
		}
		var reds []Redemption
		if err := models.Scoped(ctx, tx, shopID).Where("customer_id = ?", customerID).Order("id").Find(&reds).Error; err != nil {
			return nil, err
		}
		var refs []Referral
		if err := models.Scoped(ctx, tx, shopID).Where("referrer_id = ? OR friend_id = ?", customerID, customerID).Order("id").Find(&refs).Error; err != nil {
			return nil, err
		}
		return map[string]any{"account": acct, "ledger": entries, "redemptions": reds, "referrals": refs}, nil
	})
	models.RegisterRedactor(func(ctx context.Context, tx *gorm.DB, shopID, customerID int64) error {
		return tx.WithContext(ctx).Exec(`UPDATE loyalty_accounts SET referral_code = NULL, updated_at = now()
			WHERE shop_id = ? AND customer_id = ?`, shopID, customerID).Error
	})
}
