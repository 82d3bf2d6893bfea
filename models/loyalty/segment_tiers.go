package loyalty

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"github.com/boomerang-app/boomerang/models"
)

// Tier audiences read the tier loyalty keeps on each points account.
func init() {
	models.RegisterTiers(
		func(ctx context.Context, db *gorm.DB, shopID int64, tier string, after int64, limit int) ([]int64, error) {
			var ids []int64
			err := db.WithContext(ctx).Raw(`SELECT customer_id FROM loyalty_accounts WHERE shop_id = ? AND lower(tier) = lower(?)
				AND customer_id > ? ORDER BY customer_id LIMIT ?`, shopID, tier, after, limit).Scan(&ids).Error
			if err != nil {
				return nil, fmt.Errorf("tier %q members: %w", tier, err)
			}
			return ids, nil
		},
		func(ctx context.Context, db *gorm.DB, shopID, customerID int64) (string, error) {
			a, err := GetLoyaltyAccount(ctx, db, shopID, customerID)
			return a.Tier, err
		})
}
