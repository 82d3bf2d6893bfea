package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/hibiken/asynq"
	"golang.org/x/sync/errgroup"

	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/models/messaging"
)

// dispatchBatch is how many events one query reads; a run keeps reading until none are left.
const (
	dispatchBatch     = 200
	dispatchMaxRounds = 50
)

// handleDispatch runs a shop's pending events through the bus (bus.go). One run per shop at a
// time: runs side by side would read the same events and decide each message several times
// over, only for the decision log's unique key to throw the copies away. A run that finds the
// shop busy leaves it to the one running, and comes back shortly in case that one had already
// read its last batch.
func (w *Worker) handleDispatch(ctx context.Context, t *asynq.Task) error {
	shopID, err := decodeID(t)
	if err != nil {
		return err
	}
	n, ran, err := w.dispatchRun(ctx, shopID, false)
	if err != nil || w.Queue == nil {
		return err
	}
	switch {
	case !ran:
		return w.Queue.enqueueDispatchAfterBusy(ctx, shopID, w.now())
	case n > 0:
		return w.Queue.enqueueDispatchTail(ctx, shopID, w.now())
	}
	return nil
}

// DispatchEvents hands a shop's pending events to their subscribers, a batch at a time, and
// returns how many it handled. It waits for a run of the shop already under way.
func (w *Worker) DispatchEvents(ctx context.Context, shopID int64) (int, error) {
	n, _, err := w.dispatchRun(ctx, shopID, true)
	return n, err
}

// dispatchRun is DispatchEvents under the shop's dispatch lock; without wait, ran is false when
// another run holds it.
func (w *Worker) dispatchRun(ctx context.Context, shopID int64, wait bool) (n int, ran bool, err error) {
	ran, err = models.WithRunLock(ctx, w.DB, models.LockKey("dispatch", shopID), wait, func() error {
		n, err = w.dispatchEvents(ctx, shopID)
		return err
	})
	return n, ran, err
}

