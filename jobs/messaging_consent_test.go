package jobs_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/boomerang-app/boomerang/internal/apptest"
	"github.com/boomerang-app/boomerang/internal/testenv"
	"github.com/boomerang-app/boomerang/jobs"
	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/models/messaging"
	"github.com/boomerang-app/boomerang/shopify"
)

// Unsubscribing through Boomerang's link also unsubscribes the shopper in Shopify, so other
// tools reading Shopify's consent stop too; a throttled call is retried.
func TestUnsubscribeReachesShopify(t *testing.T) {
	a := apptest.Start(t, apptest.Options{})
	shop := testenv.Shop("consent")
	shopID := a.Install(t, shop)
	ctx := context.Background()
	models.UpsertCustomer(ctx, a.DB, shopID, models.CustomerFact{CustomerID: 42, Email: "u@example.com", EmailConsent: "subscribed"})
	a.Fake.Throttle(4)
	link := jobs.UnsubscribeURL(a.Server.URL, a.Cfg.EncryptionKey, shopID, 42, messaging.ChannelEmail)
	resp, err := http.Post(link, "application/x-www-form-urlencoded", strings.NewReader("List-Unsubscribe=One-Click"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	deadline := time.Now().Add(90 * time.Second)
	for a.Fake.Consent(shopify.CustomerGID(42), "email") != "UNSUBSCRIBED" {
		if time.Now().After(deadline) {
			t.Fatalf("Shopify consent = %q", a.Fake.Consent(shopify.CustomerGID(42), "email"))
		}
		time.Sleep(100 * time.Millisecond)
	}
	if _, err := messaging.PushConsent(ctx, a.DB, a.Admin, shopID, 42, messaging.ChannelSMS, messaging.ConsentSubscribed, time.Now()); err != nil {
		t.Fatal(err)
	}
	if got := a.Fake.Consent(shopify.CustomerGID(42), "sms"); got != "SUBSCRIBED" {
		t.Fatalf("sms consent = %q", got)
	}
}
