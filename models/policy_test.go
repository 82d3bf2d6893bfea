package models_test

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/boomerang-app/boomerang/models"
)

var (
	newYork = mustZone("America/New_York")
	// 2026-03-10 15:00 UTC is 11:00 in New York (EDT): outside quiet hours.
	noon = time.Date(2026, 3, 10, 15, 0, 0, 0, time.UTC)
)

func mustZone(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return l
}

func promo(channel string) models.Candidate {
	return models.Candidate{Trigger: models.EventOneTimeBuyerQuiet, Kind: models.KindPromotional, Channel: channel, NotBefore: noon.Add(-time.Minute)}
}

func transactional(channel string) models.Candidate {
	c := promo(channel)
	c.Kind, c.Trigger = models.KindTransactional, models.EventPointsEarned
	return c
}

func okFacts() models.PolicyFacts {
	return models.PolicyFacts{HasAddress: true, Consent: models.ConsentSubscribed, Location: newYork}
}

func hold(reason string, until *time.Time) models.Hold {
	return models.Hold{Reason: reason, Until: until}
}

func at(t time.Time) *time.Time { return &t }

func expect(t *testing.T, name string, got models.Decision, action, reason string) {
	t.Helper()
	if got.Action != action || got.Reason != reason {
		t.Errorf("%s: got %s/%s, want %s/%s", name, got.Action, got.Reason, action, reason)
	}
}

func TestPolicySendsWhenNothingObjects(t *testing.T) {
	s := models.DefaultPolicySettings
	expect(t, "promo email", models.Decide(promo(models.ChannelEmail), okFacts(), s, noon), models.ActSend, "")
	expect(t, "promo sms", models.Decide(promo(models.ChannelSMS), okFacts(), s, noon), models.ActSend, "")
	expect(t, "transactional email", models.Decide(transactional(models.ChannelEmail), okFacts(), s, noon), models.ActSend, "")
}

func TestPolicyDuplicate(t *testing.T) {
	f := okFacts()
	f.Duplicate = true
	expect(t, "promo", models.Decide(promo(models.ChannelEmail), f, models.DefaultPolicySettings, noon), models.ActSkip, models.ReasonDuplicate)
	expect(t, "transactional", models.Decide(transactional(models.ChannelEmail), f, models.DefaultPolicySettings, noon), models.ActSkip, models.ReasonDuplicate)
}

func TestPolicyDelayDefersAndIsCheckedFirst(t *testing.T) {
	c := promo(models.ChannelEmail)
	c.NotBefore = noon.Add(2 * time.Hour)
	f := okFacts()
	f.Holds = []models.Hold{hold(models.HoldNegativeReview, nil)} // the hold may be gone when it comes due
	d := models.Decide(c, f, models.DefaultPolicySettings, noon)
	expect(t, "delayed", d, models.ActDefer, models.ReasonDelay)
	if !d.Until.Equal(c.NotBefore) {
		t.Errorf("until = %v, want %v", d.Until, c.NotBefore)
	}
	expect(t, "due", models.Decide(c, f, models.DefaultPolicySettings, c.NotBefore), models.ActHold, models.ReasonNegativeReview)
}

func TestPolicyConsent(t *testing.T) {
	s := models.DefaultPolicySettings
	cases := []struct {
		name    string
		cand    models.Candidate
		consent string
		supp    bool
		action  string
		reason  string
	}{
		{"promo without consent", promo(models.ChannelEmail), "not_subscribed", false, models.ActSkip, models.ReasonNoConsent},
		{"promo pending opt-in", promo(models.ChannelEmail), "pending", false, models.ActSkip, models.ReasonNoConsent},
		{"promo, never asked", promo(models.ChannelEmail), "", false, models.ActSkip, models.ReasonNoConsent},
		{"promo unsubscribed", promo(models.ChannelEmail), models.ConsentUnsubscribed, false, models.ActSkip, models.ReasonUnsubscribed},
		{"promo suppressed by Boomerang", promo(models.ChannelEmail), models.ConsentSubscribed, true, models.ActSkip, models.ReasonUnsubscribed},
		{"transactional email without marketing consent", transactional(models.ChannelEmail), "not_subscribed", false, models.ActSend, ""},
		{"transactional email unsubscribed", transactional(models.ChannelEmail), models.ConsentUnsubscribed, false, models.ActSkip, models.ReasonUnsubscribed},
		{"transactional email suppressed", transactional(models.ChannelEmail), "", true, models.ActSkip, models.ReasonUnsubscribed},
		{"transactional sms without sms consent", transactional(models.ChannelSMS), "not_subscribed", false, models.ActSkip, models.ReasonNoConsent},
		{"promo sms with consent", promo(models.ChannelSMS), models.ConsentSubscribed, false, models.ActSend, ""},
	}
	for _, tc := range cases {
		f := okFacts()
		f.Consent, f.Suppressed = tc.consent, tc.supp
		expect(t, tc.name, models.Decide(tc.cand, f, s, noon), tc.action, tc.reason)
	}
}