func (w *Worker) dispatchEvents(ctx context.Context, shopID int64) (int, error) {
	shop, err := models.GetShop(ctx, w.DB, shopID)
	if models.ErrorCode(err) == models.ENotFound {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	if shop.Status != models.ShopInstalled {
		// Nothing is sent for a shop that left; its triggers are closed unanswered rather than
		// fired late if it comes back.
		evs, err := models.PendingEvents(ctx, w.DB, shopID, 1000)
		if err != nil || len(evs) == 0 {
			return 0, err
		}
		ids := make([]int64, len(evs))
		for i := range evs {
			ids[i] = evs[i].ID
		}
		return 0, models.MarkEventsDispatched(ctx, w.DB, shopID, ids)
	}
	b := w.openBus(shopID)
	total := 0
	for round := 0; round < dispatchMaxRounds; round++ {
		evs, err := models.PendingEvents(ctx, w.DB, shopID, dispatchBatch)
		if err != nil {
			return total, fmt.Errorf("pending events of shop %d: %w", shopID, err)
		}
		if len(evs) == 0 {
			break
		}
		if err := b.publish(ctx, evs); err != nil {
			return total, err
		}
		ids := make([]int64, len(evs))
		for i := range evs {
			ids[i] = evs[i].ID
		}
		if err := models.MarkEventsDispatched(ctx, w.DB, shopID, ids); err != nil {
			return total, err
		}
		total += len(evs)
	}
	return total, b.finish(ctx)
}

// dispatcher is messaging's subscriber: each event is matched with the shop's switched-on
// messages for its kind, the audience filters are applied, the policy decides, the decision
// is recorded (once per message, customer and event) and sends are handed to delivery. Each
// batch costs a fixed handful of queries whatever its size: facts for all its customers at
// once, one insert for all decisions. The decision log's unique key makes a repeat harmless.
type dispatcher struct {
	w        *Worker
	shopID   int64
	settings *messaging.PolicySettings      // read on the run's first batch
	messages map[string][]messaging.Message // trigger → enabled messages, read once per run
}

func openMessaging(w *Worker, shopID int64) subscriber {
	return &dispatcher{w: w, shopID: shopID, messages: map[string][]messaging.Message{}}
}

func (d *dispatcher) finish(context.Context) error { return nil }

func (d *dispatcher) enabled(ctx context.Context, trigger string) ([]messaging.Message, error) {
	if ms, ok := d.messages[trigger]; ok {
		return ms, nil
	}
	ms, err := messaging.EnabledMessagesFor(ctx, d.w.DB, d.shopID, trigger)
	if err != nil {
		return nil, err
	}
	d.messages[trigger] = ms
	return ms, nil
}

func (d *dispatcher) handle(ctx context.Context, evs []models.Event) error {
	if d.settings == nil {
		pol, err := messaging.GetMessagePolicy(ctx, d.w.DB, d.shopID)
		if err != nil {
			return err
		}
		s := pol.Settings()
		d.settings = &s
	}
	now := d.w.now()
	var customers []int64
	seen := map[int64]bool{}
	promo := false
	for _, ev := range evs {
		msgs, err := d.enabled(ctx, ev.Kind)
		if err != nil {
			return err
		}
		if ev.CustomerID == nil || *ev.CustomerID == 0 || len(msgs) == 0 {
			continue
		}
		if c := *ev.CustomerID; !seen[c] {
			seen[c] = true
			customers = append(customers, c)
		}
		for _, m := range msgs {
			promo = promo || m.Kind != messaging.KindTransactional
		}
	}
	facts, err := messaging.LoadFactsFor(ctx, d.w.DB, d.shopID, customers, d.settings.CapWindow, now, promo)
	if err != nil {
		return err
	}
	var rows []*messaging.MessageDecision
	answered := map[string]bool{} // message|customer|entity decided in this batch
	for i := range evs {
		ev := &evs[i]
		if ev.CustomerID == nil || *ev.CustomerID == 0 {
			continue
		}
		for _, m := range d.messages[ev.Kind] {
			md, cand, ok, err := d.candidate(ctx, ev, m, facts, now)
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
			pf := facts.For(md.CustomerID, md.Channel)
			key := fmt.Sprintf("%d|%d|%s", md.MessageID, md.CustomerID, md.DedupeKey)
			if pf.Duplicate = answered[key]; !pf.Duplicate {
				if pf.Duplicate, err = messaging.AlreadyAnswered(ctx, d.w.DB, md); err != nil {
					return err
				}
			}
			md.Apply(messaging.Decide(cand, pf, *d.settings, now))
			if md.Decision != messaging.DecisionSkipped {
				answered[key] = true
			}
			rows = append(rows, md)
		}
	}
	created, err := messaging.RecordDecisions(ctx, d.w.DB, rows)
	if err != nil {
		return err
	}
	return d.w.EnqueueDeliveries(ctx, created)
}

// candidate builds the decision row and policy candidate of one message for one event; ok is
// false when the customer is outside the message's audience.
func (d *dispatcher) candidate(ctx context.Context, ev *models.Event, m messaging.Message, facts messaging.FactsBatch, now time.Time) (*messaging.MessageDecision, messaging.Candidate, bool, error) {
	cust := *ev.CustomerID
	cf := facts[cust]
	var customer *models.Customer
	if cf != nil {
		customer = cf.Customer
		in, err := models.InAudience(ctx, d.w.DB, d.shopID, customer, m.Audience, now)
		if err != nil || !in {
			return nil, messaging.Candidate{}, false, err
		}
	}
	// Delays count from when the event happened, but never from a time after it was recorded
	// (a producer running with a shifted clock must not push a message into the future).
	base := ev.OccurredAt
	if !ev.CreatedAt.IsZero() && base.After(ev.CreatedAt) {
		base = ev.CreatedAt
	}
	smsSuppressed := cf != nil && cf.Suppressed[messaging.ChannelSMS]
	md := &messaging.MessageDecision{ShopID: d.shopID, MessageID: m.ID, CustomerID: cust, EventID: &ev.ID,
		Trigger: ev.Kind, EntityKey: ev.Key, DedupeKey: eventEntity(ev), Kind: m.Kind,
		Channel:   messaging.ResolveChannel(m.Channel, customer, smsSuppressed),
		NotBefore: messaging.NoticeNotBefore(ev.Kind, base.Add(time.Duration(m.DelayMinutes)*time.Minute), *d.settings), Payload: ev.Payload}
	cand := messaging.Candidate{Trigger: ev.Kind, Kind: m.Kind, Channel: md.Channel,
		FeaturedProductIDs: m.FeaturedProductIDs, NotBefore: md.NotBefore}
	return md, cand, true, nil
}

// eventEntity is the entity an event is about, when the producer names one ("contract:42"),
// so two events about the same entity are answered once; otherwise the event key itself.
func eventEntity(ev *models.Event) string {
	var p struct {
		Entity string `json:"entity"`
	}
	if json.Unmarshal(ev.Payload, &p) == nil && p.Entity != "" {
		return p.Entity
	}
	return ev.Key
}

// EnqueueDeliveries hands fresh send and defer decisions to delivery, a few Redis round trips
// at a time (a campaign page has hundreds).
func (w *Worker) EnqueueDeliveries(ctx context.Context, created []*messaging.MessageDecision) error {
	var due []*messaging.MessageDecision
	for _, md := range created {
		decisionsTotal.WithLabelValues(md.Decision, md.Reason).Inc()
		if md.Decision == messaging.DecisionQueued || md.Decision == messaging.DecisionDeferred {
			due = append(due, md)
		}
	}
	if w.Queue == nil || len(due) == 0 {
		return nil
	}
	enqueue := func(md *messaging.MessageDecision) error {
		at := time.Time{}
		if md.Decision == messaging.DecisionDeferred && md.DueAt != nil {
			at = *md.DueAt
		}
		return w.Queue.EnqueueDelivery(ctx, md.ShopID, md.ID, at)
	}
	if len(due) == 1 {
		return enqueue(due[0])
	}
	// A lost enqueue is not lost work: the sweeper finds queued and due decisions in the log.
	var g errgroup.Group
	g.SetLimit(16)
	for _, md := range due {
		g.Go(func() error { return enqueue(md) })
	}
	return g.Wait()
}
