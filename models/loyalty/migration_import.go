package loyalty

import (
	"fmt"
	"io"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/boomerang-app/boomerang/models"
)

// Coming from another loyalty app (issue 11): its customer export (CSV) carries each customer's
// points balance, VIP tier, referral link and birthday. The exports of Smile.io, LoyaltyLion
// and Yotpo Loyalty are recognised by their columns; anything else is read with a column
// mapping the merchant gives. Column names follow the vendors' published field lists (Smile's
// customer object, LoyaltyLion's customer export and import guide, Yotpo's import/export
// guide); matching ignores case, spaces and punctuation.

// Migration fields.
const (
	MigEmail      = "email"
	MigCustomerID = "customer_id"
	MigPoints     = "points"
	MigTier       = "tier"
	MigReferral   = "referral"
	MigBirthday   = "birthday"
)

var migrationFields = []string{MigEmail, MigCustomerID, MigPoints, MigTier, MigReferral, MigBirthday}

// MigrationFormat is a vendor's export: its columns (normalised) and the ones only it has.
type MigrationFormat struct {
	Name      string
	Columns   map[string]string // normalised header → field
	Signature []string          // normalised headers that identify it
}

// MigrationFormats are the exports recognised without a mapping.
var MigrationFormats = []MigrationFormat{
	{Name: "smile", Columns: map[string]string{
		"email": MigEmail, "pointsbalance": MigPoints, "viptier": MigTier, "viptiername": MigTier,
		"referralurl": MigReferral, "dateofbirth": MigBirthday,
	}, Signature: []string{"referralurl", "dateofbirth", "viptiername"}},
	{Name: "loyaltylion", Columns: map[string]string{
		"email": MigEmail, "merchantid": MigCustomerID, "customerid": MigCustomerID, "pointsapproved": MigPoints,
		"approvedpoints": MigPoints, "tier": MigTier, "tiername": MigTier, "currenttier": MigTier,
		"referrallink": MigReferral, "referralurl": MigReferral, "birthday": MigBirthday,
	}, Signature: []string{"pointsapproved", "approvedpoints", "pointspending", "pendingpoints", "merchantid"}},
	{Name: "yotpo", Columns: map[string]string{
		"email": MigEmail, "pointsbalance": MigPoints, "viptier": MigTier, "tier": MigTier, "viptiername": MigTier,
		"referrallink": MigReferral, "referralcode": MigReferral, "birthday": MigBirthday,
		"birthdaymmddormmddyyyy": MigBirthday, "birthdaymmdd": MigBirthday,
	}, Signature: []string{"pointsspent", "birthdaymmddormmddyyyy", "referrallink", "optedin"}},
}

// MigrationRow is one customer of an export, read and checked.
type MigrationRow struct {
	Line         int
	Email        string
	CustomerID   int64
	Points       int64
	Tier         string
	ReferralCode string
	Birthday     *time.Time
}

// MigrationReader reads an export a row at a time.
type MigrationReader struct {
	Format string // the vendor recognised, or "custom"
	next   func() (map[string]string, int, error)
}

// NewMigrationReader reads the header and picks the format: the one named (smile, loyaltylion,
// yotpo, custom), else the vendor whose columns the header has. mapping (field → column name)
// reads any other export; it overrides a recognised format's columns.
func NewMigrationReader(r io.Reader, format string, mapping map[string]string) (*MigrationReader, error) {
	for f := range mapping {
		if !slices.Contains(migrationFields, f) {
			return nil, models.Invalid("mapping", "unknown field %q (fields: %s)", f, strings.Join(migrationFields, ", "))
		}
	}
	g, br := models.OpenExport(r)
	mr := &MigrationReader{}
	next, err := models.CSVRecords(g, br, func(header []string) ([]string, *models.ImportRowError) {
		f, err := pickMigrationFormat(header, format, mapping)
		if err != nil {
			return nil, err
		}
		mr.Format = f.Name
		cols := make([]string, len(header))
		taken := map[string]bool{}
		for i, h := range header {
			n := models.NormaliseColumn(h)
			for field, col := range mapping {
				if models.NormaliseColumn(col) == n {
					cols[i] = field
				}
			}
			if cols[i] == "" && mapping[f.Columns[n]] == "" {
				cols[i] = f.Columns[n]
			}
			if cols[i] != "" && taken[cols[i]] {
				cols[i] = "" // the first column of a field wins
			}
			taken[cols[i]] = true
		}
		if !taken[MigEmail] && !taken[MigCustomerID] {
			return nil, &models.ImportRowError{Line: 1, Reason: "no email or customer id column"}
		}
		return cols, nil
	})
	if err != nil {
		return nil, err
	}
	mr.next = next
	return mr, nil
}

