package models_test

import (
	"testing"

	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/models/messaging"
)

// Every kind a message can answer has its payload type, and no two types claim one kind.
func TestEveryTriggerHasOnePayloadType(t *testing.T) {
	payloads := []models.EventPayload{
		models.PointsEarnedPayload{}, models.PointsExpiringPayload{}, models.RewardIssuedPayload{},
		models.TierChangedPayload{}, models.NegativeReviewPayload{}, models.ReviewRequestPayload{},
		models.ReviewReminderPayload{}, models.SubscriptionCancelledPayload{}, models.OneTimeBuyerQuietPayload{},
		models.AtRiskPayload{}, models.FirstOrderPayload{}, models.ReferralRewardedPayload{}, models.BirthdayPayload{},
		models.TierAtRiskPayload{},
	}
	seen := map[string]bool{}
	for _, p := range payloads {
		k := p.EventKind()
		if seen[k] {
			t.Errorf("two payload types for %s", k)
		}
		seen[k] = true
	}
	for _, trig := range messaging.MessageTriggers {
		if !seen[trig] {
			t.Errorf("trigger %s has no payload type", trig)
		}
	}
}
