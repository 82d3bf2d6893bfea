// Package loyalty owns the points program: the append-only ledger and its lots (earning,
// pending periods, expiry, clawbacks, reversals), the points accounts and VIP tiers, rewards
// and the discount codes that redeem them, referrals, bonuses, the nightly run (expiry,
// reminders, tier decay, birthdays), the opening balances and the migration from other
// loyalty apps, and the ledger's own verification.
//
// It reads core facts through models (orders, refunds, customers) and raises events
// (points_earned, points_expiring, reward_issued, tier_changed, tier_at_risk,
// referral_rewarded) in the transaction that made them true. It hears review_submitted on the
// bus and pays the first-review bonus (BonusesFor). Nothing in models calls into
// loyalty: the core's buyer stage takes the top tier as a value, tier audiences reach the
// segments through models.RegisterTiers, and the points program joins seeding, export and
// redaction through the registries. Shopify's discount codes are a port it defines
// (loyalty.Discounts) and shopify/ implements.
package loyalty
