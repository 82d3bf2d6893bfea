package jobs

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/models/insights"
	"github.com/boomerang-app/boomerang/models/loyalty"
	"github.com/boomerang-app/boomerang/models/messaging"
)

// DeriveFromHistory brings everything computed from the facts up to date once an import stored
// a shop's past, domain by domain: the planner's statistics first, then loyalty's history
// entries (the tier windows measure them) and the tiers they reach, the core's subscriptions
// and buyer stages (the top tier makes a buyer loyal, so after the tiers), and the scorecard's
// rollups last. Orders paid since install had their webhooks: they are the live path's to
// credit, so the history ledger stops at the install.
func DeriveFromHistory(ctx context.Context, db *gorm.DB, shopID int64) error {
	if err := models.AnalyzeFacts(ctx, db); err != nil {
		return err
	}
	sh, err := models.GetShop(ctx, db, shopID)
	if err != nil {
		return err
	}
	if _, err := loyalty.LedgerHistory(ctx, db, shopID, sh.InstalledAt, time.Now()); err != nil {
		return err
	}
	set, err := loyalty.LoadLoyaltySettings(ctx, db, shopID)
	if err != nil {
		return err
	}
	pol, err := messaging.GetMessagePolicy(ctx, db, shopID)
	if err != nil {
		return err
	}
	if err := models.DeriveFromHistory(ctx, db, shopID, pol.SubscriptionGrace(), set.TopTier()); err != nil {
		return err
	}
	_, err = insights.RefreshMetrics(ctx, db, shopID, insights.RefreshOptions{Rebuild: true})
	return err
}
