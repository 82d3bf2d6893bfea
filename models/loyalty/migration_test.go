package loyalty_test

import (
	"context"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/boomerang-app/boomerang/internal/testenv"
	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/models/loyalty"
)

// Each vendor's export is recognised by its columns and carried over: balances as ledger
// entries, tiers as floors, referral codes and birthdays; bad rows are reported by line; a dry
// run writes nothing; importing the same file again changes nothing; the ledger still verifies.
func TestMigrationImports(t *testing.T) {
	cases := []struct {
		file, format string
		mapping      map[string]string
		customers    int
		points       int64
		errLines     []int
	}{
		// ghost@ is not a customer (line 5), Platinum is not a tier (line 6).
		{"smile.csv", "smile", nil, 3, 500 + 1250 + 40, []int{5, 6}},
		// 9003's points are not a number (line 4), 9004's are negative (line 5).
		{"loyaltylion.csv", "loyaltylion", nil, 2, 500 + 1250, []int{4, 5}},
		// 02/30/1990 is not a date (line 3).
		{"yotpo.csv", "yotpo", nil, 2, 500 + 40, []int{3}},
		{"custom.csv", "custom", map[string]string{"email": "E-Mail-Adresse", "points": "Punktestand", "tier": "Stufe"}, 2, 500 + 1250, nil},
	}
	for _, c := range cases {
		t.Run(c.format, func(t *testing.T) {
			db, shop := testenv.NewShop(t, "loyalty")
			ctx := context.Background()
			now := time.Now().UTC()
			for _, cust := range []struct {
				id    int64
				email string
			}{{9001, "chrissy@example.com"}, {9002, "ada@example.com"}, {9003, "ben@example.com"}} {
				if _, err := models.UpsertCustomer(ctx, db, shop, models.CustomerFact{CustomerID: cust.id, Email: cust.email,
					UpdatedAt: &now}); err != nil {
					t.Fatal(err)
				}
			}
			run := func(dry bool) loyalty.MigrationReport {
				f, err := os.Open("testdata/migration/" + c.file)
				if err != nil {
					t.Fatal(err)
				}
				defer f.Close()
				rep, err := loyalty.ImportMigration(ctx, db, shop, f, loyalty.MigrationOptions{Mapping: c.mapping, DryRun: dry}, now)
				if err != nil {
					t.Fatal(err)
				}
				return rep
			}
			balance := func() (sum int64) {
				db.Raw(`SELECT COALESCE(sum(balance), 0) FROM loyalty_accounts WHERE shop_id = ?`, shop).Scan(&sum)
				return sum
			}

			dry := run(true)
			if dry.Format != c.format || dry.Customers != c.customers || dry.Points != c.points || balance() != 0 {
				t.Fatalf("dry run: %+v (want format %s, %d customers, %d points, nothing written; balances %d)",
					dry, c.format, c.customers, c.points, balance())
			}
			var lines []int
			for _, e := range dry.Errors {
				lines = append(lines, e.Line)
			}
			if !slices.Equal(lines, c.errLines) {
				t.Fatalf("errors on lines %v, want %v: %+v", lines, c.errLines, dry.Errors)
			}

			rep := run(false)
			if rep.Points != c.points || balance() != c.points || !rep.Liability.IsPositive() {
				t.Fatalf("import: %+v, balances %d (want %d)", rep, balance(), c.points)
			}
			if c.format == "smile" {
				var bday time.Time
				db.Raw(`SELECT birthday FROM customers WHERE shop_id = ? AND customer_id = 9001`, shop).Scan(&bday)
				code, _ := loyalty.EnsureReferralCode(ctx, db, shop, 9001)
				if rep.ReferralCodes != 1 || rep.Birthdays != 2 || bday.Month() != 5 || bday.Day() != 27 || code != "CHRSY234" {
					t.Fatalf("smile extras: %+v, birthday %v, referral code %q", rep, bday, code)
				}
			}
			// Chrissy keeps Gold (a floor for a year) though Boomerang measured no spend.
			acct, err := loyalty.GetLoyaltyAccount(ctx, db, shop, 9001)
			if err != nil || acct.Tier != "Gold" || acct.TierFloor != "Gold" {
				t.Fatalf("chrissy's account: %+v %v", acct, err)
			}
			var events int64
			db.Raw(`SELECT count(*) FROM events WHERE shop_id = ?`, shop).Scan(&events)
			if events != 0 {
				t.Fatalf("a migration made %d events", events)
			}
			again := run(false)
			if again.Points != 0 || balance() != c.points {
				t.Fatalf("a second import carried %d more points (balances %d)", again.Points, balance())
			}
			if _, err := loyalty.VerifyLedger(ctx, db); err != nil {
				t.Fatal(err)
			}
		})
	}
}
