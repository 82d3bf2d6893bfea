package jobs

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/hibiken/asynq"

	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/models/messaging"
	"github.com/boomerang-app/boomerang/shopify"
)

// contractLinesQuery reads a contract's product lines; subscription webhooks carry none.
// 50 lines cost about 50 points of the shop's GraphQL budget.
// applySubscriptionContract stores a subscription_contracts/* delivery and refreshes the
// contract's lines when they may have changed. Lines that cannot be fetched now (throttled, no
// token yet) are fetched by a retried task, so the webhook itself never fails on them.
func (w *Worker) applySubscriptionContract(ctx context.Context, shopID int64, topic string, ev *models.WebhookEvent, sc shopify.SubscriptionContract) error {
	if sc.ID == 0 && sc.AdminGraphqlAPIID != "" {
		sc.ID = shopify.GIDNumber(sc.AdminGraphqlAPIID)
	}
	if sc.ID == 0 {
		return fmt.Errorf("%w: subscription contract without id", errBadPayload)
	}
	cust := sc.CustomerID
	if cust == 0 && sc.AdminGraphqlAPICustomerID != "" {
		cust = shopify.GIDNumber(sc.AdminGraphqlAPICustomerID)
	}
	status := sc.Status
	if status == "" { // the status topics name the status even if a body omits it
		status = map[string]string{"activate": models.SubscriptionActive, "pause": models.SubscriptionPaused,
			"cancel": models.SubscriptionCancelled, "expire": models.SubscriptionExpired, "fail": models.SubscriptionFailed,
			"create": models.SubscriptionActive}[topic[len("subscription_contracts/"):]]
	}
	at := ev.ReceivedAt
	switch {
	case sc.UpdatedAt != nil:
		at = *sc.UpdatedAt
	case ev.TriggeredAt != nil:
		at = *ev.TriggeredAt
	}
	pol, err := messaging.GetMessagePolicy(ctx, w.DB, shopID)
	if err != nil {
		return err
	}
	ch, err := models.ApplySubscriptionContract(ctx, w.DB, shopID, models.SubscriptionFact{ContractID: sc.ID, CustomerID: cust,
		Status: status, RevisionID: sc.RevisionID, At: at, Topic: topic, WebhookEventID: ev.ID, Currency: sc.CurrencyCode,
		BillingInterval: sc.BillingPolicy.Interval, BillingIntervalCount: sc.BillingPolicy.IntervalCount,
		DeliveryInterval: sc.DeliveryPolicy.Interval, DeliveryIntervalCount: sc.DeliveryPolicy.IntervalCount,
		OriginOrderID: sc.OriginOrderID, CancellationReason: sc.CancellationReason}, pol.CancellationCooldown())
	if err != nil {
		return err
	}
	if ch.Cancelled && w.Queue != nil {
		_ = w.Queue.EnqueueHoldTags(ctx, shopID)
	}
	if !ch.NeedsLines {
		return nil
	}
	if err := w.refreshContractLines(ctx, shopID, sc.ID, sc.RevisionID); err != nil {
		w.Log.Warn("subscription lines not fetched, retrying in a task", "shop_id", shopID, "contract", sc.ID, "error", err)
		if w.Queue == nil {
			return err
		}
		return w.Queue.EnqueueSubscriptionLines(ctx, shopID, sc.ID, sc.RevisionID)
	}
	return nil
}

// handleSubscriptionLines retries a lines fetch; a throttled Admin API returns the error so
// Asynq backs off.
func (w *Worker) handleSubscriptionLines(ctx context.Context, t *asynq.Task) error {
	p, err := decodeShopItem(t)
	if err != nil {
		return err
	}
	err = w.refreshContractLines(ctx, p.Shop, p.ID, p.Revision)
	if errors.Is(err, models.ErrNoAdminToken) {
		return fmt.Errorf("contract %d lines: %w: %w", p.ID, err, asynq.SkipRetry)
	}
	return err
}

func (w *Worker) refreshContractLines(ctx context.Context, shopID, contractID, revision int64) error {
	found, err := models.RefreshContractLines(ctx, w.DB, w.Admin, shopID, contractID, revision)
	if err == nil && !found {
		w.Log.Info("subscription contract not found in Shopify", "shop_id", shopID, "contract", contractID)
	}
	return err
}

// recordPlanOrder renews the subscriptions an order's selling-plan lines stand for. Orders
// without such a line cost no statement here.
func (w *Worker) recordPlanOrder(ctx context.Context, shopID int64, o shopify.Order) error {
	var plans []int64
	for _, li := range o.LineItems {
		if li.SellingPlanID != nil && !slices.Contains(plans, *li.SellingPlanID) {
			plans = append(plans, *li.SellingPlanID)
		}
	}
	if len(plans) == 0 {
		return nil
	}
	if err := w.learnSellingPlans(ctx, shopID, plans); err != nil {
		return err
	}
	pol, err := messaging.GetMessagePolicy(ctx, w.DB, shopID)
	if err != nil {
		return err
	}
	_, err = models.RecordPlanOrder(ctx, w.DB, shopID, o.ID, pol.SubscriptionTiming())
	return err
}

// learnSellingPlans asks Shopify for the intervals of plans not seen before
// (models.LearnSellingPlans); a plan it did not answer for is asked again by a later order.
func (w *Worker) learnSellingPlans(ctx context.Context, shopID int64, plans []int64) error {
	sh, err := w.cachedShop(ctx, shopID)
	if err != nil {
		return err
	}
	unread, err := models.LearnSellingPlans(ctx, w.DB, w.Admin, sh, plans)
	for id, why := range unread {
		w.Log.Warn("selling plan interval not read; the orders' cadence stands in", "shop", sh.Domain, "plan", id, "error", why)
	}
	return err
}
