package loyalty

import (
	"context"
	"fmt"
	"strings"
	"time"

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
	Before   int64
	Limit    int
}

// CustomerRow is one line of the list; ID is the Shopify customer id.
type CustomerRow struct {
	RowID     int64  `json:"-"`
	ID        int64  `json:"id" gorm:"column:customer_id"`
	Email     string `json:"email"`
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	Stage     string `json:"stage"`
	Tier      string `json:"tier"`
	Balance   int64  `json:"balance"`
	Holds     int    `json:"holds"`
}

// ListCustomers returns a page of a shop's customers, newest first, and the next page's cursor
// (0 on the last page).
func ListCustomers(ctx context.Context, db *gorm.DB, shopID int64, f CustomerFilter, now time.Time) ([]CustomerRow, int64, error) {
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	where := []string{"c.shop_id = ?"}
	args := []any{now, shopID}
	if f.Before > 0 {
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
	args = append(args, f.Limit+1)
	var rows []CustomerRow
	err := db.WithContext(ctx).Raw(`SELECT c.id AS row_id, c.customer_id, c.email, c.first_name, c.last_name, c.stage,
			COALESCE(a.tier, '') AS tier, COALESCE(a.balance, 0) AS balance,
			(SELECT count(*) FROM holds h WHERE h.shop_id = c.shop_id AND h.customer_id = c.customer_id
			   AND h.released_at IS NULL AND (h.until IS NULL OR h.until > ?)) AS holds
		FROM customers c
		LEFT JOIN loyalty_accounts a ON a.shop_id = c.shop_id AND a.customer_id = c.customer_id
		WHERE `+strings.Join(where, " AND ")+`
		ORDER BY c.id DESC LIMIT ?`, args...).Scan(&rows).Error
	if err != nil {
		return nil, 0, fmt.Errorf("list customers: %w", err)
	}
	var next int64
	if len(rows) > f.Limit {
		rows = rows[:f.Limit]
		next = rows[f.Limit-1].RowID
	}
	return rows, next, nil
}
