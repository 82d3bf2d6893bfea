package messaging

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/boomerang-app/boomerang/models"
)

// Campaign statuses.
const (
	CampaignDraft   = "draft"
	CampaignSending = "sending"
	CampaignSent    = "sent"
)

// MaxCampaignCustomers bounds an explicit customer list.
const MaxCampaignCustomers = 10_000

// Campaign is a one-off promotional message to an audience. Body is the email's HTML (Liquid);
// SMS is the text message (Liquid), the body's plain text when empty.
type Campaign struct {
	ID                 int64            `json:"id"`
	ShopID             int64            `json:"-"`
	Name               string           `json:"name"`
	Channel            string           `json:"channel"`
	Subject            string           `json:"subject"`
	Body               string           `json:"body"`
	SMS                string           `json:"sms,omitempty"`
	FeaturedProductIDs []int64          `json:"featured_product_ids" gorm:"serializer:json"`
	Audience           CampaignAudience `json:"audience" gorm:"serializer:json"`
	Status             string           `json:"status"`
	Cursor             int64            `json:"-"`
	Recipients         int              `json:"recipients"`
	CreatedAt          time.Time        `json:"created_at"`
	StartedAt          *time.Time       `json:"started_at"`
	FinishedAt         *time.Time       `json:"finished_at"`
}

// EmailHTML is the campaign's email body with the same visible unsubscribe footer the ready
// messages carry, unless the merchant placed the unsubscribe link in the body themselves.
func (c *Campaign) EmailHTML() string {
	if strings.Contains(c.Body, "unsubscribe_link") {
		return c.Body
	}
	return c.Body + "\n" + footer
}

// CampaignAudience names exactly one way of choosing recipients.
type CampaignAudience struct {
	CustomerIDs []int64 `json:"customer_ids,omitempty"`
	Stage       string  `json:"stage,omitempty"`
	Tier        string  `json:"tier,omitempty"`
	Segment     string  `json:"segment,omitempty"`
}

// Validate checks a new campaign (templates are checked by the messaging edge).
func (c *Campaign) Validate() error {
	c.Name = strings.TrimSpace(c.Name)
	switch {
	case c.Name == "" || len(c.Name) > 200:
		return models.Invalid("name", "must be 1 to 200 characters")
	case c.Channel != ChannelEmail && c.Channel != ChannelSMS && c.Channel != ChannelBoth:
		return models.Invalid("channel", "must be email, sms or both")
	case strings.TrimSpace(c.Body) == "":
		return models.Invalid("body", "is required")
	case c.Channel != ChannelSMS && strings.TrimSpace(c.Subject) == "":
		return models.Invalid("subject", "an email needs a subject")
	case len(c.FeaturedProductIDs) > 250:
		return models.Invalid("featured_product_ids", "at most 250 products")
	}
	for _, id := range c.FeaturedProductIDs {
		if id <= 0 {
			return models.Invalid("featured_product_ids", "product ids are positive integers")
		}
	}
	a := &c.Audience
	kinds := 0
	if len(a.CustomerIDs) > 0 {
		kinds++
	}
	for _, s := range []string{a.Stage, a.Tier, a.Segment} {
		if s != "" {
			kinds++
		}
	}
	switch {
	case kinds != 1:
		return models.Invalid("audience", "name exactly one of customer_ids, stage, tier or segment")
	case len(a.CustomerIDs) > MaxCampaignCustomers:
		return models.Invalid("audience.customer_ids", "at most %d customers", MaxCampaignCustomers)
	case a.Stage != "" && !slices.Contains(models.BuyerStages, a.Stage):
		return models.Invalid("audience.stage", "unknown stage %q (one of %s)", a.Stage, strings.Join(models.BuyerStages, ", "))
	case a.Segment != "" && !slices.Contains(models.SegmentNames, a.Segment):
		return models.Invalid("audience.segment", "unknown segment %q (one of %s)", a.Segment, strings.Join(models.SegmentNames, ", "))
	case a.Tier != "" && models.TierMembers == nil:
		return models.Invalid("audience.tier", "tiers are not available")
	}
	for _, id := range a.CustomerIDs {
		if id <= 0 {
			return models.Invalid("audience.customer_ids", "customer ids are positive integers")
		}
	}
	return nil
}

