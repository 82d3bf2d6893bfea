package loyalty

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/shopspring/decimal"
	"gorm.io/gorm"

	"github.com/boomerang-app/boomerang/models"
)

// Loyalty program settings: one JSON document per shop, replaced as a whole by the admin and
// validated field by field (the error names the JSON path, e.g. "tiers[1].threshold").

// Tier measures and windows, expiry modes, reward types.
const (
	MeasureSpend  = "spend"
	MeasurePoints = "points"

	WindowRolling12  = "rolling_12_months"
	WindowCalendar   = "calendar_year"
	WindowLifetime   = "lifetime"
	ExpiryOff        = "off"
	ExpiryInactivity = "inactivity"
	ExpiryBatch      = "batch"

	RewardFixed      = "fixed"
	RewardPercentage = "percentage"
)

// Num is a decimal that travels as a JSON number, so the admin form edits it as one while the
// arithmetic stays exact.
type Num struct{ decimal.Decimal }

// N builds a Num from a decimal literal; it panics on a bad literal (constants only).
func N(s string) Num { return Num{decimal.RequireFromString(s)} }

func (n Num) MarshalJSON() ([]byte, error) { return []byte(n.Decimal.String()), nil }

// UnmarshalJSON accepts a number or a numeric string. Its error is a type error so the decoder
// adds the field path to it.
func (n *Num) UnmarshalJSON(b []byte) error {
	s := strings.TrimSpace(string(b))
	d, err := decimal.NewFromString(strings.Trim(s, `"`))
	if s == "null" || err != nil {
		return &json.UnmarshalTypeError{Value: s, Type: numType}
	}
	n.Decimal = d
	return nil
}

var numType = reflect.TypeOf(Num{})

// LoyaltySettings is a shop's whole program.
type LoyaltySettings struct {
	EarnRate         Num              `json:"earn_rate"` // points per 1 unit of shop currency
	PendingDays      int              `json:"pending_days"`
	IgnoreTestOrders bool             `json:"ignore_test_orders"`
	Bonus            BonusPoints      `json:"bonus"`
	Rewards          []Reward         `json:"rewards"`
	TierMeasure      string           `json:"tier_measure"`
	TierWindow       string           `json:"tier_window"`
	Tiers            []Tier           `json:"tiers"` // ascending thresholds
	ExpiryMode       string           `json:"expiry_mode"`
	ExpiryMonths     int              `json:"expiry_months"`
	ReminderDays     []int            `json:"reminder_days"`
	Referral         ReferralSettings `json:"referral"`
}

// BonusPoints are the points for actions other than buying; 0 switches one off. Referral is
// what the referring customer gets when the friend's first order qualifies.
type BonusPoints struct {
	Signup      int64 `json:"signup"`
	FirstReview int64 `json:"first_review"`
	Referral    int64 `json:"referral"`
	Birthday    int64 `json:"birthday"`
}

// Reward is what points buy: a single-use discount code.
type Reward struct {
	Name       string `json:"name"`
	Type       string `json:"type"`  // fixed | percentage
	Value      Num    `json:"value"` // currency amount, or percent (10 = 10 %)
	PointsCost int64  `json:"points_cost"`
	ValidDays  int    `json:"valid_days"`
}

// Label is what shoppers and the merchant read for the reward: its name, except that a fixed
// reward still named as the defaults name them ("5 off", which knows no currency) reads as the
// amount in the shop's currency ("$5 off").
func (r Reward) Label(currency string) string {
	if r.Type == RewardFixed && r.Name == r.Value.String()+" off" {
		return models.MoneyText(r.Value.Decimal, currency) + " off"
	}
	return r.Name
}

// Tier is a VIP level reached at Threshold (spend or points earned, per TierMeasure).
type Tier struct {
	Name       string `json:"name"`
	Threshold  Num    `json:"threshold"`
	Multiplier Num    `json:"multiplier"`
}

// ReferralSettings: the friend's reward and the referrer's weekly cap (the referrer's points
// are bonus.referral).
type ReferralSettings struct {
	Enabled      bool  `json:"enabled"`
	FriendPoints int64 `json:"friend_points"`
	WeeklyLimit  int   `json:"weekly_limit"`
}

