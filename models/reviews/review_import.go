package reviews

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/boomerang-app/boomerang/models"
)

// Import of reviews exported by other review apps (Judge.me, Yotpo, Okendo and look-alikes):
// CSV with a header row, a JSON array of objects, {"reviews": [...]}, or JSON Lines. The
// reader streams: memory stays bounded by one record (at most maxImportRecord bytes), whatever
// the size of the file.

// ImportRow is one review read from an export, validated.
type ImportRow struct {
	Line          int
	ProductID     int64 // 0 when only a handle was given
	ProductHandle string
	Rating        int
	Title         string
	Body          string
	ReviewerName  string
	ReviewerEmail string
	Date          *time.Time
}

// importColumns maps normalised header names (lower case, letters and digits only) of the
// exports we accept to our fields.
var importColumns = map[string]string{
	"title": "title", "reviewtitle": "title", "headline": "title", "subject": "title",
	"body": "body", "reviewbody": "body", "reviewcontent": "body", "content": "body", "review": "body",
	"text": "body", "reviewtext": "body", "comment": "body", "message": "body",
	"rating": "rating", "reviewscore": "rating", "score": "rating", "stars": "rating", "starrating": "rating",
	"reviewrating": "rating", "productrating": "rating",
	"reviewdate": "date", "date": "date", "createdat": "date", "datecreated": "date", "created": "date",
	"submittedat": "date", "publishedat": "date", "reviewcreatedat": "date", "reviewcreationdate": "date",
	"reviewername": "name", "name": "name", "displayname": "name", "author": "name", "authorname": "name",
	"username": "name", "customername": "name", "userdisplayname": "name", "reviewerdisplayname": "name",
	"revieweremail": "email", "email": "email", "useremail": "email", "authoremail": "email",
	"customeremail": "email", "emailaddress": "email",
	"productid": "product_id", "shopifyproductid": "product_id", "productexternalid": "product_id", "externalproductid": "product_id",
	"producthandle": "handle", "handle": "handle", "producturl": "handle", "productlink": "handle",
}

// ImportReader reads reviews from an export one row at a time.
type ImportReader struct {
	next func() (map[string]string, int, error)
}

// NewImportReader sniffs the format (JSON when the first non-space byte is '[' or '{', CSV
// otherwise) and reads the CSV header. A file it cannot make sense of at all is an
// *ImportRowError on line 1.
func NewImportReader(r io.Reader) (*ImportReader, error) {
	g, br := models.OpenExport(r)
	first := byte(0)
	for i := 1; ; i++ {
		b, err := br.Peek(i)
		if len(b) < i {
			if err == nil || errors.Is(err, io.EOF) || errors.Is(err, bufio.ErrBufferFull) {
				break
			}
			return nil, err
		}
		if c := b[i-1]; c != ' ' && c != '\t' && c != '\r' && c != '\n' {
			first = c
			break
		}
	}
	switch first {
	case 0:
		return nil, &models.ImportRowError{Line: 1, Reason: "the file is empty"}
	case '[', '{':
		return newJSONImport(g, br, first)
	}
	return newCSVImport(g, br)
}

// Next returns the next valid row, or a row error for a bad one (reading may continue), or
// io.EOF, or a fatal error.
func (ir *ImportReader) Next() (ImportRow, *models.ImportRowError, error) {
	rec, line, err := ir.next()
	if err != nil {
		bad, err := models.ReadError(err)
		return ImportRow{}, bad, err
	}
	row, reason := parseImportRecord(rec)
	row.Line = line
	if reason != "" {
		return ImportRow{}, &models.ImportRowError{Line: line, Reason: reason}, nil
	}
	return row, nil, nil
}

// CSV

