package loyalty

import (
	"context"
	"time"

	"github.com/shopspring/decimal"
	"gorm.io/gorm"

	"github.com/boomerang-app/boomerang/models"
)

// LoyaltyStatement is a customer's points statement: balance, what is pending and what expires
// when, the tier with progress to the next and whether it is at risk.
type LoyaltyStatement struct {
	Balance        int64            `json:"balance"`
	Pending        int64            `json:"pending"`
	Spendable      int64            `json:"spendable"`
	Tier           string           `json:"tier"`
	NextTier       string           `json:"next_tier"`
	Progress       float64          `json:"progress"`
	TierMeasure    string           `json:"tier_measure"`
	Measure        decimal.Decimal  `json:"measure"`
	NextTierAt     *decimal.Decimal `json:"next_tier_at"`
	TierAtRisk     *models.TierRisk `json:"tier_at_risk"`
	Expiring       []Expiring       `json:"expiring"`
	LastActivityAt *time.Time       `json:"last_activity_at"`
	ReferralCode   string           `json:"referral_code,omitempty"`
}

// LoyaltyStatementOf builds a customer's statement as of now (a customer without an account has
// an empty one).
func LoyaltyStatementOf(ctx context.Context, db *gorm.DB, shopID, customerID int64, now time.Time) (LoyaltyStatement, error) {
	st := LoyaltyStatement{Expiring: []Expiring{}}
	now = now.UTC()
	set, err := LoadLoyaltySettings(ctx, db, shopID)
	if err != nil {
		return st, err
	}
	a, err := GetLoyaltyAccount(ctx, db, shopID, customerID)
	if err != nil {
		return st, err
	}
	b := &book{ctx: ctx, tx: db.WithContext(ctx), set: set, now: now, acct: a}
	if err := b.loadLots(); err != nil {
		return st, err
	}
	st.Balance, st.LastActivityAt = a.Balance, a.LastActivityAt
	for _, l := range b.lots {
		if l.AvailableAt.After(now) {
			st.Pending += l.Remaining
		} else if l.spendable(now) {
			st.Spendable += l.Remaining
		}
	}
	if a.ReferralCode != nil {
		st.ReferralCode = *a.ReferralCode
	}
	if a.CreatedAt.IsZero() {
		a.CreatedAt = now
	}
	st.Expiring = expiringOf(set, a, b.lots)
	st.TierMeasure = set.TierMeasure
	p, err := tierProgress(ctx, db, set.LoyaltySettings, shopID, customerID, now)
	if err != nil {
		return st, err
	}
	st.Measure, st.NextTier, st.Progress = p.Measure, p.Next, p.Progress
	if p.Next != "" {
		at := p.NextAt
		st.NextTierAt = &at
	}
	st.Tier = a.Tier
	if st.Tier == "" {
		st.Tier = set.tierName(set.tierIndex(p.Measure))
	}
	if st.TierAtRisk, err = tierRisk(ctx, db, set.LoyaltySettings, a, now); err != nil {
		return st, err
	}
	return st, nil
}