func TestPolicyNoAddress(t *testing.T) {
	f := okFacts()
	f.HasAddress = false
	expect(t, "promo", models.Decide(promo(models.ChannelEmail), f, models.DefaultPolicySettings, noon), models.ActSkip, models.ReasonNoAddress)
	expect(t, "transactional", models.Decide(transactional(models.ChannelSMS), f, models.DefaultPolicySettings, noon), models.ActSkip, models.ReasonNoAddress)
}

func TestPolicyHolds(t *testing.T) {
	s := models.DefaultPolicySettings
	later := noon.Add(24 * time.Hour)
	cases := []struct {
		name   string
		cand   models.Candidate
		holds  []models.Hold
		action string
		reason string
	}{
		{"negative review", promo(models.ChannelEmail), []models.Hold{hold(models.HoldNegativeReview, &later)}, models.ActHold, models.ReasonNegativeReview},
		{"open case, no end", promo(models.ChannelEmail), []models.Hold{hold(models.HoldOpenCase, nil)}, models.ActHold, models.ReasonOpenCase},
		{"negative review wins over open case", promo(models.ChannelSMS),
			[]models.Hold{hold(models.HoldOpenCase, nil), hold(models.HoldNegativeReview, nil)}, models.ActHold, models.ReasonNegativeReview},
		{"expired hold", promo(models.ChannelEmail), []models.Hold{hold(models.HoldNegativeReview, at(noon))}, models.ActSend, ""},
		{"released hold", promo(models.ChannelEmail), []models.Hold{{Reason: models.HoldNegativeReview, ReleasedAt: at(noon.Add(-time.Hour))}}, models.ActSend, ""},
		{"apology is transactional: not held", models.Candidate{Trigger: models.EventNegativeReview, Kind: models.KindTransactional,
			Channel: models.ChannelEmail}, []models.Hold{hold(models.HoldNegativeReview, &later)}, models.ActSend, ""},
		{"recent cancellation", promo(models.ChannelEmail), []models.Hold{hold(models.HoldRecentCancellation, &later)}, models.ActHold, models.ReasonRecentCancellation},
		{"win-back is not held by its own cancellation", models.Candidate{Trigger: models.EventSubscriptionCancelled, Kind: models.KindPromotional,
			Channel: models.ChannelEmail}, []models.Hold{hold(models.HoldRecentCancellation, &later)}, models.ActSend, ""},
		{"win-back is held by a negative review", models.Candidate{Trigger: models.EventSubscriptionCancelled, Kind: models.KindPromotional,
			Channel: models.ChannelEmail}, []models.Hold{hold(models.HoldRecentCancellation, &later), hold(models.HoldNegativeReview, &later)},
			models.ActHold, models.ReasonNegativeReview},
	}
	for _, tc := range cases {
		f := okFacts()
		f.Holds = tc.holds
		expect(t, tc.name, models.Decide(tc.cand, f, s, noon), tc.action, tc.reason)
	}
}

func TestPolicySubscribedProduct(t *testing.T) {
	s := models.DefaultPolicySettings
	f := okFacts()
	f.SubscribedProductIDs = []int64{7001, 7002}
	c := promo(models.ChannelEmail)
	c.FeaturedProductIDs = []int64{5, 7002}
	expect(t, "features a subscribed product", models.Decide(c, f, s, noon), models.ActHold, models.ReasonSubscribedProduct)
	c.Campaign = true
	expect(t, "campaign too", models.Decide(c, f, s, noon), models.ActHold, models.ReasonSubscribedProduct)
	c.FeaturedProductIDs = []int64{5, 6}
	expect(t, "other products", models.Decide(c, f, s, noon), models.ActSend, "")
	c.FeaturedProductIDs = nil
	expect(t, "no products", models.Decide(c, f, s, noon), models.ActSend, "")
	tr := transactional(models.ChannelEmail)
	tr.FeaturedProductIDs = []int64{7001}
	expect(t, "transactional", models.Decide(tr, f, s, noon), models.ActSend, "")
}