// DefaultLoyaltySettings are PRODUCT.md's defaults: 5 points per unit, 100 points = 1 unit off
// valid 6 months, no pending period, 12 months of inactivity with reminders 30 and 7 days
// before, Bronze/Silver/Gold at 0/500/1500 spent over a rolling 12 months.
func DefaultLoyaltySettings() LoyaltySettings {
	return LoyaltySettings{
		EarnRate:         N("5"),
		PendingDays:      0,
		IgnoreTestOrders: true,
		Bonus:            BonusPoints{Signup: 50, FirstReview: 100, Referral: 500, Birthday: 100},
		Rewards: []Reward{
			{Name: "1 off", Type: RewardFixed, Value: N("1"), PointsCost: 100, ValidDays: 180},
			{Name: "5 off", Type: RewardFixed, Value: N("5"), PointsCost: 500, ValidDays: 180},
			{Name: "10 off", Type: RewardFixed, Value: N("10"), PointsCost: 1000, ValidDays: 180},
		},
		TierMeasure: MeasureSpend,
		TierWindow:  WindowRolling12,
		Tiers: []Tier{
			{Name: "Bronze", Threshold: N("0"), Multiplier: N("1")},
			{Name: "Silver", Threshold: N("500"), Multiplier: N("1.25")},
			{Name: "Gold", Threshold: N("1500"), Multiplier: N("1.5")},
		},
		ExpiryMode:   ExpiryInactivity,
		ExpiryMonths: 12,
		ReminderDays: []int{30, 7},
		Referral:     ReferralSettings{Enabled: true, FriendPoints: 500, WeeklyLimit: 10},
	}
}

// ParseLoyaltySettings decodes a whole settings document strictly (unknown fields are refused,
// so a typo cannot silently keep the old value) and validates it.
func ParseLoyaltySettings(body []byte) (LoyaltySettings, error) {
	var s LoyaltySettings
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return s, settingsDecodeError(err)
	}
	if dec.More() {
		return s, models.Invalid("", "one JSON document expected")
	}
	return s, s.Validate()
}

func settingsDecodeError(err error) error {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te) && te.Type == numType:
		return models.Invalid(te.Field, "must be a number")
	case errors.As(err, &te):
		return models.Invalid(te.Field, "must be %s", jsonKind(te.Type.Kind().String()))
	case errors.As(err, &se):
		return models.Invalid("", "not valid JSON: %v", err)
	}
	msg := err.Error()
	if f, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
		return models.Invalid(strings.Trim(f, `"`), "unknown field")
	}
	return models.Invalid("", "%s", strings.TrimPrefix(msg, "json: "))
}

func jsonKind(k string) string {
	switch k {
	case "int", "int64", "float64":
		return "a number"
	case "bool":
		return "true or false"
	case "string":
		return "a string"
	case "slice":
		return "a list"
	case "struct":
		return "an object"
	}
	return "of another type"
}

