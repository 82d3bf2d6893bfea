package sentiment

import (
	"strings"
	"unicode/utf8"
)

// Folding maps what shoppers type on keyboards without the language's letters onto the
// lexicon's spelling. German keeps umlauts apart as ae/oe/ue ("schoen" is "schön", while
// "schon" stays "already"); Turkish drops its letters' marks; the rest strip accents.
var (
	foldGerman  = map[rune]string{'ä': "ae", 'ö': "oe", 'ü': "ue", 'ß': "ss"}
	foldTurkish = map[rune]string{'ı': "i", 'ğ': "g", 'ş': "s", 'ç': "c", 'ö': "o", 'ü': "u",
		'â': "a", 'î': "i", 'û': "u"}
	foldRussian = map[rune]string{'ё': "е"}
	foldLatin   = map[rune]string{
		'à': "a", 'á': "a", 'â': "a", 'ã': "a", 'ä': "a", 'å': "a", 'æ': "ae",
		'ç': "c", 'è': "e", 'é': "e", 'ê': "e", 'ë': "e", 'ì': "i", 'í': "i", 'î': "i", 'ï': "i",
		'ñ': "n", 'ò': "o", 'ó': "o", 'ô': "o", 'õ': "o", 'ö': "o", 'ø': "o", 'œ': "oe",
		'ù': "u", 'ú': "u", 'û': "u", 'ü': "u", 'ý': "y", 'ÿ': "y", 'ß': "ss",
	}
)

func (l *language) fold(w string) string {
	if l.segmentCJK {
		return w // kana and ideographs have no accents to drop
	}
	var table map[rune]string
	switch l.code {
	case "de":
		table = foldGerman
	case "tr":
		table = foldTurkish
	case "ru":
		table = foldRussian
	default:
		table = foldLatin
	}
	return foldWith(w, table)
}

// foldWith returns w itself (no allocation) when nothing in it needs folding.
func foldWith(w string, table map[rune]string) string {
	ascii := true
	for i := 0; i < len(w); i++ {
		if w[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return w
	}
	changed := false
	for _, r := range w {
		if _, ok := table[r]; ok {
			changed = true
			break
		}
	}
	if !changed {
		return w
	}
	var b strings.Builder
	b.Grow(len(w) + 2)
	for _, r := range w {
		if s, ok := table[r]; ok {
			b.WriteString(s)
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// splitTokens splits elided articles and pronouns off the word they lean on in languages that
// write them that way ("n'est" → "n'", "est"; "dell'articolo" → "dell'", "articolo"), so the
// lexicon sees "est" and the negator sees "n'".
func (l *language) splitTokens(toks []token) []token {
	if l.segmentCJK {
		return l.segment(toks)
	}
	if !l.splitElision {
		return toks
	}
	need := false
	for _, t := range toks {
		if t.kind == tkWord && strings.IndexByte(t.low, '\'') > 0 {
			need = true
			break
		}
	}
	if !need {
		return toks
	}
	out := make([]token, 0, len(toks)+4)
	for _, t := range toks {
		li := strings.IndexByte(t.low, '\'')
		if t.kind != tkWord || li <= 0 || li == len(t.low)-1 {
			out = append(out, t)
			continue
		}
		oi := strings.IndexAny(t.orig, "'’ʼ‘`")
		if oi < 0 {
			out = append(out, t)
			continue
		}
		_, asz := utf8.DecodeRuneInString(t.orig[oi:])
		a, b := t, t
		// The elided word loses its apostrophe on both sides (text and lexicon), so "n'" in a
		// lexicon and "n'est" in a review meet as "n".
		a.low, b.low = t.low[:li], t.low[li+1:]
		a.orig, b.orig = t.orig[:oi], t.orig[oi+asz:]
		a.caps, b.caps = isAllCaps(a.orig), isAllCaps(b.orig)
		out = append(out, a, b)
	}
	return out
}
