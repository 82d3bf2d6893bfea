package messaging

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/boomerang-app/boomerang/models"
)

// SMSSettings is a shop's SMS provider account (Twilio or a compatible API). The auth token is
// stored sealed and never returned.
type SMSSettings struct {
	ShopID     int64  `gorm:"primaryKey"`
	AccountSID string `gorm:"column:account_sid"`
	AuthToken  []byte
	FromNumber string
	BaseURL    string
	UpdatedAt  time.Time
}

// TableName keeps GORM from pluralizing "settings" again.
func (SMSSettings) TableName() string { return "sms_settings" }

// SMSCredentials are the opened settings a sender needs.
type SMSCredentials struct {
	AccountSID, AuthToken, From, BaseURL string
}

// SMSSettingsView is what the admin API shows: never the token itself.
type SMSSettingsView struct {
	AccountSID   string `json:"account_sid"`
	From         string `json:"from"`
	BaseURL      string `json:"base_url"`
	AuthTokenSet bool   `json:"auth_token_set"`
	Configured   bool   `json:"configured"`
}

// SMSSettingsInput is a change from the admin API; an empty AuthToken keeps the stored one.
type SMSSettingsInput struct {
	AccountSID string `json:"account_sid"`
	AuthToken  string `json:"auth_token"`
	From       string `json:"from"`
	BaseURL    string `json:"base_url"`
}

var e164 = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)

func smsAD(shopID int64) []byte { return []byte("sms-auth-token:" + strconv.FormatInt(shopID, 10)) }

func loadSMSSettings(ctx context.Context, db *gorm.DB, shopID int64) (*SMSSettings, error) {
	var ss []SMSSettings
	if err := models.Scoped(ctx, db, shopID).Limit(1).Find(&ss).Error; err != nil {
		return nil, fmt.Errorf("sms settings of shop %d: %w", shopID, err)
	}
	if len(ss) == 0 {
		return nil, nil
	}
	return &ss[0], nil
}

// GetSMSSettings returns the admin view of a shop's SMS settings.
func GetSMSSettings(ctx context.Context, db *gorm.DB, shopID int64) (SMSSettingsView, error) {
	s, err := loadSMSSettings(ctx, db, shopID)
	if err != nil || s == nil {
		return SMSSettingsView{}, err
	}
	v := SMSSettingsView{AccountSID: s.AccountSID, From: s.FromNumber, BaseURL: s.BaseURL, AuthTokenSet: len(s.AuthToken) > 0}
	v.Configured = v.AccountSID != "" && v.From != "" && v.AuthTokenSet
	return v, nil
}

// SaveSMSSettings validates and stores a shop's SMS account, sealing the token.
func SaveSMSSettings(ctx context.Context, db *gorm.DB, cipher *models.Cipher, shopID int64, in SMSSettingsInput) (SMSSettingsView, error) {
	in.AccountSID, in.From, in.BaseURL = strings.TrimSpace(in.AccountSID), strings.TrimSpace(in.From), strings.TrimSpace(in.BaseURL)
	switch {
	case in.AccountSID == "" || len(in.AccountSID) > 100:
		return SMSSettingsView{}, models.Invalid("account_sid", "is required")
	case !e164.MatchString(in.From):
		return SMSSettingsView{}, models.Invalid("from", "must be an E.164 number such as +15005550006")
	case len(in.AuthToken) > 200:
		return SMSSettingsView{}, models.Invalid("auth_token", "is too long")
	}
	if in.BaseURL != "" {
		if u, err := url.Parse(in.BaseURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return SMSSettingsView{}, models.Invalid("base_url", "must be an absolute http(s) URL")
		}
	}
	cur, err := loadSMSSettings(ctx, db, shopID)
	if err != nil {
		return SMSSettingsView{}, err
	}
	var sealed []byte
	switch {
	case in.AuthToken != "":
		if sealed, err = cipher.Seal([]byte(in.AuthToken), smsAD(shopID)); err != nil {
			return SMSSettingsView{}, fmt.Errorf("seal sms token: %w", err)
		}
	case cur != nil && len(cur.AuthToken) > 0:
		sealed = cur.AuthToken
	default:
		return SMSSettingsView{}, models.Invalid("auth_token", "is required")
	}
	err = db.WithContext(ctx).Exec(`INSERT INTO sms_settings (shop_id, account_sid, auth_token, from_number, base_url)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT (shop_id) DO UPDATE SET account_sid = EXCLUDED.account_sid,
			auth_token = EXCLUDED.auth_token, from_number = EXCLUDED.from_number, base_url = EXCLUDED.base_url, updated_at = now()`,
		shopID, in.AccountSID, sealed, in.From, in.BaseURL).Error
	if err != nil {
		return SMSSettingsView{}, fmt.Errorf("save sms settings: %w", err)
	}
	return GetSMSSettings(ctx, db, shopID)
}

// SMSCredentialsFor opens a shop's SMS account; NotFound when none is configured.
func SMSCredentialsFor(ctx context.Context, db *gorm.DB, cipher *models.Cipher, shopID int64) (*SMSCredentials, error) {
	s, err := loadSMSSettings(ctx, db, shopID)
	if err != nil {
		return nil, err
	}
	if s == nil || s.AccountSID == "" || len(s.AuthToken) == 0 {
		return nil, models.NotFound("sms settings")
	}
	token, err := cipher.Open(s.AuthToken, smsAD(shopID))
	if err != nil {
		return nil, fmt.Errorf("open sms token of shop %d: %w", shopID, err)
	}
	return &SMSCredentials{AccountSID: s.AccountSID, AuthToken: string(token), From: s.FromNumber, BaseURL: s.BaseURL}, nil
}
