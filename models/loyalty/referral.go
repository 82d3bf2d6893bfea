package loyalty

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/boomerang-app/boomerang/models"
)

// Referrals. Every customer gets a unique code; the link is the shop's home page with ?ref=CODE,
// which Shopify keeps as the order's landing_site (a checkout discount code equal to the
// referral code counts too). The friend's first paid order carrying the code creates the
// referral: the friend gets their welcome points (pending like the order's), and the referrer is
// rewarded once the pending period has passed and the order still stands. Refused: referring
// oneself (same customer or same email, dots and +tags ignored), a friend who had bought
// before, and more than the weekly limit of rewarded referrals per referrer.

// Referral statuses and the reasons a referral is refused.
const (
	ReferralPending  = "pending"
	ReferralRewarded = "rewarded"
	ReferralRejected = "rejected"
	ReferralVoid     = "void" // the friend's order was cancelled or refunded before it qualified

	ReasonSelfReferral  = "self_referral"
	ReasonSameEmail     = "same_email"
	ReasonNotFirstOrder = "not_first_order"
	ReasonWeeklyLimit   = "weekly_limit"
	ReasonOrderUndone   = "order_cancelled_or_refunded"
)

// Referral is one friend's referral.
type Referral struct {
	ID          int64      `json:"id"`
	ShopID      int64      `json:"-"`
	ReferrerID  int64      `json:"referrer_id"`
	FriendID    int64      `json:"friend_id"`
	OrderID     int64      `json:"order_id"`
	Code        string     `json:"code"`
	Status      string     `json:"status"`
	Reason      string     `json:"reason"`
	QualifiesAt time.Time  `json:"qualifies_at"`
	RewardedAt  *time.Time `json:"rewarded_at"`
	CreatedAt   time.Time  `json:"created_at"`
}

func (Referral) TableName() string { return "loyalty_referrals" }

const codeAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789" // no 0/O, 1/I: codes are read aloud and retyped

func randomCode(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = codeAlphabet[int(b[i])%len(codeAlphabet)]
	}
	return string(b)
}

// referralCodeLen is the length of a referral code; reward codes are longer and prefixed, so
// the two never collide.
const referralCodeLen = 8

func looksLikeReferralCode(s string) bool {
	if len(s) != referralCodeLen {
		return false
	}
	for _, c := range s {
		if !strings.ContainsRune(codeAlphabet, c) {
			return false
		}
	}
	return true
}

// EnsureReferralCode returns the customer's referral code, creating it the first time.
func EnsureReferralCode(ctx context.Context, db *gorm.DB, shopID, customerID int64) (string, error) {
	db = db.WithContext(ctx)
	if err := db.Exec(`INSERT INTO loyalty_accounts (shop_id, customer_id) VALUES (?, ?) ON CONFLICT DO NOTHING`,
		shopID, customerID).Error; err != nil {
		return "", fmt.Errorf("referral code of %d: %w", customerID, err)
	}
	for attempt := 0; attempt < 5; attempt++ {
		var code *string
		if err := db.Raw(`SELECT referral_code FROM loyalty_accounts WHERE shop_id = ? AND customer_id = ?`,
			shopID, customerID).Scan(&code).Error; err != nil {
			return "", fmt.Errorf("referral code of %d: %w", customerID, err)
		}
		if code != nil {
			return *code, nil
		}
		err := db.Exec(`UPDATE loyalty_accounts SET referral_code = ? WHERE shop_id = ? AND customer_id = ? AND referral_code IS NULL`,
			randomCode(referralCodeLen), shopID, customerID).Error
		if err != nil && !errors.Is(err, gorm.ErrDuplicatedKey) {
			return "", fmt.Errorf("referral code of %d: %w", customerID, err)
		}
	}
	return "", fmt.Errorf("referral code of %d: no free code after 5 tries", customerID)
}

// ReferralLink is the link a customer shares.
func ReferralLink(shopDomain, code string) string {
	return "https://" + shopDomain + "/?ref=" + url.QueryEscape(code)
}

