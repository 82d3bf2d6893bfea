package messaging

import (
	"sort"
	"time"

	"github.com/boomerang-app/boomerang/models"
)

// The policy engine: one pure function decides every send, from facts loaded beforehand. It
// never reads the database or the clock, so every rule can be tested on its own and the
// dispatcher, the delivery task and the campaign sender all apply exactly the same rules.

// Message kinds. Transactional messages (account and service notices: points, tiers, review
// requests, the apology after a negative review) are exempt from marketing consent, holds and
// the frequency cap, but never go to a shopper who unsubscribed.
const (
	KindPromotional   = "promotional"
	KindTransactional = "transactional"
)

// Channels. ChannelBoth is a message setting: each send goes out on one channel, the one the
// shopper prefers (see ResolveChannel).
const (
	ChannelEmail = "email"
	ChannelSMS   = "sms"
	ChannelBoth  = "both"
)

// Actions of a Decision.
const (
	ActSend  = "send"
	ActDefer = "defer"
	ActHold  = "hold"
	ActSkip  = "skip"
)

// Reason codes, stored with every decision that is not a plain send.
const (
	ReasonNegativeReview     = models.HoldNegativeReview
	ReasonOpenCase           = models.HoldOpenCase
	ReasonRecentCancellation = models.HoldRecentCancellation
	ReasonSubscribedProduct  = "subscribed_product"
	ReasonNoConsent          = "no_consent"
	ReasonUnsubscribed       = "unsubscribed"
	ReasonNoAddress          = "no_address"
	ReasonFrequencyCap       = "frequency_cap"
	ReasonQuietHours         = "quiet_hours"
	ReasonDelay              = "delay"
	ReasonDuplicate          = "duplicate"
	// Delivery outcomes (decision failed).
	ReasonProviderRejected = "provider_rejected"
	ReasonProviderError    = "provider_error"
	ReasonInterrupted      = "interrupted"
	ReasonTemplateError    = "template_error"
	ReasonNoProvider       = "no_provider"
	// ReasonOutcomeUnknown (decision unknown): the provider may have accepted the message, so it
	// is not re-sent unless the merchant asks.
	ReasonOutcomeUnknown = "outcome_unknown"
	// Settled outside the policy (decision skipped).
	ReasonShopUninstalled = "shop_uninstalled"
	ReasonMessageDisabled = "message_disabled"
	// ReasonCoalesced: a newer notice about the same thing, within the notice window, carries the
	// latest state instead.
	ReasonCoalesced = "coalesced"
)

// Consent states as Shopify reports them (email_marketing_consent.state, sms_marketing_consent.state).
const (
	ConsentSubscribed   = "subscribed"
	ConsentUnsubscribed = "unsubscribed"
)

// Candidate is one possible send of a message or campaign to one shopper on one channel.
type Candidate struct {
	Trigger            string
	Kind               string
	Channel            string // email or sms (already resolved)
	Campaign           bool   // a one-off campaign: skipped, not deferred, when over the cap
	FeaturedProductIDs []int64
	NotBefore          time.Time // the trigger time plus the message's delay
}

// PolicyFacts is what Boomerang knows about the shopper that matters to the candidate.
type PolicyFacts struct {
	HasAddress           bool          // an email address / phone number for the channel
	Consent              string        // Shopify's marketing consent state for the channel
	Suppressed           bool          // opted out through Boomerang (unsubscribe link, SMS STOP)
	Holds                []models.Hold // promotional holds; Decide ignores released or expired ones
	SubscribedProductIDs []int64
	PromoSends           []time.Time // promotional sends (any channel) that count towards the cap
	Duplicate            bool        // the same trigger was already answered for the same entity
	Location             *time.Location
}

// PolicySettings are a shop's sending rules in the form Decide needs.
type PolicySettings struct {
	CapCount    int           // promotional messages allowed per CapWindow; 0 = no cap
	CapWindow   time.Duration // across email and SMS together
	QuietStart  int           // minutes after local midnight; equal to QuietEnd = no quiet hours
	QuietEnd    int
	MaxDeferral time.Duration // a triggered message still capped this long after NotBefore is skipped
	// NoticeWindow: notices of CoalescedTriggers wait this long, and one superseded by a newer
	// notice within it is skipped (coalesced); 0 sends each.
	NoticeWindow time.Duration
}

// DefaultPolicySettings are PRODUCT.md's defaults.
var DefaultPolicySettings = PolicySettings{CapCount: 1, CapWindow: 16 * time.Hour, QuietStart: 21 * 60, QuietEnd: 8 * 60,
	MaxDeferral: 72 * time.Hour}

// Decision is the engine's answer for one candidate.
type Decision struct {
	Action string
	Until  time.Time // for ActDefer: when to decide again
	Reason string
}

// holdPriority orders the reasons shown when several holds apply.
var holdPriority = map[string]int{models.HoldNegativeReview: 0, models.HoldOpenCase: 1, models.HoldRecentCancellation: 2}

