package loyalty_test

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/boomerang-app/boomerang/models/loyalty"
)

// FuzzMigrationReader feeds arbitrary files (and formats and mappings) to the loyalty migration
// parser: it must never panic, must end, and every row it accepts must be one the import can
// act on: a customer to find, points within bounds, lines that only move forward.
func FuzzMigrationReader(f *testing.F) {
	f.Add([]byte("First name,Last name,Email,Points balance,VIP tier,Referral url,Date of birth\nA,B,a@x.io,\"1,250\",Gold,https://i.refs.cc/ABCDEFGH,1004-05-27\n"), "", "")
	f.Add([]byte("merchant_id,email,points_approved,points_pending\n9001,,12,0\ngid://shopify/Customer/7,,x,0\n"), "loyaltylion", "")
	f.Add([]byte("Email;Points Balance;Points Spent;Birthday (MM/DD) or (MM/DD/YYYY)\nb@x.io;5;0;02/29\n"), "", "")
	f.Add([]byte("Kunde;E-Mail;Punkte\nA;a@x.io;-4\n"), "custom", `{"email":"E-Mail","points":"Punkte"}`)
	f.Add([]byte("email,points\n\"a@x.io,1\n"), "smile", "")
	f.Fuzz(func(t *testing.T, data []byte, format, mapping string) {
		var m map[string]string
		if mapping != "" {
			m = map[string]string{}
			for _, kv := range strings.Split(mapping, ",") {
				if k, v, ok := strings.Cut(kv, ":"); ok {
					m[strings.Trim(k, `{}" `)] = strings.Trim(v, `{}" `)
				}
			}
		}
		mr, err := loyalty.NewMigrationReader(bytes.NewReader(data), format, m)
		if err != nil {
			return // a refused header or mapping is the answer for such a file
		}
		last := 0
		for i := 0; ; i++ {
			if i > len(data)+2 {
				t.Fatalf("more records (%d) than bytes (%d)", i, len(data))
			}
			row, bad, err := mr.Next()
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil {
				return // the read ended (a record too large)
			}
			line := row.Line
			if bad != nil {
				if bad.Line < 1 || bad.Reason == "" {
					t.Fatalf("row error without a line or reason: %+v", bad)
				}
				line = bad.Line
			} else if (row.Email == "" && row.CustomerID <= 0) || row.Points < 0 || row.Points > 1e9 ||
				(row.Email != "" && !strings.Contains(row.Email, "@")) {
				t.Fatalf("accepted a row the import cannot act on: %+v", row)
			}
			if line < last {
				t.Fatalf("line %d after line %d", line, last)
			}
			last = line
		}
	})
}
