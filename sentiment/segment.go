package sentiment

import (
	"unicode"
	"unicode/utf8"
)

// Japanese and Chinese are written without spaces: a run of Han and kana is one token to the
// tokenizer. A language with the segment option splits such a run into the words its lexicon
// knows by longest match (at most maxSegRunes runes a word), left to right; runes no word
// covers stay together as one unknown token, so they never match a one-character entry by
// accident.

const maxSegRunes = 12

func isCJK(r rune) bool {
	if r >= 0x3040 && r <= 0x9FFF {
		return true
	}
	return unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r) || r == 'ー'
}

// Each entry of dict says whether the string is a word and whether it begins a longer one, so
// longest match stops as soon as no word can follow.
const (
	segWord   uint8 = 1
	segPrefix uint8 = 2
)

// buildDict collects every word the lexicon names, and their prefixes, for segmentation.
func (l *language) buildDict() {
	l.dict = map[string]uint8{}
	add := func(w string) {
		if w == "" {
			return
		}
		l.dict[w] |= segWord
		for i := range w {
			if i > 0 {
				l.dict[w[:i]] |= segPrefix
			}
		}
	}
	for w := range l.words {
		add(w)
	}
	for w := range l.stems {
		add(w)
	}
	for w := range l.boosters {
		add(w)
	}
	for _, m := range []map[string]bool{l.negators, l.postNeg, l.contrast, l.concessive, l.block, l.stop, l.unnegate, l.conj, l.gap, l.verdict} {
		for w := range m {
			add(w)
		}
	}
	for _, ps := range l.phrases {
		for _, p := range ps {
			for _, w := range p.words {
				add(w.s)
			}
		}
	}
}

// segment splits the CJK runs of toks into dictionary words.
func (l *language) segment(toks []token) []token {
	need := false
	for _, t := range toks {
		if r, _ := utf8.DecodeRuneInString(t.low); t.kind == tkWord && isCJK(r) {
			need = true
			break
		}
	}
	if !need {
		return toks
	}
	out := make([]token, 0, len(toks)*3)
	for _, t := range toks {
		if t.kind != tkWord {
			out = append(out, t)
			continue
		}
		// A word may mix scripts ("装XP非常麻烦"): Latin runs stay whole, CJK runs are split.
		// Lower-casing keeps byte offsets for the Latin letters such words carry; when it
		// does not, the pieces take their lower-cased form as the original too.
		sameLen := len(t.low) == len(t.orig)
		s := t.low
		emit := func(from, to int) {
			p := t
			p.low, p.orig = s[from:to], s[from:to]
			if sameLen {
				p.orig = t.orig[from:to]
			}
			out = append(out, p)
		}
		unknown := -1 // start of a run of runes no word covers
		latin := -1   // start of a run of non-CJK runes
		for i := 0; i < len(s); {
			r, size := utf8.DecodeRuneInString(s[i:])
			if !isCJK(r) {
				if unknown >= 0 {
					emit(unknown, i)
					unknown = -1
				}
				if latin < 0 {
					latin = i
				}
				i += size
				continue
			}
			if latin >= 0 {
				emit(latin, i)
				latin = -1
			}
			n := l.longestWord(s[i:])
			if n == 0 {
				if unknown < 0 {
					unknown = i
				}
				i += size
				continue
			}
			if unknown >= 0 {
				emit(unknown, i)
				unknown = -1
			}
			emit(i, i+n)
			i += n
		}
		if unknown >= 0 {
			emit(unknown, len(s))
		}
		if latin >= 0 {
			emit(latin, len(s))
		}
	}
	return out
}

// longestWord is the byte length of the longest dictionary word s starts with, or 0.
func (l *language) longestWord(s string) int {
	best, end, runes := 0, 0, 0
	for end < len(s) && runes < maxSegRunes {
		_, size := utf8.DecodeRuneInString(s[end:])
		end += size
		runes++
		f := l.dict[s[:end]]
		if f&segWord != 0 {
			best = end
		}
		if f&segPrefix == 0 {
			break
		}
	}
	return best
}
