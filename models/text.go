package models

import (
	"strings"
	"unicode/utf8"
)

// Text helpers every domain uses for what it stores and shows.

// Truncate keeps at most n bytes of s as text Postgres will store: valid UTF-8 (a cut rune or
// a byte from a hostile payload quoted in an error becomes U+FFFD) and no NUL.
func Truncate(s string, n int) string {
	s = strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "")
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "")
}

// Excerpt is s on one line, cut to at most max runes, at a word when one ends past the middle,
// with an ellipsis when anything was cut.
func Excerpt(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)[:max]
	if i := strings.LastIndexByte(string(r), ' '); i > len(string(r))/2 {
		return string(r)[:i] + "…"
	}
	return string(r) + "…"
}
