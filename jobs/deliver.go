package jobs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"

	"github.com/boomerang-app/boomerang/delivery"
	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/models/messaging"
)

var (
	decisionsTotal = promauto.NewCounterVec(prometheus.CounterOpts{
		Name: "boomerang_message_decisions_total", Help: "Message decisions by state and reason, when first recorded.",
	}, []string{"decision", "reason"})
	deliveriesTotal = promauto.NewCounterVec(prometheus.CounterOpts{
		Name: "boomerang_message_deliveries_total", Help: "Delivery attempts by channel and outcome.",
	}, []string{"channel", "outcome"})
)

// sendingStale is how long a decision may sit in 'sending' before it is taken for a crash
// mid-send: longer than any provider call (the delivery task's timeout).
const sendingStale = 3 * time.Minute

// source is what a decision sends: a message or a campaign, as a candidate plus templates.
type source struct {
	cand      messaging.Candidate
	templates delivery.Templates
	message   *messaging.Message // nil for a campaign
	disabled  bool
}

// forShopper picks the message's copy in the shopper's language (campaigns have one copy).
func (s *source) forShopper(cust *models.Customer, shop *models.Shop) {
	if s.message == nil {
		return
	}
	t := s.message.TemplatesFor(models.ShopperLanguage(cust.Locale, shop.PrimaryLocale))
	s.templates = delivery.Templates{Subject: t.Subject, HTML: t.HTML, Text: t.Text, SMS: t.SMS}
}

func (w *Worker) loadSource(ctx context.Context, md *messaging.MessageDecision) (*source, error) {
	s := &source{cand: messaging.Candidate{Trigger: md.Trigger, Kind: md.Kind, Channel: md.Channel, NotBefore: md.NotBefore}}
	switch {
	case md.CampaignID != 0:
		c, err := messaging.GetCampaign(ctx, w.DB, md.ShopID, md.CampaignID)
		if err != nil {
			return nil, err
		}
		s.cand.Campaign, s.cand.FeaturedProductIDs = true, c.FeaturedProductIDs
		s.templates = campaignTemplates(c)
	default:
		m, err := messaging.GetMessage(ctx, w.DB, md.ShopID, md.MessageID)
		if err != nil {
			return nil, err
		}
		// Its templates are the shopper's language's copy, chosen when the envelope is built.
		s.cand.FeaturedProductIDs, s.disabled, s.message = m.FeaturedProductIDs, !m.Enabled, m
	}
	return s, nil
}

// campaignTemplates: the body with its unsubscribe footer is the email's HTML; the SMS is its own
// text or the body's plain text.
func campaignTemplates(c *messaging.Campaign) delivery.Templates {
	t := delivery.Templates{Subject: c.Subject, HTML: c.EmailHTML(), SMS: c.SMS}
	if c.Channel == messaging.ChannelSMS && c.SMS == "" {
		t = delivery.Templates{SMS: c.Body}
	} else if t.SMS == "" {
		t.SMS = delivery.PlainText(c.Body)
	}
	return t
}

// handleDeliver takes one decision through its last policy check and out through its channel.
// At most once: the row moves to 'sending' (committed) before the provider is called, and a
// row found in 'sending' — a crash mid-send — is recorded as unknown, never sent again
// unless the merchant asks.
func (w *Worker) handleDeliver(ctx context.Context, t *asynq.Task) error {
	p, err := decodeShopItem(t)
	if err != nil {
		return err
	}
	md, err := messaging.GetDecision(ctx, w.DB, p.Shop, p.ID)
	if models.ErrorCode(err) == models.ENotFound {
		return nil
	}
	if err != nil {
		return err
	}
	now := w.now()
	switch md.Decision {
	case messaging.DecisionSending:
		if md.ProviderID != "" {
			return messaging.MarkDecisionSent(ctx, w.DB, md.ShopID, md.ID, md.ProviderID, now)
		}
		if now.Sub(md.UpdatedAt) < sendingStale {
			return nil // another run of this decision is talking to the provider right now
		}
		return messaging.MarkDecisionUnknown(ctx, w.DB, md.ShopID, md.ID, messaging.ReasonInterrupted,
			"delivery was interrupted mid-send; not retried automatically so the shopper never gets it twice")
	case messaging.DecisionQueued, messaging.DecisionDeferred:
	default:
		return nil
	}
	if md.Decision == messaging.DecisionDeferred && md.DueAt != nil && md.DueAt.After(now.Add(time.Second)) {
		return w.Queue.EnqueueDelivery(ctx, md.ShopID, md.ID, *md.DueAt) // woke early (clock skew, sweeper)
	}
	src, err := w.loadSource(ctx, md)
	if models.ErrorCode(err) == models.ENotFound {
		return messaging.MarkDecisionFailed(ctx, w.DB, md.ShopID, md.ID, messaging.ReasonTemplateError, "the message or campaign was deleted")
	}
	if err != nil {
		return err
	}
	if src.disabled {
		return messaging.MarkDecisionSkipped(ctx, w.DB, md.ShopID, md.ID, messaging.ReasonMessageDisabled, "the message was switched off before it was sent")
	}
	shop, err := w.cachedShop(ctx, md.ShopID)
	if err != nil {
		return err
	}
	if shop.Status != models.ShopInstalled { // nothing goes out in the name of a shop that left
		return messaging.MarkDecisionSkipped(ctx, w.DB, md.ShopID, md.ID, messaging.ReasonShopUninstalled, "the shop uninstalled Boomerang")
	}
	pol, err := w.cachedPolicy(ctx, md.ShopID)
	if err != nil {
		return err
	}
	claim, err := messaging.ClaimDecision(ctx, w.DB, md, src.cand, pol.Settings(), now)
	if err != nil {
		return err
	}
	if claim.Uninstalled {
		return messaging.MarkDecisionSkipped(ctx, w.DB, md.ShopID, md.ID, messaging.ReasonShopUninstalled, "the shop uninstalled Boomerang")
	}
	if !claim.Send {
		if d := claim.Decision; d.Decision == messaging.DecisionDeferred && d.DueAt != nil && w.Queue != nil {
			return w.Queue.EnqueueDelivery(ctx, md.ShopID, md.ID, *d.DueAt)
		}
		return nil
	}
	return w.send(ctx, claim, src, pol)
}