func TestPolicyQuietHours(t *testing.T) {
	s := models.DefaultPolicySettings // 21:00–08:00
	cases := []struct {
		name   string
		now    time.Time // New York local
		quiet  bool
		until  time.Time // New York local
		cand   models.Candidate
		action string
	}{
		{"22:30 → next morning", time.Date(2026, 3, 10, 22, 30, 0, 0, newYork), true, time.Date(2026, 3, 11, 8, 0, 0, 0, newYork), promo(models.ChannelSMS), models.ActDefer},
		{"21:00 sharp", time.Date(2026, 3, 10, 21, 0, 0, 0, newYork), true, time.Date(2026, 3, 11, 8, 0, 0, 0, newYork), promo(models.ChannelSMS), models.ActDefer},
		{"03:00 → same morning", time.Date(2026, 3, 11, 3, 0, 0, 0, newYork), true, time.Date(2026, 3, 11, 8, 0, 0, 0, newYork), promo(models.ChannelSMS), models.ActDefer},
		{"07:59", time.Date(2026, 3, 11, 7, 59, 0, 0, newYork), true, time.Date(2026, 3, 11, 8, 0, 0, 0, newYork), promo(models.ChannelSMS), models.ActDefer},
		{"08:00 sends", time.Date(2026, 3, 11, 8, 0, 0, 0, newYork), false, time.Time{}, promo(models.ChannelSMS), models.ActSend},
		{"20:59 sends", time.Date(2026, 3, 11, 20, 59, 0, 0, newYork), false, time.Time{}, promo(models.ChannelSMS), models.ActSend},
		{"transactional SMS waits too", time.Date(2026, 3, 10, 23, 0, 0, 0, newYork), true, time.Date(2026, 3, 11, 8, 0, 0, 0, newYork), transactional(models.ChannelSMS), models.ActDefer},
		{"email ignores quiet hours", time.Date(2026, 3, 10, 23, 0, 0, 0, newYork), false, time.Time{}, promo(models.ChannelEmail), models.ActSend},
		// The night clocks spring forward (2026-03-08 02:00 → 03:00 in New York).
		{"across DST", time.Date(2026, 3, 7, 23, 0, 0, 0, newYork), true, time.Date(2026, 3, 8, 8, 0, 0, 0, newYork), promo(models.ChannelSMS), models.ActDefer},
	}
	for _, tc := range cases {
		tc.cand.NotBefore = tc.now.Add(-time.Hour)
		d := models.Decide(tc.cand, okFacts(), s, tc.now.UTC())
		want := ""
		if tc.quiet {
			want = models.ReasonQuietHours
		}
		expect(t, tc.name, d, tc.action, want)
		if tc.quiet && !d.Until.Equal(tc.until) {
			t.Errorf("%s: until %v, want %v", tc.name, d.Until.In(newYork), tc.until)
		}
	}
	// The shopper's zone decides: 22:30 in New York is 03:30 in London.
	f := okFacts()
	f.Location = mustZone("Europe/London")
	now := time.Date(2026, 6, 10, 22, 30, 0, 0, newYork)
	c := promo(models.ChannelSMS)
	c.NotBefore = now.Add(-time.Hour)
	expect(t, "London shopper", models.Decide(c, f, s, now), models.ActDefer, models.ReasonQuietHours)
	f.Location = mustZone("Asia/Tokyo") // 11:30 in Tokyo
	expect(t, "Tokyo shopper", models.Decide(c, f, s, now), models.ActSend, "")

	day := s
	day.QuietStart, day.QuietEnd = 12*60, 13*60 // a window that does not span midnight
	c.NotBefore = noon.Add(-time.Hour)
	f = okFacts()
	expect(t, "lunch window outside", models.Decide(c, f, day, noon), models.ActSend, "") // 11:00 NY
	expect(t, "lunch window inside", models.Decide(c, f, day, noon.Add(90*time.Minute)), models.ActDefer, models.ReasonQuietHours)
	off := s
	off.QuietStart, off.QuietEnd = 0, 0
	expect(t, "quiet hours off", models.Decide(c, f, off, time.Date(2026, 3, 10, 23, 0, 0, 0, newYork)), models.ActSend, "")
}

