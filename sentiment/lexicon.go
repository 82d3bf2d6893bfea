package sentiment

import (
	"bufio"
	"embed"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

//go:embed lexicon/*.txt
var lexiconFS embed.FS

// unitKind says what a word or phrase does in a sentence.
type unitKind uint8

const (
	ukPlain      unitKind = iota // carries nothing (or a theme only)
	ukValence                    // has a valence, or turns negative when negated
	ukBooster                    // strengthens (or, negative, weakens) the next sentiment word
	ukNegator                    // flips the sentiment words that follow it in its clause
	ukPostNeg                    // flips the sentiment word before it ("funktioniert nicht", "iyi değil")
	ukContrast                   // "but": what follows weighs more, what precedes less
	ukConcessive                 // "although": its own clause weighs less
	ukBlock                      // a fixed expression that must not be read word by word ("at least")
	ukVerdict                    // "Update:", "Nachtrag": what follows is the review's last word
)

// entry is a lexicon value on VADER's scale (-4..4). neg, when set, replaces the default
// negation: "work" is neutral but "does not work" is a complaint, so it is written "work 0 !-2.5".
type entry struct {
	val    float64
	neg    float64
	hasNeg bool
}

type pattern struct {
	s    string // lower-cased, as written in the lexicon
	f    string // folded, what phrases are matched on
	stem bool   // matches any word starting with the pattern
}

type phrase struct {
	words []pattern
	kind  unitKind
	e     entry
	boost float64
	fixed bool // holds a negator itself ("never arrived", "marche plus")
	pre   bool // negator phrase reaching forward
	post  bool // negator phrase reaching back
}

func samePatterns(a, b []pattern) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// suffixRule rewrites an inflected ending to the lexicon's base form ("buenas" → "bueno").
type suffixRule struct{ from, to string }

// language holds everything scoring needs for one language, built once at init.
type language struct {
	code            string
	words           map[string]entry
	stems           map[string]entry
	stemMin         int
	stemMax         int
	boosters        map[string]float64
	negators        map[string]bool
	postNeg         map[string]bool
	contrast        map[string]bool
	concessive      map[string]bool
	block           map[string]bool
	unnegate        map[string]bool // "can't recommend it enough": a negation that praises
	conj            map[string]bool // "and", "or": where Phrases stops an n-gram
	gap             map[string]bool // may stand inside a phrase without breaking it ("se me rompió")
	danglingNeg     float64         // the valence of a negation that flips no sentiment word, if any
	verdict         map[string]bool // "Update:", "Nachtrag": what follows is the last word
	stop            map[string]bool
	phrases         map[string][]*phrase // by first word; longest first
	suffixes        []suffixRule
	splitElision    bool
	segmentCJK      bool     // split runs of Han and kana into lexicon words (ja, zh)
	inflectAdj      bool     // add the inflected forms of adjectives ending in い (ja; inflect.go)
	postNegAdjacent bool     // a post-negator negates only the word it ends (ja)
	dict            *segTrie // every word the lexicon names, when segmentCJK
	themes          themeMatcher
	core            map[string]bool // words from the language's own file, used as detection evidence
	inFile          bool
}

func newLanguage(code string) *language {
	return &language{
		code:       code,
		words:      map[string]entry{},
		stems:      map[string]entry{},
		stemMin:    1 << 30,
		boosters:   map[string]float64{},
		negators:   map[string]bool{},
		postNeg:    map[string]bool{},
		contrast:   map[string]bool{},
		concessive: map[string]bool{},
		block:      map[string]bool{},
		unnegate:   map[string]bool{},
		conj:       map[string]bool{},
		gap:        map[string]bool{},
		verdict:    map[string]bool{},
		stop:       map[string]bool{},
		phrases:    map[string][]*phrase{},
		themes:     newThemeMatcher(),
		core:       map[string]bool{},
	}
}

// parse reads a lexicon file. The format is line based:
//
//	@section [argument]       valence, booster, negator, postnegator, contrast, concessive,
//	                          block, unnegate, conjunction, gap, verdict, stopword, suffix,
//	                          option, theme <name>
//	term value [!negated]     in valence and booster; a term may be a phrase, a trailing * makes
//	                          a word a stem; "=value" marks a phrase that holds its own negation
//	                          (phrases containing a negator are marked so automatically)
//	term, term, ...           in list sections (stopword and suffix: separated by spaces)
//	# comment
func (l *language) parse(raw string) error {
	l.inFile = true
	defer func() { l.inFile = false }()
	section, arg := "", ""
	sc := bufio.NewScanner(strings.NewReader(raw))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	n := 0
	seen := map[string]bool{}
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.HasPrefix(line, "@") {
			f := strings.Fields(line[1:])
			section, arg = f[0], ""
			if len(f) > 1 {
				arg = f[1]
			}
			continue
		}
		var err error
		switch section {
		case "valence", "booster":
			// A term written twice is a mistake that hides: a word keeps its last value, a
			// phrase its first.
			term := valuedTerm(line)
			if seen[section+"\x00"+term] {
				err = fmt.Errorf("%q is already in @%s", term, section)
				break
			}
			seen[section+"\x00"+term] = true
			err = l.addValued(section, line)
		case "stopword":
			for _, w := range strings.Fields(line) {
				if l.splitElision {
					w = strings.TrimSuffix(w, "'")
				}
				l.stop[w] = true
			}
		case "suffix":
			for _, r := range strings.Fields(line) {
				from, to, _ := strings.Cut(r, ">")
				l.suffixes = append(l.suffixes, suffixRule{from, to})
			}
		case "option":
			switch line {
			case "split-elision":
				l.splitElision = true
			case "segment":
				l.segmentCJK = true
			case "inflect-adjectives":
				l.inflectAdj = true
			case "post-negation-adjacent":
				l.postNegAdjacent = true
			default:
				v, ok := strings.CutPrefix(line, "dangling-negation ")
				f, perr := strconv.ParseFloat(v, 64)
				if !ok || perr != nil {
					err = fmt.Errorf("unknown option")
					break
				}
				l.danglingNeg = f
			}
		case "theme":
			for _, t := range splitList(line) {
				l.themes.add(l, arg, t)
			}
		case "unnegate":
			for _, t := range splitList(line) {
				l.unnegate[t] = true
			}
		case "conjunction":
			for _, t := range splitList(line) {
				l.conj[l.fold(t)] = true
			}
		case "gap":
			for _, t := range splitList(line) {
				l.gap[l.fold(t)] = true
			}
		case "verdict":
			for _, t := range splitList(line) {
				l.verdict[l.fold(t)] = true
			}
		case "negator", "postnegator", "contrast", "concessive", "block":
			for _, t := range splitList(line) {
				l.addListed(section, t)
			}
		default:
			err = fmt.Errorf("unknown section %q", section)
		}
		if err != nil {
			return fmt.Errorf("line %d %q: %w", n, line, err)
		}
	}
	return sc.Err()
}

