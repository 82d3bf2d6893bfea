package loyalty

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"gorm.io/gorm"

	"github.com/boomerang-app/boomerang/models"
)

// Bonus points: actions other than buying. Sign-up and first review pay once per customer;
// birthday once per year (the source is the year); referral per friend.

// AwardBonus credits the shop's bonus for kind (signup, first_review, referral, birthday) to a
// customer, idempotent on (shop, kind, customer, sourceID); points is 0 when the bonus is off
// or was already given. Pass the caller's transaction so the bonus commits with its cause (the
// bus pays first_review for a review_submitted event, BonusesFor).
func AwardBonus(ctx context.Context, tx *gorm.DB, shopID, customerID int64, kind, sourceID string) (points int64, err error) {
	return awardBonus(ctx, tx, shopID, customerID, kind, sourceID, time.Now())
}

func awardBonus(ctx context.Context, tx *gorm.DB, shopID, customerID int64, kind, sourceID string, now time.Time) (int64, error) {
	if customerID == 0 {
		return 0, nil
	}
	set, err := LoadLoyaltySettings(ctx, tx, shopID)
	if err != nil {
		return 0, err
	}
	var pts int64
	switch kind {
	case BonusSignup:
		pts = set.Bonus.Signup
	case BonusFirstReview:
		pts = set.Bonus.FirstReview
	case BonusReferral:
		pts = set.Bonus.Referral
	case BonusBirthday:
		pts = set.Bonus.Birthday
	default:
		return 0, models.Invalid("kind", "unknown bonus %q", kind)
	}
	if pts <= 0 {
		return 0, nil
	}
	var got int64
	err = withBook(ctx, tx, set, shopID, customerID, now, func(b *book) error {
		if kind == BonusSignup || kind == BonusFirstReview {
			if err := b.sync(); err != nil {
				return err
			}
			var n int64
			if err := b.tx.Raw(`SELECT count(*) FROM ledger_entries WHERE shop_id = ? AND customer_id = ? AND kind = ? AND source_type = ?`,
				shopID, customerID, EntryBonus, kind).Scan(&n).Error; err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
		}
		src := strconv.FormatInt(customerID, 10) + ":" + sourceID
		_, ins, err := b.credit(posting{Kind: EntryBonus, SourceType: kind, SourceID: src, Points: pts, Reason: bonusReasons[kind]})
		if err != nil || !ins {
			return err
		}
		got = pts
		b.touch(now)
		if _, err := models.Emit(ctx, b.tx, shopID, customerID, kind+":"+src,
			models.PointsEarnedPayload{Points: pts, Balance: b.acct.Balance, Source: kind}, now); err != nil {
			return err
		}
		return b.reevaluateTier()
	})
	if err != nil {
		return 0, fmt.Errorf("award %s bonus to %d: %w", kind, customerID, err)
	}
	return got, nil
}

// CustomerLoyaltyUpdate runs after a customer fact was stored: an account holder (Shopify state
// "enabled") gets the sign-up bonus, once.
func CustomerLoyaltyUpdate(ctx context.Context, db *gorm.DB, shopID, customerID int64, now time.Time) error {
	var state string
	if err := db.WithContext(ctx).Raw(`SELECT state FROM customers WHERE shop_id = ? AND customer_id = ?`,
		shopID, customerID).Scan(&state).Error; err != nil {
		return fmt.Errorf("customer %d state: %w", customerID, err)
	}
	if state != "enabled" {
		return nil
	}
	_, err := awardBonus(ctx, db, shopID, customerID, BonusSignup, "account", now)
	return err
}

// SetBirthday records the customer's birthday (from the storefront) for the birthday bonus.
// It can be set once: a birthday that could be moved at will would pay the bonus at will.
func SetBirthday(ctx context.Context, db *gorm.DB, shopID, customerID int64, day string, now time.Time) error {
	d, err := time.Parse(time.DateOnly, day)
	if err != nil || d.After(now) || d.Year() < 1900 {
		return models.Invalid("birthday", "a past date as YYYY-MM-DD")
	}
	res := db.WithContext(ctx).Exec(`UPDATE customers SET birthday = ?, updated_at = now()
		WHERE shop_id = ? AND customer_id = ? AND birthday IS NULL AND redacted_at IS NULL`, d, shopID, customerID)
	if res.Error != nil {
		return fmt.Errorf("set birthday of %d: %w", customerID, res.Error)
	}
	if res.RowsAffected == 1 {
		return nil
	}
	if _, err := models.GetCustomer(ctx, db, shopID, customerID); err != nil {
		return err
	}
	return models.Conflict("the birthday is already set")
}

// BonusTriggers are the event kinds loyalty pays a bonus on (jobs/bus.go routes them here).
var BonusTriggers = []string{models.EventReviewSubmitted}

// BonusesFor pays the bonuses a batch of events calls for: the first-review bonus for a
// review_submitted. Each is idempotent on its key, so a batch handed over again pays nothing twice.
func BonusesFor(ctx context.Context, db *gorm.DB, shopID int64, evs []models.Event) error {
	for _, ev := range evs {
		if ev.Kind != models.EventReviewSubmitted || ev.CustomerID == nil {
			continue
		}
		var p models.ReviewSubmittedPayload
		if err := json.Unmarshal(ev.Payload, &p); err != nil {
			return fmt.Errorf("event %d: %w", ev.ID, err)
		}
		if _, err := AwardBonus(ctx, db, shopID, *ev.CustomerID, BonusFirstReview, strconv.FormatInt(p.ReviewID, 10)); err != nil {
			return err
		}
	}
	return nil
}

// bonusReasons are what the ledger says a bonus paid for, as the merchant and the shopper read it.
var bonusReasons = map[string]string{
	BonusSignup:      "Sign-up bonus",
	BonusFirstReview: "First review bonus",
	BonusReferral:    "Referral bonus",
	BonusBirthday:    "Birthday bonus",
}
