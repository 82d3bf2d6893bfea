package jobs

import (
	"context"

	"gorm.io/gorm"

	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/models/loyalty"
	"github.com/boomerang-app/boomerang/models/reviews"
	"github.com/boomerang-app/boomerang/shopify"
)

// The effects of each fact on every part of Boomerang, in one place. Each must be idempotent:
// it may run again for the same fact (replay, duplicate topic, backfill).

// onOrder runs after an order fact was stored (create, paid, updated, cancelled), one at a
// time; a drained batch does the same for all its orders at once (applyOrderBatch).
func (w *Worker) onOrder(ctx context.Context, db *gorm.DB, shopID, orderID int64) error {
	o, err := models.GetOrder(ctx, db, shopID, orderID)
	if err != nil {
		return err
	}
	if o.CustomerID != nil {
		// Points, tier, order stats and buyer stage (the top tier counts as loyal) in one transaction.
		st, err := loyalty.SettleOrderLoyaltyFor(ctx, db, shopID, *o.CustomerID, o.OrderID, w.now())
		if err != nil {
			return err
		}
		if err := w.welcomeFirstOrder(ctx, db, shopID, o, st.Orders); err != nil {
			return err
		}
	}
	// Review request: scheduled once fulfilled, skipped if cancelled.
	return reviews.SyncReviewRequest(ctx, db, shopID, o.OrderID, w.now())
}

// onRefund runs after a refund fact was stored (fresh is false for a repeat).
func (w *Worker) onRefund(ctx context.Context, shopID, refundID, orderID int64, fresh bool) error {
	o, err := models.GetOrder(ctx, w.DB, shopID, orderID)
	if models.ErrorCode(err) == models.ENotFound {
		return nil // the order arrives later; its effects then account for stored refunds
	}
	if err != nil {
		return err
	}
	if o.CustomerID != nil {
		// Clawback, tier, order stats and buyer stage, as for the order itself.
		if err := loyalty.SettleRefundLoyalty(ctx, w.DB, shopID, orderID, w.now()); err != nil {
			return err
		}
	}
	// No review request (or reminder) for a refunded order.
	return reviews.SyncReviewRequest(ctx, w.DB, shopID, orderID, w.now())
}

// onCustomer runs after a customer fact was stored.
func (w *Worker) onCustomer(ctx context.Context, shopID, customerID int64, created bool) error {
	if err := loyalty.CustomerLoyaltyUpdate(ctx, w.DB, shopID, customerID, w.now()); err != nil { // sign-up bonus
		return err
	}
	return nil
}

// onFulfillment runs after a fulfillment fact was stored.
func (w *Worker) onFulfillment(ctx context.Context, db *gorm.DB, shopID, orderID int64) error {
	return reviews.SyncReviewRequest(ctx, db, shopID, orderID, w.now()) // schedules the review request
}

// onSubscriptionContract runs for subscription_contracts/* topics.
func (w *Worker) onSubscriptionContract(ctx context.Context, shopID int64, topic string, ev *models.WebhookEvent, sc shopify.SubscriptionContract) error {
	return w.applySubscriptionContract(ctx, shopID, topic, ev, sc)
}
