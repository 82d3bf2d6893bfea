package delivery

import (
	"regexp"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// PlainText derives the text/plain part of an email from its HTML: markup and the contents of
// head, style and script go; blocks become line breaks, list items "- " lines; a link keeps
// its text followed by its address in parentheses (the unsubscribe link must survive); an
// image leaves its alt text. Entities are decoded. Whitespace is collapsed as a browser would.
func PlainText(src string) string {
	z := html.NewTokenizer(strings.NewReader(src))
	var t textBuilder
	skip := 0 // depth inside elements whose text is not shown
	pre := 0
	var href string
	linkStart := -1
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return t.finish()
		case html.TextToken:
			if skip > 0 {
				continue
			}
			if pre > 0 {
				t.raw(string(z.Text()))
			} else {
				t.text(string(z.Text()))
			}
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
			name, hasAttr := z.TagName()
			a := atom.Lookup(name)
			end := tt == html.EndTagToken
			switch a {
			case atom.Head, atom.Style, atom.Script, atom.Title, atom.Template, atom.Noscript:
				if tt == html.StartTagToken {
					skip++
				} else if end && skip > 0 {
					skip--
				}
				continue
			}
			if skip > 0 {
				continue
			}
			attr := func(want string) string { // only links and images need attributes
				for hasAttr {
					var k, v []byte
					k, v, hasAttr = z.TagAttr()
					if string(k) == want {
						return string(v)
					}
				}
				return ""
			}
			switch a {
			case atom.Br:
				t.brk(1)
			case atom.P, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Table,
				atom.Ul, atom.Ol, atom.Blockquote, atom.Hr:
				t.brk(2)
			case atom.Div, atom.Tr, atom.Section, atom.Article, atom.Header, atom.Footer,
				atom.Center, atom.Dl, atom.Dt, atom.Dd, atom.Tbody, atom.Thead, atom.Tfoot:
				t.brk(1)
			case atom.Pre:
				t.brk(2)
				if end {
					pre = max(0, pre-1)
				} else if tt == html.StartTagToken {
					pre++
				}
			case atom.Li:
				t.brk(1)
				if !end {
					t.text("- ")
				}
			case atom.Td, atom.Th:
				t.space = true
			case atom.Img:
				if alt := strings.TrimSpace(attr("alt")); alt != "" {
					t.text(" " + alt + " ")
				}
			case atom.A:
				if !end {
					href, linkStart = strings.TrimSpace(attr("href")), t.b.Len()
					continue
				}
				if linkStart < 0 {
					continue
				}
				label := strings.TrimSpace(t.b.String()[linkStart:])
				if href != "" && !strings.HasPrefix(href, "#") && label != href &&
					label != strings.TrimPrefix(href, "mailto:") {
					if label == "" {
						t.text(" " + href + " ")
					} else {
						t.text(" (" + href + ")")
					}
				}
				href, linkStart = "", -1
			}
		}
	}
}

// textBuilder writes text with browser-like whitespace: runs collapse to one space, and
// pending line breaks are emitted only before the next visible text.
type textBuilder struct {
	b       strings.Builder
	breaks  int  // line breaks owed before the next text
	space   bool // a space is owed before the next text
	started bool
}

func (t *textBuilder) brk(n int) { t.breaks = max(t.breaks, n) }

func (t *textBuilder) text(s string) {
	words := strings.Fields(s)
	if len(words) == 0 {
		if s != "" {
			t.space = true
		}
		return
	}
	if isSpace(s[0]) {
		t.space = true
	}
	t.flushGap()
	t.b.WriteString(strings.Join(words, " "))
	t.space = isSpace(s[len(s)-1])
}

func (t *textBuilder) raw(s string) {
	if s == "" {
		return
	}
	t.flushGap()
	t.b.WriteString(s)
}

func (t *textBuilder) flushGap() {
	switch {
	case !t.started:
	case t.breaks > 0:
		t.b.WriteString(strings.Repeat("\n", t.breaks))
	case t.space:
		t.b.WriteByte(' ')
	}
	t.started, t.breaks, t.space = true, 0, false
}

var blankLines = regexp.MustCompile(`\n{3,}`)

func (t *textBuilder) finish() string {
	lines := strings.Split(t.b.String(), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t")
	}
	return strings.TrimSpace(blankLines.ReplaceAllString(strings.Join(lines, "\n"), "\n\n"))
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' }
