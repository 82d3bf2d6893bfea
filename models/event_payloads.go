package models

import (
	"encoding/json"
	"time"
)

// EventPayload is what an event carries. Every kind has its own type and Emit takes only these,
// so an event's kind and the shape of its payload cannot disagree; the JSON names are what
// message templates and Flow triggers read.
type EventPayload interface {
	EventKind() string
}

// PointsEarnedPayload: points credited for an order, a bonus or a referral.
type PointsEarnedPayload struct {
	Points       int64      `json:"points"`
	Balance      int64      `json:"balance"`
	Source       string     `json:"source,omitempty"`   // bonuses and referrals: what earned them
	OrderID      int64      `json:"order_id,omitempty"` // orders
	PendingUntil *time.Time `json:"pending_until,omitempty"`
}

// PointsExpiringPayload: a reminder that points expire soon.
type PointsExpiringPayload struct {
	Points     int64     `json:"points"`
	ExpiresAt  time.Time `json:"expires_at"`
	DaysBefore int       `json:"days_before"`
}

// TierChangedPayload: the customer moved to another tier.
type TierChangedPayload struct {
	From      string `json:"from"`
	To        string `json:"to"`
	Direction string `json:"direction"` // up or down
}

// TierAtRiskPayload: the tier drops on a date unless the customer buys.
type TierAtRiskPayload TierRisk

// ReferralRewardedPayload: a referrer's reward for a friend's order.
type ReferralRewardedPayload struct {
	Points     int64 `json:"points"`
	Balance    int64 `json:"balance"`
	ReferralID int64 `json:"referral_id"`
}

// RewardIssuedPayload: a redemption's discount code exists in Shopify.
type RewardIssuedPayload struct {
	Code   string    `json:"code"`
	Value  string    `json:"value"`
	Type   string    `json:"type"`
	Reward string    `json:"reward"`
	Points int64     `json:"points"`
	EndsAt time.Time `json:"ends_at"`
}

// SubscriptionCancelledPayload: a subscription ended (cancelled, or lapsed when recognised from orders).
type SubscriptionCancelledPayload struct {
	ContractID int64   `json:"contract_id"`
	Reason     string  `json:"reason"`
	ProductIDs []int64 `json:"product_ids"`
	Entity     string  `json:"entity"` // "contract:<id>": events about one contract are answered once
}

// FirstOrderPayload: a customer's first order.
type FirstOrderPayload struct {
	OrderID int64 `json:"order_id"`
}

// AtRiskPayload: a repeat buyer is later than usual.
type AtRiskPayload struct {
	LastOrderAt time.Time `json:"last_order_at"`
}

// OneTimeBuyerQuietPayload: a one-time buyer has not come back.
type OneTimeBuyerQuietPayload AtRiskPayload

// BirthdayPayload carries nothing: the customer's birthday is the event.
type BirthdayPayload struct{}

// ReviewReminderPayload is the review_reminder event: the request's payload again.
type ReviewReminderPayload struct{ ReviewRequestPayload }

func (PointsEarnedPayload) EventKind() string          { return EventPointsEarned }
func (PointsExpiringPayload) EventKind() string        { return EventPointsExpiring }
func (TierChangedPayload) EventKind() string           { return EventTierChanged }
func (TierAtRiskPayload) EventKind() string            { return EventTierAtRisk }
func (ReferralRewardedPayload) EventKind() string      { return EventReferralRewarded }
func (RewardIssuedPayload) EventKind() string          { return EventRewardIssued }
func (SubscriptionCancelledPayload) EventKind() string { return EventSubscriptionCancelled }
func (FirstOrderPayload) EventKind() string            { return EventFirstOrder }
func (AtRiskPayload) EventKind() string                { return EventAtRisk }
func (OneTimeBuyerQuietPayload) EventKind() string     { return EventOneTimeBuyerQuiet }
func (BirthdayPayload) EventKind() string              { return EventBirthday }
func (ReviewRequestPayload) EventKind() string         { return EventReviewRequest }
func (ReviewReminderPayload) EventKind() string        { return EventReviewReminder }
func (NegativeReviewPayload) EventKind() string        { return EventNegativeReview }
func (ReviewSubmittedPayload) EventKind() string       { return EventReviewSubmitted }

// ReviewSubmittedPayload: a customer's review arrived (loyalty pays the first-review bonus).
type ReviewSubmittedPayload struct {
	ReviewID  int64  `json:"review_id"`
	ProductID *int64 `json:"product_id"`
}

// NegativeReviewPayload is the negative_review event's payload: ids and the review's title
// only, no contact details (messaging loads the customer itself).
type NegativeReviewPayload struct {
	ReviewID  int64  `json:"review_id"`
	CaseID    int64  `json:"case_id"`
	Rating    int    `json:"rating"`
	ProductID *int64 `json:"product_id"`
	Title     string `json:"title"`
}

// ReviewRequestPayload is the payload of review_request and review_reminder events.
type ReviewRequestPayload struct {
	RequestID  int64                  `json:"request_id"`
	OrderID    int64                  `json:"order_id"`
	OrderName  string                 `json:"order_name"`
	ProductIDs []int64                `json:"product_ids"`
	Products   []ReviewRequestProduct `json:"products"`
	ReviewLink string                 `json:"review_link"`
	ExpiresAt  time.Time              `json:"expires_at"`
}

// ReviewRequestProduct names a product in a request.
type ReviewRequestProduct struct {
	ID    int64  `json:"id"`
	Title string `json:"title"`
}

// TierRisk is a coming tier drop: the customer keeps Tier until On unless they buy.
type TierRisk struct {
	Tier    string    `json:"tier"`
	DropsTo string    `json:"drops_to"`
	On      time.Time `json:"on"`
}

// payloadOf decodes an event's payload as the type its kind carries; what does not decode (a
// redacted event's {}) leaves the zero value.
func payloadOf[P EventPayload](ev Event) P {
	var p P
	_ = json.Unmarshal(ev.Payload, &p)
	return p
}
