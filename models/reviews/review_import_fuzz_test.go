package reviews_test

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/models/reviews"
)

// FuzzImportReader feeds arbitrary files to the import parser: it must never panic, must end,
// and every row it accepts must be storable (valid text, rating 1–5, a product, limits kept),
// with line numbers that only move forward. Run it with a bounded -fuzzminimizetime
// (scripts/fuzz.sh): minimizing its kilobyte-sized inputs for Go's default 60 s each is what
// made it look stalled.
func FuzzImportReader(f *testing.F) {
	f.Add([]byte(messyCSV))
	f.Add([]byte(judgemeHeader + "\n" + jm("a", "b", "5", "2024-01-01", "n", "e@x.io", "1", "") + "\n"))
	f.Add([]byte("Review Title;Review Content;Review Score;Date;Product ID\nHi;\"a;b\";4;01/02/2024;7\n"))
	f.Add([]byte("\xef\xbb\xbfrating\tproduct_handle\tbody\n5\tmug\tok\n"))
	f.Add([]byte(`[{"title":"x","body":"y","rating":5,"product":{"id":1}}, 3, {"rating":"2","handle":"h"}]`))
	f.Add([]byte(`{"reviews":[{"rating":1,"productId":"gid://shopify/Product/9"}]}`))
	f.Add([]byte("{\"rating\":5,\"product_id\":1}\n{\"rating\":0}\n"))
	f.Add([]byte("rating,product_id\n\"5,1\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ir, err := reviews.NewImportReader(bytes.NewReader(data))
		if err != nil {
			var ie *models.ImportRowError
			if !errors.As(err, &ie) || ie.Line < 1 || ie.Reason == "" {
				t.Fatalf("setup error without a line and reason: %v", err)
			}
			return
		}
		last := 0
		for i := 0; ; i++ {
			if i > len(data)+2 {
				t.Fatalf("more records (%d) than bytes (%d)", i, len(data))
			}
			row, bad, err := ir.Next()
			if errors.Is(err, io.EOF) {
				return
			}
			line := row.Line
			switch {
			case err != nil:
				var ie *models.ImportRowError
				if !errors.As(err, &ie) {
					t.Fatalf("fatal error that is not a row error: %v", err)
				}
				line = ie.Line
			case bad != nil:
				if bad.Reason == "" {
					t.Fatalf("row error without reason at line %d", bad.Line)
				}
				line = bad.Line
			default:
				checkImportRow(t, row)
			}
			if line < 1 || line < last {
				t.Fatalf("line %d after line %d", line, last)
			}
			last = line
			if err != nil {
				return
			}
		}
	})
}

func checkImportRow(t *testing.T, r reviews.ImportRow) {
	t.Helper()
	if r.Rating < 1 || r.Rating > 5 {
		t.Fatalf("rating %d accepted", r.Rating)
	}
	if r.ProductID <= 0 && r.ProductHandle == "" {
		t.Fatalf("row without a product: %+v", r)
	}
	for _, s := range []string{r.Title, r.Body, r.ReviewerName, r.ReviewerEmail, r.ProductHandle} {
		if !utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0 {
			t.Fatalf("unstorable text %q", s)
		}
	}
	if utf8.RuneCountInString(r.Body) > reviews.MaxReviewBody || utf8.RuneCountInString(r.Title) > reviews.MaxReviewTitle {
		t.Fatalf("over-long text accepted: %d/%d", utf8.RuneCountInString(r.Title), utf8.RuneCountInString(r.Body))
	}
}