func splitList(line string) []string {
	parts := strings.Split(line, ",")
	out := parts[:0]
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// valuedTerm is the term of a valence or booster line: the line without its value and
// negated value.
func valuedTerm(line string) string {
	f := strings.Fields(line)
	if len(f) > 0 && strings.HasPrefix(f[len(f)-1], "!") {
		f = f[:len(f)-1]
	}
	if len(f) > 0 {
		f = f[:len(f)-1]
	}
	return strings.Join(f, " ")
}

func (l *language) addValued(section, line string) error {
	f := strings.Fields(line)
	var e entry
	if last := f[len(f)-1]; strings.HasPrefix(last, "!") {
		v, err := strconv.ParseFloat(last[1:], 64)
		if err != nil {
			return fmt.Errorf("negated value: %w", err)
		}
		e.neg, e.hasNeg = v, true
		f = f[:len(f)-1]
	}
	if len(f) < 2 {
		return fmt.Errorf("want term and value")
	}
	raw := f[len(f)-1]
	fixed := strings.HasPrefix(raw, "=")
	v, err := strconv.ParseFloat(strings.TrimPrefix(raw, "="), 64)
	if err != nil {
		return fmt.Errorf("value: %w", err)
	}
	e.val = v
	pats := l.patterns(strings.Join(f[:len(f)-1], " "))
	if section == "booster" {
		if len(pats) == 1 && !pats[0].stem {
			l.boosters[pats[0].s] = v
		} else {
			l.addPhrase(&phrase{words: pats, kind: ukBooster, boost: v})
		}
		return nil
	}
	switch {
	case len(pats) > 1:
		l.addPhrase(&phrase{words: pats, kind: ukValence, e: e, fixed: fixed})
	case pats[0].stem:
		l.stems[pats[0].s] = e
	default:
		l.words[pats[0].s] = e
		if l.inFile {
			l.core[pats[0].s] = true
		}
	}
	return nil
}

func (l *language) addListed(section, term string) {
	pats := l.patterns(term)
	kind := map[string]unitKind{"negator": ukNegator, "postnegator": ukPostNeg, "contrast": ukContrast,
		"concessive": ukConcessive, "block": ukBlock}[section]
	if len(pats) > 1 || pats[0].stem {
		// A phrase listed as both negator and post-negator ("gar nicht") is one phrase that
		// reaches both ways.
		if kind == ukNegator || kind == ukPostNeg {
			for _, p := range l.phrases[pats[0].f] {
				if (p.kind == ukNegator || p.kind == ukPostNeg) && samePatterns(p.words, pats) {
					p.pre = p.pre || kind == ukNegator
					p.post = p.post || kind == ukPostNeg
					return
				}
			}
		}
		l.addPhrase(&phrase{words: pats, kind: kind, pre: kind == ukNegator, post: kind == ukPostNeg})
		return
	}
	w := pats[0].s
	switch kind {
	case ukNegator:
		l.negators[w] = true
	case ukPostNeg:
		l.postNeg[w] = true
	case ukContrast:
		l.contrast[w] = true
	case ukConcessive:
		l.concessive[w] = true
	case ukBlock:
		l.block[w] = true
	}
}

// patterns tokenises a lexicon term with the same tokenizer as review text, so "n'est pas" or
// "well-made" split exactly as they will in a review.
func (l *language) patterns(term string) []pattern {
	var pats []pattern
	for _, w := range strings.Fields(term) {
		stem := strings.HasSuffix(w, "*")
		w = strings.TrimSuffix(w, "*")
		d := tokenize(w, nil)
		toks := l.splitTokens(d.toks)
		for k, t := range toks {
			pats = append(pats, pattern{s: t.low, f: l.fold(t.low), stem: stem && k == len(toks)-1})
		}
		if len(toks) == 0 { // punctuation-only term such as an emoticon
			pats = append(pats, pattern{s: w, f: w, stem: stem})
		}
	}
	return pats
}

// addPhrase files a phrase under its folded first word; a phrase may not start with a stem.
func (l *language) addPhrase(p *phrase) {
	first := p.words[0].f
	l.phrases[first] = append(l.phrases[first], p)
}

// finish adds accent-folded keys (shoppers often type "tres bien", "schoen", "cok guzel") where
// they do not collide with a real word, and orders phrases longest first.
func (l *language) finish() {
	if l.inflectAdj {
		l.inflectAdjectives()
	}
	if l.segmentCJK {
		defer l.buildDict()
	}
	for k, e := range l.words {
		if f := l.fold(k); f != k {
			if _, taken := l.words[f]; !taken && !l.isFunctionWord(f) {
				l.words[f] = e
			}
		}
	}
	for k, e := range l.stems {
		if f := l.fold(k); f != k {
			if _, taken := l.stems[f]; !taken {
				l.stems[f] = e
			}
		}
	}
	for k := range l.stems {
		if len(k) < l.stemMin {
			l.stemMin = len(k)
		}
		if len(k) > l.stemMax {
			l.stemMax = len(k)
		}
	}
	for _, m := range []map[string]bool{l.negators, l.postNeg, l.contrast, l.concessive, l.block} {
		for k := range m {
			if f := l.fold(k); f != k {
				if !l.isFunctionWord(f) {
					m[f] = true
				}
			}
		}
	}
	for k, v := range l.boosters {
		if f := l.fold(k); f != k {
			if _, taken := l.boosters[f]; !taken && !l.isFunctionWord(f) {
				l.boosters[f] = v
			}
		}
	}
	for _, ps := range l.phrases {
		for _, p := range ps {
			for _, w := range p.words {
				if p.kind == ukValence && (l.negators[w.s] || l.postNeg[w.s] || l.negators[w.f] || l.postNeg[w.f]) {
					p.fixed = true
				}
			}
		}
	}
	for first, ps := range l.phrases {
		sort.SliceStable(ps, func(i, j int) bool { return len(ps[i].words) > len(ps[j].words) })
		l.phrases[first] = ps
	}
	sort.SliceStable(l.suffixes, func(i, j int) bool { return len(l.suffixes[i].from) > len(l.suffixes[j].from) })
	l.themes.finish(l)
}

func (l *language) isFunctionWord(w string) bool {
	return l.stop[w] || l.negators[w] || l.postNeg[w] || l.contrast[w] || l.concessive[w]
}

// lookup finds a word's valence: exact, then accent-folded, then with an inflection rewritten,
// then by the longest stem it starts with.
// exact is w's own entry (as written or folded), without suffix or stem readings.
func (l *language) exact(w string) (entry, bool) {
	if e, ok := l.words[w]; ok {
		return e, true
	}
	e, ok := l.words[l.fold(w)]
	return e, ok
}

func (l *language) lookup(w string) (entry, bool) {
	if e, ok := l.words[w]; ok {
		return e, true
	}
	f := l.fold(w)
	if f != w {
		if e, ok := l.words[f]; ok {
			return e, true
		}
	}
	if e, ok := l.suffixLookup(w); ok {
		return e, true
	}
	if f != w {
		if e, ok := l.suffixLookup(f); ok {
			return e, true
		}
	}
	if e, ok := l.stemLookup(w); ok {
		return e, true
	}
	if f != w {
		return l.stemLookup(f)
	}
	return entry{}, false
}

// minBase is the shortest base form a suffix rule may leave (in bytes): "bonne" → "bon" counts,
// "us" → "u" does not.
const minBase = 3

// suffixLookup rewrites w's ending by each suffix rule and looks the result up. The key is
// built in a stack buffer: a map lookup by string(bytes) does not allocate.
func (l *language) suffixLookup(w string) (entry, bool) {
	var buf [96]byte
	for _, s := range l.suffixes {
		if len(w)-len(s.from)+len(s.to) < minBase || !strings.HasSuffix(w, s.from) {
			continue
		}
		key := append(append(buf[:0], w[:len(w)-len(s.from)]...), s.to...)
		if e, ok := l.words[string(key)]; ok {
			return e, true
		}
	}
	return entry{}, false
}

func (l *language) stemLookup(w string) (entry, bool) {
	if len(l.stems) == 0 {
		return entry{}, false
	}
	n := len(w)
	if n > l.stemMax {
		n = l.stemMax
	}
	for ; n >= l.stemMin; n-- {
		if !isRuneStart(w, n) {
			continue
		}
		if e, ok := l.stems[w[:n]]; ok {
			return e, true
		}
	}
	return entry{}, false
}

func isRuneStart(s string, i int) bool { return i >= len(s) || s[i]&0xC0 != 0x80 }

// matchPattern tests one folded word against one phrase pattern. Inflected words match too
// ("trop petite" matches "trop petit") through the language's suffix rules.
func (l *language) matchPattern(p pattern, folded string) bool {
	if p.stem {
		return strings.HasPrefix(folded, p.f)
	}
	if folded == p.f {
		return true
	}
	for _, s := range l.suffixes {
		if len(folded)-len(s.from)+len(s.to) < minBase || !strings.HasSuffix(folded, s.from) {
			continue
		}
		base := folded[:len(folded)-len(s.from)]
		if len(base)+len(s.to) == len(p.f) && strings.HasPrefix(p.f, base) && strings.HasSuffix(p.f, s.to) {
			return true
		}
	}
	return false
}