func pickMigrationFormat(header []string, format string, mapping map[string]string) (MigrationFormat, *models.ImportRowError) {
	if format == "custom" || (format == "" && len(mapping) > 0) {
		return MigrationFormat{Name: "custom", Columns: map[string]string{}}, nil
	}
	for _, f := range MigrationFormats {
		if f.Name == format {
			return f, nil
		}
	}
	if format != "" {
		return MigrationFormat{}, &models.ImportRowError{Line: 1, Reason: fmt.Sprintf("unknown format %q (smile, loyaltylion, yotpo or custom)", format)}
	}
	have := map[string]bool{}
	for _, h := range header {
		have[models.NormaliseColumn(h)] = true
	}
	best, score := -1, 0
	for i, f := range MigrationFormats {
		n := 0
		for _, s := range f.Signature {
			if have[s] {
				n++
			}
		}
		if n > score {
			best, score = i, n
		}
	}
	if best < 0 {
		return MigrationFormat{}, &models.ImportRowError{Line: 1, Reason: "the columns are not a Smile.io, LoyaltyLion or Yotpo export: give a mapping of " +
			strings.Join(migrationFields, ", ") + " to your column names"}
	}
	return MigrationFormats[best], nil
}

// Next returns the next row, or a row error (reading goes on), or io.EOF, or a fatal error.
func (mr *MigrationReader) Next() (MigrationRow, *models.ImportRowError, error) {
	rec, line, err := mr.next()
	if err != nil {
		bad, err := models.ReadError(err)
		return MigrationRow{}, bad, err
	}
	row, reason := parseMigrationRecord(rec)
	row.Line = line
	if reason != "" {
		return MigrationRow{}, &models.ImportRowError{Line: line, Reason: reason}, nil
	}
	return row, nil, nil
}

func parseMigrationRecord(rec map[string]string) (MigrationRow, string) {
	var r MigrationRow
	r.Email = strings.ToLower(strings.TrimSpace(rec[MigEmail]))
	if v := strings.TrimSpace(rec[MigCustomerID]); v != "" {
		if id, ok := parseCustomerRef(v); ok {
			r.CustomerID = id
		} else {
			return r, fmt.Sprintf("customer id %.40q is not a number", v)
		}
	}
	if r.Email == "" && r.CustomerID == 0 {
		return r, "no email or customer id"
	}
	if r.Email != "" && (!strings.Contains(r.Email, "@") || len(r.Email) > 254) {
		return r, fmt.Sprintf("%.60q is not an email address", r.Email)
	}
	if v := strings.ReplaceAll(strings.TrimSpace(rec[MigPoints]), ",", ""); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		switch {
		case err != nil:
			return r, fmt.Sprintf("points %.40q is not a number", v)
		case f < 0:
			return r, "points are negative"
		case f > 1e9:
			return r, "points are more than a billion"
		}
		r.Points = int64(f)
	}
	r.Tier = strings.TrimSpace(rec[MigTier])
	r.ReferralCode = referralCodeOf(rec[MigReferral])
	if v := strings.TrimSpace(rec[MigBirthday]); v != "" {
		d, ok := parseBirthday(v)
		if !ok {
			return r, fmt.Sprintf("birthday %.40q is not a date (YYYY-MM-DD, MM/DD/YYYY or MM/DD)", v)
		}
		r.Birthday = &d
	}
	return r, ""
}

// parseCustomerRef reads a Shopify customer id, plain or as a gid.
func parseCustomerRef(v string) (int64, bool) {
	id, err := strconv.ParseInt(strings.TrimPrefix(v, "gid://shopify/Customer/"), 10, 64)
	return id, err == nil && id > 0
}

// referralCodeOf takes the code out of a referral link (its ?ref= or last path segment) or
// returns a bare code as it is.
func referralCodeOf(v string) string {
	v = strings.TrimSpace(v)
	if v == "" {
		return ""
	}
	if u, err := url.Parse(v); err == nil && u.Host != "" {
		if c := u.Query().Get("ref"); c != "" {
			return strings.ToUpper(c)
		}
		return strings.ToUpper(strings.Trim(u.Path[strings.LastIndexByte(u.Path, '/')+1:], " "))
	}
	return strings.ToUpper(v)
}

// noYear is the year a birthday without one is stored under: a leap year, so 29 February is
// kept. (Smile writes such birthdays with the year 1004.)
const noYear = 2000

// parseBirthday reads YYYY-MM-DD, MM/DD/YYYY or MM/DD.
func parseBirthday(v string) (time.Time, bool) {
	for _, layout := range []string{time.DateOnly, "01/02/2006", "1/2/2006"} {
		if d, err := time.Parse(layout, v); err == nil {
			if d.Year() < 1900 { // 1004 and the like: day and month only
				d = time.Date(noYear, d.Month(), d.Day(), 0, 0, 0, 0, time.UTC)
			}
			return d, true
		}
	}
	for _, layout := range []string{"01/02", "1/2"} {
		if d, err := time.Parse(layout, v); err == nil {
			return time.Date(noYear, d.Month(), d.Day(), 0, 0, 0, 0, time.UTC), true
		}
	}
	return time.Time{}, false
}