// Decide applies the rules in order; the first that answers wins:
//
//  1. duplicate trigger → skip (duplicate)
//  2. before NotBefore → defer (delay); everything below is checked again when it comes due
//  3. no address → skip; opted out → skip (unsubscribed), whatever the kind
//  4. promotional, or any SMS, without marketing consent → skip (no_consent)
//  5. promotional with a hold in force → hold (negative_review, open_case, recent_cancellation);
//     the win-back that answers a cancellation is not held by that cancellation's cool-down
//  6. promotional featuring a product the shopper subscribes to → hold (subscribed_product)
//  7. SMS inside quiet hours in the shopper's zone → defer to their end (quiet_hours)
//  8. promotional over the frequency cap → defer until a slot frees (campaigns: skip); a
//     triggered message still capped MaxDeferral after NotBefore is skipped (frequency_cap)
//  9. send
func Decide(c Candidate, f PolicyFacts, s PolicySettings, now time.Time) Decision {
	promo := c.Kind != KindTransactional // an unknown kind is treated as the stricter one
	if f.Duplicate {
		return Decision{Action: ActSkip, Reason: ReasonDuplicate}
	}
	if now.Before(c.NotBefore) {
		return Decision{Action: ActDefer, Until: c.NotBefore, Reason: ReasonDelay}
	}
	if !f.HasAddress {
		return Decision{Action: ActSkip, Reason: ReasonNoAddress}
	}
	if f.Suppressed || f.Consent == ConsentUnsubscribed {
		return Decision{Action: ActSkip, Reason: ReasonUnsubscribed}
	}
	if (promo || c.Channel == ChannelSMS) && f.Consent != ConsentSubscribed {
		return Decision{Action: ActSkip, Reason: ReasonNoConsent}
	}
	if promo {
		if r := holdReason(c, f.Holds, now); r != "" {
			return Decision{Action: ActHold, Reason: r}
		}
		if intersects(c.FeaturedProductIDs, f.SubscribedProductIDs) {
			return Decision{Action: ActHold, Reason: ReasonSubscribedProduct}
		}
	}
	if c.Channel == ChannelSMS {
		if end, quiet := quietUntil(now, f.Location, s.QuietStart, s.QuietEnd); quiet {
			return Decision{Action: ActDefer, Until: end, Reason: ReasonQuietHours}
		}
	}
	if promo && s.CapCount > 0 {
		if free, capped := capFreeAt(f.PromoSends, s.CapCount, s.CapWindow, now); capped {
			if c.Campaign || (s.MaxDeferral > 0 && free.After(c.NotBefore.Add(s.MaxDeferral))) {
				return Decision{Action: ActSkip, Reason: ReasonFrequencyCap}
			}
			return Decision{Action: ActDefer, Until: free, Reason: ReasonFrequencyCap}
		}
	}
	return Decision{Action: ActSend}
}

func holdReason(c Candidate, holds []models.Hold, now time.Time) string {
	best, bestP := "", 1<<30
	for _, h := range holds {
		if h.ReleasedAt != nil || (h.Until != nil && !h.Until.After(now)) {
			continue
		}
		if h.Reason == models.HoldRecentCancellation && c.Trigger == models.EventSubscriptionCancelled {
			continue
		}
		p, ok := holdPriority[h.Reason]
		if !ok {
			p = 100
		}
		if p < bestP {
			best, bestP = h.Reason, p
		}
	}
	return best
}

func intersects(a, b []int64) bool {
	if len(a) == 0 || len(b) == 0 {
		return false
	}
	for _, x := range a {
		for _, y := range b {
			if x == y && x != 0 {
				return true
			}
		}
	}
	return false
}

// quietUntil reports whether now is inside the quiet window [start, end) local time (a window
// with start > end spans midnight) and when the window ends.
func quietUntil(now time.Time, loc *time.Location, start, end int) (time.Time, bool) {
	if start == end {
		return time.Time{}, false
	}
	if loc == nil {
		loc = time.UTC
	}
	local := now.In(loc)
	m := local.Hour()*60 + local.Minute()
	var quiet bool
	if start < end {
		quiet = m >= start && m < end
	} else {
		quiet = m >= start || m < end
	}
	if !quiet {
		return time.Time{}, false
	}
	until := time.Date(local.Year(), local.Month(), local.Day(), end/60, end%60, 0, 0, loc)
	if !until.After(local) {
		until = time.Date(local.Year(), local.Month(), local.Day()+1, end/60, end%60, 0, 0, loc)
	}
	return until.UTC(), true
}

// capFreeAt reports whether the sends inside (now-window, now] already reach the cap and, if
// so, when enough of them leave the window for one more.
func capFreeAt(sends []time.Time, capCount int, window time.Duration, now time.Time) (time.Time, bool) {
	from := now.Add(-window)
	var in []time.Time
	for _, t := range sends {
		if t.After(from) && !t.After(now) {
			in = append(in, t)
		}
	}
	if len(in) < capCount {
		return time.Time{}, false
	}
	sort.Slice(in, func(i, j int) bool { return in[i].Before(in[j]) })
	// After the oldest len-cap+1 sends leave the window, len(in) < cap again.
	return in[len(in)-capCount].Add(window), true
}

// ResolveChannel picks the channel for a message set to "both": SMS when the shopper has
// opted in to SMS marketing and has a phone number, else email.
func ResolveChannel(setting string, c *models.Customer, smsSuppressed bool) string {
	if setting != ChannelBoth {
		return setting
	}
	if c != nil && c.SMSConsent == ConsentSubscribed && c.Phone != "" && !smsSuppressed {
		return ChannelSMS
	}
	return ChannelEmail
}
