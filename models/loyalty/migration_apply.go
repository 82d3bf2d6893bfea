package loyalty

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"gorm.io/gorm"

	"github.com/boomerang-app/boomerang/models"
)

// SourceMigration keys the balance a customer brought from another app: one entry per customer
// and app, so importing the same export again changes nothing.
const SourceMigration = "migration"

// tierFloorMonths is how long a carried-over tier holds.
const tierFloorMonths = 12

// MigrationOptions say how to read an export and whether to write it.
type MigrationOptions struct {
	Format  string            // smile, loyaltylion, yotpo, custom; "" recognises it
	Mapping map[string]string // field → column name, for any other export
	DryRun  bool
}

// MigrationReport is what an import did (or, in a dry run, would do).
type MigrationReport struct {
	Format          string                  `json:"format"`
	DryRun          bool                    `json:"dry_run"`
	Rows            int                     `json:"rows"`
	Customers       int                     `json:"customers"` // rows matched to a customer of the shop, and valid
	Points          int64                   `json:"points"`    // carried over (new ones only)
	Liability       decimal.Decimal         `json:"liability"`
	Tiers           int                     `json:"tiers"`
	ReferralCodes   int                     `json:"referral_codes"`
	Birthdays       int                     `json:"birthdays"`
	Invalid         int                     `json:"invalid"`
	Errors          []models.ImportRowError `json:"errors"`
	ErrorsTruncated bool                    `json:"errors_truncated,omitempty"`
}

// ImportMigration streams another loyalty app's export into the shop: each row's customer is
// found by Shopify id or email; the balance becomes an opening entry, the tier a floor kept
// for 12 months, the referral code the customer's own when it fits Boomerang's codes and is
// free, the birthday the customer's when none is set. Quietly: nobody is messaged. A row that
// names an unknown customer or tier is reported with its line and skipped; the rest go in.
func ImportMigration(ctx context.Context, db *gorm.DB, shopID int64, r io.Reader, opts MigrationOptions, now time.Time) (MigrationReport, error) {
	rep := MigrationReport{DryRun: opts.DryRun, Liability: decimal.Zero, Errors: []models.ImportRowError{}}
	mr, err := NewMigrationReader(r, opts.Format, opts.Mapping)
	if err != nil {
		var ie *models.ImportRowError
		if errors.As(err, &ie) {
			return rep, &models.Error{Code: models.EInvalid, Field: "file", Line: ie.Line, Message: ie.Reason}
		}
		return rep, err
	}
	rep.Format = mr.Format
	set, err := LoadLoyaltySettings(ctx, db, shopID)
	if err != nil {
		return rep, err
	}
	report := func(e models.ImportRowError) {
		rep.Invalid++
		if len(rep.Errors) < models.MaxImportErrors {
			rep.Errors = append(rep.Errors, e)
		} else {
			rep.ErrorsTruncated = true
		}
	}
	for {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		row, rowErr, err := mr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return rep, err
		}
		rep.Rows++
		if rowErr != nil {
			report(*rowErr)
			continue
		}
		custID, reason, err := migrationCustomer(ctx, db, set, shopID, row)
		if err != nil {
			return rep, err
		}
		if reason != "" {
			report(models.ImportRowError{Line: row.Line, Reason: reason})
			continue
		}
		rep.Customers++
		if opts.DryRun {
			var carried int64
			if err := db.WithContext(ctx).Raw(`SELECT count(*) FROM ledger_entries WHERE shop_id = ? AND source_type = ?
				AND source_id = ? AND kind = ?`, shopID, SourceMigration, migrationKey(rep.Format, custID), EntryOpening).
				Scan(&carried).Error; err != nil {
				return rep, err
			}
			if carried == 0 {
				rep.Points += row.Points
			}
			rep.Tiers += btoi(row.Tier != "")
			rep.ReferralCodes += btoi(looksLikeReferralCode(row.ReferralCode))
			rep.Birthdays += btoi(row.Birthday != nil)
			continue
		}
		if err := applyMigrationRow(ctx, db, set, shopID, custID, rep.Format, row, now, &rep); err != nil {
			return rep, fmt.Errorf("line %d: %w", row.Line, err)
		}
	}
	rep.Liability = set.PointsValue(rep.Points)
	return rep, nil
}

