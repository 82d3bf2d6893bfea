package reviews_test

import (
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/boomerang-app/boomerang/internal/testenv"
	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/models/reviews"
)

// judgeme is the header of a Judge.me CSV export.
const judgemeHeader = "title,body,rating,review_date,source,curated,reviewer_name,reviewer_email,product_id,product_handle,reply,reply_date,picture_urls,ip_address,location"

func jm(title, body, rating, date, name, email, pid, handle string) string {
	return strings.Join([]string{title, body, rating, date, "web", "ok", name, email, pid, handle, "", "", "", "", ""}, ",")
}

// messyCSV has good rows, every kind of bad row, a multi-line field and a duplicate.
var messyCSV = strings.Join([]string{
	judgemeHeader, // 1
	jm("Great", `"Love it, really"`, "5", "2024-03-01 10:00:00 UTC", "Ann Lee", "ann@example.com", "111", ""), // 2 ok
	jm("Bad rating", "text", "6", "2024-03-01", "Bob", "bob@example.com", "111", ""),                          // 3 rating
	jm("No product", "text", "4", "2024-03-01", "Cy", "cy@example.com", "", ""),                               // 4 product
	jm("\"Multi\nline title\"", "Body here", "4", "2024-03-02", "Di", "di@example.com", "", "blue-shirt"),     // 5-6 ok
	jm("Bare \"quote", "x", "3", "2024-03-03", "Ed", "ed@example.com", "111", ""),                             // 7 bare quote
	"Short,row,5", // 8 columns
	jm("Bad date", "x", "4", "yesterday-ish", "Fay", "fay@example.com", "111", ""),                                     // 9 date
	jm("Bad email", "x", "4", "2024-03-04", "Gus", "not-an-email", "111", ""),                                          // 10 email
	jm("Dup", "same", "3", "2024-03-05", "Hal", "hal@example.com", "gid://shopify/Product/222", ""),                    // 11 ok
	jm("Dup", "same", "3", "2024-03-05", "Hal", "hal@example.com", "gid://shopify/Product/222", ""),                    // 12 duplicate
	jm("Bought it", `"Arrived broken, poor quality."`, "2", "03/04/2024", "Ivy", "IVY@Example.com", "333", ""),         // 13 ok, verified
	jm("Handle URL", "ok", "4.0", "1709294400", "Jo", "", "", "https://shop.example/products/red-hat?variant=1"),       // 14 ok
	jm("Too long", strings.Repeat("x", reviews.MaxReviewBody+1), "4", "2024-03-06", "Kim", "kim@example.com", "1", ""), // 15 body
}, "\n") + "\n"