func TestPolicyFrequencyCap(t *testing.T) {
	s := models.DefaultPolicySettings // 1 per 16 h
	f := okFacts()
	f.PromoSends = []time.Time{noon.Add(-2 * time.Hour)}
	c := promo(models.ChannelEmail)
	d := models.Decide(c, f, s, noon)
	expect(t, "capped", d, models.ActDefer, models.ReasonFrequencyCap)
	if want := noon.Add(14 * time.Hour); !d.Until.Equal(want) {
		t.Errorf("until %v, want %v", d.Until, want)
	}
	expect(t, "SMS shares the budget", models.Decide(promo(models.ChannelSMS), f, s, noon), models.ActDefer, models.ReasonFrequencyCap)
	expect(t, "transactional exempt", models.Decide(transactional(models.ChannelEmail), f, s, noon), models.ActSend, "")
	camp := c
	camp.Campaign = true
	expect(t, "campaign skipped", models.Decide(camp, f, s, noon), models.ActSkip, models.ReasonFrequencyCap)
	expect(t, "slot free again", models.Decide(c, f, s, noon.Add(14*time.Hour)), models.ActSend, "")

	f.PromoSends = []time.Time{noon.Add(-17 * time.Hour)}
	expect(t, "old send", models.Decide(c, f, s, noon), models.ActSend, "")

	two := s
	two.CapCount = 2
	f.PromoSends = []time.Time{noon.Add(-1 * time.Hour), noon.Add(-5 * time.Hour), noon.Add(-20 * time.Hour)}
	d = models.Decide(c, f, two, noon)
	expect(t, "two of two used", d, models.ActDefer, models.ReasonFrequencyCap)
	if want := noon.Add(11 * time.Hour); !d.Until.Equal(want) { // the send 5 h ago leaves the window first
		t.Errorf("cap 2: until %v, want %v", d.Until, want)
	}
	f.PromoSends = f.PromoSends[1:]
	expect(t, "one of two used", models.Decide(c, f, two, noon), models.ActSend, "")

	none := s
	none.CapCount = 0
	f.PromoSends = []time.Time{noon.Add(-time.Minute), noon.Add(-2 * time.Minute)}
	expect(t, "no cap", models.Decide(c, f, none, noon), models.ActSend, "")

	// A triggered message that has waited too long for a slot is dropped, not deferred forever.
	old := c
	old.NotBefore = noon.Add(-70 * time.Hour)
	f.PromoSends = []time.Time{noon.Add(-time.Hour)}
	expect(t, "waited too long", models.Decide(old, f, s, noon), models.ActSkip, models.ReasonFrequencyCap)
}

func TestResolveChannel(t *testing.T) {
	c := &models.Customer{Email: "a@example.com", Phone: "+15555550100", SMSConsent: models.ConsentSubscribed}
	if got := models.ResolveChannel(models.ChannelBoth, c, false); got != models.ChannelSMS {
		t.Errorf("sms opt-in: %s", got)
	}
	if got := models.ResolveChannel(models.ChannelBoth, c, true); got != models.ChannelEmail {
		t.Errorf("sms suppressed: %s", got)
	}
	c.SMSConsent = "not_subscribed"
	if got := models.ResolveChannel(models.ChannelBoth, c, false); got != models.ChannelEmail {
		t.Errorf("no sms consent: %s", got)
	}
	if got := models.ResolveChannel(models.ChannelSMS, c, false); got != models.ChannelSMS {
		t.Errorf("fixed channel: %s", got)
	}
}

