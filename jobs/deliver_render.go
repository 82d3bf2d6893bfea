package jobs

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/boomerang-app/boomerang/delivery"
	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/models/loyalty"
	"github.com/boomerang-app/boomerang/models/messaging"
)

// envelope is what one delivery needs besides the templates: the recipient, the sender and the
// template variables.
type envelope struct {
	customer       *models.Customer
	shop           *models.Shop
	fromName       string
	replyTo        string
	unsubscribeURL string
	vars           map[string]any
}

func (w *Worker) envelope(ctx context.Context, md *messaging.MessageDecision, cust *models.Customer, pol messaging.MessagePolicy, src *source) (*envelope, error) {
	var err error
	if cust == nil {
		if cust, err = models.GetCustomer(ctx, w.DB, md.ShopID, md.CustomerID); err != nil {
			return nil, err
		}
	}
	shop, err := w.cachedShop(ctx, md.ShopID)
	if err != nil {
		return nil, err
	}
	env := &envelope{customer: cust, shop: shop, fromName: pol.SenderName, replyTo: pol.ReplyTo}
	if env.fromName == "" {
		env.fromName = shop.Name
	}
	if env.replyTo == "" {
		env.replyTo = shop.Email
	}
	if md.Trigger == models.EventFirstOrder { // the welcome carries the shopper's referral link
		if _, err := loyalty.EnsureReferralCode(ctx, w.DB, md.ShopID, md.CustomerID); err != nil {
			return nil, err
		}
	}
	env.unsubscribeURL = UnsubscribeURL(w.Cfg.AppURL, w.Cfg.EncryptionKey, md.ShopID, md.CustomerID, md.Channel)
	src.forShopper(cust, shop)
	t := src.templates
	env.vars, err = messaging.TemplateVars(ctx, w.DB, shop, cust, md.Trigger, md.Payload, env.unsubscribeURL,
		src.cand.FeaturedProductIDs, t.Subject, t.HTML, t.Text, t.SMS)
	if err != nil {
		return nil, err
	}
	return env, nil
}

// UnsubscribeURL is the signed one-click unsubscribe link of a shopper on a channel.
func UnsubscribeURL(appURL string, encryptionKey []byte, shopID, customerID int64, channel string) string {
	tok := delivery.Sign(delivery.LinkKey(encryptionKey), delivery.PurposeUnsubscribe, map[string]string{
		"s": strconv.FormatInt(shopID, 10), "c": strconv.FormatInt(customerID, 10), "ch": channel}, time.Time{})
	return strings.TrimRight(appURL, "/") + "/unsubscribe?t=" + url.QueryEscape(tok)
}
