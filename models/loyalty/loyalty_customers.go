package loyalty

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"gorm.io/gorm"

	"github.com/boomerang-app/boomerang/models"
)

// The admin's customer list: customers with their stage, tier, balance and active holds.

// CustomerFilter narrows the list; Before is the cursor (a row id from NextCursor).
type CustomerFilter struct {
	Query    string // email or name, partial
	Stage    string
	Tier     string
	HoldOnly bool
	Segment  string // one of SegmentNames
	// Sort is "" (newest first, Before a row id) or one of CustomerSorts (largest first; Before
	// is then how many rows earlier pages held).
	Sort   string
	Before int64
	Limit  int
}

// CustomerSorts are the orders the list can take besides newest first, by their column.
var CustomerSorts = map[string]string{
	"spend": "c.total_spent", "orders": "c.orders_count", "last_order": "c.last_order_at", "balance": "COALESCE(a.balance, 0)",
}

// CustomerRow is one line of the list; ID is the Shopify customer id.
type CustomerRow struct {
	RowID     int64           `json:"-"`
	ID        int64           `json:"id" gorm:"column:customer_id"`
	Email     string          `json:"email"`
	FirstName string          `json:"first_name"`
	LastName  string          `json:"last_name"`
	Stage     string          `json:"stage"`
	Tier      string          `json:"tier"`
	Balance   int64           `json:"balance"`
	Holds     int             `json:"holds"`
	Orders    int             `json:"orders" gorm:"column:orders_count"`
	Spent     decimal.Decimal `json:"total_spent" gorm:"column:total_spent"`
	LastOrder *time.Time      `json:"last_order_at" gorm:"column:last_order_at"`
}

// ListCustomers returns a page of a shop's customers, newest first or by f.Sort, and the next
// page's cursor (0 on the last page).
func ListCustomers(ctx context.Context, db *gorm.DB, shopID int64, f CustomerFilter, now time.Time) ([]CustomerRow, int64, error) {
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	order, ok := CustomerSorts[f.Sort]
	if f.Sort != "" && !ok {
		return nil, 0, models.Invalid("sort", "unknown order %q", f.Sort)
	}
	where := []string{"c.shop_id = ?"}
	args := []any{now, shopID}
	if f.Before > 0 && f.Sort == "" {
		where = append(where, "c.id < ?")
		args = append(args, f.Before)
	}
	if f.Stage != "" {
		where = append(where, "c.stage = ?")
		args = append(args, f.Stage)
	}
	if f.Tier != "" {
		where = append(where, "a.tier = ?")
		args = append(args, f.Tier)
	}
	if f.HoldOnly {
		where = append(where, `EXISTS (SELECT 1 FROM holds h WHERE h.shop_id = c.shop_id AND h.customer_id = c.customer_id
			AND h.released_at IS NULL AND (h.until IS NULL OR h.until > ?))`)
		args = append(args, now)
	}
	if f.Segment != "" {
		cond, condArgs, err := models.CustomerSegmentSQL(ctx, db, shopID, f.Segment, now, 0)
		if err != nil {
			return nil, 0, err
		}
		where = append(where, cond)
		args = append(args, condArgs...)
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		like := "%" + strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(strings.ToLower(q)) + "%"
		where = append(where, `(lower(c.email) LIKE ? OR lower(c.first_name || ' ' || c.last_name) LIKE ? OR c.customer_id::text = ?)`)
		args = append(args, like, like, q)
	}
	orderBy, offset := "c.id DESC", int64(0)
	if f.Sort != "" {
		orderBy, offset = order+" DESC NULLS LAST, c.id DESC", max(f.Before, 0)
	}
	args = append(args, f.Limit+1, offset)
	var rows []CustomerRow
	err := db.WithContext(ctx).Raw(`SELECT c.id AS row_id, c.customer_id, c.email, c.first_name, c.last_name, c.stage,
			c.orders_count, c.total_spent, c.last_order_at,
			COALESCE(a.tier, '') AS tier, COALESCE(a.balance, 0) AS balance,
			(SELECT count(*) FROM holds h WHERE h.shop_id = c.shop_id AND h.customer_id = c.customer_id
			   AND h.released_at IS NULL AND (h.until IS NULL OR h.until > ?)) AS holds
		FROM customers c
		LEFT JOIN loyalty_accounts a ON a.shop_id = c.shop_id AND a.customer_id = c.customer_id
		WHERE `+strings.Join(where, " AND ")+`
		ORDER BY `+orderBy+` LIMIT ? OFFSET ?`, args...).Find(&rows).Error
	if err != nil {
		return nil, 0, fmt.Errorf("list customers: %w", err)
	}
	var next int64
	if len(rows) > f.Limit {
		rows = rows[:f.Limit]
		next = rows[f.Limit-1].RowID
		if f.Sort != "" {
			next = offset + int64(f.Limit)
		}
	}
	return rows, next, nil
}
