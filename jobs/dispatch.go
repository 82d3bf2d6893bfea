package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/hibiken/asynq"

	"github.com/boomerang-app/boomerang/models"
)

// dispatchBatch is how many events one query reads; a run keeps reading until none are left.
const (
	dispatchBatch     = 200
	dispatchMaxRounds = 50
)

// handleDispatch decides every pending event of a shop: each event is matched with the shop's
// switched-on messages for its kind, the audience filters are applied, the policy decides,
// the decision is recorded (once per message, customer and event) and sends are handed to
// delivery. Running twice at once is safe: the decision log's unique key absorbs the overlap.
func (w *Worker) handleDispatch(ctx context.Context, t *asynq.Task) error {
	shopID, err := decodeID(t)
	if err != nil {
		return err
	}
	n, err := w.DispatchEvents(ctx, shopID)
	if err != nil {
		return err
	}
	if n > 0 && w.Queue != nil {
		// Holds placed with these events (negative review, cancellation) reach Shopify's tags now
		// rather than at the next sweep; the task is unique, so bursts cost one run.
		if err := w.Queue.EnqueueHoldTags(ctx, shopID); err != nil {
			return err
		}
		return w.Queue.enqueueDispatchTail(ctx, shopID, w.now())
	}
	return nil
}

// DispatchEvents decides a shop's pending events and returns how many it handled.
func (w *Worker) DispatchEvents(ctx context.Context, shopID int64) (int, error) {
	pol, err := models.GetMessagePolicy(ctx, w.DB, shopID)
	if err != nil {
		return 0, err
	}
	d := &dispatcher{w: w, shopID: shopID, settings: pol.Settings(), messages: map[string][]models.Message{}}
	total := 0
	for round := 0; round < dispatchMaxRounds; round++ {
		evs, err := models.PendingEvents(ctx, w.DB, shopID, dispatchBatch)
		if err != nil {
			return total, fmt.Errorf("pending events of shop %d: %w", shopID, err)
		}
		if len(evs) == 0 {
			break
		}
		for i := range evs {
			if err := d.event(ctx, &evs[i]); err != nil {
				return total, err
			}
			total++
		}
	}
	return total, nil
}

type dispatcher struct {
	w        *Worker
	shopID   int64
	settings models.PolicySettings
	messages map[string][]models.Message // trigger → enabled messages, read once per run
}

func (d *dispatcher) enabled(ctx context.Context, trigger string) ([]models.Message, error) {
	if ms, ok := d.messages[trigger]; ok {
		return ms, nil
	}
	ms, err := models.EnabledMessagesFor(ctx, d.w.DB, d.shopID, trigger)
	if err != nil {
		return nil, err
	}
	d.messages[trigger] = ms
	return ms, nil
}

func (d *dispatcher) event(ctx context.Context, ev *models.Event) error {
	if err := d.decideEvent(ctx, ev); err != nil {
		return fmt.Errorf("dispatch event %d (%s): %w", ev.ID, ev.Kind, err)
	}
	return models.MarkDispatched(ctx, d.w.DB, d.shopID, ev.ID)
}

func (d *dispatcher) decideEvent(ctx context.Context, ev *models.Event) error {
	if ev.CustomerID == nil || *ev.CustomerID == 0 {
		return nil
	}
	msgs, err := d.enabled(ctx, ev.Kind)
	if err != nil || len(msgs) == 0 {
		return err
	}
	cust := *ev.CustomerID
	now := d.w.now()
	// Delays count from when the event happened, but never from a time after it was recorded
	// (a producer running with a shifted clock must not push a message into the future).
	base := ev.OccurredAt
	if !ev.CreatedAt.IsZero() && base.After(ev.CreatedAt) {
		base = ev.CreatedAt
	}
	facts, err := models.LoadCustomerFacts(ctx, d.w.DB, d.shopID, []int64{cust}, d.settings.CapWindow, now)
	if err != nil {
		return err
	}
	cf := facts[cust]
	var customer *models.Customer
	if cf != nil {
		customer = cf.Customer
	}
	for _, m := range msgs {
		if customer != nil {
			in, err := models.InAudience(ctx, d.w.DB, d.shopID, customer, m.Audience, now)
			if err != nil {
				return err
			}
			if !in {
				continue
			}
		}
		smsSuppressed := cf != nil && cf.Suppressed[models.ChannelSMS]
		md := &models.MessageDecision{ShopID: d.shopID, MessageID: m.ID, CustomerID: cust, EventID: &ev.ID,
			Trigger: ev.Kind, EntityKey: ev.Key, DedupeKey: eventEntity(ev), Kind: m.Kind,
			Channel:   models.ResolveChannel(m.Channel, customer, smsSuppressed),
			NotBefore: base.Add(time.Duration(m.DelayMinutes) * time.Minute), Payload: ev.Payload}
		cand := models.Candidate{Trigger: ev.Kind, Kind: m.Kind, Channel: md.Channel,
			FeaturedProductIDs: m.FeaturedProductIDs, NotBefore: md.NotBefore}
		if err := d.w.decideAndRecord(ctx, md, cand, facts, d.settings, now); err != nil {
			return err
		}
	}
	return nil
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

// decideAndRecord runs the policy for one candidate, stores the decision and, for a fresh
// send or deferral, enqueues its delivery.
func (w *Worker) decideAndRecord(ctx context.Context, md *models.MessageDecision, cand models.Candidate, facts models.FactsBatch,
	s models.PolicySettings, now time.Time) error {
	pf := facts.For(md.CustomerID, md.Channel)
	var err error
	if pf.Duplicate, err = models.AlreadyAnswered(ctx, w.DB, md); err != nil {
		return err
	}
	md.Apply(models.Decide(cand, pf, s, now))
	created, err := models.RecordDecision(ctx, w.DB, md)
	if err != nil || !created {
		return err
	}
	decisionsTotal.WithLabelValues(md.Decision, md.Reason).Inc()
	if w.Queue == nil {
		return nil
	}
	switch md.Decision {
	case models.DecisionQueued:
		return w.Queue.EnqueueDelivery(ctx, md.ShopID, md.ID, time.Time{})
	case models.DecisionDeferred:
		return w.Queue.EnqueueDelivery(ctx, md.ShopID, md.ID, *md.DueAt)
	}
	return nil
}
