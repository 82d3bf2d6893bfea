package loyalty

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"gorm.io/gorm"

	"github.com/boomerang-app/boomerang/models"
)

// Redemptions. Redeeming is two steps with Shopify in between: reserve (the points leave the
// balance under the account lock, so concurrent redemptions can never overspend, and the
// discount code is chosen), then issue (discountCodeBasicCreate with that code). A refused
// mutation releases the points; an error with an unknown outcome (throttled after retries,
// network) leaves the redemption pending and it is retried with the same code, which Shopify
// can create at most once.

// Redemption statuses.
const (
	RedemptionPending = "pending"
	RedemptionIssued  = "issued"
	RedemptionFailed  = "failed"
	// RedemptionReturned: the order that used the reward was refunded in full or cancelled, and
	// the points came back.
	RedemptionReturned = "returned"
)

// Redemption is one reward bought with points.
type Redemption struct {
	ID          int64           `json:"id"`
	ShopID      int64           `json:"-"`
	CustomerID  int64           `json:"customer_id"`
	RewardName  string          `json:"reward"`
	RewardType  string          `json:"type"`
	RewardValue decimal.Decimal `json:"value"`
	Points      int64           `json:"points"`
	Code        string          `json:"code"`
	RequestKey  string          `json:"-"`
	Status      string          `json:"status"`
	DiscountID  string          `json:"-"`
	Failure     string          `json:"failure,omitempty"`
	Attempts    int             `json:"-"`
	StartsAt    time.Time       `json:"starts_at"`
	EndsAt      time.Time       `json:"ends_at"`
	IssuedAt    *time.Time      `json:"issued_at"`
	CreatedAt   time.Time       `json:"created_at"`
	UpdatedAt   time.Time       `json:"-"`
}

func (Redemption) TableName() string { return "loyalty_redemptions" }

// rewardCodePrefix marks codes Boomerang created, for the merchant's discount list.
const rewardCodePrefix = "BMR-"

// NotEnoughPoints is the conflict a redemption or spend without the balance for it gets.
func NotEnoughPoints(have, need int64) *models.Error {
	return models.Conflict("not enough points: %d spendable, %d needed", have, need)
}

