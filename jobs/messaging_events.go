package jobs

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/hibiken/asynq"
	"gorm.io/gorm"

	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/models/messaging"
)

// firstOrderWindow: only a first order placed this recently is welcomed (an imported order
// from last year is history, not a new customer).
const firstOrderWindow = 7 * 24 * time.Hour

// welcomeFirstOrder emits first_order (welcome + referral link) once per customer, when the
// order is the customer's one kept order: orders is the customer's count of kept orders now.
func (w *Worker) welcomeFirstOrder(ctx context.Context, db *gorm.DB, shopID int64, o *models.Order, orders int) error {
	if !firstOrderDue(o, orders, w.now()) {
		return nil
	}
	return w.welcomeFirstOrders(ctx, db, shopID, []*models.Order{o})
}

// firstOrderDue: the order is its customer's one kept order (orders counts them with it), and
// recent enough to welcome.
func firstOrderDue(o *models.Order, orders int, now time.Time) bool {
	if o.CustomerID == nil || o.CancelledAt != nil || o.Test || orders != 1 {
		return false
	}
	return now.Sub(placedAt(o)) <= firstOrderWindow
}

// welcomeFirstOrders emits first_order for orders firstOrderDue found due, asking once about
// the history import: while the shop's past is imported, a regular's order may look like a
// first one, so the welcome waits for the import, which sends the ones still due
// (welcomeAfterImport).
func (w *Worker) welcomeFirstOrders(ctx context.Context, db *gorm.DB, shopID int64, due []*models.Order) error {
	if len(due) == 0 {
		return nil
	}
	if busy, err := w.importInProgress(ctx, shopID); err != nil || busy {
		return err
	}
	return emitWelcomes(ctx, db, shopID, due)
}

// emitWelcomes raises first_order for each order, keyed by its customer: once per customer.
func emitWelcomes(ctx context.Context, db *gorm.DB, shopID int64, due []*models.Order) error {
	for _, o := range due {
		cust := *o.CustomerID
		if _, err := models.Emit(ctx, db, shopID, cust, "customer:"+strconv.FormatInt(cust, 10),
			models.FirstOrderPayload{OrderID: o.OrderID}, placedAt(o)); err != nil {
			return err
		}
	}
	return nil
}

// placedAt is when the order was placed, as well as the stored facts tell.
func placedAt(o *models.Order) time.Time {
	at := o.CreatedAt
	for _, t := range []*time.Time{o.ShopifyCreatedAt, o.ProcessedAt} {
		if t != nil {
			at = *t
		}
	}
	return at
}

// importInProgress reports whether the shop's history is still being imported. A shop whose
// import finished is remembered, so a first order costs this query only until then.
func (w *Worker) importInProgress(ctx context.Context, shopID int64) (bool, error) {
	if _, done := w.importsDone.Load(shopID); done {
		return false, nil
	}
	state, err := models.HistoryImportState(ctx, w.DB, shopID)
	if state == models.ImportDone {
		w.importsDone.Store(shopID, true)
	}
	return state == models.ImportPending || state == models.ImportRunning, err
}

// handleMessagingDaily enqueues each installed shop's daily scan, and its usage charge, once
// its local morning has come (09:00 in the shop's time zone). The task ids name the local date
// and are retained for a day, so the hourly fan-out runs each once a day.
func (w *Worker) handleMessagingDaily(ctx context.Context, _ *asynq.Task) error {
	now := w.now()
	return w.fanOut(ctx, func(id int64) error {
		sh, err := models.GetShop(ctx, w.DB, id)
		if err != nil {
			return err
		}
		local := now.In(models.Location(sh.Timezone))
		if local.Hour() < 9 {
			return nil
		}
		day := local.Format("2006-01-02")
		if err := w.Queue.EnqueueUsage(ctx, id, day); err != nil {
			return err
		}
		b := []byte(fmt.Sprintf(`{"id":%d}`, id))
		return w.Queue.enqueue(ctx, asynq.NewTask(TypeMessagingScan, b), asynq.Queue(QueueLow), asynq.MaxRetry(5),
			asynq.TaskID(fmt.Sprintf("msgscan:%d:%s", id, day)), asynq.Retention(26*time.Hour))
	})
}

// handleMessagingScan emits the scheduled triggers of one shop for today
// (messaging.ScanScheduled) and dispatches them.
func (w *Worker) handleMessagingScan(ctx context.Context, t *asynq.Task) error {
	shopID, err := decodeID(t)
	if err != nil {
		return err
	}
	lapsed, err := messaging.ScanScheduled(ctx, w.DB, shopID, w.now())
	if err != nil || w.Queue == nil {
		return err
	}
	if lapsed > 0 {
		if err := w.Queue.EnqueueHoldTags(ctx, shopID); err != nil {
			return err
		}
	}
	return w.Queue.EnqueueDispatch(ctx, shopID)
}

// handleMessagingSweep runs every minute: deferred decisions that came due and deliveries whose
// task was lost are enqueued again, interrupted campaigns resume, expired holds end, shops
// with hold changes get their Shopify tags updated, and Flow triggers whose task was lost are sent.
func (w *Worker) handleMessagingSweep(ctx context.Context, _ *asynq.Task) error {
	now := w.now()
	due, err := messaging.DueDecisions(ctx, w.DB, now, sendingStale, 1000)
	if err != nil {
		return err
	}
	for _, d := range due {
		if err := w.Queue.EnqueueDelivery(ctx, d.ShopID, d.ID, time.Time{}); err != nil {
			return err
		}
	}
	camps, err := messaging.SendingCampaigns(ctx, w.DB)
	if err != nil {
		return err
	}
	for _, c := range camps {
		if err := w.Queue.EnqueueCampaign(ctx, c.ShopID, c.ID); err != nil {
			return err
		}
	}
	if _, err := models.ExpireHolds(ctx, w.DB, now); err != nil {
		return err
	}
	shops, err := models.ShopsWithUnsyncedHolds(ctx, w.DB)
	if err != nil {
		return err
	}
	for _, id := range shops {
		if err := w.Queue.EnqueueHoldTags(ctx, id); err != nil {
			return err
		}
	}
	return w.sweepFlowTriggers(ctx, now)
}

func (w *Worker) syncHoldTags(ctx context.Context, shopID int64) error {
	run, err := models.SyncHoldTags(ctx, w.DB, w.Admin, shopID, w.now())
	for _, reason := range run.Refused {
		w.Log.Warn("hold tag refused", "shop_id", shopID, "error", reason)
	}
	if run.NoToken {
		w.Log.Info("hold tags wait for an offline token", "shop_id", shopID)
	}
	if run.FlowQueued > 0 && w.Queue != nil {
		_ = w.Queue.EnqueueFlowTriggers(ctx, shopID) // the sweeper sends what a lost enqueue leaves
	}
	return err
}
