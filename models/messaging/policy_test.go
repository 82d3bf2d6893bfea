package messaging_test

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/models/messaging"
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

func promo(channel string) messaging.Candidate {
	return messaging.Candidate{Trigger: models.EventOneTimeBuyerQuiet, Kind: messaging.KindPromotional, Channel: channel, NotBefore: noon.Add(-time.Minute)}
}

func transactional(channel string) messaging.Candidate {
	c := promo(channel)
	c.Kind, c.Trigger = messaging.KindTransactional, models.EventPointsEarned
	return c
}

func okFacts() messaging.PolicyFacts {
	return messaging.PolicyFacts{HasAddress: true, Consent: messaging.ConsentSubscribed, Location: newYork}
}

func hold(reason string, until *time.Time) models.Hold {
	return models.Hold{Reason: reason, Until: until}
}

func at(t time.Time) *time.Time { return &t }

func expect(t *testing.T, name string, got messaging.Decision, action, reason string) {
	t.Helper()
	if got.Action != action || got.Reason != reason {
		t.Errorf("%s: got %s/%s, want %s/%s", name, got.Action, got.Reason, action, reason)
	}
}

func TestPolicySendsWhenNothingObjects(t *testing.T) {
	s := messaging.DefaultPolicySettings
	expect(t, "promo email", messaging.Decide(promo(messaging.ChannelEmail), okFacts(), s, noon), messaging.ActSend, "")
	expect(t, "promo sms", messaging.Decide(promo(messaging.ChannelSMS), okFacts(), s, noon), messaging.ActSend, "")
	expect(t, "transactional email", messaging.Decide(transactional(messaging.ChannelEmail), okFacts(), s, noon), messaging.ActSend, "")
}

func TestPolicyDuplicate(t *testing.T) {
	f := okFacts()
	f.Duplicate = true
	expect(t, "promo", messaging.Decide(promo(messaging.ChannelEmail), f, messaging.DefaultPolicySettings, noon), messaging.ActSkip, messaging.ReasonDuplicate)
	expect(t, "transactional", messaging.Decide(transactional(messaging.ChannelEmail), f, messaging.DefaultPolicySettings, noon), messaging.ActSkip, messaging.ReasonDuplicate)
}

func TestPolicyDelayDefersAndIsCheckedFirst(t *testing.T) {
	c := promo(messaging.ChannelEmail)
	c.NotBefore = noon.Add(2 * time.Hour)
	f := okFacts()
	f.Holds = []models.Hold{hold(models.HoldNegativeReview, nil)} // the hold may be gone when it comes due
	d := messaging.Decide(c, f, messaging.DefaultPolicySettings, noon)
	expect(t, "delayed", d, messaging.ActDefer, messaging.ReasonDelay)
	if !d.Until.Equal(c.NotBefore) {
		t.Errorf("until = %v, want %v", d.Until, c.NotBefore)
	}
	expect(t, "due", messaging.Decide(c, f, messaging.DefaultPolicySettings, c.NotBefore), messaging.ActHold, messaging.ReasonNegativeReview)
}

func TestPolicyConsent(t *testing.T) {
	s := messaging.DefaultPolicySettings
	cases := []struct {
		name    string
		cand    messaging.Candidate
		consent string
		supp    bool
		action  string
		reason  string
	}{
		{"promo without consent", promo(messaging.ChannelEmail), "not_subscribed", false, messaging.ActSkip, messaging.ReasonNoConsent},
		{"promo pending opt-in", promo(messaging.ChannelEmail), "pending", false, messaging.ActSkip, messaging.ReasonNoConsent},
		{"promo, never asked", promo(messaging.ChannelEmail), "", false, messaging.ActSkip, messaging.ReasonNoConsent},
		{"promo unsubscribed", promo(messaging.ChannelEmail), messaging.ConsentUnsubscribed, false, messaging.ActSkip, messaging.ReasonUnsubscribed},
		{"promo suppressed by Boomerang", promo(messaging.ChannelEmail), messaging.ConsentSubscribed, true, messaging.ActSkip, messaging.ReasonUnsubscribed},
		{"transactional email without marketing consent", transactional(messaging.ChannelEmail), "not_subscribed", false, messaging.ActSend, ""},
		{"transactional email unsubscribed", transactional(messaging.ChannelEmail), messaging.ConsentUnsubscribed, false, messaging.ActSkip, messaging.ReasonUnsubscribed},
		{"transactional email suppressed", transactional(messaging.ChannelEmail), "", true, messaging.ActSkip, messaging.ReasonUnsubscribed},
		{"transactional sms without sms consent", transactional(messaging.ChannelSMS), "not_subscribed", false, messaging.ActSkip, messaging.ReasonNoConsent},
		{"promo sms with consent", promo(messaging.ChannelSMS), messaging.ConsentSubscribed, false, messaging.ActSend, ""},
	}
	for _, tc := range cases {
		f := okFacts()
		f.Consent, f.Suppressed = tc.consent, tc.supp
		expect(t, tc.name, messaging.Decide(tc.cand, f, s, noon), tc.action, tc.reason)
	}
}