// ReserveRedemption takes a reward's points from the customer's spendable balance and records
// the redemption with its code. requestKey makes a retried request return the same redemption
// (empty: every call is a new redemption).
func ReserveRedemption(ctx context.Context, db *gorm.DB, shopID, customerID int64, rewardName, requestKey string, now time.Time) (*Redemption, error) {
	if customerID == 0 {
		return nil, &models.Error{Code: models.EUnauthorized, Message: "log in to redeem points"}
	}
	set, err := LoadLoyaltySettings(ctx, db, shopID)
	if err != nil {
		return nil, err
	}
	reward, ok := set.RewardNamed(rewardName)
	if !ok {
		return nil, models.Invalid("reward", "no reward named %q", rewardName)
	}
	if len(requestKey) > 100 {
		return nil, models.Invalid("request_key", "at most 100 characters")
	}
	if requestKey == "" {
		requestKey = randomCode(20)
	}
	now = now.UTC()
	var out Redemption
	err = withBook(ctx, db, set, shopID, customerID, now, func(b *book) error {
		err := b.tx.Scopes(models.ShopScope(shopID)).Where("customer_id = ? AND request_key = ?", customerID, requestKey).
			Limit(1).Find(&out).Error
		if err != nil || out.ID != 0 {
			return err
		}
		have, err := b.spendable()
		if err != nil {
			return err
		}
		if have < reward.PointsCost {
			return NotEnoughPoints(have, reward.PointsCost)
		}
		out = Redemption{ShopID: shopID, CustomerID: customerID, RewardName: reward.Name, RewardType: reward.Type,
			RewardValue: reward.Value.Decimal, Points: reward.PointsCost, Code: rewardCodePrefix + randomCode(12),
			RequestKey: requestKey, Status: RedemptionPending, StartsAt: now, EndsAt: now.AddDate(0, 0, reward.ValidDays),
			CreatedAt: now, UpdatedAt: now}
		if err := b.tx.Create(&out).Error; err != nil {
			return fmt.Errorf("record redemption: %w", err)
		}
		_, ins, err := b.debit(posting{Kind: EntryRedeem, SourceType: SourceRedemption, SourceID: strconv.FormatInt(out.ID, 10),
			Reason: reward.Name}, reward.PointsCost, spendableOnly)
		if err != nil {
			return err
		}
		if !ins {
			return fmt.Errorf("redemption %d already posted", out.ID)
		}
		b.touch(now)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// GetRedemption loads one redemption.
func GetRedemption(ctx context.Context, db *gorm.DB, shopID, id int64) (*Redemption, error) {
	return models.FindOne[Redemption](ctx, db, shopID, "redemption", "id", id)
}

// RedemptionsOf lists a customer's redemptions, newest first.
func RedemptionsOf(ctx context.Context, db *gorm.DB, shopID, customerID int64, limit int) ([]Redemption, error) {
	var out []Redemption
	err := models.Scoped(ctx, db, shopID).Where("customer_id = ?", customerID).Order("id DESC").Limit(limit).Find(&out).Error
	return out, err
}

// PendingRedemptions lists redemptions of installed shops still waiting for Shopify, created
// before `before` (operator sweep). A shop that left has no token to issue them with; its
// pending redemptions wait for a reinstall, out of the sweep's way.
func PendingRedemptions(ctx context.Context, db *gorm.DB, before time.Time, limit int) ([]Redemption, error) {
	var out []Redemption
	err := db.WithContext(models.AllShops(ctx)).Where("status = ? AND created_at < ?", RedemptionPending, before).
		Where("shop_id IN (SELECT id FROM shops WHERE status = ?)", models.ShopInstalled).
		Order("id").Limit(limit).Find(&out).Error
	return out, err
}

// markIssued records the code as created in Shopify and emits reward_issued, once.
func markIssued(ctx context.Context, db *gorm.DB, r *Redemption, discountID string, now time.Time) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Exec(`UPDATE loyalty_redemptions SET status = ?, discount_id = ?, issued_at = ?, updated_at = ?
			WHERE shop_id = ? AND id = ? AND status = ?`, RedemptionIssued, discountID, now, now, r.ShopID, r.ID, RedemptionPending)
		if res.Error != nil {
			return fmt.Errorf("mark redemption %d issued: %w", r.ID, res.Error)
		}
		if res.RowsAffected == 0 {
			return nil
		}
		r.Status, r.DiscountID, r.IssuedAt = RedemptionIssued, discountID, &now
		_, err := models.Emit(ctx, tx, r.ShopID, r.CustomerID, "redemption:"+strconv.FormatInt(r.ID, 10),
			models.RewardIssuedPayload{Code: r.Code, Value: r.RewardValue.String(), Type: r.RewardType, Reward: r.RewardName,
				Points: r.Points, EndsAt: r.EndsAt}, now)
		return err
	})
}

// failRedemption records Shopify's refusal and gives the points back (a reversal credit), once.
func failRedemption(ctx context.Context, db *gorm.DB, r *Redemption, reason string, now time.Time) error {
	set, err := LoadLoyaltySettings(ctx, db, r.ShopID)
	if err != nil {
		return err
	}
	return withBook(ctx, db, set, r.ShopID, r.CustomerID, now, func(b *book) error {
		res := b.tx.Exec(`UPDATE loyalty_redemptions SET status = ?, failure = ?, updated_at = ?
			WHERE shop_id = ? AND id = ? AND status = ?`, RedemptionFailed, models.Truncate(reason, 500), now, r.ShopID, r.ID, RedemptionPending)
		if res.Error != nil {
			return fmt.Errorf("fail redemption %d: %w", r.ID, res.Error)
		}
		if res.RowsAffected == 0 {
			return nil
		}
		r.Status, r.Failure = RedemptionFailed, reason
		return b.giveBackRedemption(r.ID, r.Points, "reward not issued: points returned")
	})
}

