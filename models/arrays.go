package models

import (
	"database/sql/driver"
	"fmt"
	"strconv"
	"strings"
)

// GORM expands a Go slice argument into a parenthesised list, so Postgres arrays travel as
// their text literal instead: these types are that literal (driver.Valuer) and read it back
// (sql.Scanner).

// TextArray is a Postgres text[] value.
type TextArray []string

// Value writes the array literal with every element quoted.
func (a TextArray) Value() (driver.Value, error) {
	var b strings.Builder
	b.WriteByte('{')
	for i, s := range a {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('"')
		for _, r := range s {
			if r == '"' || r == '\\' {
				b.WriteByte('\\')
			}
			b.WriteRune(r)
		}
		b.WriteByte('"')
	}
	b.WriteByte('}')
	return b.String(), nil
}

// Int64Array is a Postgres bigint[] value.
type Int64Array []int64

// Value writes the array literal.
func (a Int64Array) Value() (driver.Value, error) {
	parts := make([]string, len(a))
	for i, n := range a {
		parts[i] = strconv.FormatInt(n, 10)
	}
	return "{" + strings.Join(parts, ",") + "}", nil
}

// Scan reads the array literal Postgres sends for bigint[] ("{1,2,3}").
func (a *Int64Array) Scan(src any) error {
	var s string
	switch v := src.(type) {
	case nil:
		*a = nil
		return nil
	case string:
		s = v
	case []byte:
		s = string(v)
	default:
		return fmt.Errorf("Int64Array: cannot scan %T", src)
	}
	s = strings.TrimSpace(s)
	if len(s) < 2 || s[0] != '{' || s[len(s)-1] != '}' {
		return fmt.Errorf("Int64Array: not an array literal: %q", s)
	}
	s = s[1 : len(s)-1]
	out := Int64Array{}
	if s != "" {
		for _, p := range strings.Split(s, ",") {
			n, err := strconv.ParseInt(strings.TrimSpace(p), 10, 64)
			if err != nil {
				return fmt.Errorf("Int64Array: %w", err)
			}
			out = append(out, n)
		}
	}
	*a = out
	return nil
}

// Contains reports whether n is in a.
func (a Int64Array) Contains(n int64) bool {
	for _, x := range a {
		if x == n {
			return true
		}
	}
	return false
}
