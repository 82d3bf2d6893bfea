package sentiment

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Japanese and Chinese are written without spaces: a run of Han and kana is one token to the
// tokenizer. A language with the segment option splits such a run into the words its lexicon
// knows, choosing the cheapest of the ways to split it (few pieces, few runes left unknown);
// runes no word covers stay together as one unknown token, so they never match a
// one-character entry by accident.

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
	// isStop marks the words that are the lexicon's stopwords (particles, the copula): they
	// place the boundaries between words (可愛くて + 大満足 + です) but are not emitted, since
	// they carry no opinion and would only stand between a word and its negation (良くはない).
	isStop []bool
	// starts marks, for runes below 0x10000, those that begin a word: most runes of a review
	// begin none, and the bit spares them the map lookup.
	starts [0x10000 / 64]uint64
}

func (t *segTrie) add(w string, stop bool) {
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
			t.isStop = append(t.isStop, false)
			t.next[k] = child
		}
		node = child
	}
	t.isWord[node] = true
	t.isStop[node] = stop
}

// buildDict collects every word the lexicon names for segmentation.
func (l *language) buildDict() {
	l.dict = &segTrie{next: map[uint64]int32{}, isWord: []bool{false}, isStop: []bool{false}}
	add := func(w string) {
		if w != "" {
			l.dict.add(w, l.isStopOnly(w))
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

// isStopOnly says whether w is a stopword and nothing else the scorer reads.
func (l *language) isStopOnly(w string) bool {
	_, valued := l.words[w]
	return l.stop[w] && !valued && !l.negators[w] && !l.postNeg[w] && !l.contrast[w] && !l.concessive[w]
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
		// Runs of CJK runes are split; a run of other runes is one token.
		for i := 0; i < len(s); {
			r, _ := utf8.DecodeRuneInString(s[i:])
			cjk, end := isCJK(r), i
			for end < len(s) {
				r, size := utf8.DecodeRuneInString(s[end:])
				if isCJK(r) != cjk {
					break
				}
				end += size
			}
			if cjk {
				l.segmentRun(s, i, end, emit)
			} else {
				emit(i, end, false)
			}
			i = end
		}
	}
	return out
}

// pieceCost is what a piece of a split costs; a rune no word covers costs one more.
const pieceCost = 2

// segmentRun splits the CJK runes s[from:to] the cheapest way: few pieces, and of splits as
// short as each other the one that leaves fewer runes unknown (很 + 好吃, not 很好 + 吃), then
// the one whose first word is longest, as longest match would choose. Longest match left to
// right alone is not enough: it reads "都没得说" ("nothing to fault") as 都没 + 得说 and never
// sees 没得说.
func (l *language) segmentRun(s string, from, to int, emit func(from, to int, unknown bool)) {
	if l.dict == nil { // while the lexicon itself is being parsed
		emit(from, to, true)
		return
	}
	n := utf8.RuneCountInString(s[from:to])
	// rs[i] is rune i and offs[i] its byte offset (offs[n] = to); cost[i] the cost of the
	// cheapest split of runes i..n; word[i] the runes of the word that starts it (negative for
	// a stopword), 0 for an unknown rune. Runs of a review fit the stack array.
	var stack [4 * 64]int32
	buf := stack[:]
	if 4*(n+1) > len(buf) {
		buf = make([]int32, 4*(n+1))
	}
	rs, offs, cost, word := buf[:n+1], buf[n+1:2*(n+1)], buf[2*(n+1):3*(n+1)], buf[3*(n+1):4*(n+1)]
	i := 0
	for off, r := range s[from:to] {
		rs[i], offs[i] = r, int32(from+off)
		i++
	}
	offs[n], cost[n] = int32(to), 0
	for i := n - 1; i >= 0; i-- {
		cost[i], word[i] = cost[i+1]+pieceCost+1, 0
		if r0 := rs[i]; r0 < 0x10000 && l.dict.starts[r0/64]&(1<<(r0%64)) == 0 {
			continue
		}
		node := int32(0)
		for k := i; k < n; k++ {
			child, ok := l.dict.next[uint64(node)<<32|uint64(rs[k])]
			if !ok {
				break
			}
			node = child
			// Shortest first, so among splits as cheap as each other the longest word wins.
			if c := cost[k+1] + pieceCost; l.dict.isWord[node] && c <= cost[i] {
				cost[i], word[i] = c, int32(k+1-i)
				if l.dict.isStop[node] {
					word[i] = -word[i]
				}
			}
		}
	}
	unknown := -1
	for i := 0; i < n; {
		if word[i] == 0 {
			if unknown < 0 {
				unknown = int(offs[i])
			}
			i++
			continue
		}
		if unknown >= 0 {
			emit(unknown, int(offs[i]), true)
			unknown = -1
		}
		if word[i] < 0 { // a stopword: a boundary, not emitted
			i -= int(word[i])
			continue
		}
		emit(int(offs[i]), int(offs[i+int(word[i])]), false)
		i += int(word[i])
	}
	if unknown >= 0 {
		emit(unknown, to, true)
	}
}