func TestImportMessyCSV(t *testing.T) {
	db, _ := testenv.DB(t)
	s := newReviewShop(t, db)
	now := time.Now().UTC()
	if _, err := models.UpsertCustomer(s.ctx, db, s.id, models.CustomerFact{CustomerID: 501, Email: "ivy@example.com"}); err != nil {
		t.Fatal(err)
	}
	s.order(9001, 501, now.AddDate(-2, 0, 0), 333)

	rep, err := reviews.ImportReviews(s.ctx, db, s.id, strings.NewReader(messyCSV), now)
	if err != nil {
		t.Fatal(err)
	}
	want := map[int]string{3: "rating", 4: "product", 7: "quote", 8: "columns", 9: "date", 10: "reviewer_email", 15: "body"}
	got := map[int]string{}
	for _, e := range rep.Errors {
		got[e.Line] = e.Reason
	}
	for line, word := range want {
		if !strings.Contains(got[line], word) {
			t.Errorf("line %d: reason %q, want one naming %q", line, got[line], word)
		}
	}
	if len(got) != len(want) {
		t.Errorf("errors %+v", rep.Errors)
	}
	if rep.Imported != 5 || rep.Duplicates != 1 || rep.Invalid != 7 || rep.Skipped != 8 {
		t.Fatalf("report %+v", rep)
	}
	var ivy reviews.Review
	if err := models.Scoped(s.ctx, db, s.id).Where("reviewer_email = ?", "ivy@example.com").First(&ivy).Error; err != nil {
		t.Fatal(err)
	}
	if ivy.CustomerID == nil || *ivy.CustomerID != 501 || !ivy.VerifiedBuyer || ivy.Source != reviews.SourceImport ||
		ivy.CreatedAt.Format(time.DateOnly) != "2024-03-04" || ivy.Status != reviews.ReviewPending {
		t.Fatalf("matched review %+v", ivy)
	}
	var multi reviews.Review
	if err := models.Scoped(s.ctx, db, s.id).Where("product_handle = ?", "blue-shirt").First(&multi).Error; err != nil {
		t.Fatal(err)
	}
	if multi.Title != "Multi\nline title" || multi.ProductID != nil {
		t.Fatalf("multi-line row %+v", multi)
	}
	if n := s.count(`SELECT count(*) FROM reviews WHERE shop_id = ? AND product_handle = 'red-hat' AND rating = 4`, s.id); n != 1 {
		t.Fatalf("handle from URL: %d", n)
	}

	// The same file again changes nothing.
	before := s.count(`SELECT count(*) FROM reviews WHERE shop_id = ?`, s.id)
	rep2, err := reviews.ImportReviews(s.ctx, db, s.id, strings.NewReader(messyCSV), now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if rep2.Imported != 0 || rep2.Duplicates != 6 || rep2.Invalid != 7 {
		t.Fatalf("second import %+v", rep2)
	}
	if after := s.count(`SELECT count(*) FROM reviews WHERE shop_id = ?`, s.id); after != before {
		t.Fatalf("reviews %d → %d on re-import", before, after)
	}

	// Imported negative reviews are scored into themes but open no case.
	out, err := reviews.ScoreReview(s.ctx, db, s.id, ivy.ID, now)
	if err != nil || !out.Negative || out.CaseID != 0 {
		t.Fatalf("imported negative: %+v %v", out, err)
	}
	if n := s.count(`SELECT count(*) FROM complaints WHERE shop_id = ? AND source_id = ?`, s.id, ivy.ID); n != 1 {
		t.Fatalf("complaint from import: %d", n)
	}
}

func TestImportJSONShapes(t *testing.T) {
	db, _ := testenv.DB(t)
	s := newReviewShop(t, db)
	now := time.Now().UTC()
	array := `[
  {"title": "Nice", "content": "Good stuff", "score": 5, "created_at": "2024-01-02T03:04:05Z",
   "user": {"display_name": "Ann", "email": "ann@example.com"}, "product": {"id": 42}},
  {"title": "No rating", "content": "x", "product_id": 42},
  {"title": "Stars as text", "body": "fine", "rating": "4", "product_handle": "mug"},
  "not an object",
  {"title": "Gid", "body": "ok", "rating": 3, "productId": "gid://shopify/Product/43", "dateCreated": "2024-02-02"}
]`
	rep, err := reviews.ImportReviews(s.ctx, db, s.id, strings.NewReader(array), now)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Imported != 3 || rep.Invalid != 2 || len(rep.Errors) != 2 || rep.Errors[0].Line != 4 || rep.Errors[1].Line != 6 {
		t.Fatalf("array report %+v", rep)
	}
	var ann reviews.Review
	if err := models.Scoped(s.ctx, db, s.id).Where("title = ?", "Nice").First(&ann).Error; err != nil {
		t.Fatal(err)
	}
	if ann.ReviewerEmail != "ann@example.com" || ann.ReviewerName != "Ann" || ann.ProductID == nil || *ann.ProductID != 42 || ann.Rating != 5 {
		t.Fatalf("nested fields %+v", ann)
	}
	wrapped := `{"meta": {"page": 1}, "reviews": [{"title": "W", "body": "wrapped", "rating": 5, "product_id": "44"}]}`
	if rep, err := reviews.ImportReviews(s.ctx, db, s.id, strings.NewReader(wrapped), now); err != nil || rep.Imported != 1 {
		t.Fatalf("wrapped %+v %v", rep, err)
	}
	lines := "{\"title\":\"L1\",\"body\":\"a\",\"rating\":5,\"product_id\":45}\n\n{\"title\":\"L2\",\"rating\":9,\"product_id\":45}\n{broken\n"
	rep, err = reviews.ImportReviews(s.ctx, db, s.id, strings.NewReader(lines), now)
	if err != nil || rep.Imported != 1 || rep.Invalid != 2 || rep.Errors[0].Line != 3 || rep.Errors[1].Line != 4 {
		t.Fatalf("json lines %+v %v", rep, err)
	}
	for _, bad := range []string{`{"reviews": 5}`, `"just a string"`, "", "title,body\nx,y\n", "rating,title\n5,x\n"} {
		_, err := reviews.ImportReviews(s.ctx, db, s.id, strings.NewReader(bad), now)
		de, ok := err.(*models.Error)
		if !ok || de.Code != models.EInvalid || de.Field != "file" || de.Line < 1 {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

func TestImportStopsAtHugeRecord(t *testing.T) {
	db, _ := testenv.DB(t)
	s := newReviewShop(t, db)
	huge := judgemeHeader + "\n" + jm("ok", "fine", "5", "2024-01-01", "A", "a@example.com", "1", "") + "\n" +
		jm("huge", strings.Repeat("y", 2<<20), "5", "2024-01-01", "B", "b@example.com", "1", "") + "\n" +
		jm("after", "never read", "5", "2024-01-01", "C", "c@example.com", "1", "") + "\n"
	rep, err := reviews.ImportReviews(s.ctx, db, s.id, strings.NewReader(huge), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if rep.Imported != 1 || rep.Invalid != 1 || rep.Errors[0].Line != 3 || !strings.Contains(rep.Errors[0].Reason, "stopped") {
		t.Fatalf("report %+v", rep)
	}
}

func TestImportReaderStreamsLargeInput(t *testing.T) {
	// 200,000 rows (about 30 MB) through the reader alone: every row comes back, in order.
	const rows = 200000
	r := newGenCSV(rows)
	ir, err := reviews.NewImportReader(r)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for {
		row, bad, err := ir.Next()
		if err == io.EOF {
			break
		}
		if err != nil || bad != nil {
			t.Fatalf("row %d: %v %v", n, err, bad)
		}
		n++
		if row.Line != n+1 || row.ProductID != int64((n-1)%97+1) {
			t.Fatalf("row %d: %+v", n, row)
		}
	}
	if n != rows {
		t.Fatalf("read %d rows", n)
	}
}

// genCSV produces a Judge.me-shaped export row by row without holding it in memory.
type genCSV struct {
	rows, i int
	buf     []byte
}

func newGenCSV(rows int) *genCSV { return &genCSV{rows: rows, buf: []byte(judgemeHeader + "\n")} }

func (g *genCSV) Read(p []byte) (int, error) {
	for len(g.buf) < len(p) && g.i < g.rows {
		g.i++
		g.buf = append(g.buf, jm(fmt.Sprintf("Review %d", g.i),
			fmt.Sprintf(`"Row %d: the fabric is soft, the fit is true to size, shipping took %d days, would buy again."`, g.i, g.i%9),
			fmt.Sprint(g.i%5+1), time.Date(2024, 1, 1, 0, 0, g.i, 0, time.UTC).Format(time.RFC3339),
			fmt.Sprintf("Shopper %d", g.i), fmt.Sprintf("s%d@example.com", g.i), fmt.Sprint((g.i-1)%97+1), "")...)
		g.buf = append(g.buf, '\n')
	}
	if len(g.buf) == 0 {
		return 0, io.EOF
	}
	n := copy(p, g.buf)
	g.buf = g.buf[n:]
	return n, nil
}