func TestPolicyNoAddress(t *testing.T) {
	f := okFacts()
	f.HasAddress = false
	expect(t, "promo", messaging.Decide(promo(messaging.ChannelEmail), f, messaging.DefaultPolicySettings, noon), messaging.ActSkip, messaging.ReasonNoAddress)
	expect(t, "transactional", messaging.Decide(transactional(messaging.ChannelSMS), f, messaging.DefaultPolicySettings, noon), messaging.ActSkip, messaging.ReasonNoAddress)
}

func TestPolicyHolds(t *testing.T) {
	s := messaging.DefaultPolicySettings
	later := noon.Add(24 * time.Hour)
	cases := []struct {
		name   string
		cand   messaging.Candidate
		holds  []models.Hold
		action string
		reason string
	}{
		{"negative review", promo(messaging.ChannelEmail), []models.Hold{hold(models.HoldNegativeReview, &later)}, messaging.ActHold, messaging.ReasonNegativeReview},
		{"open case, no end", promo(messaging.ChannelEmail), []models.Hold{hold(models.HoldOpenCase, nil)}, messaging.ActHold, messaging.ReasonOpenCase},
		{"negative review wins over open case", promo(messaging.ChannelSMS),
			[]models.Hold{hold(models.HoldOpenCase, nil), hold(models.HoldNegativeReview, nil)}, messaging.ActHold, messaging.ReasonNegativeReview},
		{"expired hold", promo(messaging.ChannelEmail), []models.Hold{hold(models.HoldNegativeReview, at(noon))}, messaging.ActSend, ""},
		{"released hold", promo(messaging.ChannelEmail), []models.Hold{{Reason: models.HoldNegativeReview, ReleasedAt: at(noon.Add(-time.Hour))}}, messaging.ActSend, ""},
		{"apology is transactional: not held", messaging.Candidate{Trigger: models.EventNegativeReview, Kind: messaging.KindTransactional,
			Channel: messaging.ChannelEmail}, []models.Hold{hold(models.HoldNegativeReview, &later)}, messaging.ActSend, ""},
		{"recent cancellation", promo(messaging.ChannelEmail), []models.Hold{hold(models.HoldRecentCancellation, &later)}, messaging.ActHold, messaging.ReasonRecentCancellation},
		{"win-back is not held by its own cancellation", messaging.Candidate{Trigger: models.EventSubscriptionCancelled, Kind: messaging.KindPromotional,
			Channel: messaging.ChannelEmail}, []models.Hold{hold(models.HoldRecentCancellation, &later)}, messaging.ActSend, ""},
		{"win-back is held by a negative review", messaging.Candidate{Trigger: models.EventSubscriptionCancelled, Kind: messaging.KindPromotional,
			Channel: messaging.ChannelEmail}, []models.Hold{hold(models.HoldRecentCancellation, &later), hold(models.HoldNegativeReview, &later)},
			messaging.ActHold, messaging.ReasonNegativeReview},
	}
	for _, tc := range cases {
		f := okFacts()
		f.Holds = tc.holds
		expect(t, tc.name, messaging.Decide(tc.cand, f, s, noon), tc.action, tc.reason)
	}
}

func TestPolicySubscribedProduct(t *testing.T) {
	s := messaging.DefaultPolicySettings
	f := okFacts()
	f.SubscribedProductIDs = []int64{7001, 7002}
	c := promo(messaging.ChannelEmail)
	c.FeaturedProductIDs = []int64{5, 7002}
	expect(t, "features a subscribed product", messaging.Decide(c, f, s, noon), messaging.ActHold, messaging.ReasonSubscribedProduct)
	c.Campaign = true
	expect(t, "campaign too", messaging.Decide(c, f, s, noon), messaging.ActHold, messaging.ReasonSubscribedProduct)
	c.FeaturedProductIDs = []int64{5, 6}
	expect(t, "other products", messaging.Decide(c, f, s, noon), messaging.ActSend, "")
	c.FeaturedProductIDs = nil
	expect(t, "no products", messaging.Decide(c, f, s, noon), messaging.ActSend, "")
	tr := transactional(messaging.ChannelEmail)
	tr.FeaturedProductIDs = []int64{7001}
	expect(t, "transactional", messaging.Decide(tr, f, s, noon), messaging.ActSend, "")
}

