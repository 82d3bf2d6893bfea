package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/hibiken/asynq"

	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/shopify"
)

// An opt-out received by Boomerang (unsubscribe link, SMS STOP) is written back to the
// customer's marketing consent in Shopify, so Shopify Email, Klaviyo and every other tool
// reading it stop too; an SMS START is written back the same way.

// TypeConsentPush writes one consent change to Shopify.
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
	err := w.PushConsent(ctx, p.Shop, p.Customer, p.Channel, p.State, time.Unix(p.At, 0))
	if errors.Is(err, shopify.ErrNoToken) {
		return fmt.Errorf("consent of customer %d: %w: %w", p.Customer, err, asynq.SkipRetry)
	}
	return err
}

// PushConsent writes a customer's marketing consent on one channel to Shopify. A throttled
// call returns its error so the task is retried; a refusal (userErrors) is logged and settled.
func (w *Worker) PushConsent(ctx context.Context, shopID, customerID int64, channel, state string, at time.Time) error {
	if w.Admin == nil {
		return errors.New("no Admin API client")
	}
	sh, err := models.GetShop(ctx, w.DB, shopID)
	if err != nil {
		return err
	}
	err = w.Admin.SetMarketingConsent(ctx, sh.Domain, customerID, channel, state, at)
	var refused *shopify.RefusedError
	if errors.As(err, &refused) {
		w.Log.Warn("consent not written to Shopify", "shop", sh.Domain, "error", refused.Error())
		return nil
	}
	if err != nil {
		return fmt.Errorf("consent of customer %d: %w", customerID, err)
	}
	return nil
}
