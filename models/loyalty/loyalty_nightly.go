package loyalty

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"gorm.io/gorm"

	"github.com/boomerang-app/boomerang/models"
)

// NightlyReport says what one shop's nightly loyalty run did.
type NightlyReport struct {
	Expired       int64 `json:"expired"`
	Reminders     int   `json:"reminders"`
	TiersChecked  int   `json:"tiers_checked"`
	ReferralsPaid int   `json:"referrals_checked"`
	Birthdays     int   `json:"birthdays"`
}

// RunLoyaltyNightly is one shop's nightly loyalty work: expire due points, remind of coming
// expiries, let rolling tiers decay (and announce coming drops), pay referrals whose pending
// period ended, give birthday bonuses. Every step is idempotent, so a rerun of the same night
// changes nothing.
func RunLoyaltyNightly(ctx context.Context, db *gorm.DB, shopID int64, now time.Time) (NightlyReport, error) {
	var rep NightlyReport
	now = now.UTC()
	set, err := LoadLoyaltySettings(ctx, db, shopID)
	if err != nil {
		return rep, err
	}
	if rep.Expired, err = expirePoints(ctx, db, set, shopID, now); err != nil {
		return rep, err
	}
	if rep.Reminders, err = remindExpiring(ctx, db, set, shopID, now); err != nil {
		return rep, err
	}
	if rep.TiersChecked, err = refreshTiers(ctx, db, set, shopID, now); err != nil {
		return rep, err
	}
	ids, err := DueReferrals(ctx, db, shopID, now)
	if err != nil {
		return rep, err
	}
	for _, id := range ids {
		if err := rewardReferral(ctx, db, set, shopID, id, now); err != nil {
			return rep, err
		}
	}
	rep.ReferralsPaid = len(ids)
	if rep.Birthdays, err = birthdayBonuses(ctx, db, shopID, now); err != nil {
		return rep, err
	}
	return rep, nil
}

// refreshTiers re-evaluates every account holding a tier above the entry tier (rolling windows
// decay; settings may have changed), emits tier_at_risk 30 days ahead, and refreshes the buyer
// stage when the top tier was gained or lost. An account in the entry tier (threshold 0) cannot
// fall below it — the measure is never negative — so most customers cost nothing at night.
func refreshTiers(ctx context.Context, db *gorm.DB, set ProgramSettings, shopID int64, now time.Time) (int, error) {
	floor := []string{""}
	if len(set.Tiers) > 0 && !set.Tiers[0].Threshold.IsPositive() {
		floor = append(floor, set.Tiers[0].Name)
	}
	var custs []int64
	if err := db.WithContext(ctx).Raw(`SELECT customer_id FROM loyalty_accounts WHERE shop_id = ? AND tier NOT IN ? ORDER BY customer_id`,
		shopID, floor).Scan(&custs).Error; err != nil {
		return 0, fmt.Errorf("tiered accounts of shop %d: %w", shopID, err)
	}
	for _, c := range custs {
		err := withBook(ctx, db, set, shopID, c, now, func(b *book) error {
			wasTop := set.IsTopTier(b.acct.Tier)
			if err := b.reevaluateTier(); err != nil {
				return err
			}
			if isTop := set.IsTopTier(b.acct.Tier); isTop != wasTop {
				if _, err := models.RefreshCustomerStats(ctx, b.tx, shopID, c, isTop); err != nil {
					return err
				}
			}
			risk, err := tierRisk(ctx, b.tx, set.LoyaltySettings, b.acct, now)
			if err != nil || risk == nil {
				return err
			}
			key := fmt.Sprintf("%d:%d:%s", c, b.acct.TierVersion, risk.On.Format(time.DateOnly))
			_, err = models.Emit(ctx, b.tx, shopID, c, key, models.TierAtRiskPayload(*risk), now)
			return err
		})
		if err != nil {
			return 0, fmt.Errorf("refresh tier of %d: %w", c, err)
		}
	}
	return len(custs), nil
}

// birthdayBonuses gives the birthday bonus to customers born on today's date (29 February
// birthdays on 28 February in other years), once per year.
func birthdayBonuses(ctx context.Context, db *gorm.DB, shopID int64, now time.Time) (int, error) {
	m, d := int(now.Month()), now.Day()
	leapDay := m == 2 && d == 28 && time.Date(now.Year(), 2, 29, 0, 0, 0, 0, time.UTC).Month() != 2
	var custs []int64
	err := db.WithContext(ctx).Raw(`SELECT customer_id FROM customers WHERE shop_id = ? AND birthday IS NOT NULL
		AND redacted_at IS NULL AND EXTRACT(MONTH FROM birthday) = ? AND (EXTRACT(DAY FROM birthday) = ? OR (? AND EXTRACT(DAY FROM birthday) = 29))
		ORDER BY customer_id`, shopID, m, d, leapDay).Scan(&custs).Error
	if err != nil {
		return 0, fmt.Errorf("birthdays of shop %d: %w", shopID, err)
	}
	n := 0
	for _, c := range custs {
		pts, err := awardBonus(ctx, db, shopID, c, BonusBirthday, strconv.Itoa(now.Year()), now)
		if err != nil {
			return n, err
		}
		if pts > 0 {
			n++
		}
	}
	return n, nil
}
