package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/hibiken/asynq"

	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/models/messaging"
)

// TypeConsentPush writes one consent change to Shopify: messaging.PushConsent.
const TypeConsentPush = "consent:push"

type consentPush struct {
	Shop     int64  `json:"shop"`
	Customer int64  `json:"customer"`
	Channel  string `json:"channel"` // email | sms
	State    string `json:"state"`   // subscribed | unsubscribed
	At       int64  `json:"at"`      // unix seconds of the shopper's action
}

// EnqueueConsentPush asks for a consent change to be written to Shopify.
func (q *Queue) EnqueueConsentPush(ctx context.Context, shopID, customerID int64, channel, state string) error {
	now := time.Now().UTC()
	b, _ := json.Marshal(consentPush{Shop: shopID, Customer: customerID, Channel: channel, State: state, At: now.Unix()})
	return q.enqueue(ctx, asynq.NewTask(TypeConsentPush, b), asynq.Queue(QueueDefault), asynq.MaxRetry(15),
		asynq.TaskID(fmt.Sprintf("consent:%d:%d:%s:%d", shopID, customerID, channel, now.Unix())))
}

func (w *Worker) handleConsentPush(ctx context.Context, t *asynq.Task) error {
	var p consentPush
	if err := json.Unmarshal(t.Payload(), &p); err != nil || p.Shop == 0 || p.Customer == 0 {
		return fmt.Errorf("%s: bad payload: %w", t.Type(), asynq.SkipRetry)
	}
	refused, err := messaging.PushConsent(ctx, w.DB, w.Admin, p.Shop, p.Customer, p.Channel, p.State, time.Unix(p.At, 0))
	if refused != "" {
		w.Log.Warn("consent not written to Shopify", "shop_id", p.Shop, "error", refused)
	}
	if errors.Is(err, models.ErrNoAdminToken) {
		return fmt.Errorf("consent of customer %d: %w: %w", p.Customer, err, asynq.SkipRetry)
	}
	return err
}
