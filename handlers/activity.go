package handlers

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/models/messaging"
)

// activityDecision is one row of the shop's decision log as the activity page shows it.
type activityDecision struct {
	ID         int64                `json:"id"`
	CustomerID int64                `json:"customer_id"`
	Customer   *models.CustomerCard `json:"customer"` // nil for a customer since redacted
	MessageID  int64                `json:"message_id"`
	CampaignID int64                `json:"campaign_id"`
	Title      string               `json:"title"` // the message's or campaign's name
	// MessageName or CampaignName: the same name as data, for the admin to word.
	MessageName  string     `json:"message_name,omitempty"`
	CampaignName string     `json:"campaign_name,omitempty"`
	Trigger      string     `json:"trigger"`
	Channel      string     `json:"channel"`
	Decision     string     `json:"decision"`
	Reason       string     `json:"reason"`
	CreatedAt    time.Time  `json:"created_at"`
	SentAt       *time.Time `json:"sent_at"`
}

var decisionStates = []string{messaging.DecisionQueued, messaging.DecisionSending, messaging.DecisionSent, messaging.DecisionUnknown,
	messaging.DecisionDeferred, messaging.DecisionHeld, messaging.DecisionSkipped, messaging.DecisionFailed}

// listActivity serves GET /api/activity?decision=&reason=&cursor=&limit=: every message
// decision of the shop, newest first.
func (s *Server) listActivity(c echo.Context) error {
	f := messaging.DecisionFilter{Decision: c.QueryParam("decision"), Reason: c.QueryParam("reason")}
	if f.Decision != "" && !slices.Contains(decisionStates, f.Decision) {
		return models.Invalid("decision", "unknown decision %q", f.Decision)
	}
	if len(f.Reason) > 100 {
		return models.Invalid("reason", "too long")
	}
	var err error
	if f.Limit, err = limitParam(c); err != nil {
		return err
	}
	if f.Before, err = cursorParam(c); err != nil {
		return err
	}
	rows, next, err := messaging.ListDecisions(c.Request().Context(), s.DB, ShopID(c), f)
	if err != nil {
		return err
	}
	titles, err := messaging.DecisionTitles(c.Request().Context(), s.DB, ShopID(c), rows)
	if err != nil {
		return err
	}
	ids := make([]int64, len(rows))
	for i, d := range rows {
		ids[i] = d.CustomerID
	}
	cards, err := models.CustomerCards(c.Request().Context(), s.DB, ShopID(c), ids)
	if err != nil {
		return err
	}
	out := make([]activityDecision, len(rows))
	for i, d := range rows {
		out[i] = activityDecision{ID: d.ID, CustomerID: d.CustomerID, Customer: cards[d.CustomerID], MessageID: d.MessageID, CampaignID: d.CampaignID,
			Title: titles[d.ID].Title, MessageName: titles[d.ID].MessageName, CampaignName: titles[d.ID].CampaignName, Trigger: d.Trigger, Channel: d.Channel, Decision: d.Decision, Reason: d.Reason, CreatedAt: d.CreatedAt, SentAt: d.SentAt}
	}
	body := map[string]any{"decisions": out}
	if next != 0 {
		body["next_cursor"] = strconv.FormatInt(next, 10)
	}
	return c.JSON(http.StatusOK, body)
}

// deliveryQueue is how the edge asks for a decision to be delivered now.
type deliveryQueue interface {
	EnqueueDelivery(ctx context.Context, shopID, decisionID int64, at time.Time) error
}

// retryActivity serves POST /api/activity/{id}/retry: the merchant sends again a message whose
// outcome was unknown (the provider may have it already) or whose provider failed. It is
// decided again on fresh facts, so a hold placed since still holds it. 409 for any other state.
func (s *Server) retryActivity(c echo.Context) error {
	id, err := msgPathID(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	md, err := messaging.RetryDecision(ctx, s.DB, ShopID(c), id)
	if err != nil {
		return err
	}
	if q, ok := s.Queue.(deliveryQueue); ok {
		if err := q.EnqueueDelivery(ctx, md.ShopID, md.ID, time.Time{}); err != nil {
			// Queued in the log: the delivery sweeper picks it up within minutes.
			s.Log.Warn("retry not enqueued; the sweeper will deliver it", "shop", c.Get(ctxShop), "decision", id, "error", err)
		}
	}
	return c.JSON(http.StatusAccepted, map[string]any{"id": md.ID, "decision": md.Decision})
}