// Validate refuses a bad value with the field's JSON path and the reason.
func (s LoyaltySettings) Validate() error {
	if s.EarnRate.IsNegative() || s.EarnRate.GreaterThan(decimal.NewFromInt(1000)) {
		return models.Invalid("earn_rate", "must be between 0 and 1000 points per unit")
	}
	if s.EarnRate.Exponent() < -4 {
		return models.Invalid("earn_rate", "at most 4 decimal places")
	}
	if s.PendingDays < 0 || s.PendingDays > 365 {
		return models.Invalid("pending_days", "must be between 0 and 365")
	}
	for name, v := range map[string]int64{"signup": s.Bonus.Signup, "first_review": s.Bonus.FirstReview,
		"referral": s.Bonus.Referral, "birthday": s.Bonus.Birthday} {
		if v < 0 || v > 1_000_000 {
			return models.Invalid("bonus."+name, "must be between 0 and 1000000")
		}
	}
	if len(s.Rewards) > 20 {
		return models.Invalid("rewards", "at most 20 rewards")
	}
	seen := map[string]bool{}
	for i, r := range s.Rewards {
		f := fmt.Sprintf("rewards[%d].", i)
		name := strings.TrimSpace(r.Name)
		switch {
		case name == "" || len(name) > 100:
			return models.Invalid(f+"name", "must be 1 to 100 characters")
		case seen[strings.ToLower(name)]:
			return models.Invalid(f+"name", "another reward has this name")
		case r.Type != RewardFixed && r.Type != RewardPercentage:
			return models.Invalid(f+"type", "must be fixed or percentage")
		case !r.Value.IsPositive():
			return models.Invalid(f+"value", "must be more than 0")
		case r.Type == RewardPercentage && r.Value.GreaterThan(decimal.NewFromInt(100)):
			return models.Invalid(f+"value", "a percentage is at most 100")
		case r.Value.GreaterThan(decimal.NewFromInt(1_000_000)) || r.Value.Exponent() < -2:
			return models.Invalid(f+"value", "at most 1000000 with 2 decimal places")
		case r.PointsCost < 1 || r.PointsCost > 1_000_000_000:
			return models.Invalid(f+"points_cost", "must be between 1 and 1000000000")
		case r.ValidDays < 1 || r.ValidDays > 3650:
			return models.Invalid(f+"valid_days", "must be between 1 and 3650")
		}
		seen[strings.ToLower(name)] = true
	}
	if s.TierMeasure != MeasureSpend && s.TierMeasure != MeasurePoints {
		return models.Invalid("tier_measure", "must be spend or points")
	}
	switch s.TierWindow {
	case WindowRolling12, WindowCalendar, WindowLifetime:
	default:
		return models.Invalid("tier_window", "must be rolling_12_months, calendar_year or lifetime")
	}
	if len(s.Tiers) > 10 {
		return models.Invalid("tiers", "at most 10 tiers")
	}
	seen = map[string]bool{}
	for i, t := range s.Tiers {
		f := fmt.Sprintf("tiers[%d].", i)
		name := strings.TrimSpace(t.Name)
		switch {
		case name == "" || len(name) > 50:
			return models.Invalid(f+"name", "must be 1 to 50 characters")
		case seen[strings.ToLower(name)]:
			return models.Invalid(f+"name", "another tier has this name")
		case t.Threshold.IsNegative():
			return models.Invalid(f+"threshold", "must be 0 or more")
		case i > 0 && !t.Threshold.GreaterThan(s.Tiers[i-1].Threshold.Decimal):
			return models.Invalid(f+"threshold", "must be higher than the previous tier's")
		case !t.Multiplier.IsPositive() || t.Multiplier.GreaterThan(decimal.NewFromInt(10)):
			return models.Invalid(f+"multiplier", "must be more than 0 and at most 10")
		case t.Multiplier.Exponent() < -4:
			return models.Invalid(f+"multiplier", "at most 4 decimal places")
		}
		seen[strings.ToLower(name)] = true
	}
	switch s.ExpiryMode {
	case ExpiryOff, ExpiryInactivity, ExpiryBatch:
	default:
		return models.Invalid("expiry_mode", "must be off, inactivity or batch")
	}
	if s.ExpiryMode != ExpiryOff && (s.ExpiryMonths < 1 || s.ExpiryMonths > 120) {
		return models.Invalid("expiry_months", "must be between 1 and 120")
	}
	if s.ExpiryMonths < 0 || s.ExpiryMonths > 120 {
		return models.Invalid("expiry_months", "must be between 0 and 120")
	}
	if len(s.ReminderDays) > 5 {
		return models.Invalid("reminder_days", "at most 5 reminders")
	}
	days := map[int]bool{}
	for i, d := range s.ReminderDays {
		if d < 1 || d > 365 {
			return models.Invalid(fmt.Sprintf("reminder_days[%d]", i), "must be between 1 and 365")
		}
		if days[d] {
			return models.Invalid(fmt.Sprintf("reminder_days[%d]", i), "listed twice")
		}
		days[d] = true
	}
	if s.Referral.FriendPoints < 0 || s.Referral.FriendPoints > 1_000_000 {
		return models.Invalid("referral.friend_points", "must be between 0 and 1000000")
	}
	if s.Referral.WeeklyLimit < 1 || s.Referral.WeeklyLimit > 1000 {
		return models.Invalid("referral.weekly_limit", "must be between 1 and 1000")
	}
	return nil
}

// RewardNamed finds a reward by name (case-insensitive).
func (s LoyaltySettings) RewardNamed(name string) (Reward, bool) {
	for _, r := range s.Rewards {
		if strings.EqualFold(strings.TrimSpace(r.Name), strings.TrimSpace(name)) {
			return r, true
		}
	}
	return Reward{}, false
}

// ProgramSettings is a shop's settings with the bookkeeping the engine needs.
type ProgramSettings struct {
	LoyaltySettings
	ExpirySince *time.Time // expiry was switched on then; nil while it is off
}

type settingsRow struct {
	Doc         []byte
	ExpirySince *time.Time
}

// LoadLoyaltySettings returns a shop's program, installing the defaults the first time (a shop
// first seen through a webhook has not been seeded yet).
func LoadLoyaltySettings(ctx context.Context, db *gorm.DB, shopID int64) (ProgramSettings, error) {
	var row settingsRow
	res := db.WithContext(ctx).Raw(`SELECT doc, expiry_since FROM loyalty_settings WHERE shop_id = ?`, shopID).Scan(&row)
	if res.Error != nil {
		return ProgramSettings{}, fmt.Errorf("load loyalty settings %d: %w", shopID, res.Error)
	}
	if res.RowsAffected == 0 {
		if err := seedLoyaltySettings(ctx, db, shopID); err != nil {
			return ProgramSettings{}, err
		}
		return LoadLoyaltySettings(ctx, db, shopID)
	}
	var s ProgramSettings
	if err := json.Unmarshal(row.Doc, &s.LoyaltySettings); err != nil {
		return ProgramSettings{}, fmt.Errorf("decode loyalty settings %d: %w", shopID, err)
	}
	s.ExpirySince = row.ExpirySince
	return s, nil
}

