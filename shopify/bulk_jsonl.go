package shopify

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	json "github.com/goccy/go-json"
)

// A bulk result is JSONL: one object per line, and with groupObjects false a connection's
// children come as lines of their own, after their parent, carrying "__parentId". The readers
// here stream it: one line (one order with its lines) in memory at a time, whatever the size
// of the file.

// maxBulkLine bounds one line. Shopify's objects are far smaller; a longer line is reported as
// malformed and skipped rather than read into memory.
const maxBulkLine = 4 << 20

// BulkObject is one line of a bulk result.
type BulkObject struct {
	Line     int             // 1-based line number in the file
	Type     string          // the gid's type: "Order", "LineItem", "Customer"
	ID       string          // the gid
	ParentID string          // the parent's gid, for a connection's child
	Raw      json.RawMessage // valid until the next call of Next: the reader reuses its buffer
}

// BulkLineError is a line that cannot be read; the lines after it still can.
type BulkLineError struct {
	Line   int
	Reason string
}

func (e *BulkLineError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Reason) }

// BulkReader reads a bulk result line by line.
type BulkReader struct {
	r    *bufio.Reader
	line int
	buf  []byte // the current line, reused
}

// NewBulkReader reads JSONL from r.
func NewBulkReader(r io.Reader) *BulkReader { return &BulkReader{r: bufio.NewReaderSize(r, 64<<10)} }

// Line is the number of the last line read.
func (br *BulkReader) Line() int { return br.line }

// Next returns the next object; io.EOF at the end; a *BulkLineError for a line that does not
// parse (reading may go on); any other error ends the read (the download broke).
func (br *BulkReader) Next() (BulkObject, error) {
	for {
		raw, tooLong, err := br.readLine()
		if err != nil {
			return BulkObject{}, err
		}
		br.line++
		if tooLong {
			return BulkObject{}, &BulkLineError{Line: br.line, Reason: fmt.Sprintf("longer than %d bytes", maxBulkLine)}
		}
		if len(bytes.TrimSpace(raw)) == 0 {
			continue
		}
		var head struct {
			ID       string `json:"id"`
			ParentID string `json:"__parentId"`
		}
		if err := json.Unmarshal(raw, &head); err != nil {
			return BulkObject{}, &BulkLineError{Line: br.line, Reason: "not a JSON object: " + err.Error()}
		}
		typ, _, ok := ParseGID(head.ID)
		if !ok {
			return BulkObject{}, &BulkLineError{Line: br.line, Reason: fmt.Sprintf("id %.80q is not a Shopify gid", head.ID)}
		}
		return BulkObject{Line: br.line, Type: typ, ID: head.ID, ParentID: head.ParentID, Raw: raw}, nil
	}
}

// readLine returns the next line without its newline; a line past maxBulkLine is consumed and
// reported as too long, not kept.
func (br *BulkReader) readLine() (line []byte, tooLong bool, err error) {
	buf := br.buf[:0]
	defer func() { br.buf = buf[:0] }()
	for {
		chunk, err := br.r.ReadSlice('\n')
		if len(buf)+len(chunk) > maxBulkLine {
			tooLong = true
		} else {
			buf = append(buf, chunk...)
		}
		switch {
		case err == nil:
			return trimNewline(buf), tooLong, nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF) && (len(buf) > 0 || tooLong):
			return trimNewline(buf), tooLong, nil
		default:
			return nil, false, err
		}
	}
}

func trimNewline(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return b
}

// ParseGID splits "gid://shopify/Order/123" into its type and numeric id.
func ParseGID(gid string) (typ string, id int64, ok bool) {
	rest, found := strings.CutPrefix(gid, "gid://shopify/")
	if !found {
		return "", 0, false
	}
	typ, num, found := strings.Cut(rest, "/")
	if !found || typ == "" {
		return "", 0, false
	}
	num, _, _ = strings.Cut(num, "?") // some gids carry parameters
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n <= 0 {
		return "", 0, false
	}
	return typ, n, true
}
