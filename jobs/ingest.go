package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hibiken/asynq"
	"gorm.io/gorm"

	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/models/reviews"
	"github.com/boomerang-app/boomerang/shopify"
)

// errBadPayload marks a body that will never parse: retrying cannot help.
var errBadPayload = errors.New("webhook body does not parse")

// handleWebhook applies one stored delivery. Every effect below is idempotent on its business
// key, so a replay (crash before MarkProcessed, sweeper re-enqueue) changes nothing twice.
func (w *Worker) handleWebhook(ctx context.Context, t *asynq.Task) error {
	id, err := decodeID(t)
	if err != nil {
		return err
	}
	ev, err := models.LoadWebhookEvent(ctx, w.DB, id)
	if models.ErrorCode(err) == models.ENotFound {
		return nil // the shop was redacted since
	}
	if err != nil {
		return err
	}
	if ev.ProcessedAt != nil || ev.FailedAt != nil {
		return nil
	}
	if ev.ShopStatus != models.ShopInstalled && !models.IsComplianceTopic(ev.Topic) {
		// Stored while the uninstall was on its way: the shop left, so nothing of it is applied.
		webhookFailures.WithLabelValues(ev.Topic, "shop_uninstalled").Inc()
		return models.MarkProcessed(ctx, w.DB, ev, "dropped: the shop uninstalled Boomerang")
	}
	if err := w.apply(ctx, ev); err != nil {
		return w.failed(ctx, ev, err)
	}
	if err := models.MarkProcessed(ctx, w.DB, ev); err != nil {
		return err
	}
	if w.Queue != nil {
		_ = w.Queue.EnqueueDispatch(ctx, ev.ShopID)
	}
	return nil
}

// failed records a failed attempt. A permanent error, or the last of the task's retries, marks
// the event dead with its reason and ends the task successfully: the row is the record, the
// operator replays it (boomerang replay-webhooks), and no archived task is left holding its id.
func (w *Worker) failed(ctx context.Context, ev *models.WebhookEvent, err error) error {
	n, last := lastAttempt(ctx)
	reason := ""
	switch {
	case isPermanent(err):
		reason = "permanent"
	case last:
		reason, err = "retries_exhausted", fmt.Errorf("gave up after %d attempts: %w", n+1, err)
	}
	if reason == "" {
		_ = models.MarkFailed(ctx, w.DB, ev, err)
		return fmt.Errorf("event %d (%s): %w", ev.ID, ev.Topic, err)
	}
	if merr := models.MarkDead(ctx, w.DB, ev, err); merr != nil {
		return merr
	}
	webhookFailures.WithLabelValues(ev.Topic, reason).Inc()
	w.Log.Error("webhook failed for good", "shop_id", ev.ShopID, "event", ev.ID, "topic", ev.Topic, "reason", reason, "error", err)
	return nil
}

func decode(body []byte, v any) error {
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("%w: %v", errBadPayload, err)
	}
	return nil
}

