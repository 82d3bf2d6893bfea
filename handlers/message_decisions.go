package handlers

import (
	"context"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/models/messaging"
)

// decisionView is one row of a customer's message history. Internal states read as the
// outcome the merchant cares about: queued and sending are "sending".
type decisionView struct {
	ID         int64  `json:"id"`
	MessageID  *int64 `json:"message_id"`
	CampaignID *int64 `json:"campaign_id"`
	Title      string `json:"title"` // the message's or campaign's name
	// MessageName or CampaignName: the same name as data, for the admin to word.
	MessageName  string     `json:"message_name,omitempty"`
	CampaignName string     `json:"campaign_name,omitempty"`
	Trigger      string     `json:"trigger"`
	Channel      string     `json:"channel"`
	Kind         string     `json:"kind"`
	Decision     string     `json:"decision"`
	Reason       string     `json:"reason"`
	Detail       string     `json:"detail,omitempty"`
	DueAt        *time.Time `json:"due_at,omitempty"`
	CreatedAt    time.Time  `json:"created_at"`
	UpdatedAt    time.Time  `json:"updated_at"`
	SentAt       *time.Time `json:"sent_at"`
	ProviderID   string     `json:"provider_id,omitempty"`
}

// viewDecision shapes a decision for the admin API (also used by the activity list).
func viewDecision(d messaging.MessageDecision) decisionView {
	v := decisionView{ID: d.ID, Trigger: d.Trigger, Channel: d.Channel, Kind: d.Kind, Decision: d.Decision, Reason: d.Reason,
		Detail: d.Detail, DueAt: d.DueAt, CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt, ProviderID: d.ProviderID}
	if d.MessageID != 0 {
		v.MessageID = &d.MessageID
	}
	if d.CampaignID != 0 {
		v.CampaignID = &d.CampaignID
	}
	if d.Decision == messaging.DecisionSent || d.Decision == messaging.DecisionSending {
		v.SentAt = d.SentAt
	}
	if d.Decision == messaging.DecisionQueued {
		v.Decision = messaging.DecisionSending
	}
	return v
}

// customerMessages: GET /api/customers/{id}/messages → every decision about the customer,
// newest first.
func (s *Server) customerMessages(c echo.Context) error {
	id, err := msgPathID(c, "id")
	if err != nil {
		return err
	}
	ds, err := messaging.CustomerDecisions(c.Request().Context(), s.DB, ShopID(c), id, 200)
	if err != nil {
		return err
	}
	titles, err := messaging.DecisionTitles(c.Request().Context(), s.DB, ShopID(c), ds)
	if err != nil {
		return err
	}
	out := make([]decisionView, 0, len(ds))
	for _, d := range ds {
		v := viewDecision(d)
		n := titles[d.ID]
		v.Title, v.MessageName, v.CampaignName = n.Title, n.MessageName, n.CampaignName
		out = append(out, v)
	}
	return c.JSON(http.StatusOK, map[string]any{"messages": out})
}

func init() {
	// The customer record shows the shopper's subscriptions and the segments they are in now.
	addCustomerSection("subscriptions", func(ctx context.Context, s *Server, shopID, customerID int64) (any, error) {
		cs, err := models.CustomerSubscriptions(ctx, s.DB, shopID, customerID)
		if cs == nil {
			cs = []models.SubscriptionContract{}
		}
		return cs, err
	})
	addCustomerSection("segments", func(ctx context.Context, s *Server, shopID, customerID int64) (any, error) {
		return models.CustomerSegments(ctx, s.DB, shopID, customerID, time.Now())
	})
}

// customerSubscriptions: GET /api/customers/{id}/subscriptions → contracts with their lines.
func (s *Server) customerSubscriptions(c echo.Context) error {
	id, err := msgPathID(c, "id")
	if err != nil {
		return err
	}
	cs, err := models.CustomerSubscriptions(c.Request().Context(), s.DB, ShopID(c), id)
	if err != nil {
		return err
	}
	if cs == nil {
		cs = []models.SubscriptionContract{}
	}
	return c.JSON(http.StatusOK, map[string]any{"subscriptions": cs})
}
