package messaging

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"

	"github.com/boomerang-app/boomerang/models"
)

// CustomerFacts is everything the policy needs about one customer, loaded in a handful of
// queries for a whole batch of customers (a campaign page, an event burst).
type CustomerFacts struct {
	Customer   *models.Customer
	Holds      []models.Hold
	Subscribed []int64
	PromoSends []time.Time
	Suppressed map[string]bool // channel → opted out through Boomerang
	Location   *time.Location
}

// FactsBatch maps customer ids to their facts.
type FactsBatch map[int64]*CustomerFacts

// For returns the engine's view of one customer on one channel. An unknown customer has no
// address, so every candidate for it is skipped.
func (b FactsBatch) For(customerID int64, channel string) PolicyFacts {
	cf := b[customerID]
	if cf == nil || cf.Customer == nil {
		return PolicyFacts{}
	}
	c := cf.Customer
	pf := PolicyFacts{Holds: cf.Holds, SubscribedProductIDs: cf.Subscribed, PromoSends: cf.PromoSends,
		Suppressed: cf.Suppressed[channel], Location: cf.Location}
	switch channel {
	case ChannelEmail:
		pf.HasAddress, pf.Consent = c.Email != "" && c.RedactedAt == nil, c.EmailConsent
	case ChannelSMS:
		pf.HasAddress, pf.Consent = c.Phone != "" && c.RedactedAt == nil, c.SMSConsent
	}
	return pf
}

// LoadCustomerFacts loads the facts of a batch of customers at `now`. capWindow bounds how far
// back promotional sends are read.
func LoadCustomerFacts(ctx context.Context, db *gorm.DB, shopID int64, ids []int64, capWindow time.Duration, now time.Time) (FactsBatch, error) {
	return LoadFactsFor(ctx, db, shopID, ids, capWindow, now, true)
}