func newCSVImport(g *models.GuardReader, br *bufio.Reader) (*ImportReader, error) {
	next, err := models.CSVRecords(g, br, func(header []string) ([]string, *models.ImportRowError) {
		cols := make([]string, len(header))
		found := map[string]bool{}
		for i, h := range header {
			if f, ok := importColumns[models.NormaliseColumn(h)]; ok && !found[f] {
				cols[i], found[f] = f, true
			}
		}
		if !found["rating"] {
			return nil, &models.ImportRowError{Line: 1, Reason: "no rating column (expected one of rating, review_score, score, stars)"}
		}
		if !found["product_id"] && !found["handle"] {
			return nil, &models.ImportRowError{Line: 1, Reason: "no product column (expected product_id or product_handle)"}
		}
		return cols, nil
	})
	if err != nil {
		return nil, err
	}
	return &ImportReader{next: next}, nil
}

// JSON

func newJSONImport(g *models.GuardReader, br *bufio.Reader, first byte) (*ImportReader, error) {
	if first == '{' {
		// JSON Lines when the first line alone is a whole object; a wrapper object otherwise.
		peek, _ := br.Peek(br.Buffered())
		peek = bytes.TrimLeft(peek, " \t\r\n")
		if nl := bytes.IndexByte(peek, '\n'); nl >= 0 {
			peek = peek[:nl]
		}
		if isReviewObject(bytes.TrimSpace(peek)) {
			return newJSONLinesImport(g, br), nil
		}
	}
	lc := &lineCounter{r: br}
	dec := json.NewDecoder(lc)
	dec.UseNumber()
	lineAt := func() int {
		// Lines fully consumed by the decoder, plus one, skipping the separators before the value.
		buf, _ := io.ReadAll(dec.Buffered())
		consumed := lc.lines - bytes.Count(buf, []byte("\n"))
		for _, c := range buf {
			if c == '\n' {
				consumed++
			} else if c != ' ' && c != '\t' && c != '\r' && c != ',' {
				break
			}
		}
		return consumed + 1
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, &models.ImportRowError{Line: 1, Reason: "not valid JSON: " + err.Error()}
	}
	if d, _ := tok.(json.Delim); d == '{' {
		// Find the array of reviews inside the wrapper object.
		for {
			kt, err := dec.Token()
			if err != nil {
				return nil, &models.ImportRowError{Line: lineAt(), Reason: "not valid JSON: " + err.Error()}
			}
			key, ok := kt.(string)
			if !ok {
				return nil, &models.ImportRowError{Line: lineAt(), Reason: `no "reviews" array in the JSON object`}
			}
			if k := models.NormaliseColumn(key); k == "reviews" || k == "data" || k == "items" {
				if t, err := dec.Token(); err != nil || t != json.Delim('[') {
					return nil, &models.ImportRowError{Line: lineAt(), Reason: fmt.Sprintf("%q is not an array", key)}
				}
				break
			}
			var skip json.RawMessage
			g.Reset()
			if err := dec.Decode(&skip); err != nil {
				return nil, &models.ImportRowError{Line: lineAt(), Reason: "not valid JSON: " + err.Error()}
			}
		}
	} else if d != '[' {
		return nil, &models.ImportRowError{Line: 1, Reason: "expected a JSON array of reviews"}
	}
	done := false
	return &ImportReader{next: func() (map[string]string, int, error) {
		if done || !dec.More() {
			return nil, 0, io.EOF
		}
		line := lineAt()
		g.Reset()
		var v any
		if err := dec.Decode(&v); err != nil {
			// A syntax error leaves the decoder unusable: stop, reporting where.
			done = true
			if errors.Is(err, models.ErrRecordTooLarge) {
				return nil, 0, models.RowError{Line: line, Reason: fmt.Sprintf("record longer than %d bytes; the import stopped here", models.MaxImportRecord)}
			}
			return nil, 0, models.RowError{Line: line, Reason: "not valid JSON, the import stopped here: " + err.Error()}
		}
		obj, ok := v.(map[string]any)
		if !ok {
			return nil, 0, models.RowError{Line: line, Reason: "not a JSON object"}
		}
		return flattenJSON(obj), line, nil
	}}, nil
}