// CreateCampaign validates and stores a draft campaign.
func CreateCampaign(ctx context.Context, db *gorm.DB, shopID int64, c Campaign) (*Campaign, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	c.ID, c.ShopID, c.Status, c.Cursor, c.Recipients, c.StartedAt, c.FinishedAt = 0, shopID, CampaignDraft, 0, 0, nil, nil
	if c.FeaturedProductIDs == nil {
		c.FeaturedProductIDs = []int64{}
	}
	slices.Sort(c.Audience.CustomerIDs)
	c.Audience.CustomerIDs = slices.Compact(c.Audience.CustomerIDs)
	if err := db.WithContext(ctx).Create(&c).Error; err != nil {
		return nil, fmt.Errorf("create campaign: %w", err)
	}
	return &c, nil
}

// GetCampaign loads one campaign.
func GetCampaign(ctx context.Context, db *gorm.DB, shopID, id int64) (*Campaign, error) {
	return models.FindOne[Campaign](ctx, db, shopID, "campaign", "id", id)
}

// ListCampaigns returns a shop's campaigns, newest first.
func ListCampaigns(ctx context.Context, db *gorm.DB, shopID int64, limit int) ([]Campaign, error) {
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	var cs []Campaign
	err := models.Scoped(ctx, db, shopID).Order("id DESC").Limit(limit).Find(&cs).Error
	return cs, err
}

// StartCampaign moves a draft to sending; a campaign already sending or sent is returned as
// it is, so a repeated send request never sends twice.
func StartCampaign(ctx context.Context, db *gorm.DB, shopID, id int64, now time.Time) (*Campaign, error) {
	if err := models.Scoped(ctx, db, shopID).Model(&Campaign{}).Where("id = ? AND status = ?", id, CampaignDraft).
		Updates(map[string]any{"status": CampaignSending, "started_at": now}).Error; err != nil {
		return nil, fmt.Errorf("start campaign %d: %w", id, err)
	}
	return GetCampaign(ctx, db, shopID, id)
}

// AdvanceCampaign records that recipients up to customer id `cursor` were decided.
func AdvanceCampaign(ctx context.Context, db *gorm.DB, shopID, id, cursor int64, decided int) error {
	return models.Scoped(ctx, db, shopID).Model(&Campaign{}).Where("id = ? AND cursor < ?", id, cursor).
		Updates(map[string]any{"cursor": cursor, "recipients": gorm.Expr("recipients + ?", decided)}).Error
}

// FinishCampaign marks a campaign whose whole audience was decided.
func FinishCampaign(ctx context.Context, db *gorm.DB, shopID, id int64, now time.Time) error {
	return models.Scoped(ctx, db, shopID).Model(&Campaign{}).Where("id = ? AND status = ?", id, CampaignSending).
		Updates(map[string]any{"status": CampaignSent, "finished_at": now}).Error
}

// SendingCampaigns lists campaigns still being sent, across shops (the sweeper resumes them).
func SendingCampaigns(ctx context.Context, db *gorm.DB) ([]Campaign, error) {
	var cs []Campaign
	err := db.WithContext(models.AllShops(ctx)).Where("status = ?", CampaignSending).Order("id").Limit(1000).Find(&cs).Error
	return cs, err
}

// AudienceMembers pages through a campaign audience: up to limit customer ids above `after`,
// ascending. Only customers Boomerang knows are returned.
func AudienceMembers(ctx context.Context, db *gorm.DB, shopID int64, a CampaignAudience, now time.Time, after int64, limit int) ([]int64, error) {
	if limit <= 0 {
		limit = 500
	}
	var ids []int64
	var err error
	switch {
	case len(a.CustomerIDs) > 0:
		var want []int64
		for _, id := range a.CustomerIDs {
			if id > after {
				want = append(want, id)
			}
		}
		if len(want) == 0 {
			return nil, nil
		}
		err = models.Scoped(ctx, db, shopID).Model(&models.Customer{}).Where("customer_id IN ?", want).Order("customer_id").
			Limit(limit).Pluck("customer_id", &ids).Error
	case a.Stage != "":
		err = models.Scoped(ctx, db, shopID).Model(&models.Customer{}).Where("stage = ? AND customer_id > ?", a.Stage, after).
			Order("customer_id").Limit(limit).Pluck("customer_id", &ids).Error
	case a.Segment != "":
		ids, err = models.SegmentMembers(ctx, db, shopID, a.Segment, now, after, limit)
	case a.Tier != "":
		if models.TierMembers == nil {
			return nil, models.Invalid("audience.tier", "tiers are not available")
		}
		ids, err = models.TierMembers(ctx, db, shopID, a.Tier, after, limit)
	}
	if err != nil {
		return nil, fmt.Errorf("campaign audience: %w", err)
	}
	return ids, nil
}