// send renders and hands a claimed decision to its channel, then records the outcome.
func (w *Worker) send(ctx context.Context, claim messaging.Claim, src *source, pol messaging.MessagePolicy) error {
	md := claim.Decision
	env, err := w.envelope(ctx, md, claim.Customer, pol, src)
	if models.ErrorCode(err) == models.ENotFound { // the customer or shop was erased since
		return messaging.MarkDecisionFailed(ctx, w.DB, md.ShopID, md.ID, messaging.ReasonNoAddress, err.Error())
	}
	if err != nil {
		_ = messaging.MarkDecisionRetry(ctx, w.DB, md.ShopID, md.ID, err.Error())
		return err
	}
	if err := w.addCoalescedPoints(ctx, md, env, pol.Settings().NoticeWindow); err != nil {
		_ = messaging.MarkDecisionRetry(ctx, w.DB, md.ShopID, md.ID, err.Error())
		return err
	}
	out, err := delivery.Render(ctx, src.templates, env.vars)
	if errors.Is(err, delivery.ErrRenderTimeout) { // a busy machine, not a broken template
		_ = messaging.MarkDecisionRetry(ctx, w.DB, md.ShopID, md.ID, err.Error())
		return err
	}
	if err != nil {
		return messaging.MarkDecisionFailed(ctx, w.DB, md.ShopID, md.ID, messaging.ReasonTemplateError, err.Error())
	}
	providerID, err := w.deliverRendered(ctx, md, env, out)
	switch {
	case err == nil:
		deliveriesTotal.WithLabelValues(md.Channel, "sent").Inc()
		return messaging.MarkDecisionSent(ctx, w.DB, md.ShopID, md.ID, providerID, w.now())
	case errors.Is(err, errNoProvider):
		deliveriesTotal.WithLabelValues(md.Channel, "failed").Inc()
		return messaging.MarkDecisionFailed(ctx, w.DB, md.ShopID, md.ID, messaging.ReasonNoProvider, err.Error())
	case delivery.IsUnknown(err):
		deliveriesTotal.WithLabelValues(md.Channel, "unknown").Inc()
		return messaging.MarkDecisionUnknown(ctx, w.DB, md.ShopID, md.ID, messaging.ReasonOutcomeUnknown,
			err.Error()+"; not re-sent automatically, as the provider may have accepted it")
	case delivery.IsPermanent(err):
		deliveriesTotal.WithLabelValues(md.Channel, "failed").Inc()
		return messaging.MarkDecisionFailed(ctx, w.DB, md.ShopID, md.ID, messaging.ReasonProviderRejected, err.Error())
	}
	deliveriesTotal.WithLabelValues(md.Channel, "retry").Inc()
	if _, last := lastAttempt(ctx); last {
		return messaging.MarkDecisionFailed(ctx, w.DB, md.ShopID, md.ID, messaging.ReasonProviderError, err.Error())
	}
	if merr := messaging.MarkDecisionRetry(ctx, w.DB, md.ShopID, md.ID, err.Error()); merr != nil {
		return merr
	}
	return fmt.Errorf("deliver decision %d: %w", md.ID, err)
}

// addCoalescedPoints makes a notice that superseded others announce their points too: three
// orders in the window, one mail with the points of all three.
func (w *Worker) addCoalescedPoints(ctx context.Context, md *messaging.MessageDecision, env *envelope, window time.Duration) error {
	if !messaging.Coalesced(md.Trigger) {
		return nil
	}
	extra, err := messaging.CoalescedPoints(ctx, w.DB, md, window)
	if err != nil || extra == 0 {
		return err
	}
	points, _ := env.vars["points"].(map[string]any)
	if points == nil {
		return nil
	}
	switch v := points["earned"].(type) {
	case int64:
		points["earned"] = v + extra
	case int:
		points["earned"] = int64(v) + extra
	case float64:
		points["earned"] = int64(v) + extra
	}
	return nil
}
