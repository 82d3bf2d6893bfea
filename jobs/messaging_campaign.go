package jobs

import (
	"context"
	"strconv"
	"time"

	"github.com/hibiken/asynq"

	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/models/messaging"
)

// TriggerCampaign is the trigger recorded on campaign decisions.
const TriggerCampaign = "campaign"

// campaignPage is how many recipients are decided per step; each step's facts are loaded in
// a few queries and the cursor is saved after it, so a crash resumes at the next page.
const campaignPage = 500

// handleSendCampaign decides a sending campaign's audience page by page. Every recipient gets
// their own decision row (unique per campaign and customer), so resuming never doubles a send.
func (w *Worker) handleSendCampaign(ctx context.Context, t *asynq.Task) error {
	p, err := decodeShopItem(t)
	if err != nil {
		return err
	}
	_, err = w.SendCampaign(ctx, p.Shop, p.ID)
	return err
}

// SendCampaign decides every remaining recipient of a campaign and returns how many it decided.
func (w *Worker) SendCampaign(ctx context.Context, shopID, campaignID int64) (int, error) {
	c, err := messaging.GetCampaign(ctx, w.DB, shopID, campaignID)
	if models.ErrorCode(err) == models.ENotFound {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	if c.Status != messaging.CampaignSending {
		return 0, nil
	}
	pol, err := messaging.GetMessagePolicy(ctx, w.DB, shopID)
	if err != nil {
		return 0, err
	}
	s := pol.Settings()
	started := w.now()
	if c.StartedAt != nil {
		started = *c.StartedAt
	}
	entity := "campaign:" + strconv.FormatInt(c.ID, 10)
	total := 0
	for {
		if err := ctx.Err(); err != nil {
			return total, err
		}
		now := w.now()
		ids, err := messaging.AudienceMembers(ctx, w.DB, shopID, c.Audience, now, c.Cursor, campaignPage)
		if err != nil {
			return total, err
		}
		if len(ids) == 0 {
			return total, messaging.FinishCampaign(ctx, w.DB, shopID, c.ID, now)
		}
		facts, err := messaging.LoadCustomerFacts(ctx, w.DB, shopID, ids, s.CapWindow, now)
		if err != nil {
			return total, err
		}
		rows := make([]*messaging.MessageDecision, 0, len(ids))
		for _, id := range ids {
			var cust *models.Customer
			smsSuppressed := false
			if cf := facts[id]; cf != nil {
				cust, smsSuppressed = cf.Customer, cf.Suppressed[messaging.ChannelSMS]
			}
			md := &messaging.MessageDecision{ShopID: shopID, CampaignID: c.ID, CustomerID: id, Trigger: TriggerCampaign,
				EntityKey: entity, Kind: messaging.KindPromotional, Channel: messaging.ResolveChannel(c.Channel, cust, smsSuppressed),
				NotBefore: started}
			cand := messaging.Candidate{Trigger: TriggerCampaign, Kind: messaging.KindPromotional, Channel: md.Channel, Campaign: true,
				FeaturedProductIDs: c.FeaturedProductIDs, NotBefore: started.Add(-time.Second)}
			md.Apply(messaging.Decide(cand, facts.For(id, md.Channel), s, now))
			rows = append(rows, md)
		}
		created, err := messaging.RecordDecisions(ctx, w.DB, rows)
		if err != nil {
			return total, err
		}
		if err := w.enqueueDeliveries(ctx, created); err != nil {
			return total, err
		}
		c.Cursor = ids[len(ids)-1]
		total += len(ids)
		if err := messaging.AdvanceCampaign(ctx, w.DB, shopID, c.ID, c.Cursor, len(ids)); err != nil {
			return total, err
		}
	}
}