// giveBackRedemption returns a redemption's points to the lots they were spent from, once
// (the reversal's key is the redemption's).
func (b *book) giveBackRedemption(id, points int64, reason string) error {
	src := strconv.FormatInt(id, 10)
	if err := b.sync(); err != nil {
		return err
	}
	var debit int64
	if err := b.tx.Raw(`SELECT id FROM ledger_entries WHERE shop_id = ? AND source_type = ? AND source_id = ? AND kind = ?`,
		b.shopID(), SourceRedemption, src, EntryRedeem).Scan(&debit).Error; err != nil {
		return fmt.Errorf("redeem entry of redemption %d: %w", id, err)
	}
	_, _, err := b.giveBack(posting{Kind: EntryReversal, SourceType: SourceRedemption, SourceID: src,
		Points: points, Reason: reason}, debit)
	return err
}

// returnRewardsOf gives back the points of the rewards an order used when the order is refunded
// in full or cancelled: the shopper paid nothing for what the reward discounted.
func (b *book) returnRewardsOf(orderID int64, codes string) error {
	var list []string
	for _, c := range strings.Split(codes, ",") {
		if c = strings.ToUpper(strings.TrimSpace(c)); strings.HasPrefix(c, rewardCodePrefix) {
			list = append(list, c)
		}
	}
	if len(list) == 0 {
		return nil
	}
	var reds []Redemption
	if err := b.tx.Raw(`UPDATE loyalty_redemptions SET status = ?, order_id = ?, updated_at = ?
		WHERE shop_id = ? AND customer_id = ? AND status = ? AND upper(code) IN ? RETURNING id, points`,
		RedemptionReturned, orderID, b.now, b.shopID(), b.customerID(), RedemptionIssued, list).Scan(&reds).Error; err != nil {
		return fmt.Errorf("return rewards of order %d: %w", orderID, err)
	}
	for _, r := range reds {
		if err := b.giveBackRedemption(r.ID, r.Points, "order refunded: reward points returned"); err != nil {
			return err
		}
	}
	return nil
}

// AdjustPoints is a manual adjustment by staff: a required reason, recorded with the staff user.
// key makes a retried request post once (empty: always a new adjustment). A negative adjustment
// may take the balance below zero.
func AdjustPoints(ctx context.Context, db *gorm.DB, shopID, customerID, points int64, reason, staff, key string, now time.Time) (*LedgerEntry, error) {
	reason = strings.TrimSpace(reason)
	switch {
	case points == 0:
		return nil, models.Invalid("points", "must not be 0")
	case points > 10_000_000 || points < -10_000_000:
		return nil, models.Invalid("points", "at most 10000000 either way")
	case reason == "":
		return nil, models.Invalid("reason", "a reason is required")
	case len(reason) > 500:
		return nil, models.Invalid("reason", "at most 500 characters")
	case len(key) > 100:
		return nil, models.Invalid("key", "at most 100 characters")
	}
	if _, err := models.GetCustomer(ctx, db, shopID, customerID); err != nil {
		return nil, err
	}
	set, err := LoadLoyaltySettings(ctx, db, shopID)
	if err != nil {
		return nil, err
	}
	if key == "" {
		key = randomCode(20)
	}
	src := strconv.FormatInt(customerID, 10) + ":" + key
	var out *LedgerEntry
	err = withBook(ctx, db, set, shopID, customerID, now, func(b *book) error {
		p := posting{Kind: EntryAdjust, SourceType: SourceAdjustment, SourceID: src, Reason: reason, Staff: staff}
		var err error
		var ins bool
		if points > 0 {
			p.Points = points
			out, ins, err = b.credit(p)
		} else {
			out, ins, err = b.debit(p, -points, spendableFirst)
		}
		if err != nil {
			return err
		}
		if !ins {
			return b.tx.Scopes(models.ShopScope(shopID)).Where("source_type = ? AND source_id = ? AND kind = ?",
				SourceAdjustment, src, EntryAdjust).First(&out).Error
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("adjust points of %d: %w", customerID, err)
	}
	return out, nil
}