// migrationKey is the source id of a customer's balance carried over from an app.
func migrationKey(format string, custID int64) string {
	return format + ":" + strconv.FormatInt(custID, 10)
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// migrationCustomer finds the row's customer (by id, else by email) and checks its tier; a
// reason says why the row cannot be imported.
func migrationCustomer(ctx context.Context, db *gorm.DB, set ProgramSettings, shopID int64, row MigrationRow) (int64, string, error) {
	if row.Tier != "" && tierByNameFold(set.LoyaltySettings, row.Tier) < 0 {
		names := make([]string, len(set.Tiers))
		for i, t := range set.Tiers {
			names[i] = t.Name
		}
		return 0, fmt.Sprintf("tier %.40q is not one of the program's tiers (%s)", row.Tier, strings.Join(names, ", ")), nil
	}
	var ids []int64
	q := db.WithContext(ctx)
	var err error
	if row.CustomerID != 0 {
		err = q.Raw(`SELECT customer_id FROM customers WHERE shop_id = ? AND customer_id = ? AND redacted_at IS NULL`,
			shopID, row.CustomerID).Scan(&ids).Error
	} else {
		err = q.Raw(`SELECT customer_id FROM customers WHERE shop_id = ? AND lower(email) = ? AND redacted_at IS NULL
			ORDER BY customer_id LIMIT 2`, shopID, row.Email).Scan(&ids).Error
	}
	switch {
	case err != nil:
		return 0, "", fmt.Errorf("find customer of line %d: %w", row.Line, err)
	case len(ids) == 0 && row.CustomerID != 0:
		return 0, fmt.Sprintf("no customer %d in this shop", row.CustomerID), nil
	case len(ids) == 0:
		return 0, fmt.Sprintf("no customer with the email %.60q in this shop", row.Email), nil
	case len(ids) > 1:
		return 0, fmt.Sprintf("%.60q is the email of more than one customer: give the customer id", row.Email), nil
	}
	return ids[0], "", nil
}

// tierByNameFold is the index of the program's tier with this name, ignoring case (-1: none).
func tierByNameFold(s LoyaltySettings, name string) int {
	for i, t := range s.Tiers {
		if strings.EqualFold(t.Name, strings.TrimSpace(name)) {
			return i
		}
	}
	return -1
}

// applyMigrationRow writes one customer's carried-over balance, tier, referral code and birthday.
func applyMigrationRow(ctx context.Context, db *gorm.DB, set ProgramSettings, shopID, custID int64, format string, row MigrationRow, now time.Time, rep *MigrationReport) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		err := withBook(ctx, tx, set, shopID, custID, now, func(b *book) error {
			b.quiet = true
			if row.Points > 0 {
				_, ins, err := b.credit(posting{Kind: EntryOpening, SourceType: SourceMigration,
					SourceID: migrationKey(format, custID), Points: row.Points,
					Reason: "balance carried over from " + format, OccurredAt: now})
				if err != nil {
					return err
				}
				if ins {
					rep.Points += row.Points
					b.touch(now)
				}
			}
			if i := tierByNameFold(set.LoyaltySettings, row.Tier); i >= 0 && b.acct.TierFloor != set.Tiers[i].Name {
				until := now.AddDate(0, tierFloorMonths, 0)
				b.acct.TierFloor, b.acct.TierFloorUntil, b.dirty = set.Tiers[i].Name, &until, true
				rep.Tiers++
			}
			return b.reevaluateTier()
		})
		if err != nil {
			return err
		}
		if looksLikeReferralCode(row.ReferralCode) {
			res := tx.Exec(`UPDATE loyalty_accounts SET referral_code = ? WHERE shop_id = ? AND customer_id = ? AND referral_code IS NULL
				AND NOT EXISTS (SELECT 1 FROM loyalty_accounts o WHERE o.shop_id = ? AND o.referral_code = ?)`,
				row.ReferralCode, shopID, custID, shopID, row.ReferralCode)
			if res.Error != nil {
				return res.Error
			}
			rep.ReferralCodes += int(res.RowsAffected)
		}
		if row.Birthday != nil {
			res := tx.Exec(`UPDATE customers SET birthday = ?, updated_at = now()
				WHERE shop_id = ? AND customer_id = ? AND birthday IS NULL AND redacted_at IS NULL`, *row.Birthday, shopID, custID)
			if res.Error != nil {
				return res.Error
			}
			rep.Birthdays += int(res.RowsAffected)
		}
		return nil
	})
}