// LoadFactsFor is LoadCustomerFacts; with promotional false it skips what only promotional
// messages are judged on (holds, subscriptions, recent promotional sends), which the policy
// ignores for transactional ones.
func LoadFactsFor(ctx context.Context, db *gorm.DB, shopID int64, ids []int64, capWindow time.Duration, now time.Time, promotional bool) (FactsBatch, error) {
	out := FactsBatch{}
	if len(ids) == 0 {
		return out, nil
	}
	// The customer and their Boomerang opt-outs in one round trip.
	var customers []struct {
		models.Customer
		OptedOut string
	}
	if err := db.WithContext(ctx).Raw(`SELECT c.*, COALESCE((SELECT string_agg(s.channel, ',') FROM message_suppressions s
			WHERE s.shop_id = c.shop_id AND s.customer_id = c.customer_id), '') AS opted_out
		FROM customers c WHERE c.shop_id = ? AND c.customer_id IN ?`, shopID, ids).Find(&customers).Error; err != nil {
		return nil, fmt.Errorf("facts: customers: %w", err)
	}
	shopTZ, err := policyShopZone(ctx, db, shopID)
	if err != nil {
		return nil, err
	}
	for i := range customers {
		c := &customers[i].Customer
		tz := c.Timezone
		if tz == "" {
			tz = shopTZ
		}
		cf := &CustomerFacts{Customer: c, Suppressed: map[string]bool{}, Location: models.Location(tz)}
		for _, ch := range strings.Split(customers[i].OptedOut, ",") {
			if ch != "" {
				cf.Suppressed[ch] = true
			}
		}
		out[c.CustomerID] = cf
	}
	if promotional {
		if err := loadPromoFacts(ctx, db, shopID, ids, capWindow, now, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func loadPromoFacts(ctx context.Context, db *gorm.DB, shopID int64, ids []int64, capWindow time.Duration, now time.Time, out FactsBatch) error {
	var holds []models.Hold
	if err := models.Scoped(ctx, db, shopID).Where("customer_id IN ? AND released_at IS NULL AND (until IS NULL OR until > ?)", ids, now).
		Order("id").Find(&holds).Error; err != nil {
		return fmt.Errorf("facts: holds: %w", err)
	}
	for _, h := range holds {
		if cf := out[h.CustomerID]; cf != nil {
			cf.Holds = append(cf.Holds, h)
		}
	}
	subs, err := models.SubscribedProducts(ctx, db, shopID, ids)
	if err != nil {
		return err
	}
	for id, ps := range subs {
		if cf := out[id]; cf != nil {
			cf.Subscribed = ps
		}
	}
	var sends []struct {
		CustomerID int64
		SentAt     time.Time
	}
	if err := db.WithContext(ctx).Raw(`SELECT customer_id, sent_at FROM message_decisions
		WHERE shop_id = ? AND customer_id IN ? AND kind = ? AND decision IN ('sending', 'sent', 'unknown') AND sent_at > ?`,
		shopID, ids, KindPromotional, now.Add(-capWindow)).Scan(&sends).Error; err != nil {
		return fmt.Errorf("facts: recent sends: %w", err)
	}
	for _, s := range sends {
		if cf := out[s.CustomerID]; cf != nil {
			cf.PromoSends = append(cf.PromoSends, s.SentAt)
		}
	}
	return nil
}

// shopZones caches shops' time zones for a minute: every policy check needs one and they
// change only with shop/update.
var shopZones sync.Map // zoneKey → zoneEntry

// zoneKey names a shop in one database (tests open several, each with a shop 1). The
// dialector is shared by every session and transaction of one opened database.
type zoneKey struct {
	db   gorm.Dialector
	shop int64
}

type zoneEntry struct {
	name string
	at   time.Time
}

func policyShopZone(ctx context.Context, db *gorm.DB, shopID int64) (string, error) {
	key := zoneKey{db.Dialector, shopID}
	if v, ok := shopZones.Load(key); ok && time.Since(v.(zoneEntry).at) < time.Minute {
		return v.(zoneEntry).name, nil
	}
	var tz string
	if err := db.WithContext(ctx).Raw(`SELECT timezone FROM shops WHERE id = ?`, shopID).Scan(&tz).Error; err != nil {
		return "", fmt.Errorf("facts: shop time zone: %w", err)
	}
	shopZones.Store(key, zoneEntry{tz, time.Now()})
	return tz, nil
}

// Suppress records an opt-out received by Boomerang and mirrors it onto the customer's consent.
func Suppress(ctx context.Context, db *gorm.DB, shopID, customerID int64, channel, source string) error {
	if channel != ChannelEmail && channel != ChannelSMS {
		return models.Invalid("channel", "must be email or sms")
	}
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec(`INSERT INTO message_suppressions (shop_id, customer_id, channel, source) VALUES (?, ?, ?, ?)
			ON CONFLICT (shop_id, customer_id, channel) DO NOTHING`, shopID, customerID, channel, source).Error; err != nil {
			return fmt.Errorf("suppress customer %d: %w", customerID, err)
		}
		return models.SetMarketingConsent(ctx, tx, shopID, customerID, channel, ConsentUnsubscribed)
	})
}

// Unsuppress lifts a Boomerang opt-out after the shopper opted in again on the same channel.
func Unsuppress(ctx context.Context, db *gorm.DB, shopID, customerID int64, channel string) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec(`DELETE FROM message_suppressions WHERE shop_id = ? AND customer_id = ? AND channel = ?`,
			shopID, customerID, channel).Error; err != nil {
			return err
		}
		return models.SetMarketingConsent(ctx, tx, shopID, customerID, channel, ConsentSubscribed)
	})
}

// CustomersByPhone finds the customers of a shop with a phone number (inbound SMS).
func CustomersByPhone(ctx context.Context, db *gorm.DB, shopID int64, phone string) ([]int64, error) {
	var ids []int64
	err := db.WithContext(ctx).Raw(`SELECT customer_id FROM customers WHERE shop_id = ? AND phone = ? AND phone <> ''`,
		shopID, phone).Scan(&ids).Error
	return ids, err
}
