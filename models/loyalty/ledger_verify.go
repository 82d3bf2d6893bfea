package loyalty

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"github.com/boomerang-app/boomerang/models"
)

// VerifyLedger proves the ledger invariants for every account of every shop and returns the
// number of accounts checked, or an error naming the first account that breaks one:
//   - the account's balance equals the sum of its entries, and the last entry's balance_after;
//   - each entry's balance_after is the running sum of the account's entries up to it;
//   - the unspent credits (lots) add up to the balance when it is positive, to 0 otherwise;
//   - no order's entries net below zero (clawbacks and reversals never take more than it earned),
//     and each order has one earn, or one history entry when it was placed before install;
//   - every redemption has exactly its redeem entry, and a reversal exactly when it failed or
//     its points came back with a refunded order.
//
// Each effect's uniqueness is the UNIQUE (shop, source type, source id, kind) index itself.
func VerifyLedger(ctx context.Context, db *gorm.DB) (int64, error) {
	db = db.WithContext(models.AllShops(ctx))
	var accounts int64
	if err := db.Raw(`SELECT count(*) FROM loyalty_accounts`).Scan(&accounts).Error; err != nil {
		return 0, fmt.Errorf("verify: %w", err)
	}
	var bad []struct {
		ShopID, CustomerID                 int64
		Balance, Total, Remaining, LastAft int64
		Orphan                             bool
	}
	err := db.Raw(`WITH e AS (
			SELECT shop_id, customer_id, sum(points) AS total, sum(remaining) AS remaining, max(id) AS last_id
			FROM ledger_entries GROUP BY shop_id, customer_id)
		SELECT COALESCE(a.shop_id, e.shop_id) AS shop_id, COALESCE(a.customer_id, e.customer_id) AS customer_id,
		       COALESCE(a.balance, 0) AS balance, COALESCE(e.total, 0) AS total, COALESCE(e.remaining, 0) AS remaining,
		       COALESCE(l.balance_after, 0) AS last_aft, a.shop_id IS NULL AS orphan
		FROM loyalty_accounts a
		FULL JOIN e ON e.shop_id = a.shop_id AND e.customer_id = a.customer_id
		LEFT JOIN ledger_entries l ON l.id = e.last_id
		WHERE a.shop_id IS NULL OR a.balance <> COALESCE(e.total, 0) OR GREATEST(a.balance, 0) <> COALESCE(e.remaining, 0)
		   OR (e.last_id IS NOT NULL AND l.balance_after <> a.balance)
		ORDER BY 1, 2 LIMIT 1`).Scan(&bad).Error
	if err != nil {
		return accounts, fmt.Errorf("verify balances: %w", err)
	}
	if len(bad) > 0 {
		b := bad[0]
		if b.Orphan {
			return accounts, fmt.Errorf("ledger invariant broken: shop %d customer %d has entries but no account", b.ShopID, b.CustomerID)
		}
		return accounts, fmt.Errorf("ledger invariant broken: shop %d customer %d: balance %d, sum of entries %d, unspent lots %d, last balance_after %d",
			b.ShopID, b.CustomerID, b.Balance, b.Total, b.Remaining, b.LastAft)
	}
	var chain []struct {
		ShopID, CustomerID, ID, BalanceAfter, Run int64
	}
	err = db.Raw(`SELECT shop_id, customer_id, id, balance_after, run FROM (
			SELECT shop_id, customer_id, id, balance_after,
			       sum(points) OVER (PARTITION BY shop_id, customer_id ORDER BY id) AS run
			FROM ledger_entries) x
		WHERE balance_after <> run ORDER BY shop_id, customer_id, id LIMIT 1`).Scan(&chain).Error
	if err != nil {
		return accounts, fmt.Errorf("verify running balances: %w", err)
	}
	if len(chain) > 0 {
		c := chain[0]
		return accounts, fmt.Errorf("ledger invariant broken: shop %d customer %d: entry %d says balance %d after it, the entries sum to %d",
			c.ShopID, c.CustomerID, c.ID, c.BalanceAfter, c.Run)
	}
	var orders []struct {
		ShopID, CustomerID, OrderID, Points int64
	}
	err = db.Raw(`SELECT shop_id, customer_id, order_id, sum(points) AS points FROM ledger_entries
		WHERE order_id IS NOT NULL GROUP BY shop_id, customer_id, order_id
		HAVING sum(points) < 0 OR sum(amount) < 0 OR count(*) FILTER (WHERE kind IN ('earn', 'history')) <> 1
		ORDER BY 1, 2, 3 LIMIT 1`).Scan(&orders).Error
	if err != nil {
		return accounts, fmt.Errorf("verify orders: %w", err)
	}
	if len(orders) > 0 {
		o := orders[0]
		return accounts, fmt.Errorf("ledger invariant broken: shop %d customer %d: order %d nets %d points (or has no single earn or history entry)",
			o.ShopID, o.CustomerID, o.OrderID, o.Points)
	}
	var reds []struct {
		ShopID, CustomerID, ID int64
		Status                 string
	}
	err = db.Raw(`SELECT r.shop_id, r.customer_id, r.id, r.status FROM loyalty_redemptions r
		LEFT JOIN ledger_entries d ON d.shop_id = r.shop_id AND d.source_type = 'redemption' AND d.source_id = r.id::text AND d.kind = 'redeem'
		LEFT JOIN ledger_entries c ON c.shop_id = r.shop_id AND c.source_type = 'redemption' AND c.source_id = r.id::text AND c.kind = 'reversal'
		WHERE d.id IS NULL OR d.points <> -r.points OR d.customer_id <> r.customer_id
		   OR (r.status IN ('failed', 'returned')) <> (c.id IS NOT NULL) OR (c.id IS NOT NULL AND c.points <> r.points)
		ORDER BY 1, 2, 3 LIMIT 1`).Scan(&reds).Error
	if err != nil {
		return accounts, fmt.Errorf("verify redemptions: %w", err)
	}
	if len(reds) > 0 {
		r := reds[0]
		return accounts, fmt.Errorf("ledger invariant broken: shop %d customer %d: redemption %d (%s) does not match its entries",
			r.ShopID, r.CustomerID, r.ID, r.Status)
	}
	return accounts, nil
}
