package sentiment

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Japanese and Chinese are written without spaces: a run of Han and kana is one token to the
// tokenizer. A language with the segment option splits such a run into the words its lexicon
// knows by longest match, left to right; runes no word covers stay together as one unknown
// token, so they never match a one-character entry by accident.

func isCJK(r rune) bool {
	if r >= 0x3040 && r <= 0x9FFF {
		return true
	}
	return unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r) || r == 'ー'
}

// The segmentation dictionary is a rune trie kept in one map: the child of node n on rune r is
// trie[n<<32|r], and isWord[n] says whether the path to n spells a word. Longest match walks it
// one rune at a time and stops as soon as no word continues, with one integer-keyed lookup a
// rune instead of hashing every growing prefix.
type segTrie struct {
	next   map[uint64]int32
	isWord []bool
	// starts marks, for runes below 0x10000, those that begin a word: most runes of a review
	// begin none, and the bit spares them the map lookup.
	starts [0x10000 / 64]uint64
}

func (t *segTrie) add(w string) {
	if r, _ := utf8.DecodeRuneInString(w); r < 0x10000 {
		t.starts[r/64] |= 1 << (r % 64)
	}
	node := int32(0)
	for _, r := range w {
		k := uint64(node)<<32 | uint64(r)
		child, ok := t.next[k]
		if !ok {
			child = int32(len(t.isWord))
			t.isWord = append(t.isWord, false)
			t.next[k] = child
		}
		node = child
	}
	t.isWord[node] = true
}

// buildDict collects every word the lexicon names for segmentation.
func (l *language) buildDict() {
	l.dict = &segTrie{next: map[uint64]int32{}, isWord: []bool{false}}
	add := func(w string) {
		if w != "" {
			l.dict.add(w)
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

// hasCJK says whether a word token holds a CJK rune anywhere ("usb接口" starts with Latin).
func hasCJK(t token) bool {
	return t.kind == tkWord && strings.ContainsFunc(t.low, isCJK)
}

// segment splits the CJK runs of toks into dictionary words.
func (l *language) segment(toks []token) []token {
	if !slices.ContainsFunc(toks, hasCJK) {
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
		emit := func(from, to int, unknown bool) {
			p := t
			p.unknown = unknown
			p.low, p.orig = s[from:to], s[from:to]
			if sameLen {
				p.orig = t.orig[from:to]
			}
			out = append(out, p)
		}
		// A run is flushed when the next rune leaves it: runs of runes no word covers, and runs
		// of non-CJK runes, each become one token.
		flush := func(start *int, end int, unknown bool) {
			if *start >= 0 {
				emit(*start, end, unknown)
				*start = -1
			}
		}
		unknown, latin := -1, -1 // where the current run of each kind started
		for i := 0; i < len(s); {
			r, size := utf8.DecodeRuneInString(s[i:])
			if !isCJK(r) {
				flush(&unknown, i, true)
				if latin < 0 {
					latin = i
				}
				i += size
				continue
			}
			flush(&latin, i, false)
			n := l.longestWord(s[i:])
			if n == 0 {
				if unknown < 0 {
					unknown = i
				}
				i += size
				continue
			}
			flush(&unknown, i, true)
			emit(i, i+n, false)
			i += n
		}
		flush(&unknown, len(s), true)
		flush(&latin, len(s), false)
	}
	return out
}

// longestWord is the byte length of the longest dictionary word s starts with, or 0.
func (l *language) longestWord(s string) int {
	if l.dict == nil { // while the lexicon itself is being parsed
		return 0
	}
	r0, _ := utf8.DecodeRuneInString(s)
	if r0 < 0x10000 && l.dict.starts[r0/64]&(1<<(r0%64)) == 0 {
		return 0
	}
	best, node := 0, int32(0)
	for end, r := range s {
		if end > 0 && l.dict.isWord[node] {
			best = end
		}
		child, ok := l.dict.next[uint64(node)<<32|uint64(r)]
		if !ok {
			return best
		}
		node = child
	}
	if l.dict.isWord[node] {
		best = len(s)
	}
	return best
}