// The order path reads the program for every webhook; it keeps each shop's program for a
// moment. A save in this process drops the copy at once, other processes see a change within
// settingsTTL.
const settingsTTL = 2 * time.Second

type settingsKey struct {
	cfg  *gorm.Config // one per opened database
	shop int64
}

type settingsEntry struct {
	set ProgramSettings
	at  time.Time
}

var settingsCache sync.Map

// cachedLoyaltySettings is LoadLoyaltySettings through the short-lived cache (read-only use).
func cachedLoyaltySettings(ctx context.Context, db *gorm.DB, shopID int64) (ProgramSettings, error) {
	k := settingsKey{db.Config, shopID}
	if v, ok := settingsCache.Load(k); ok && time.Since(v.(settingsEntry).at) < settingsTTL {
		return v.(settingsEntry).set, nil
	}
	set, err := LoadLoyaltySettings(ctx, db, shopID)
	if err == nil {
		settingsCache.Store(k, settingsEntry{set, time.Now()})
	}
	return set, err
}

func seedLoyaltySettings(ctx context.Context, tx *gorm.DB, shopID int64) error {
	doc, err := json.Marshal(DefaultLoyaltySettings())
	if err != nil {
		return err
	}
	err = tx.WithContext(ctx).Exec(`INSERT INTO loyalty_settings (shop_id, doc, expiry_since) VALUES (?, ?, ?)
		ON CONFLICT (shop_id) DO NOTHING`, shopID, string(doc), time.Now().UTC()).Error
	if err != nil {
		return fmt.Errorf("seed loyalty settings %d: %w", shopID, err)
	}
	return nil
}

func init() { models.RegisterSeeder(seedLoyaltySettings) }

// SaveLoyaltySettings replaces a shop's program after validating it. Switching expiry on starts
// its clock now; changing how batches expire re-dates the unspent batches.
func SaveLoyaltySettings(ctx context.Context, db *gorm.DB, shopID int64, s LoyaltySettings, staff string, now time.Time) error {
	if err := s.Validate(); err != nil {
		return err
	}
	doc, err := json.Marshal(s)
	if err != nil {
		return err
	}
	defer settingsCache.Delete(settingsKey{db.Config, shopID})
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := seedLoyaltySettings(ctx, tx, shopID); err != nil {
			return err
		}
		var old settingsRow
		if err := tx.Raw(`SELECT doc, expiry_since FROM loyalty_settings WHERE shop_id = ? FOR UPDATE`, shopID).Scan(&old).Error; err != nil {
			return err
		}
		var prev LoyaltySettings
		if err := json.Unmarshal(old.Doc, &prev); err != nil {
			return fmt.Errorf("decode loyalty settings %d: %w", shopID, err)
		}
		since := old.ExpirySince
		switch {
		case s.ExpiryMode == ExpiryOff:
			since = nil
		case prev.ExpiryMode == ExpiryOff || since == nil:
			t := now.UTC()
			since = &t
		}
		if err := tx.Exec(`UPDATE loyalty_settings SET doc = ?, expiry_since = ?, updated_by = ?, updated_at = ?
			WHERE shop_id = ?`, string(doc), since, staff, now.UTC(), shopID).Error; err != nil {
			return fmt.Errorf("save loyalty settings %d: %w", shopID, err)
		}
		if s.ExpiryMode != prev.ExpiryMode || s.ExpiryMonths != prev.ExpiryMonths || !timesEqual(since, old.ExpirySince) {
			return redateBatches(ctx, tx, shopID, ProgramSettings{LoyaltySettings: s, ExpirySince: since})
		}
		return nil
	})
}

func timesEqual(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(*b)
}

// PointsValue prices points at the program's cheapest fixed-amount reward (0 without one): what
// they would cost the shop if every point were spent.
func (s LoyaltySettings) PointsValue(points int64) decimal.Decimal {
	var best *Reward
	for i, r := range s.Rewards {
		if r.Type == RewardFixed && r.PointsCost > 0 && (best == nil || r.PointsCost < best.PointsCost) {
			best = &s.Rewards[i]
		}
	}
	if best == nil || points <= 0 {
		return decimal.Zero
	}
	return best.Value.Decimal.Mul(decimal.NewFromInt(points)).DivRound(decimal.NewFromInt(best.PointsCost), 2)
}
