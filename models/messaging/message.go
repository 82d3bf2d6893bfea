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

// Message is one retention message a shop sends on a trigger.
type Message struct {
	ID           int64            `json:"id"`
	ShopID       int64            `json:"-"`
	Preset       string           `json:"preset,omitempty"`
	Name         string           `json:"name"`
	Trigger      string           `json:"trigger"`
	Kind         string           `json:"kind"`
	Channel      string           `json:"channel"`
	Audience     models.Audience  `json:"audience" gorm:"serializer:json"`
	DelayMinutes int              `json:"delay_minutes"`
	Templates    MessageTemplates `json:"templates" gorm:"embedded"`
	// Translations: the message's copy per language (fr, de, …); shoppers in any other language
	// get Templates.
	Translations       map[string]MessageTemplates `json:"translations" gorm:"serializer:json"`
	FeaturedProductIDs []int64                     `json:"featured_product_ids" gorm:"serializer:json"`
	Enabled            bool                        `json:"enabled"`
	CreatedAt          time.Time                   `json:"created_at"`
	UpdatedAt          time.Time                   `json:"updated_at"`
}

// MessageTemplates are the Liquid sources of a message (see messaging.Templates).
type MessageTemplates struct {
	Subject string `json:"subject"`
	HTML    string `json:"html"`
	Text    string `json:"text"`
	SMS     string `json:"sms"`
}

// Triggers a message can answer: the event kinds (models/events.go).
var MessageTriggers = []string{
	models.EventPointsEarned, models.EventPointsExpiring, models.EventRewardIssued, models.EventTierChanged, models.EventNegativeReview,
	models.EventReviewRequest, models.EventReviewReminder, models.EventSubscriptionCancelled, models.EventOneTimeBuyerQuiet, models.EventAtRisk,
	models.EventFirstOrder, models.EventReferralRewarded, models.EventBirthday,
}

// MaxMessageDelay bounds a message's delay (90 days).
const MaxMessageDelay = 90 * 24 * 60

// Validate checks the structure of a message (templates are checked by the messaging edge).
func (m *Message) Validate() error {
	m.Name = strings.TrimSpace(m.Name)
	switch {
	case m.Name == "" || len(m.Name) > 200:
		return models.Invalid("name", "must be 1 to 200 characters")
	case !slices.Contains(MessageTriggers, m.Trigger):
		return models.Invalid("trigger", "unknown trigger %q (one of %s)", m.Trigger, strings.Join(MessageTriggers, ", "))
	case m.Kind != KindPromotional && m.Kind != KindTransactional:
		return models.Invalid("kind", "must be promotional or transactional")
	case m.Channel != ChannelEmail && m.Channel != ChannelSMS && m.Channel != ChannelBoth:
		return models.Invalid("channel", "must be email, sms or both")
	case m.DelayMinutes < 0 || m.DelayMinutes > MaxMessageDelay:
		return models.Invalid("delay_minutes", "must be between 0 and %d", MaxMessageDelay)
	case len(m.FeaturedProductIDs) > 250:
		return models.Invalid("featured_product_ids", "at most 250 products")
	}
	if err := m.Audience.Validate("audience"); err != nil {
		return err
	}
	t := m.Templates
	if m.Channel != ChannelSMS && (strings.TrimSpace(t.Subject) == "" || strings.TrimSpace(t.HTML+t.Text) == "") {
		return models.Invalid("templates.subject", "an email needs a subject and a body")
	}
	if m.Channel != ChannelEmail && strings.TrimSpace(t.SMS) == "" {
		return models.Invalid("templates.sms", "an SMS message needs SMS text")
	}
	for _, id := range m.FeaturedProductIDs {
		if id <= 0 {
			return models.Invalid("featured_product_ids", "product ids are positive integers")
		}
	}
	return m.validateTranslations()
}

// ListMessages returns a shop's messages, in creation order.
func ListMessages(ctx context.Context, db *gorm.DB, shopID int64) ([]Message, error) {
	var ms []Message
	err := models.Scoped(ctx, db, shopID).Order("id").Find(&ms).Error
	return ms, err
}

// GetMessage loads one message.
func GetMessage(ctx context.Context, db *gorm.DB, shopID, id int64) (*Message, error) {
	return models.FindOne[Message](ctx, db, shopID, "message", "id", id)
}

// EnabledMessagesFor lists a shop's switched-on messages for one trigger.
func EnabledMessagesFor(ctx context.Context, db *gorm.DB, shopID int64, trigger string) ([]Message, error) {
	var ms []Message
	err := models.Scoped(ctx, db, shopID).Where("trigger = ? AND enabled", trigger).Order("id").Find(&ms).Error
	return ms, err
}

// CreateMessage validates and stores a new message.
func CreateMessage(ctx context.Context, db *gorm.DB, shopID int64, m Message) (*Message, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	m.ID, m.ShopID, m.Preset = 0, shopID, ""
	if m.FeaturedProductIDs == nil {
		m.FeaturedProductIDs = []int64{}
	}
	if m.Translations == nil {
		m.Translations = map[string]MessageTemplates{}
	}
	if err := db.WithContext(ctx).Create(&m).Error; err != nil {
		return nil, fmt.Errorf("create message: %w", err)
	}
	return &m, nil
}

// UpdateMessage replaces a message's settings and templates (the preset name stays).
func UpdateMessage(ctx context.Context, db *gorm.DB, shopID, id int64, m Message) (*Message, error) {
	cur, err := GetMessage(ctx, db, shopID, id)
	if err != nil {
		return nil, err
	}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	if m.FeaturedProductIDs == nil {
		m.FeaturedProductIDs = []int64{}
	}
	if m.Translations == nil { // a request without translations keeps the ones stored
		m.Translations = cur.Translations
	}
	m.ID, m.ShopID, m.Preset, m.CreatedAt, m.UpdatedAt = id, shopID, cur.Preset, cur.CreatedAt, time.Now()
	err = models.Scoped(ctx, db, shopID).Model(&Message{}).Where("id = ?", id).Select("name", "trigger", "kind", "channel", "audience",
		"delay_minutes", "subject", "html", "text", "sms", "translations", "featured_product_ids", "enabled", "updated_at").Updates(&m).Error
	if err != nil {
		return nil, fmt.Errorf("update message %d: %w", id, err)
	}
	return &m, nil
}

// SetMessageEnabled switches a message on or off.
func SetMessageEnabled(ctx context.Context, db *gorm.DB, shopID, id int64, enabled bool) (*Message, error) {
	res := models.Scoped(ctx, db, shopID).Model(&Message{}).Where("id = ?", id).
		Updates(map[string]any{"enabled": enabled, "updated_at": time.Now()})
	if res.Error != nil {
		return nil, fmt.Errorf("switch message %d: %w", id, res.Error)
	}
	if res.RowsAffected == 0 {
		return nil, models.NotFound("message")
	}
	return GetMessage(ctx, db, shopID, id)
}