func newJSONLinesImport(g *models.GuardReader, br *bufio.Reader) *ImportReader {
	line := 0
	return &ImportReader{next: func() (map[string]string, int, error) {
		for {
			g.Reset()
			b, err := br.ReadBytes('\n')
			if len(b) == 0 && err != nil {
				if errors.Is(err, io.EOF) {
					return nil, 0, io.EOF
				}
				if errors.Is(err, models.ErrRecordTooLarge) {
					return nil, 0, &models.ImportRowError{Line: line + 1, Reason: fmt.Sprintf("record longer than %d bytes; the import stopped here", models.MaxImportRecord)}
				}
				return nil, 0, err
			}
			line++
			if errors.Is(err, models.ErrRecordTooLarge) {
				return nil, 0, &models.ImportRowError{Line: line, Reason: fmt.Sprintf("record longer than %d bytes; the import stopped here", models.MaxImportRecord)}
			}
			b = bytes.TrimSpace(b)
			if len(b) == 0 {
				continue
			}
			dec := json.NewDecoder(bytes.NewReader(b))
			dec.UseNumber()
			var obj map[string]any
			if err := dec.Decode(&obj); err != nil || dec.More() {
				return nil, 0, models.RowError{Line: line, Reason: "not a JSON object"}
			}
			return flattenJSON(obj), line, nil
		}
	}}
}

// isReviewObject reports whether b is one whole JSON object that is a review rather than a
// wrapper around the list of reviews.
func isReviewObject(b []byte) bool {
	var m map[string]json.RawMessage
	if json.Unmarshal(b, &m) != nil {
		return false
	}
	for k := range m {
		if k := models.NormaliseColumn(k); k == "reviews" || k == "data" || k == "items" {
			return false
		}
	}
	return true
}

// lineCounter counts the newlines handed to the JSON decoder.
type lineCounter struct {
	r     io.Reader
	lines int
}

func (l *lineCounter) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	l.lines += bytes.Count(p[:n], []byte("\n"))
	return n, err
}

// flattenJSON maps an exported object's fields to our columns; nested objects ("product":
// {"id": …}, "reviewer": {"email": …}) are flattened by joining key names.
func flattenJSON(obj map[string]any) map[string]string {
	out := map[string]string{}
	var walk func(prefix string, m map[string]any, depth int)
	walk = func(prefix string, m map[string]any, depth int) {
		for k, v := range m {
			key := prefix + models.NormaliseColumn(k)
			if sub, ok := v.(map[string]any); ok {
				if depth < 2 {
					walk(key, sub, depth+1)
				}
				continue
			}
			f, ok := importColumns[key]
			if !ok {
				continue
			}
			if _, dup := out[f]; dup && prefix != "" {
				continue // a top-level field wins over a nested one
			}
			switch x := v.(type) {
			case string:
				out[f] = x
			case json.Number:
				out[f] = x.String()
			case bool:
				out[f] = strconv.FormatBool(x)
			case nil:
				out[f] = ""
			default:
				out[f] = "\x00unsupported"
			}
		}
	}
	walk("", obj, 0)
	return out
}

// Row validation