// TestPolicyNeverSendsForbiddenPromotions draws random candidates, facts, settings and times
// and checks the invariant directly from the facts: a promotional send never happens without
// consent, to an opted-out shopper, inside SMS quiet hours, over the cap, during a hold or for
// a subscribed product.
func TestPolicyNeverSendsForbiddenPromotions(t *testing.T) {
	rng := rand.New(rand.NewPCG(20260310, 5))
	zones := []*time.Location{time.UTC, newYork, mustZone("Europe/Paris"), mustZone("Asia/Kolkata"), mustZone("Pacific/Auckland"), nil}
	consents := []string{models.ConsentSubscribed, models.ConsentSubscribed, "not_subscribed", models.ConsentUnsubscribed, "pending", ""}
	reasons := []string{models.HoldNegativeReview, models.HoldOpenCase, models.HoldRecentCancellation}
	triggers := []string{models.EventOneTimeBuyerQuiet, models.EventSubscriptionCancelled, models.EventBirthday}
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	sends, checked := 0, 0
	for i := 0; i < 200_000; i++ {
		now := base.Add(time.Duration(rng.Int64N(int64(365 * 24 * time.Hour))))
		s := models.PolicySettings{CapCount: rng.IntN(4), CapWindow: time.Duration(1+rng.IntN(48)) * time.Hour,
			QuietStart: rng.IntN(24*60 + 1), QuietEnd: rng.IntN(24*60 + 1), MaxDeferral: 72 * time.Hour}
		c := models.Candidate{Trigger: triggers[rng.IntN(len(triggers))], Kind: models.KindPromotional,
			Channel: []string{models.ChannelEmail, models.ChannelSMS}[rng.IntN(2)], Campaign: rng.IntN(2) == 0,
			NotBefore: now.Add(time.Duration(rng.Int64N(int64(96*time.Hour))) - 90*time.Hour)}
		for k := rng.IntN(3); k > 0; k-- {
			c.FeaturedProductIDs = append(c.FeaturedProductIDs, 1+rng.Int64N(6))
		}
		f := models.PolicyFacts{HasAddress: rng.IntN(10) > 0, Consent: consents[rng.IntN(len(consents))],
			Suppressed: rng.IntN(8) == 0, Location: zones[rng.IntN(len(zones))], Duplicate: rng.IntN(20) == 0}
		for k := rng.IntN(3); k > 0; k-- {
			h := models.Hold{Reason: reasons[rng.IntN(len(reasons))]}
			switch rng.IntN(3) {
			case 0:
				h.Until = at(now.Add(time.Duration(rng.Int64N(int64(48*time.Hour))) - 24*time.Hour))
			case 1:
				h.ReleasedAt = at(now.Add(-time.Hour))
			}
			f.Holds = append(f.Holds, h)
		}
		for k := rng.IntN(3); k > 0; k-- {
			f.SubscribedProductIDs = append(f.SubscribedProductIDs, 1+rng.Int64N(6))
		}
		for k := rng.IntN(5); k > 0; k-- {
			f.PromoSends = append(f.PromoSends, now.Add(-time.Duration(rng.Int64N(int64(72*time.Hour)))))
		}
		d := models.Decide(c, f, s, now)
		if d.Action == models.ActDefer && !d.Until.After(now) {
			t.Fatalf("case %d: deferred to %v, not after now %v", i, d.Until, now)
		}
		if d.Action != models.ActSend {
			continue
		}
		sends++
		checked++
		if violation := forbidden(c, f, s, now); violation != "" {
			t.Fatalf("case %d: promotional message sent despite %s\ncandidate %+v\nfacts %+v\nsettings %+v\nnow %v", i, violation, c, f, s, now)
		}
	}
	if sends < 1000 {
		t.Fatalf("only %d of the random candidates were sent: the generator does not exercise the send path", sends)
	}
	t.Logf("%d promotional sends checked", checked)
}

// forbidden restates the promotional rules independently of Decide's code.
func forbidden(c models.Candidate, f models.PolicyFacts, s models.PolicySettings, now time.Time) string {
	if f.Consent != models.ConsentSubscribed || f.Suppressed {
		return "no consent"
	}
	if !f.HasAddress || f.Duplicate || now.Before(c.NotBefore) {
		return "no address, duplicate or early"
	}
	for _, h := range f.Holds {
		active := h.ReleasedAt == nil && (h.Until == nil || h.Until.After(now))
		if active && !(h.Reason == models.HoldRecentCancellation && c.Trigger == models.EventSubscriptionCancelled) {
			return "hold " + h.Reason
		}
	}
	for _, p := range c.FeaturedProductIDs {
		for _, q := range f.SubscribedProductIDs {
			if p == q {
				return "subscribed product"
			}
		}
	}
	if c.Channel == models.ChannelSMS && s.QuietStart != s.QuietEnd {
		loc := f.Location
		if loc == nil {
			loc = time.UTC
		}
		l := now.In(loc)
		m := l.Hour()*60 + l.Minute()
		in := (s.QuietStart < s.QuietEnd && m >= s.QuietStart && m < s.QuietEnd) ||
			(s.QuietStart > s.QuietEnd && (m >= s.QuietStart || m < s.QuietEnd))
		if in {
			return "quiet hours"
		}
	}
	if s.CapCount > 0 {
		n := 0
		for _, t := range f.PromoSends {
			if now.Sub(t) < s.CapWindow && !t.After(now) {
				n++
			}
		}
		if n >= s.CapCount {
			return "frequency cap"
		}
	}
	return ""
}
