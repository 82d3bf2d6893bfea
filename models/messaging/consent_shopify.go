package messaging

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/boomerang-app/boomerang/models"
)

// An opt-out received by Boomerang (unsubscribe link, SMS STOP) is written back to the
// customer's marketing consent in Shopify, so Shopify Email, Klaviyo and every other tool
// reading it stop too; an SMS START is written back the same way.

// ConsentWriter sets a customer's marketing consent on one channel in Shopify.
type ConsentWriter interface {
	SetMarketingConsent(ctx context.Context, shop string, customerID int64, channel, state string, at time.Time) error
}

// PushConsent writes a customer's consent on a channel (ChannelEmail, ChannelSMS) as of the
// shopper's action at `at`. A refusal (the customer is gone from Shopify) is settled and its
// reason returned; a throttled or failed call is the error to retry.
func PushConsent(ctx context.Context, db *gorm.DB, c ConsentWriter, shopID, customerID int64, channel, state string, at time.Time) (refused string, err error) {
	sh, err := models.GetShop(ctx, db, shopID)
	if err != nil {
		return "", err
	}
	err = c.SetMarketingConsent(ctx, sh.Domain, customerID, channel, state, at)
	if reason, ok := models.Refused(err); ok {
		return reason, nil
	}
	return "", err
}