func parseImportRecord(rec map[string]string) (ImportRow, string) {
	var row ImportRow
	for f, v := range rec {
		if !utf8.ValidString(v) {
			return row, f + ": not valid UTF-8 text"
		}
		if strings.IndexByte(v, 0) >= 0 {
			return row, f + ": not a text value"
		}
	}
	rating := strings.TrimSpace(rec["rating"])
	if rating == "" {
		return row, "rating: missing"
	}
	fv, err := strconv.ParseFloat(rating, 64)
	if err != nil || fv != float64(int(fv)) || fv < 1 || fv > 5 {
		return row, fmt.Sprintf("rating: %q is not a whole number from 1 to 5", clip(rating, 20))
	}
	row.Rating = int(fv)
	if v := strings.TrimSpace(rec["product_id"]); v != "" {
		id, ok := parseProductID(v)
		if !ok {
			return row, fmt.Sprintf("product_id: %q is not a Shopify product id", clip(v, 40))
		}
		row.ProductID = id
	}
	if v := strings.TrimSpace(rec["handle"]); v != "" {
		h, ok := parseHandle(v)
		if !ok {
			return row, fmt.Sprintf("product_handle: %q is not a product handle", clip(v, 40))
		}
		row.ProductHandle = h
	}
	if row.ProductID == 0 && row.ProductHandle == "" {
		return row, "product: neither product_id nor product_handle given"
	}
	row.Title = strings.TrimSpace(rec["title"])
	row.Body = strings.TrimSpace(rec["body"])
	if n := utf8.RuneCountInString(row.Title); n > MaxReviewTitle {
		return row, fmt.Sprintf("title: %d characters, the limit is %d", n, MaxReviewTitle)
	}
	if n := utf8.RuneCountInString(row.Body); n > MaxReviewBody {
		return row, fmt.Sprintf("body: %d characters, the limit is %d", n, MaxReviewBody)
	}
	row.ReviewerName = clip(strings.Join(strings.Fields(rec["name"]), " "), maxReviewNameLength)
	if e := strings.TrimSpace(rec["email"]); e != "" {
		at := strings.IndexByte(e, '@')
		if at < 1 || at == len(e)-1 || strings.ContainsAny(e, " ,;<>\"") || len(e) > 254 {
			return row, fmt.Sprintf("reviewer_email: %q is not an email address", clip(e, 60))
		}
		row.ReviewerEmail = strings.ToLower(e)
	}
	if v := strings.TrimSpace(rec["date"]); v != "" {
		t, ok := parseImportDate(v)
		if !ok {
			return row, fmt.Sprintf("date: %q is not a date we recognise", clip(v, 40))
		}
		if t.After(time.Now().Add(48 * time.Hour)) {
			return row, fmt.Sprintf("date: %s is in the future", t.Format(time.DateOnly))
		}
		row.Date = &t
	}
	return row, ""
}

func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

func parseProductID(s string) (int64, bool) {
	s = strings.TrimPrefix(s, "gid://shopify/Product/")
	if f, err := strconv.ParseFloat(s, 64); err == nil && strings.ContainsAny(s, ".eE") {
		// Spreadsheets write big ids as 7.5e+12 or 7500000000000.0.
		if f >= 1 && f < 1<<53 && f == float64(int64(f)) {
			return int64(f), true
		}
		return 0, false
	}
	id, err := strconv.ParseInt(s, 10, 64)
	return id, err == nil && id > 0
}

// parseHandle accepts a handle or a product URL (…/products/<handle>).
func parseHandle(s string) (string, bool) {
	if i := strings.LastIndex(s, "/products/"); i >= 0 {
		s = s[i+len("/products/"):]
		if j := strings.IndexAny(s, "/?#"); j >= 0 {
			s = s[:j]
		}
	}
	s = strings.ToLower(s)
	if s == "" || len(s) > 255 {
		return "", false
	}
	for _, r := range s {
		if !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_' || r == '.') {
			return "", false
		}
	}
	return s, true
}

var importDateLayouts = []string{
	time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02T15:04:05.000", "2006-01-02 15:04:05 -0700",
	"2006-01-02 15:04:05 MST", "2006-01-02 15:04:05Z07:00", "2006-01-02 15:04:05", "2006-01-02 15:04",
	"2006-01-02", "2006/01/02", "2006/01/02 15:04:05", "01/02/2006 15:04:05", "01/02/2006 15:04", "01/02/2006",
	"02/01/2006", "02.01.2006", "Jan 2, 2006", "January 2, 2006", "2 Jan 2006", "2 January 2006", time.RFC1123Z, time.RFC1123,
}

func parseImportDate(s string) (time.Time, bool) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		switch {
		case n > 1e11 && n < 1e14: // milliseconds
			return time.UnixMilli(n).UTC(), true
		case n > 1e8 && n < 1e11:
			return time.Unix(n, 0).UTC(), true
		}
		return time.Time{}, false
	}
	for _, l := range importDateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}