// apply turns a delivery into facts and their effects, by topic.
func (w *Worker) apply(ctx context.Context, ev *models.WebhookEvent) error {
	shopID := ev.ShopID
	switch topic := ev.Topic; {
	case strings.HasPrefix(topic, "orders/"):
		var o shopify.Order
		if err := decode(ev.Body, &o); err != nil {
			return err
		}
		if o.ID == 0 {
			return fmt.Errorf("%w: order without id", errBadPayload)
		}
		return w.applyOrder(ctx, shopID, topic, o)
	case topic == "refunds/create":
		var r shopify.Refund
		if err := decode(ev.Body, &r); err != nil {
			return err
		}
		fresh, err := models.RecordRefund(ctx, w.DB, shopID, models.Refund{RefundID: r.ID, OrderID: r.OrderID,
			Subtotal: r.Subtotal(), Note: r.Note, ShopifyCreatedAt: r.CreatedAt})
		if err != nil {
			return err
		}
		return w.onRefund(ctx, shopID, r.ID, r.OrderID, fresh)
	case topic == "customers/create" || topic == "customers/update":
		var c shopify.Customer
		if err := decode(ev.Body, &c); err != nil {
			return err
		}
		fact := customerFact(c)
		fact.ConsentComplete = true
		if _, err := models.UpsertCustomer(ctx, w.DB, shopID, fact); err != nil {
			return err
		}
		return w.onCustomer(ctx, shopID, c.ID, topic == "customers/create")
	case strings.HasPrefix(topic, "fulfillments/"):
		var f shopify.Fulfillment
		if err := decode(ev.Body, &f); err != nil {
			return err
		}
		return w.applyFulfillment(ctx, w.DB, shopID, f)
	case strings.HasPrefix(topic, "subscription_contracts/"):
		var sc shopify.SubscriptionContract
		if err := decode(ev.Body, &sc); err != nil {
			return err
		}
		return w.onSubscriptionContract(ctx, shopID, topic, ev, sc)
	case topic == "bulk_operations/finish":
		// The history import's operation ended: move the import on now rather than at its next poll.
		if w.Queue == nil {
			return nil
		}
		return w.Queue.EnqueueHistoryImport(ctx, shopID, 0)
	case topic == "app/uninstalled":
		return w.uninstall(ctx, shopID)
	case topic == "products/update":
		var p shopify.ProductUpdate
		if err := decode(ev.Body, &p); err != nil {
			return err
		}
		return models.StoreProducts(ctx, w.DB, shopID, []models.ProductCard{p.Card()}, updatedAt(p.UpdatedAt, ev))
	case topic == "app_subscriptions/update":
		var u shopify.AppSubscriptionUpdate
		if err := decode(ev.Body, &u); err != nil {
			return err
		}
		_, err := models.SetAppSubscriptionStatus(ctx, w.DB, shopID, u.AppSubscription.ID, u.AppSubscription.Status,
			updatedAt(u.AppSubscription.UpdatedAt, ev))
		return err
	case topic == "app/scopes_update":
		var su shopify.ScopesUpdate
		if err := decode(ev.Body, &su); err != nil {
			return err
		}
		if err := models.SetScopes(ctx, w.DB, shopID, strings.Join(su.Current, ",")); err != nil {
			return err
		}
		return w.onScopesGranted(ctx, shopID, su)
	case topic == "shop/update":
		var s shopify.Shop
		if err := decode(ev.Body, &s); err != nil {
			return err
		}
		return models.UpdateShopProfile(ctx, w.DB, shopID, models.ShopProfile{Name: s.Name, Email: s.Email, Currency: s.Currency, Timezone: s.IANATimezone})
	case topic == "customers/data_request":
		var p shopify.CustomersDataRequest
		if err := decode(ev.Body, &p); err != nil {
			return err
		}
		return models.FulfillDataRequest(ctx, w.DB, shopID, p.DataRequest.ID, p.Customer.ID)
	case topic == "customers/redact":
		var p shopify.CustomersRedact
		if err := decode(ev.Body, &p); err != nil {
			return err
		}
		if err := models.RedactCustomer(ctx, w.DB, shopID, p.Customer.ID); err != nil {
			return err
		}
		return reviews.RedactGuestReviews(ctx, w.DB, shopID, p.Customer.Email) // what they wrote before they had an account
	case topic == "shop/redact":
		sh, err := models.GetShop(ctx, w.DB, shopID)
		if err != nil {
			return err
		}
		if sh.Status == models.ShopInstalled {
			// Sent 48 hours after an uninstall; the merchant has installed again since, and their
			// data is in use again. Erasing it now would wipe a live shop.
			w.Log.Warn("shop/redact for a shop that installed again; its data is kept", "shop", sh.Domain)
			return nil
		}
		return models.DeleteShop(ctx, w.DB, shopID, sh.Domain)
	default:
		w.Log.Info("webhook topic has no effect", "shop_id", shopID, "topic", topic)
		return nil
	}
}

func (w *Worker) applyOrder(ctx context.Context, shopID int64, topic string, o shopify.Order) error {
	if o.Customer != nil && o.Customer.ID != 0 {
		if _, err := models.UpsertCustomer(ctx, w.DB, shopID, orderCustomerFact(o)); err != nil {
			return err
		}
	}
	if _, err := models.UpsertOrder(ctx, w.DB, shopID, orderFact(topic, o)); err != nil {
		return err
	}
	if err := w.applyFulfillments(ctx, w.DB, shopID, o); err != nil {
		return err
	}
	if err := w.onOrder(ctx, w.DB, shopID, o.ID); err != nil {
		return err
	}
	return w.recordPlanOrder(ctx, shopID, o)
}

// applyFulfillments stores the fulfillments an order delivery carries.
func (w *Worker) applyFulfillments(ctx context.Context, db *gorm.DB, shopID int64, o shopify.Order) error {
	for _, f := range o.Fulfillments {
		if f.OrderID == 0 {
			f.OrderID = o.ID
		}
		if err := w.applyFulfillment(ctx, db, shopID, f); err != nil {
			return err
		}
	}
	return nil
}

func (w *Worker) applyFulfillment(ctx context.Context, db *gorm.DB, shopID int64, f shopify.Fulfillment) error {
	if f.ID == 0 || f.OrderID == 0 {
		return fmt.Errorf("%w: fulfillment without id or order", errBadPayload)
	}
	fact := models.Fulfillment{FulfillmentID: f.ID, OrderID: f.OrderID, Status: f.Status, ShipmentStatus: f.ShipmentStatus,
		ShopifyCreatedAt: f.CreatedAt, ShopifyUpdatedAt: f.UpdatedAt}
	if f.ShipmentStatus == "delivered" {
		fact.DeliveredAt = f.UpdatedAt
	}
	if _, err := models.UpsertFulfillment(ctx, db, shopID, fact); err != nil {
		return err
	}
	return w.onFulfillment(ctx, db, shopID, f.OrderID)
}

func (w *Worker) uninstall(ctx context.Context, shopID int64) error {
	sh, err := models.GetShop(ctx, w.DB, shopID)
	if err != nil {
		return err
	}
	if err := models.MarkUninstalled(ctx, w.DB, shopID, w.now()); err != nil {
		return err
	}
	if w.OnUninstall != nil {
		w.OnUninstall(sh.Domain)
	}
	return nil
}

// updatedAt is a payload's updated_at, or when the delivery arrived if it has none that parses:
// the time a status or a name was true as of, so an older delivery does not undo a newer one.
func updatedAt(s string, ev *models.WebhookEvent) time.Time {
	if at, err := time.Parse(time.RFC3339, s); err == nil {
		return at
	}
	return ev.ReceivedAt
}