func TestPolicyQuietHours(t *testing.T) {
	s := messaging.DefaultPolicySettings // 21:00–08:00
	cases := []struct {
		name   string
		now    time.Time // New York local
		quiet  bool
		until  time.Time // New York local
		cand   messaging.Candidate
		action string
	}{
		{"22:30 → next morning", time.Date(2026, 3, 10, 22, 30, 0, 0, newYork), true, time.Date(2026, 3, 11, 8, 0, 0, 0, newYork), promo(messaging.ChannelSMS), messaging.ActDefer},
		{"21:00 sharp", time.Date(2026, 3, 10, 21, 0, 0, 0, newYork), true, time.Date(2026, 3, 11, 8, 0, 0, 0, newYork), promo(messaging.ChannelSMS), messaging.ActDefer},
		{"03:00 → same morning", time.Date(2026, 3, 11, 3, 0, 0, 0, newYork), true, time.Date(2026, 3, 11, 8, 0, 0, 0, newYork), promo(messaging.ChannelSMS), messaging.ActDefer},
		{"07:59", time.Date(2026, 3, 11, 7, 59, 0, 0, newYork), true, time.Date(2026, 3, 11, 8, 0, 0, 0, newYork), promo(messaging.ChannelSMS), messaging.ActDefer},
		{"08:00 sends", time.Date(2026, 3, 11, 8, 0, 0, 0, newYork), false, time.Time{}, promo(messaging.ChannelSMS), messaging.ActSend},
		{"20:59 sends", time.Date(2026, 3, 11, 20, 59, 0, 0, newYork), false, time.Time{}, promo(messaging.ChannelSMS), messaging.ActSend},
		{"transactional SMS waits too", time.Date(2026, 3, 10, 23, 0, 0, 0, newYork), true, time.Date(2026, 3, 11, 8, 0, 0, 0, newYork), transactional(messaging.ChannelSMS), messaging.ActDefer},
		{"email ignores quiet hours", time.Date(2026, 3, 10, 23, 0, 0, 0, newYork), false, time.Time{}, promo(messaging.ChannelEmail), messaging.ActSend},
		// The night clocks spring forward (2026-03-08 02:00 → 03:00 in New York).
		{"across DST", time.Date(2026, 3, 7, 23, 0, 0, 0, newYork), true, time.Date(2026, 3, 8, 8, 0, 0, 0, newYork), promo(messaging.ChannelSMS), messaging.ActDefer},
	}
	for _, tc := range cases {
		tc.cand.NotBefore = tc.now.Add(-time.Hour)
		d := messaging.Decide(tc.cand, okFacts(), s, tc.now.UTC())
		want := ""
		if tc.quiet {
			want = messaging.ReasonQuietHours
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
	c := promo(messaging.ChannelSMS)
	c.NotBefore = now.Add(-time.Hour)
	expect(t, "London shopper", messaging.Decide(c, f, s, now), messaging.ActDefer, messaging.ReasonQuietHours)
	f.Location = mustZone("Asia/Tokyo") // 11:30 in Tokyo
	expect(t, "Tokyo shopper", messaging.Decide(c, f, s, now), messaging.ActSend, "")

	day := s
	day.QuietStart, day.QuietEnd = 12*60, 13*60 // a window that does not span midnight
	c.NotBefore = noon.Add(-time.Hour)
	f = okFacts()
	expect(t, "lunch window outside", messaging.Decide(c, f, day, noon), messaging.ActSend, "") // 11:00 NY
	expect(t, "lunch window inside", messaging.Decide(c, f, day, noon.Add(90*time.Minute)), messaging.ActDefer, messaging.ReasonQuietHours)
	off := s
	off.QuietStart, off.QuietEnd = 0, 0
	expect(t, "quiet hours off", messaging.Decide(c, f, off, time.Date(2026, 3, 10, 23, 0, 0, 0, newYork)), messaging.ActSend, "")
}

func TestPolicyFrequencyCap(t *testing.T) {
	s := messaging.DefaultPolicySettings // 1 per 16 h
	f := okFacts()
	f.PromoSends = []time.Time{noon.Add(-2 * time.Hour)}
	c := promo(messaging.ChannelEmail)
	d := messaging.Decide(c, f, s, noon)
	expect(t, "capped", d, messaging.ActDefer, messaging.ReasonFrequencyCap)
	if want := noon.Add(14 * time.Hour); !d.Until.Equal(want) {
		t.Errorf("until %v, want %v", d.Until, want)
	}
	expect(t, "SMS shares the budget", messaging.Decide(promo(messaging.ChannelSMS), f, s, noon), messaging.ActDefer, messaging.ReasonFrequencyCap)
	expect(t, "transactional exempt", messaging.Decide(transactional(messaging.ChannelEmail), f, s, noon), messaging.ActSend, "")
	camp := c
	camp.Campaign = true
	expect(t, "campaign skipped", messaging.Decide(camp, f, s, noon), messaging.ActSkip, messaging.ReasonFrequencyCap)
	expect(t, "slot free again", messaging.Decide(c, f, s, noon.Add(14*time.Hour)), messaging.ActSend, "")

	f.PromoSends = []time.Time{noon.Add(-17 * time.Hour)}
	expect(t, "old send", messaging.Decide(c, f, s, noon), messaging.ActSend, "")

	two := s
	two.CapCount = 2
	f.PromoSends = []time.Time{noon.Add(-1 * time.Hour), noon.Add(-5 * time.Hour), noon.Add(-20 * time.Hour)}
	d = messaging.Decide(c, f, two, noon)
	expect(t, "two of two used", d, messaging.ActDefer, messaging.ReasonFrequencyCap)
	if want := noon.Add(11 * time.Hour); !d.Until.Equal(want) { // the send 5 h ago leaves the window first
		t.Errorf("cap 2: until %v, want %v", d.Until, want)
	}
	f.PromoSends = f.PromoSends[1:]
	expect(t, "one of two used", messaging.Decide(c, f, two, noon), messaging.ActSend, "")

	none := s
	none.CapCount = 0
	f.PromoSends = []time.Time{noon.Add(-time.Minute), noon.Add(-2 * time.Minute)}
	expect(t, "no cap", messaging.Decide(c, f, none, noon), messaging.ActSend, "")

	// A triggered message that has waited too long for a slot is dropped, not deferred forever.
	old := c
	old.NotBefore = noon.Add(-70 * time.Hour)
	f.PromoSends = []time.Time{noon.Add(-time.Hour)}
	expect(t, "waited too long", messaging.Decide(old, f, s, noon), messaging.ActSkip, messaging.ReasonFrequencyCap)
}

func TestResolveChannel(t *testing.T) {
	c := &models.Customer{Email: "a@example.com", Phone: "+15555550100", SMSConsent: messaging.ConsentSubscribed}
	if got := messaging.ResolveChannel(messaging.ChannelBoth, c, false); got != messaging.ChannelSMS {
		t.Errorf("sms opt-in: %s", got)
	}
	if got := messaging.ResolveChannel(messaging.ChannelBoth, c, true); got != messaging.ChannelEmail {
		t.Errorf("sms suppressed: %s", got)
	}
	c.SMSConsent = "not_subscribed"
	if got := messaging.ResolveChannel(messaging.ChannelBoth, c, false); got != messaging.ChannelEmail {
		t.Errorf("no sms consent: %s", got)
	}
	if got := messaging.ResolveChannel(messaging.ChannelSMS, c, false); got != messaging.ChannelSMS {
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
	consents := []string{messaging.ConsentSubscribed, messaging.ConsentSubscribed, "not_subscribed", messaging.ConsentUnsubscribed, "pending", ""}
	reasons := []string{models.HoldNegativeReview, models.HoldOpenCase, models.HoldRecentCancellation}
	triggers := []string{models.EventOneTimeBuyerQuiet, models.EventSubscriptionCancelled, models.EventBirthday}
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	sends, checked := 0, 0
	for i := 0; i < 200_000; i++ {
		now := base.Add(time.Duration(rng.Int64N(int64(365 * 24 * time.Hour))))
		s := messaging.PolicySettings{CapCount: rng.IntN(4), CapWindow: time.Duration(1+rng.IntN(48)) * time.Hour,
			QuietStart: rng.IntN(24*60 + 1), QuietEnd: rng.IntN(24*60 + 1), MaxDeferral: 72 * time.Hour}
		c := messaging.Candidate{Trigger: triggers[rng.IntN(len(triggers))], Kind: messaging.KindPromotional,
			Channel: []string{messaging.ChannelEmail, messaging.ChannelSMS}[rng.IntN(2)], Campaign: rng.IntN(2) == 0,
			NotBefore: now.Add(time.Duration(rng.Int64N(int64(96*time.Hour))) - 90*time.Hour)}
		for k := rng.IntN(3); k > 0; k-- {
			c.FeaturedProductIDs = append(c.FeaturedProductIDs, 1+rng.Int64N(6))
		}
		f := messaging.PolicyFacts{HasAddress: rng.IntN(10) > 0, Consent: consents[rng.IntN(len(consents))],
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
		d := messaging.Decide(c, f, s, now)
		if d.Action == messaging.ActDefer && !d.Until.After(now) {
			t.Fatalf("case %d: deferred to %v, not after now %v", i, d.Until, now)
		}
		if d.Action != messaging.ActSend {
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
func forbidden(c messaging.Candidate, f messaging.PolicyFacts, s messaging.PolicySettings, now time.Time) string {
	if f.Consent != messaging.ConsentSubscribed || f.Suppressed {
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
	if c.Channel == messaging.ChannelSMS && s.QuietStart != s.QuietEnd {
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
