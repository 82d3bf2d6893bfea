package jobs

import (
	"context"

	"github.com/hibiken/asynq"

	"github.com/boomerang-app/boomerang/models"
)

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
	prof, err := w.Admin.ShopProfile(ctx, sh.Domain)
	if err != nil {
		// No token yet (webhook before first app load): the profile waits for shop/update or the next install run.
		w.Log.Info("shop profile not fetched", "shop", sh.Domain, "error", err)
		return nil
	}
	return models.UpdateShopProfile(ctx, w.DB, shopID, models.ShopProfile{Name: prof.Name, Email: prof.Email,
		Currency: prof.CurrencyCode, Timezone: prof.IanaTimezone})
}
