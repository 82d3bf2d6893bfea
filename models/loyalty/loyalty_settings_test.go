package loyalty_test

import (
	"encoding/json"
	"testing"

	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/models/loyalty"
)

func TestLoyaltySettingsDefaultsAreValidAndRoundTrip(t *testing.T) {
	d := loyalty.DefaultLoyaltySettings()
	if err := d.Validate(); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	back, err := loyalty.ParseLoyaltySettings(b)
	if err != nil {
		t.Fatalf("defaults do not parse back: %v\n%s", err, b)
	}
	if !back.EarnRate.Equal(d.EarnRate.Decimal) || back.Tiers[1].Multiplier.String() != "1.25" || back.ReminderDays[0] != 30 {
		t.Fatalf("round trip changed the settings: %s", b)
	}
	var raw map[string]any
	_ = json.Unmarshal(b, &raw)
	if _, isNum := raw["earn_rate"].(float64); !isNum {
		t.Fatalf("earn_rate travels as %T, want a JSON number", raw["earn_rate"])
	}
}

func TestLoyaltySettingsRefusedWithFieldAndReason(t *testing.T) {
	cases := map[string]struct {
		edit  func(m map[string]any)
		field string
	}{
		"negative earn rate":    {func(m map[string]any) { m["earn_rate"] = -1 }, "earn_rate"},
		"earn rate not number":  {func(m map[string]any) { m["earn_rate"] = "five" }, "earn_rate"},
		"pending too long":      {func(m map[string]any) { m["pending_days"] = 400 }, "pending_days"},
		"bonus negative":        {func(m map[string]any) { m["bonus"].(map[string]any)["birthday"] = -5 }, "bonus.birthday"},
		"reward type":           {func(m map[string]any) { reward(m, 1)["type"] = "bogus" }, "rewards[1].type"},
		"reward percentage":     {func(m map[string]any) { reward(m, 0)["type"] = "percentage"; reward(m, 0)["value"] = 150 }, "rewards[0].value"},
		"reward cost":           {func(m map[string]any) { reward(m, 2)["points_cost"] = 0 }, "rewards[2].points_cost"},
		"reward duplicate name": {func(m map[string]any) { reward(m, 2)["name"] = "1 OFF" }, "rewards[2].name"},
		"tier order":            {func(m map[string]any) { tier(m, 2)["threshold"] = 100 }, "tiers[2].threshold"},
		"tier multiplier":       {func(m map[string]any) { tier(m, 0)["multiplier"] = 0 }, "tiers[0].multiplier"},
		"tier measure":          {func(m map[string]any) { m["tier_measure"] = "visits" }, "tier_measure"},
		"tier window":           {func(m map[string]any) { m["tier_window"] = "weekly" }, "tier_window"},
		"expiry mode":           {func(m map[string]any) { m["expiry_mode"] = "sometimes" }, "expiry_mode"},
		"expiry months":         {func(m map[string]any) { m["expiry_months"] = 0 }, "expiry_months"},
		"reminder day":          {func(m map[string]any) { m["reminder_days"] = []any{30, 0} }, "reminder_days[1]"},
		"reminder twice":        {func(m map[string]any) { m["reminder_days"] = []any{7, 7} }, "reminder_days[1]"},
		"weekly limit":          {func(m map[string]any) { m["referral"].(map[string]any)["weekly_limit"] = 0 }, "referral.weekly_limit"},
		"unknown field":         {func(m map[string]any) { m["earn_rte"] = 5 }, "earn_rte"},
		"wrong type":            {func(m map[string]any) { m["pending_days"] = "soon" }, "pending_days"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			b, _ := json.Marshal(loyalty.DefaultLoyaltySettings())
			var m map[string]any
			_ = json.Unmarshal(b, &m)
			c.edit(m)
			b, _ = json.Marshal(m)
			_, err := loyalty.ParseLoyaltySettings(b)
			var e *models.Error
			if err == nil || models.ErrorCode(err) != models.EInvalid {
				t.Fatalf("accepted or wrong error: %v", err)
			}
			e = err.(*models.Error)
			if e.Field != c.field || e.Message == "" {
				t.Fatalf("field %q (%s), want %q", e.Field, e.Message, c.field)
			}
		})
	}
}

func reward(m map[string]any, i int) map[string]any { return m["rewards"].([]any)[i].(map[string]any) }
func tier(m map[string]any, i int) map[string]any   { return m["tiers"].([]any)[i].(map[string]any) }