// referralCodeIn finds a referral code in an order: the landing page's ?ref= first, then a
// discount code shaped like one.
func referralCodeIn(landingSite, discountCodes string) string {
	if landingSite != "" {
		if u, err := url.Parse(landingSite); err == nil {
			if c := strings.ToUpper(strings.TrimSpace(u.Query().Get("ref"))); looksLikeReferralCode(c) {
				return c
			}
		}
	}
	for _, c := range strings.Split(discountCodes, ",") {
		if c = strings.ToUpper(strings.TrimSpace(c)); looksLikeReferralCode(c) {
			return c
		}
	}
	return ""
}

// normalizeEmail folds the variants one person can use for one mailbox.
func normalizeEmail(e string) string {
	e = strings.ToLower(strings.TrimSpace(e))
	local, domain, ok := strings.Cut(e, "@")
	if !ok {
		return e
	}
	local, _, _ = strings.Cut(local, "+")
	if domain == "gmail.com" || domain == "googlemail.com" {
		local = strings.ReplaceAll(local, ".", "")
		domain = "gmail.com"
	}
	return local + "@" + domain
}

// noteReferral records the referral a friend's first paid order carries (the open book is the
// friend's) and credits the friend's welcome points. It returns the referral's id when the
// referrer's reward is already due.
func (b *book) noteReferral(oid int64, f orderFacts) (int64, error) {
	code := referralCodeIn(f.LandingSite, f.Codes)
	if code == "" || !b.set.Referral.Enabled {
		return 0, nil
	}
	var referrer int64
	if err := b.tx.Raw(`SELECT customer_id FROM loyalty_accounts WHERE shop_id = ? AND referral_code = ?`,
		b.shopID(), code).Scan(&referrer).Error; err != nil {
		return 0, fmt.Errorf("referral code lookup: %w", err)
	}
	if referrer == 0 {
		return 0, nil
	}
	friend := b.customerID()
	paid := f.PaidAt.UTC()
	status, reason := ReferralPending, ""
	var chk struct {
		Earlier       bool
		FriendEmail   string
		ReferrerEmail string
	}
	err := b.tx.Raw(`SELECT
			EXISTS (SELECT 1 FROM orders WHERE shop_id = ? AND customer_id = ? AND order_id <> ? AND paid_at IS NOT NULL
			        AND (paid_at < ? OR (paid_at = ? AND order_id < ?))) AS earlier,
			COALESCE((SELECT email FROM customers WHERE shop_id = ? AND customer_id = ?), '') AS friend_email,
			COALESCE((SELECT email FROM customers WHERE shop_id = ? AND customer_id = ?), '') AS referrer_email`,
		b.shopID(), friend, oid, paid, paid, oid, b.shopID(), friend, b.shopID(), referrer).Scan(&chk).Error
	if err != nil {
		return 0, fmt.Errorf("referral checks: %w", err)
	}
	switch {
	case referrer == friend:
		status, reason = ReferralRejected, ReasonSelfReferral
	case chk.FriendEmail != "" && normalizeEmail(chk.FriendEmail) == normalizeEmail(chk.ReferrerEmail):
		status, reason = ReferralRejected, ReasonSameEmail
	case chk.Earlier:
		status, reason = ReferralRejected, ReasonNotFirstOrder
	}
	qualifies := paid.AddDate(0, 0, b.set.PendingDays)
	var row struct{ ID int64 }
	res := b.tx.Raw(`INSERT INTO loyalty_referrals (shop_id, referrer_id, friend_id, order_id, code, status, reason, qualifies_at, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (shop_id, friend_id) DO NOTHING RETURNING id`,
		b.shopID(), referrer, friend, oid, code, status, reason, qualifies, b.now).Scan(&row)
	if res.Error != nil {
		return 0, fmt.Errorf("record referral: %w", res.Error)
	}
	if res.RowsAffected == 0 || status != ReferralPending {
		return 0, nil
	}
	if pts := b.set.Referral.FriendPoints; pts > 0 {
		fid := strconv.FormatInt(friend, 10)
		_, ins, err := b.credit(posting{Kind: EntryBonus, SourceType: SourceReferralFriend, SourceID: fid, Points: pts,
			Reason: "referred by a friend", AvailableAt: qualifies})
		if err != nil {
			return 0, err
		}
		if ins {
			if _, err := models.Emit(b.ctx, b.tx, b.shopID(), friend, SourceReferralFriend+":"+fid,
				models.PointsEarnedPayload{Points: pts, Balance: b.acct.Balance, Source: SourceReferralFriend}, b.now); err != nil {
				return 0, err
			}
		}
	}
	if !qualifies.After(b.now) {
		return row.ID, nil
	}
	return 0, nil
}

