package messaging

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"github.com/boomerang-app/boomerang/models"
)

// DecisionTitle is how a decision names what it was about: the message's name, the campaign's,
// or failing both the trigger.
func DecisionTitle(trigger string, messageName, campaignName *string) string {
	switch {
	case messageName != nil:
		return *messageName
	case campaignName != nil:
		return "Campaign: " + *campaignName
	}
	return trigger
}

// DecisionName is how a decision is named: its title in English (DecisionTitle) and, as data
// for the admin to word, the message's or the campaign's own name.
type DecisionName struct {
	Title        string
	MessageName  string
	CampaignName string
}

// DecisionTitles names each decision (by id) as the timeline does, with one query for the
// messages and one for the campaigns the decisions refer to.
func DecisionTitles(ctx context.Context, db *gorm.DB, shopID int64, ds []MessageDecision) (map[int64]DecisionName, error) {
	var msgIDs, campIDs []int64
	for _, d := range ds {
		if d.MessageID != 0 {
			msgIDs = append(msgIDs, d.MessageID)
		}
		if d.CampaignID != 0 {
			campIDs = append(campIDs, d.CampaignID)
		}
	}
	msgNames, err := namesByID(ctx, db, shopID, "messages", msgIDs)
	if err != nil {
		return nil, err
	}
	campNames, err := namesByID(ctx, db, shopID, "campaigns", campIDs)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]DecisionName, len(ds))
	for _, d := range ds {
		var m, c *string
		if n, ok := msgNames[d.MessageID]; ok {
			m = &n
		}
		if n, ok := campNames[d.CampaignID]; ok {
			c = &n
		}
		out[d.ID] = DecisionName{Title: DecisionTitle(d.Trigger, m, c), MessageName: msgNames[d.MessageID], CampaignName: campNames[d.CampaignID]}
	}
	return out, nil
}

// namesByID reads the name column of a shop's rows in table (messages or campaigns).
func namesByID(ctx context.Context, db *gorm.DB, shopID int64, table string, ids []int64) (map[int64]string, error) {
	out := map[int64]string{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []struct {
		ID   int64
		Name string
	}
	if err := models.Scoped(ctx, db, shopID).Table(table).Select("id, name").Where("id IN ?", ids).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("%s names: %w", table, err)
	}
	for _, r := range rows {
		out[r.ID] = r.Name
	}
	return out, nil
}
