package jobs

import (
	"context"

	"github.com/hibiken/asynq"

	"github.com/boomerang-app/boomerang/models"
)

// handleInstall seeds a new shop's defaults and reads its profile (models.SetUpShop), and starts
// the import of its order history: day one knows the shop's past.
func (w *Worker) handleInstall(ctx context.Context, t *asynq.Task) error {
	shopID, err := decodeID(t)
	if err != nil {
		return err
	}
	var profiles models.ShopProfileSource
	if w.Admin != nil {
		profiles = w.Admin
	}
	profileErr, err := models.SetUpShop(ctx, w.DB, profiles, shopID)
	if models.ErrorCode(err) == models.ENotFound {
		return nil
	}
	if err != nil {
		return err
	}
	if profileErr != nil {
		w.Log.Info("shop profile not fetched", "shop_id", shopID, "error", profileErr)
	}
	if w.Admin == nil || w.Queue == nil {
		return nil
	}
	return w.Queue.EnqueueHistoryImport(ctx, shopID, 0)
}
