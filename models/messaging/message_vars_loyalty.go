package messaging

import (
	"context"
	"math"
	"time"

	"gorm.io/gorm"

	"github.com/boomerang-app/boomerang/models/loyalty"
)

// Loyalty's side of the template variables: balance, next expiry, tier progress and the
// referral link come from the customer's points statement. Values the triggering event carries
// (the points just earned, the tier it changed from) take precedence over these.
func init() {
	RegisterTemplateVars(func(ctx context.Context, db *gorm.DB, shopID, customerID int64) (map[string]any, error) {
		st, err := loyalty.LoyaltyStatementOf(ctx, db, shopID, customerID, time.Now())
		if err != nil {
			return nil, err
		}
		points := map[string]any{"balance": st.Balance}
		if len(st.Expiring) > 0 {
			points["expiring"], points["expiring_at"] = st.Expiring[0].Points, st.Expiring[0].ExpiresAt.UTC()
		}
		tier := map[string]any{"progress_percent": int(math.Round(st.Progress * 100))}
		if st.Tier != "" {
			tier["name"] = st.Tier
		}
		if st.NextTier != "" {
			tier["next"] = st.NextTier
			if st.TierMeasure == loyalty.MeasurePoints && st.NextTierAt != nil {
				tier["points_to_next"] = max(st.NextTierAt.Sub(st.Measure).Ceil().IntPart(), 0)
			}
		}
		vars := map[string]any{"points": points, "tier": tier}
		if st.ReferralCode != "" {
			var domain string
			if err := db.WithContext(ctx).Raw(`SELECT domain FROM shops WHERE id = ?`, shopID).Scan(&domain).Error; err != nil {
				return nil, err
			}
			vars["referral_link"] = loyalty.ReferralLink(domain, st.ReferralCode)
		}
		return vars, nil
	})
}
