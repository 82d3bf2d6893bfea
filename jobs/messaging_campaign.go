package jobs

import (
	"context"

	"github.com/hibiken/asynq"

	"github.com/boomerang-app/boomerang/models/messaging"
)

// handleSendCampaign decides a sending campaign's audience page by page. Every recipient gets
// their own decision row (unique per campaign and customer), so resuming never doubles a send.
func (w *Worker) handleSendCampaign(ctx context.Context, t *asynq.Task) error {
	p, err := decodeShopItem(t)
	if err != nil {
		return err
	}
	_, err = messaging.DecideCampaign(ctx, w.DB, p.Shop, p.ID, w.now, func(created []*messaging.MessageDecision) error {
		return w.EnqueueDeliveries(ctx, created)
	})
	return err
}
