package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/hibiken/asynq"
)

// Messaging and subscription task types.
const (
	TypeDeliverMessage    = "messages:deliver"    // {"shop","id"}: one decision
	TypeSendCampaign      = "campaigns:send"      // {"shop","id"}: decide a campaign's audience, page by page
	TypeSubscriptionLines = "subscriptions:lines" // {"shop","id","revision"}: fetch a contract's lines
	TypeHoldTags          = "holds:tags"          // {"id"}: mirror a shop's holds onto Shopify tags
	TypeMessagingSweep    = "messages:sweep"      // periodic: due deferrals, lost deliveries, campaigns, tags
	TypeMessagingDaily    = "messages:daily"      // periodic fan-out of TypeMessagingScan
	TypeMessagingScan     = "messages:scan"       // {"id"}: one-time buyers gone quiet, at-risk, birthdays
)

type shopItem struct {
	Shop     int64 `json:"shop"`
	ID       int64 `json:"id"`
	Revision int64 `json:"revision,omitempty"`
}

func decodeShopItem(t *asynq.Task) (shopItem, error) {
	var p shopItem
	if err := json.Unmarshal(t.Payload(), &p); err != nil || p.Shop == 0 || p.ID == 0 {
		return p, fmt.Errorf("%s: bad payload: %w", t.Type(), asynq.SkipRetry)
	}
	return p, nil
}

func newShopItemTask(typ string, p shopItem) *asynq.Task {
	b, _ := json.Marshal(p)
	return asynq.NewTask(typ, b)
}

// EnqueueDelivery hands one decision to delivery, now or at `at` (a deferred decision). The
// task id carries the due time, so re-enqueueing the same deferral is a no-op.
func (q *Queue) EnqueueDelivery(ctx context.Context, shopID, decisionID int64, at time.Time) error {
	id := "deliver:" + strconv.FormatInt(decisionID, 10)
	opts := []asynq.Option{asynq.Queue(QueueDefault), asynq.MaxRetry(8), asynq.Timeout(2 * time.Minute)}
	if !at.IsZero() && at.After(time.Now()) {
		id += ":" + strconv.FormatInt(at.Unix(), 10)
		opts = append(opts, asynq.ProcessAt(at))
	}
	return q.enqueue(ctx, newShopItemTask(TypeDeliverMessage, shopItem{Shop: shopID, ID: decisionID}), append(opts, asynq.TaskID(id))...)
}

// EnqueueCampaign starts (or resumes) deciding a campaign's audience.
func (q *Queue) EnqueueCampaign(ctx context.Context, shopID, campaignID int64) error {
	return q.enqueue(ctx, newShopItemTask(TypeSendCampaign, shopItem{Shop: shopID, ID: campaignID}),
		asynq.TaskID("campaign:"+strconv.FormatInt(campaignID, 10)), asynq.Queue(QueueDefault), asynq.MaxRetry(20),
		asynq.Timeout(30*time.Minute))
}

// EnqueueSubscriptionLines fetches a contract's lines later (the Admin API was throttled or
// unreachable when the webhook was processed).
func (q *Queue) EnqueueSubscriptionLines(ctx context.Context, shopID, contractID, revision int64) error {
	return q.enqueue(ctx, newShopItemTask(TypeSubscriptionLines, shopItem{Shop: shopID, ID: contractID, Revision: revision}),
		asynq.TaskID(fmt.Sprintf("sublines:%d:%d:%d", shopID, contractID, revision)), asynq.Queue(QueueDefault), asynq.MaxRetry(20))
}

// EnqueueHoldTags mirrors a shop's hold changes onto Shopify customer tags.
func (q *Queue) EnqueueHoldTags(ctx context.Context, shopID int64) error {
	return q.enqueue(ctx, shopTask(TypeHoldTags, shopID), asynq.Unique(30*time.Second), asynq.Queue(QueueLow), asynq.MaxRetry(15))
}

// enqueueDispatchTail runs dispatch once more right after a run that found work. Producers'
// EnqueueDispatch is unique while a dispatch is queued or running, so events committed near
// the end of a run had their trigger refused; the tail (a task id per 100 ms slot, not the
// uniqueness lock) picks them up instead of leaving them to the minute sweeper.
func (q *Queue) enqueueDispatchTail(ctx context.Context, shopID int64, now time.Time) error {
	return q.enqueueDispatchSlot(ctx, shopID, "dispatch-tail", now.UnixMilli()/100)
}

// enqueueDispatchSlot queues one dispatch of a shop per named slot (the task id), however
// often it is asked; opts add to the usual ones (a delay, say).
func (q *Queue) enqueueDispatchSlot(ctx context.Context, shopID int64, name string, slot int64, opts ...asynq.Option) error {
	b, _ := json.Marshal(idPayload{shopID})
	return q.enqueue(ctx, asynq.NewTask(TypeDispatchEvents, b), append([]asynq.Option{asynq.Queue(QueueDefault),
		asynq.MaxRetry(10), asynq.TaskID(fmt.Sprintf("%s:%d:%d", name, shopID, slot))}, opts...)...)
}

// enqueueDispatchAfterBusy comes back to a shop whose dispatch was running when asked, a
// moment later (one task per slot of that length, however many were turned away).
func (q *Queue) enqueueDispatchAfterBusy(ctx context.Context, shopID int64, now time.Time) error {
	return q.enqueueDispatchSlot(ctx, shopID, "dispatch-busy", now.UnixMilli()/dispatchBusyWait.Milliseconds(),
		asynq.ProcessIn(dispatchBusyWait))
}

// dispatchBusyWait is how long a dispatch turned away by a running one waits to come back.
const dispatchBusyWait = 250 * time.Millisecond

// registerMessaging adds messaging's and subscriptions' task handlers.
func (w *Worker) registerMessaging(mux *asynq.ServeMux) {
	mux.HandleFunc(TypeDispatchEvents, w.handleDispatch)
	mux.HandleFunc(TypeDeliverMessage, w.handleDeliver)
	mux.HandleFunc(TypeSendCampaign, w.handleSendCampaign)
	mux.HandleFunc(TypeSubscriptionLines, w.handleSubscriptionLines)
	mux.HandleFunc(TypeHoldTags, perShop(w.syncHoldTags))
	mux.HandleFunc(TypeFlowTriggers, perShop(w.sendFlowTriggers))
	mux.HandleFunc(TypeMessagingSweep, w.handleMessagingSweep)
	mux.HandleFunc(TypeMessagingDaily, w.handleMessagingDaily)
	mux.HandleFunc(TypeMessagingScan, w.handleMessagingScan)
	mux.HandleFunc(TypeBillingUsage, perShop(w.chargeUsage))
	mux.HandleFunc(TypeConsentPush, w.handleConsentPush)
}

// scheduleMessaging adds the periodic sweep and the hourly scan fan-out (each shop is scanned
// once per day in its own time zone's morning, see handleMessagingDaily).
func (w *Worker) scheduleMessaging(s *asynq.Scheduler) error {
	if _, err := s.Register("@every 1m", asynq.NewTask(TypeMessagingSweep, nil), asynq.TaskID("messages:sweep"),
		asynq.Queue(QueueLow)); err != nil {
		return fmt.Errorf("schedule messaging sweep: %w", err)
	}
	if _, err := s.Register("5 * * * *", asynq.NewTask(TypeMessagingDaily, nil), asynq.TaskID("messages:daily"),
		asynq.Queue(QueueLow)); err != nil {
		return fmt.Errorf("schedule messaging scans: %w", err)
	}
	return nil
}
