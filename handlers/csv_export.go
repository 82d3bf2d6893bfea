package handlers

import (
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
)

// streamCSV writes a CSV download a page at a time: next returns the following rows and whether
// more follow. Nothing is held beyond one page, so a list of any length streams in constant
// memory. An error before the first row is answered as usual; one later cuts the download short,
// which the browser reports as a failed download rather than a truncated file posing as whole.
func streamCSV(c echo.Context, filename string, header []string, next func() ([][]string, bool, error)) error {
	rows, more, err := next()
	if err != nil {
		return err
	}
	w := c.Response()
	w.Header().Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	w.Header().Set(echo.HeaderContentDisposition, `attachment; filename="`+filename+`"`)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	cw := csv.NewWriter(w)
	if err := cw.Write(header); err != nil {
		return err
	}
	for {
		for _, r := range rows {
			if err := cw.Write(safeCells(r)); err != nil {
				return err
			}
		}
		cw.Flush()
		if err := cw.Error(); err != nil {
			return err
		}
		w.Flush()
		if !more {
			return nil
		}
		if rows, more, err = next(); err != nil {
			panic(http.ErrAbortHandler) // the header is gone: abort the response so it is not taken as complete
		}
	}
}

// safeCells keeps a shopper's text from running as a spreadsheet formula when the merchant opens
// the file: a cell starting with =, +, -, @, tab or carriage return gets a leading apostrophe,
// unless it is a plain number (a negative points entry stays a number).
func safeCells(r []string) []string {
	for i, v := range r {
		if v == "" || !strings.ContainsRune("=+-@\t\r", rune(v[0])) {
			continue
		}
		if _, err := strconv.ParseFloat(v, 64); err == nil && !strings.ContainsAny(v, "eE") {
			continue
		}
		r[i] = "'" + v
	}
	return r
}
