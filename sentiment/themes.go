package sentiment

import (
	"sort"
	"strings"
	"unicode/utf8"
)

// Theme names returned by Themes.
const (
	ThemeShipping  = "shipping"
	ThemeDamaged   = "damaged"
	ThemeQuality   = "quality"
	ThemeSizeFit   = "size_fit"
	ThemePrice     = "price"
	ThemeSupport   = "support"
	ThemePackaging = "packaging"
)

// themeTerm ties a keyword to a theme. A complaint keyword ("late", "never arrived") is a
// complaint wherever it stands; a topic keyword ("delivery", "price") only counts in a clause
// that is not positive, so "fast delivery, love it" names no complaint.
type themeTerm struct {
	theme     string
	complaint bool
}

type themePhrase struct {
	words []pattern
	term  themeTerm
}

type themeMatcher struct {
	words   map[string][]themeTerm
	stems   map[string][]themeTerm
	stemMin int
	stemMax int
	phrases map[string][]themePhrase
}

func newThemeMatcher() themeMatcher {
	return themeMatcher{words: map[string][]themeTerm{}, stems: map[string][]themeTerm{},
		phrases: map[string][]themePhrase{}, stemMin: 1 << 30}
}

func (m *themeMatcher) add(l *language, theme, term string) {
	t := themeTerm{theme: theme}
	if strings.HasPrefix(term, "!") {
		t.complaint = true
		term = term[1:]
	}
	pats := l.patterns(term)
	switch {
	case len(pats) > 1:
		m.phrases[pats[0].f] = append(m.phrases[pats[0].f], themePhrase{pats, t})
	case pats[0].stem:
		m.stems[pats[0].f] = append(m.stems[pats[0].f], t)
	default:
		m.words[pats[0].f] = append(m.words[pats[0].f], t)
	}
}

func (m *themeMatcher) finish(l *language) {
	for k := range m.stems {
		m.stemMin = min(m.stemMin, len(k))
		m.stemMax = max(m.stemMax, len(k))
	}
	for k, ps := range m.phrases {
		sort.SliceStable(ps, func(i, j int) bool { return len(ps[i].words) > len(ps[j].words) })
		m.phrases[k] = ps
	}
}

// match returns the themes whose keyword starts at token i and how many tokens it spans.
func (m *themeMatcher) match(l *language, folds []string, toks []token, i int) ([]themeTerm, int) {
	w := folds[i]
	for _, p := range m.phrases[w] {
		if n := l.matchPhraseAt(p.words, folds, toks, i); n > 0 {
			return []themeTerm{p.term}, n
		}
	}
	if ts, ok := m.words[w]; ok {
		return ts, 1
	}
	for _, s := range l.suffixes {
		if len(w) > len(s.from)+2 && strings.HasSuffix(w, s.from) {
			if ts, ok := m.words[w[:len(w)-len(s.from)]+s.to]; ok {
				return ts, 1
			}
		}
	}
	n := min(len(w), m.stemMax)
	for ; n >= m.stemMin; n-- {
		if !isRuneStart(w, n) {
			continue
		}
		if ts, ok := m.stems[w[:n]]; ok {
			return ts, 1
		}
	}
	return nil, 1
}

// Themes returns the complaint themes (shipping, damaged, quality, size_fit, price, support,
// packaging) found in text, in that order. lang is an ISO 639-1 code; empty or unsupported
// means detect it.
func Themes(text, lang string) []string {
	a := analyzeText(text, lang)
	if a.lang == nil {
		return nil
	}
	clauseSum := map[int]float64{}
	for _, u := range a.units {
		if u.kind == ukValence {
			clauseSum[u.clause] += u.val
		}
	}
	found := map[string]bool{}
	toks, folds := a.toks, a.folds
	for i := 0; i < len(toks); {
		if toks[i].kind != tkWord {
			i++
			continue
		}
		ts, n := a.lang.themes.match(a.lang, folds, toks, i)
		if len(ts) > 0 && !negatedAt(a.lang, folds, toks, i) {
			for _, t := range ts {
				if t.complaint || (clauseSum[toks[i].clause] <= 0 && a.compound <= 0.3) {
					found[t.theme] = true
				}
			}
		}
		i += n
	}
	var out []string
	for _, t := range []string{ThemeShipping, ThemeDamaged, ThemeQuality, ThemeSizeFit, ThemePrice, ThemeSupport, ThemePackaging} {
		if found[t] {
			out = append(out, t)
		}
	}
	return out
}

// negatedAt reports a negator just before token i in its clause: "not damaged", "no delay",
// "sans retard" name no complaint.
func negatedAt(l *language, folds []string, toks []token, i int) bool {
	for k := i - 1; k >= 0 && k >= i-2; k-- {
		if toks[k].clause != toks[i].clause {
			return false
		}
		if l.negators[folds[k]] || l.negators[toks[k].low] {
			return true
		}
	}
	return false
}

// Phrases returns candidate recurring phrases for aggregate theme discovery: 2- and 3-word
// n-grams of the text's content words within one clause, lower-cased and accent-folded, with
// stopwords dropped (negators are kept: "not fit" is not "fit") and numbers written as "#".
func Phrases(text, lang string) []string {
	a := analyzeText(text, lang)
	if a.lang == nil {
		return nil
	}
	l := a.lang
	// seg numbers the stretches an n-gram may span: a new one starts at every clause boundary
	// and at every conjunction or contrast word ("arrived late and the box" gives no "late box").
	type word struct {
		s   string
		seg int
	}
	var ws []word
	seg, lastClause := 0, -1
	for i, t := range a.toks {
		if t.kind != tkWord {
			continue
		}
		if t.clause != lastClause {
			seg++
			lastClause = t.clause
		}
		f := a.folds[i]
		if l.conj[f] || l.contrast[f] || l.concessive[f] {
			seg++
			continue
		}
		if l.stop[t.low] || l.stop[f] {
			continue
		}
		s := f
		if isNumber(s) {
			s = "#"
		}
		if utf8.RuneCountInString(s) < 2 && s != "#" {
			continue
		}
		ws = append(ws, word{s, seg})
	}
	seen := map[string]bool{}
	var out []string
	for i := range ws {
		for n := 2; n <= 3 && i+n <= len(ws); n++ {
			if ws[i+n-1].seg != ws[i].seg {
				break
			}
			parts := make([]string, n)
			for k := 0; k < n; k++ {
				parts[k] = ws[i+k].s
			}
			p := strings.Join(parts, " ")
			if !seen[p] {
				seen[p] = true
				out = append(out, p)
			}
		}
	}
	return out
}

func isNumber(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && c != '.' && c != ',' {
			return false
		}
	}
	return true
}
