package jobs

import (
	"context"

	"github.com/hibiken/asynq"

	"github.com/boomerang-app/boomerang/models"
)

const shopProfileQuery = `query { shop { name email currencyCode ianaTimezone } }`

// handleInstall seeds a new shop's defaults (loyalty program, ready messages…) and, when a
// token is already there, fetches its name, contact email, currency and time zone.
func (w *Worker) handleInstall(ctx context.Context, t *asynq.Task) error {
	shopID, err := decodeID(t)
	if err != nil {
		return err
	}
	sh, err := models.GetShop(ctx, w.DB, shopID)
	if models.ErrorCode(err) == models.ENotFound {
		return nil
	}
	if err != nil {
		return err
	}
	if err := models.SeedShop(ctx, w.DB, shopID); err != nil {
		return err
	}
	if w.Admin == nil {
		return nil
	}
	if w.Queue != nil {
		// Day one knows the shop's past: its order history is imported as facts.
		if err := w.Queue.EnqueueHistoryImport(ctx, shopID, 0); err != nil {
			return err
		}
	}
	var out struct {
		Shop struct {
			Name, Email, CurrencyCode, IanaTimezone string
		}
	}
	if err := w.Admin.Query(ctx, sh.Domain, shopProfileQuery, nil, &out); err != nil {
		// No token yet (webhook before first app load): the profile waits for shop/update or the next install run.
		w.Log.Info("shop profile not fetched", "shop", sh.Domain, "error", err)
		return nil
	}
	return models.UpdateShopProfile(ctx, w.DB, shopID, models.ShopProfile{Name: out.Shop.Name, Email: out.Shop.Email,
		Currency: out.Shop.CurrencyCode, Timezone: out.Shop.IanaTimezone})
}
