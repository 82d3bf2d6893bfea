package handlers

import (
	"context"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/boomerang-app/boomerang/delivery"
	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/models/insights"
	"github.com/boomerang-app/boomerang/models/messaging"
)

// campaignQueue is the part of the job queue that sends campaigns (jobs.Queue has it). Without
// it the sweeper still picks a sending campaign up within a minute.
type campaignQueue interface {
	EnqueueCampaign(ctx context.Context, shopID, campaignID int64) error
}

// createCampaign stores a draft: {"name","channel","subject","body","sms","featured_product_ids",
// "audience": {"customer_ids"} | {"stage"} | {"tier"} | {"segment"}} → {"id", ...}.
func (s *Server) createCampaign(c echo.Context) error {
	var in messaging.Campaign
	if err := c.Bind(&in); err != nil {
		return models.Invalid("", "body must be a campaign: %v", bindReason(err))
	}
	if err := in.Validate(); err != nil {
		return err
	}
	t := delivery.Templates{Subject: in.Subject, HTML: in.Body, SMS: in.SMS}
	if in.Channel == messaging.ChannelSMS {
		t = delivery.Templates{SMS: in.Body}
	}
	fields := map[string]string{delivery.FieldSubject: "subject", delivery.FieldHTML: "body", delivery.FieldText: "body", delivery.FieldSMS: "sms"}
	if in.Channel == messaging.ChannelSMS {
		fields[delivery.FieldSMS] = "body"
	}
	if err := checkTemplates(c.Request().Context(), t, fields); err != nil {
		return err
	}
	out, err := messaging.CreateCampaign(c.Request().Context(), s.DB, ShopID(c), in)
	if err != nil {
		return err
	}
	// Read the featured products from Shopify now, so the mails name and link them (a failure
	// leaves them titled from the orders they were seen on).
	if _, err := s.nameProducts(c, in.FeaturedProductIDs); err != nil {
		s.Log.Warn("featured products not named", "shop_id", ShopID(c), "error", err) // the campaign is created
	}
	return c.JSON(http.StatusCreated, out)
}

func (s *Server) listCampaigns(c echo.Context) error {
	cs, err := messaging.ListCampaigns(c.Request().Context(), s.DB, ShopID(c), 100)
	if err != nil {
		return err
	}
	if cs == nil {
		cs = []messaging.Campaign{}
	}
	return c.JSON(http.StatusOK, map[string]any{"campaigns": cs})
}

// getCampaign returns the campaign with its results: decisions by state and by reason.
func (s *Server) getCampaign(c echo.Context) error {
	id, err := msgPathID(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	camp, err := messaging.GetCampaign(ctx, s.DB, ShopID(c), id)
	if err != nil {
		return err
	}
	totals, err := messaging.CountDecisions(ctx, s.DB, ShopID(c), id, camp.CreatedAt, time.Now().Add(time.Hour))
	if err != nil {
		return err
	}
	outcome, err := insights.CampaignOutcomeOf(ctx, s.DB, ShopID(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"id": camp.ID, "name": camp.Name, "channel": camp.Channel,
		"subject": camp.Subject, "body": camp.Body, "sms": camp.SMS, "featured_product_ids": camp.FeaturedProductIDs,
		"audience": camp.Audience, "status": camp.Status, "created_at": camp.CreatedAt, "started_at": camp.StartedAt,
		"finished_at": camp.FinishedAt, "recipients": sum(totals.ByDecision), "decisions": totals.ByDecision,
		"by_reason": totals.ByReason, "orders_after": outcome.Orders, "revenue_after": outcome.Revenue})
}

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// sendCampaign starts sending (idempotent: a campaign already sending or sent is not sent
// again) → {"id","status"}.
func (s *Server) sendCampaign(c echo.Context) error {
	id, err := msgPathID(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	if err := models.CheckPromotionsAllowed(ctx, s.DB, ShopID(c), time.Now()); err != nil {
		return err
	}
	camp, err := messaging.StartCampaign(ctx, s.DB, ShopID(c), id, time.Now())
	if err != nil {
		return err
	}
	if camp.Status == messaging.CampaignSending {
		if q, ok := s.Queue.(campaignQueue); ok {
			if err := q.EnqueueCampaign(ctx, ShopID(c), id); err != nil {
				s.Log.Warn("campaign enqueue failed; the sweeper will start it", "campaign", id, "error", err)
			}
		}
	}
	return c.JSON(http.StatusOK, map[string]any{"id": camp.ID, "status": camp.Status})
}
