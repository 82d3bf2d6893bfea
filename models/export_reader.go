package models

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Reading the exports other apps write (reviews from Judge.me and look-alikes, points from
// Smile and look-alikes): bounded memory per record, a byte-order mark dropped, CSV with a
// sniffed delimiter, and per-row errors that let reading go on.

// MaxImportErrors is how many row errors an import's report lists; all are counted.
const MaxImportErrors = 1000

// MaxImportRecord bounds one CSV record or JSON object; past it the file cannot be trusted to
// resynchronise, so the import stops there with an error on that line.
const MaxImportRecord = 1 << 20

// ImportRowError says why a row was not imported.
type ImportRowError struct {
	Line   int    `json:"line"`
	Reason string `json:"reason"`
}

func (e *ImportRowError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Reason) }

func NormaliseColumn(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// RowError marks a record that could not be read but after which reading may go on.
type RowError struct {
	Line   int
	Reason string
}

func (e RowError) Error() string { return e.Reason }

// ReadError sorts a failed read: a record that could not be read (reading goes on) or an error
// that ends the read.
func ReadError(err error) (*ImportRowError, error) {
	var re RowError
	if errors.As(err, &re) {
		return &ImportRowError{Line: re.Line, Reason: re.Reason}, nil
	}
	return nil, err
}

// OpenExport wraps an uploaded export: memory bounded per record, buffered, and without the
// UTF-8 byte-order mark Excel writes (it is not part of the first column's name).
func OpenExport(r io.Reader) (*GuardReader, *bufio.Reader) {
	g := &GuardReader{r: r}
	br := bufio.NewReaderSize(g, 64<<10)
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, []byte("\xef\xbb\xbf")) {
		_, _ = br.Discard(3)
	}
	return g, br
}

// GuardReader fails once more than maxImportRecord bytes were read since the last reset, so
// one endless field or object cannot take all memory.
type GuardReader struct {
	r io.Reader
	n int
}

var ErrRecordTooLarge = errors.New("record too large")

func (g *GuardReader) Read(p []byte) (int, error) {
	if g.n > MaxImportRecord {
		return 0, ErrRecordTooLarge
	}
	n, err := g.r.Read(p)
	g.n += n
	return n, err
}

func (g *GuardReader) Reset() { g.n = 0 }

// CSVRecords reads a CSV export record by record, as maps from our field names to values.
// mapHeader names the field of each column ("" for a column we ignore) or refuses the header.
// A bad record is a rowError and reading goes on; a record past maxImportRecord, or a quote
// left open to the end of the file, stops the read there.
func CSVRecords(g *GuardReader, br *bufio.Reader, mapHeader func(header []string) ([]string, *ImportRowError)) (func() (map[string]string, int, error), error) {
	head, _ := br.Peek(br.Buffered())
	if nl := bytes.IndexByte(head, '\n'); nl >= 0 {
		head = head[:nl]
	}
	cr := csv.NewReader(br)
	cr.Comma = sniffDelimiter(head)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		return nil, &ImportRowError{Line: 1, Reason: "the header row cannot be read: " + csvReason(err)}
	}
	cols, rerr := mapHeader(header)
	if rerr != nil {
		return nil, rerr
	}
	width := len(header)
	fatal := false
	// FieldPos is only defined after a successful Read: errors are placed after the last
	// record read (exact for one-line records, which is what a broken row usually is).
	nextLine := 2
	return func() (map[string]string, int, error) {
		if fatal {
			return nil, 0, io.EOF
		}
		g.Reset()
		fields, err := cr.Read()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil, 0, io.EOF
			}
			if errors.Is(err, ErrRecordTooLarge) {
				fatal = true
				return nil, 0, RowError{nextLine, fmt.Sprintf("record longer than %d bytes; the import stopped here", MaxImportRecord)}
			}
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				if errors.Is(pe.Err, csv.ErrQuote) && pe.StartLine != pe.Line {
					// An unterminated quote swallowed the rest of the file.
					fatal = true
				}
				nextLine = pe.Line + 1
				return nil, 0, RowError{pe.StartLine, csvReason(err)}
			}
			return nil, 0, err
		}
		line, _ := cr.FieldPos(0)
		end, _ := cr.FieldPos(len(fields) - 1)
		nextLine = end + 1
		if len(fields) == 1 && strings.TrimSpace(fields[0]) == "" {
			return nil, 0, RowError{line, "empty line"}
		}
		if len(fields) != width {
			return nil, 0, RowError{line, fmt.Sprintf("expected %d columns, found %d", width, len(fields))}
		}
		rec := make(map[string]string, len(cols))
		for i, f := range fields {
			if cols[i] != "" {
				rec[cols[i]] = f
			}
		}
		return rec, line, nil
	}, nil
}

func sniffDelimiter(head []byte) rune {
	best, n := ',', bytes.Count(head, []byte(","))
	for _, d := range []rune{';', '\t'} {
		if c := bytes.Count(head, []byte(string(d))); c > n {
			best, n = d, c
		}
	}
	return best
}

func csvReason(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		switch {
		case errors.Is(pe.Err, csv.ErrBareQuote):
			return "a quote inside an unquoted field"
		case errors.Is(pe.Err, csv.ErrQuote):
			return "a quoted field is not closed"
		case errors.Is(pe.Err, csv.ErrFieldCount):
			return "wrong number of columns"
		}
		return pe.Err.Error()
	}
	return err.Error()
}
