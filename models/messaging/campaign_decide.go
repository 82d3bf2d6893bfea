package messaging

import (
	"context"
	"strconv"
	"time"

	"gorm.io/gorm"

	"github.com/boomerang-app/boomerang/models"
)

// TriggerCampaign is the trigger recorded on campaign decisions.
const TriggerCampaign = "campaign"

// campaignPage is how many recipients are decided per step; each step's facts are loaded in
// a few queries and the cursor is saved after it, so a crash resumes at the next page.
const campaignPage = 500

// DecideCampaign decides every remaining recipient of a sending campaign, page by page, and
// returns how many it decided. Each page's new decisions go to deliver before the cursor moves
// on; every recipient's decision is unique per campaign and customer, so a resumed run (after a
// crash, or deliver failing) never doubles a send.
func DecideCampaign(ctx context.Context, db *gorm.DB, shopID, campaignID int64, now func() time.Time, deliver func([]*MessageDecision) error) (int, error) {
	c, err := GetCampaign(ctx, db, shopID, campaignID)
	if models.ErrorCode(err) == models.ENotFound {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	if c.Status != CampaignSending {
		return 0, nil
	}
	pol, err := GetMessagePolicy(ctx, db, shopID)
	if err != nil {
		return 0, err
	}
	s := pol.Settings()
	started := now()
	if c.StartedAt != nil {
		started = *c.StartedAt
	}
	entity := "campaign:" + strconv.FormatInt(c.ID, 10)
	total := 0
	for {
		if err := ctx.Err(); err != nil {
			return total, err
		}
		now := now()
		ids, err := AudienceMembers(ctx, db, shopID, c.Audience, now, c.Cursor, campaignPage)
		if err != nil {
			return total, err
		}
		if len(ids) == 0 {
			return total, FinishCampaign(ctx, db, shopID, c.ID, now)
		}
		facts, err := LoadCustomerFacts(ctx, db, shopID, ids, s.CapWindow, now)
		if err != nil {
			return total, err
		}
		rows := make([]*MessageDecision, 0, len(ids))
		for _, id := range ids {
			var cust *models.Customer
			smsSuppressed := false
			if cf := facts[id]; cf != nil {
				cust, smsSuppressed = cf.Customer, cf.Suppressed[ChannelSMS]
			}
			md := &MessageDecision{ShopID: shopID, CampaignID: c.ID, CustomerID: id, Trigger: TriggerCampaign,
				EntityKey: entity, Kind: KindPromotional, Channel: ResolveChannel(c.Channel, cust, smsSuppressed),
				NotBefore: started}
			cand := Candidate{Trigger: TriggerCampaign, Kind: KindPromotional, Channel: md.Channel, Campaign: true,
				FeaturedProductIDs: c.FeaturedProductIDs, NotBefore: started.Add(-time.Second)}
			md.Apply(Decide(cand, facts.For(id, md.Channel), s, now))
			rows = append(rows, md)
		}
		created, err := RecordDecisions(ctx, db, rows)
		if err != nil {
			return total, err
		}
		if err := deliver(created); err != nil {
			return total, err
		}
		c.Cursor = ids[len(ids)-1]
		total += len(ids)
		if err := AdvanceCampaign(ctx, db, shopID, c.ID, c.Cursor, len(ids)); err != nil {
			return total, err
		}
	}
}
