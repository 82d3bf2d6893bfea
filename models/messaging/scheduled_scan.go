package messaging

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/boomerang-app/boomerang/models"
)

// scanFreshness bounds the scheduled win-backs to customers who crossed the line recently, so
// installing Boomerang on a store with years of history does not message every old customer.
const scanFreshness = 30 * 24 * time.Hour

// ScanScheduled emits one_time_buyer_quiet, at_risk and birthday events, and lapses the
// subscriptions recognised from orders whose renewal is overdue (subscription_cancelled), and
// says how many it lapsed. Keys make each happen once: per customer and last order for the
// win-backs, per customer and year for birthdays.
func ScanScheduled(ctx context.Context, db *gorm.DB, shopID int64, now time.Time) (lapsed int, err error) {
	quiet := map[string]func(last time.Time) models.EventPayload{
		models.SegmentWinBack: func(last time.Time) models.EventPayload { return models.OneTimeBuyerQuietPayload{LastOrderAt: last} },
		models.SegmentAtRisk:  func(last time.Time) models.EventPayload { return models.AtRiskPayload{LastOrderAt: last} },
	}
	for seg, payload := range quiet {
		var after int64
		for {
			ids, err := models.NewSegmentMembers(ctx, db, shopID, seg, now, scanFreshness, after, 1000)
			if err != nil {
				return 0, err
			}
			if len(ids) == 0 {
				break
			}
			last, err := models.LastOrderTimes(ctx, db, shopID, ids)
			if err != nil {
				return 0, err
			}
			for _, id := range ids {
				key := fmt.Sprintf("%d:%d", id, last[id].Unix())
				if _, err := models.Emit(ctx, db, shopID, id, key, payload(last[id]), now); err != nil {
					return 0, err
				}
			}
			after = ids[len(ids)-1]
		}
	}
	sh, err := models.GetShop(ctx, db, shopID)
	if err != nil {
		return 0, err
	}
	today := now.In(models.Location(sh.Timezone))
	ids, err := models.BirthdaysOn(ctx, db, shopID, today)
	if err != nil {
		return 0, err
	}
	for _, id := range ids {
		key := fmt.Sprintf("%d:%d", id, today.Year())
		if _, err := models.Emit(ctx, db, shopID, id, key, models.BirthdayPayload{}, now); err != nil {
			return 0, err
		}
	}
	pol, err := GetMessagePolicy(ctx, db, shopID)
	if err != nil {
		return 0, err
	}
	return models.LapseOrderSubscriptions(ctx, db, shopID, now, pol.CancellationCooldown())
}