// rewardReferral pays the referrer of a due referral, once: under the referrer's account lock it
// re-reads the referral, voids it if the friend's order no longer stands, refuses it over the
// weekly limit, and otherwise credits the referral bonus.
func rewardReferral(ctx context.Context, db *gorm.DB, set ProgramSettings, shopID, referralID int64, now time.Time) error {
	var r Referral
	if err := models.Scoped(ctx, db, shopID).Where("id = ?", referralID).First(&r).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil
		}
		return fmt.Errorf("referral %d: %w", referralID, err)
	}
	if r.Status != ReferralPending || r.QualifiesAt.After(now) {
		return nil
	}
	err := withBook(ctx, db, set, shopID, r.ReferrerID, now, func(b *book) error {
		var cur Referral
		if err := b.tx.Scopes(models.ShopScope(shopID)).Where("id = ?", referralID).First(&cur).Error; err != nil {
			return err
		}
		if cur.Status != ReferralPending {
			return nil
		}
		var o struct{ Kept bool }
		err := b.tx.Raw(`SELECT o.cancelled_at IS NULL AND o.subtotal > COALESCE((SELECT sum(subtotal) FROM refunds r WHERE r.shop_id = o.shop_id AND r.order_id = o.order_id), 0) AS kept
			FROM orders o WHERE o.shop_id = ? AND o.order_id = ?`, shopID, cur.OrderID).Scan(&o).Error
		if err != nil {
			return fmt.Errorf("referral order %d: %w", cur.OrderID, err)
		}
		setStatus := func(status, reason string, rewarded *time.Time) error {
			return b.tx.Exec(`UPDATE loyalty_referrals SET status = ?, reason = ?, rewarded_at = ? WHERE shop_id = ? AND id = ?`,
				status, reason, rewarded, shopID, referralID).Error
		}
		if !o.Kept {
			return setStatus(ReferralVoid, ReasonOrderUndone, nil)
		}
		var recent int64
		if err := b.tx.Raw(`SELECT count(*) FROM loyalty_referrals WHERE shop_id = ? AND referrer_id = ? AND status = ?
			AND rewarded_at > ?`, shopID, cur.ReferrerID, ReferralRewarded, now.Add(-7*24*time.Hour)).Scan(&recent).Error; err != nil {
			return err
		}
		if recent >= int64(set.Referral.WeeklyLimit) {
			return setStatus(ReferralRejected, ReasonWeeklyLimit, nil)
		}
		t := now.UTC()
		if err := setStatus(ReferralRewarded, "", &t); err != nil {
			return err
		}
		pts := set.Bonus.Referral
		fid := strconv.FormatInt(cur.FriendID, 10)
		if pts > 0 {
			_, ins, err := b.credit(posting{Kind: EntryBonus, SourceType: SourceReferral, SourceID: fid, Points: pts, Reason: "friend referred"})
			if err != nil || !ins {
				return err
			}
			b.touch(now)
		}
		if _, err := models.Emit(ctx, b.tx, shopID, cur.ReferrerID, strconv.FormatInt(referralID, 10),
			models.ReferralRewardedPayload{Points: pts, Balance: b.acct.Balance, ReferralID: referralID}, now); err != nil {
			return err
		}
		return b.reevaluateTier()
	})
	if err != nil {
		return fmt.Errorf("reward referral %d: %w", referralID, err)
	}
	return nil
}

// DueReferrals lists a shop's pending referrals whose pending period has passed.
func DueReferrals(ctx context.Context, db *gorm.DB, shopID int64, now time.Time) ([]int64, error) {
	var ids []int64
	err := models.Scoped(ctx, db, shopID).Model(&Referral{}).Where("status = ? AND qualifies_at <= ?", ReferralPending, now).
		Order("id").Limit(10000).Pluck("id", &ids).Error
	return ids, err
}

// ReferralsOf lists the referrals a customer made, newest first.
func ReferralsOf(ctx context.Context, db *gorm.DB, shopID, referrerID int64) ([]Referral, error) {
	var out []Referral
	err := models.Scoped(ctx, db, shopID).Where("referrer_id = ?", referrerID).Order("id DESC").Limit(100).Find(&out).Error
	return out, err
}
