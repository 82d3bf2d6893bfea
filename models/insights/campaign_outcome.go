package insights

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/shopspring/decimal"
	"gorm.io/gorm"
)

// CampaignOutcome is what followed a campaign: its recipients' kept orders placed within 7 days
// after their copy was sent (the scorecard's attribution window), and their revenue net of
// refunds.
type CampaignOutcome struct {
	Orders  int64           `json:"orders"`
	Revenue decimal.Decimal `json:"revenue"`
}

// CampaignOutcomeOf counts what followed a campaign's sent copies.
func CampaignOutcomeOf(ctx context.Context, db *gorm.DB, shopID, campaignID int64) (CampaignOutcome, error) {
	var out CampaignOutcome
	q := keptOrdersSQL(`o.customer_id IN (SELECT customer_id FROM message_decisions
			WHERE shop_id = @shop AND campaign_id = @campaign AND decision = 'sent')`) + `
		SELECT count(*) AS orders, COALESCE(sum(k.net), 0) AS revenue FROM kept k
		WHERE EXISTS (SELECT 1 FROM message_decisions m WHERE m.shop_id = @shop AND m.campaign_id = @campaign
			AND m.decision = 'sent' AND m.customer_id = k.customer_id
			AND m.sent_at < k.placed AND m.sent_at >= k.placed - interval '7 days')`
	if err := db.WithContext(ctx).Raw(q, sql.Named("shop", shopID), sql.Named("campaign", campaignID)).Find(&out).Error; err != nil {
		return out, fmt.Errorf("outcome of campaign %d: %w", campaignID, err)
	}
	return out, nil
}
