package sentiment

import (
	"math"
	"slices"
	"strings"
	"unicode/utf8"
)

// Constants of the rules: the caps and punctuation increments are VADER's, measured by its
// authors with human raters (so is the 0.293 of intensifiers, written in the lexicon files);
// the rest are this package's, checked on both halves of the evaluation data.
const (
	capsIncr       = 0.733 // SHOUTING a sentiment word among lower-case ones adds this
	exclIncr       = 0.292 // each '!' (up to 4) adds this in the direction of the text
	maxExcl        = 4
	questIncr      = 0.18
	maxQuest       = 0.96
	negPositive    = -0.74 // "not good": a negated positive word turns negative, a bit weaker
	negNegative    = -0.5  // "not bad": a negated negative word is mildly positive, not glowing
	alpha          = 15.0  // normalisation: compound = sum / sqrt(sum² + alpha)
	contrastAfter  = 1.5   // weight of the clause after "but"
	contrastBefor  = 0.5   // weight of what came before "but"
	concessive     = 0.5   // weight of an "although" clause
	verdictAfter   = 2.0   // weight of a review's last word ("Update: …", or a strong last sentence)
	verdictBefore  = 0.4   // weight of what it overrides
	strongVerdict  = 2.0   // how strong a last sentence must be to override what came before
	negScope       = 3     // a negator reaches this many words ahead (never past a comma)
	postNegScope   = 3     // a post-negator ("nicht", "değil") reaches this many words back
	questionWeight = 0.5   // a question asserts less than a statement ("is it any good?")
	titleWeight    = 2.0   // a review's title is the writer's own verdict on the whole
	unnegateBoost  = 1.3   // "can't recommend it enough" is stronger than "recommend"
	shortText      = 12    // tokens up to which an unsure language guess is checked against lexicons
)

var boostScale = [4]float64{0, 1, 0.95, 0.9}

// unit is one word, phrase, emoji or emoticon after lexicon lookup.
type unit struct {
	kind    unitKind
	w       string // folded word, for single-word units
	e       entry
	alt     entry // a booster's or negator's own valence, used when nothing follows it ("pretty dress")
	hasAlt  bool
	boost   float64
	pre     bool // negator reaching forward
	post    bool // negator reaching back
	clause  int
	sent    int
	caps    bool
	negated bool
	fixed   bool // a phrase that already holds its negation ("never arrived"): not negated again
	val     float64
	weight  float64
}

// analysis is a scored text, kept whole because Themes and Phrases need its parts.
type analysis struct {
	lang     *language
	code     string
	langConf float64
	toks     []token
	folds    []string
	units    []unit
	sum      float64
	compound float64
	nSent    int // sentiment-bearing units
}

// analyzeText tokenises, detects the language when lang is not a supported code, and scores.
// A text in a language without a lexicon is scored on its emoji and emoticons only.
func analyzeText(text, lang string) analysis {
	d := tokenize(text, emoticons)
	return analyzeTokens(&d, lang)
}

// analyzeReview scores a review's title and body as one text in which the title, the writer's
// own verdict on the whole ("Runs small, returned it", "Nicht so gut wie sein Ruf"), weighs
// titleWeight times as much as the body when the body has an opinion of its own.
func analyzeReview(title, body, lang string) analysis {
	if strings.TrimSpace(title) == "" {
		return analyzeText(body, lang)
	}
	d := tokenizeTitled(title+"\n"+body, len(title), emoticons)
	return analyzeTokens(&d, lang)
}

// analyzeTokens is analyzeText on a text already tokenised.
func analyzeTokens(d *doc, lang string) analysis {
	if l, ok := languages[lang]; ok {
		return analyzeDoc(d, l, lang, 1)
	}
	code, conf, evidence := detectScores(d)
	a := analyzeDoc(d, languages[code], code, conf)
	// Short reviews ("Ottimo", "Sehr gut") carry too few function words to identify their
	// language, so when detection is unsure the language whose lexicon understands the most
	// words wins; ties go to the language with more detection evidence, then to the detected one.
	// Scripts other than Latin are decided by their letters and are not second-guessed.
	if _, ok := langIndex[code]; ok && code != "ru" && !languages[code].segmentCJK && conf < 0.5 && len(d.toks) <= shortText {
		bestEv := evidence[langIndex[code]]
		for i, c := range supported {
			if c == a.code || c == "ru" || languages[c].segmentCJK {
				continue // decided by their script, never by a short Latin text
			}
			b := analyzeDoc(d, languages[c], c, 0)
			if b.nSent > a.nSent || (b.nSent == a.nSent && b.nSent > 0 && evidence[i] > bestEv) {
				a, bestEv = b, evidence[i]
			}
		}
		if a.code != code {
			a.langConf = math.Min(0.3+0.1*float64(a.nSent), 0.6)
		}
	}
	return a
}

func analyzeDoc(d *doc, l *language, code string, conf float64) analysis {
	a := analysis{lang: l, code: code, langConf: conf}
	toks := d.toks
	if l == nil {
		l = languages["en"]
		a.lang = l
		a.langConf = math.Min(a.langConf, 0.3)
		// Only emoji and emoticons are understood; drop the words.
		toks = make([]token, 0, len(d.toks))
		for _, t := range d.toks {
			if t.kind != tkWord {
				toks = append(toks, t)
			}
		}
	}
	a.toks = l.splitTokens(toks)
	a.folds = make([]string, len(a.toks))
	for i, t := range a.toks {
		if t.kind == tkWord {
			a.folds[i] = l.fold(t.low)
		} else {
			a.folds[i] = t.low
		}
	}
	a.units = l.buildUnits(a.toks, a.folds)
	for i := range a.units {
		if s := a.units[i].sent; s < len(d.asks) && d.asks[s] {
			a.units[i].weight = questionWeight
		}
	}
	weighTitle(a.units, d.titleSents)
	a.sum, a.nSent = l.scoreUnits(a.units, d.capDiff)
	if a.sum != 0 {
		a.sum += math.Copysign(punctuationEmphasis(d.excl, d.quest), a.sum)
	}
	a.compound = a.sum / math.Sqrt(a.sum*a.sum+alpha)
	return a
}

// weighTitle gives the units of a review's first titleSents sentences, its title, titleWeight
// when the body holds a sentiment word too: a title alone is the whole review, not a verdict
// over anything.
func weighTitle(us []unit, titleSents int) {
	if titleSents == 0 || !slices.ContainsFunc(us, func(u unit) bool { return u.sent >= titleSents && u.kind == ukValence }) {
		return
	}
	for i := range us {
		if us[i].sent < titleSents {
			us[i].weight *= titleWeight
		}
	}
}

func punctuationEmphasis(excl, quest int) float64 {
	e := float64(min(excl, maxExcl)) * exclIncr
	switch {
	case quest > 3:
		e += maxQuest
	case quest > 1:
		e += float64(quest) * questIncr
	}
	return e
}

// matchPhraseAt returns how many tokens the phrase spans if it matches at i (all in one
// clause), else 0. One gap word (a clitic or filler the language lists: "se me rompió",
// "tamanho veio errado") may stand between two of its words.
func (l *language) matchPhraseAt(ws []pattern, folds []string, toks []token, i int) int {
	j, gapped := i, false
	for k, p := range ws {
		for {
			if j >= len(toks) {
				return 0
			}
			t := toks[j]
			if t.kind != tkWord && t.kind != tkEmoticon {
				return 0
			}
			if k > 0 && t.clause != toks[i].clause {
				return 0
			}
			if l.matchPattern(p, folds[j]) {
				break
			}
			if k == 0 || gapped || !l.gap[folds[j]] {
				return 0
			}
			gapped = true
			j++
		}
		j++
	}
	return j - i
}

func (l *language) buildUnits(toks []token, folds []string) []unit {
	us := make([]unit, 0, len(toks))
	for i := 0; i < len(toks); {
		t := toks[i]
		u := unit{clause: t.clause, sent: t.sent, caps: t.caps, weight: 1, w: folds[i]}
		n := 1
		switch t.kind {
		case tkEmoji:
			r, _ := utf8.DecodeRuneInString(t.low)
			if v, ok := emojiValence[r]; ok {
				u.kind, u.e = ukValence, entry{val: v}
			}
		case tkEmoticon:
			if v, ok := emoticons[t.orig]; ok {
				u.kind, u.e = ukValence, entry{val: v}
			}
		default:
			if t.unknown || t.title {
				break
			}
			matched := false
			for _, p := range l.phrases[folds[i]] {
				if m := l.matchPhraseAt(p.words, folds, toks, i); m > 0 {
					n, matched = m, true
					u.kind, u.e, u.boost, u.fixed = p.kind, p.e, p.boost, p.fixed
					if p.kind == ukNegator || p.kind == ukPostNeg {
						u.kind, u.pre, u.post = ukNegator, p.pre, p.post
					}
					break
				}
			}
			if !matched {
				l.classifyWord(&u, t.low, folds[i])
				if u.kind == ukNegator && t.hyphen {
					// "Nicht-Fußballfan", "non-iron": a prefix of the next word, not a negation.
					u.kind, u.pre, u.post = ukPlain, false, false
				}
			}
		}
		us = append(us, u)
		i += n
	}
	// A word that is both an intensifier and a sentiment word ("pretty", "super") intensifies
	// when a sentiment word follows it and otherwise keeps its own valence.
	for i := range us {
		u := &us[i]
		if u.kind != ukBooster || !u.hasAlt {
			continue
		}
		next := i + 1
		if next < len(us) && us[next].clause == u.clause && (us[next].kind == ukValence || us[next].kind == ukBooster) {
			continue
		}
		u.kind, u.e = ukValence, u.alt
	}
	return us
}

func (l *language) classifyWord(u *unit, w, f string) {
	// in is a lookup of the word as written, then folded when folding changed it.
	in := func(m map[string]bool) bool { return m[w] || (f != w && m[f]) }
	pre, post := in(l.negators), in(l.postNeg)
	switch {
	case pre || post:
		u.kind, u.pre, u.post = ukNegator, pre, post
		if l.danglingNeg != 0 { // the negator's own value stands in for a dangling negation
			if e, ok := l.exact(w); ok {
				u.alt, u.hasAlt = e, true
			}
		}
	case in(l.contrast):
		u.kind = ukContrast
	case in(l.concessive):
		u.kind = ukConcessive
	case in(l.block):
		u.kind = ukBlock
	case l.verdict[f]:
		u.kind = ukVerdict
	default:
		if b, ok := l.boosters[w]; ok {
			u.kind, u.boost = ukBooster, b
			if e, ok := l.exact(w); ok {
				u.alt, u.hasAlt = e, true
			}
			return
		}
		if in(l.stop) {
			return
		}
		if e, ok := l.lookup(w); ok && (e.val != 0 || e.hasNeg) {
			u.kind, u.e = ukValence, e
		}
	}
}

// scoreUnits applies intensifiers, emphasis, negation and contrast and returns the weighted sum
// of valences and the number of sentiment-bearing units.
func (l *language) scoreUnits(us []unit, capDiff bool) (float64, int) {
	for i := range us {
		u := &us[i]
		if u.kind != ukValence {
			continue
		}
		v := u.e.val
		if v != 0 {
			if u.caps && capDiff {
				v += math.Copysign(capsIncr, v)
			}
			for k := 1; k <= 3 && i-k >= 0; k++ {
				p := us[i-k]
				if p.clause != u.clause {
					break
				}
				if p.kind == ukBooster {
					b := p.boost
					if p.caps && capDiff {
						b += math.Copysign(capsIncr, b)
					}
					if v > 0 {
						v += b * boostScale[k]
					} else {
						v -= b * boostScale[k]
					}
				}
			}
		}
		u.val = v
	}

	var dangling []int
	for i := range us {
		u := us[i]
		if u.kind != ukNegator {
			continue
		}
		found := false
		if u.pre {
			for j := i + 1; j < len(us) && j <= i+negScope; j++ {
				if us[j].clause != u.clause || us[j].kind == ukContrast || us[j].kind == ukConcessive {
					break
				}
				if us[j].kind == ukValence && us[j].fixed {
					found = true
					continue
				}
				if us[j].kind == ukValence && !us[j].negated {
					if l.praisingNegation(us, j) {
						us[j].negated = true
						us[j].val *= unnegateBoost
					} else {
						negate(&us[j])
					}
					found = true
				}
			}
		}
		if u.post && u.pre && l.segmentCJK && !clauseEnd(us, i) {
			// 都没 / 也没 reach back only when they close the clause ("一点吸引力都没有"); before
			// a verb ("都没收到") they negate forward only.
			u.post = false
		}
		if u.post {
			found = l.negateBack(us, i, found)
		}
		// A negator that reaches forward must have a word after it ("没有吹风机"); one that
		// only reaches back, a word before it ("効果がありません").
		if !found && l.danglingNeg != 0 && (u.pre && i+1 < len(us) && us[i+1].clause == u.clause ||
			!u.pre && i > 0 && us[i-1].clause == u.clause) {
			dangling = append(dangling, i)
		}
	}
	// A negation with no sentiment word to flip ("没有吹风机", "不亮", "効果がありません")
	// names what is missing or does not work: in languages that set it, that is a complaint of
	// its own, as strong as the negator's own valence if it has one ("不如一本字典": not as good
	// as).
	for _, i := range dangling {
		us[i].kind, us[i].val = ukValence, l.danglingNeg
		if us[i].hasAlt {
			us[i].val = us[i].alt.val
		}
	}

	applyContrast(us)
	applyVerdict(us)

	sum, n := 0.0, 0
	for _, u := range us {
		if u.kind == ukValence && u.val != 0 {
			sum += u.val * u.weight
			n++
		}
	}
	return sum, n
}

// negateBack applies the post-negator us[i] to the word it follows and says whether it found
// one; found says whether the negator already negated a word ahead of it.
func (l *language) negateBack(us []unit, i int, found bool) bool {
	clause := us[i].clause
	if l.postNegAdjacent {
		// ない and ません end the word they negate (使えない, 良くない; segmentation drops the
		// particle of 良くはない). A word further back belongs to another predicate: in
		// 小さすぎて着られません ("too small, I can't wear it") what is negated is 着られ.
		j := i - 1
		if j < 0 || us[j].clause != clause || us[j].kind != ukValence {
			return found
		}
		if !us[j].negated && !us[j].fixed {
			negate(&us[j])
		}
		return true
	}
	// A clause-final "nicht" / "niet" belongs to the clause's verb whose negation is a
	// complaint of its own ("passt … nicht richtig", "funktioniert … nicht mehr"), however far
	// back it stands.
	for j := i - 1; j >= 0 && us[j].clause == clause && us[j].kind != ukContrast; j-- {
		if us[j].kind == ukValence && us[j].e.hasNeg && !us[j].negated && !us[j].fixed {
			negate(&us[j])
			return true
		}
	}
	if found {
		return true
	}
	for j := i - 1; j >= 0 && j >= i-postNegScope; j-- {
		if us[j].clause != clause || us[j].kind == ukContrast {
			break
		}
		if us[j].kind == ukValence && us[j].fixed {
			break
		}
		if us[j].kind == ukValence && !us[j].negated {
			negate(&us[j])
			return true
		}
	}
	return false
}

// clauseEnd says whether unit i closes its clause: nothing but sentence-final particles
// ("都没有了", "都没有啊") follows it there.
func clauseEnd(us []unit, i int) bool {
	for j := i + 1; j < len(us) && us[j].clause == us[i].clause; j++ {
		if !finalParticles[us[j].w] {
			return false
		}
	}
	return true
}

var finalParticles = map[string]bool{"了": true, "啊": true, "呢": true, "吧": true, "呀": true, "哦": true, "嘛": true, "的": true, "哈": true}

// masses are the sums of a text's positive and of its negative units, before contrast and
// verdict weights: how much of each the text says, not which side it ends on.
func (a analysis) masses() (pos, neg float64) {
	for _, u := range a.units {
		if u.kind != ukValence {
			continue
		}
		if v := u.val; v > 0 {
			pos += v
		} else {
			neg -= v
		}
	}
	return pos, neg
}

// praisingNegation spots "can't recommend it enough" / "couldn't praise it highly enough":
// an unnegate word after the negated word in the same clause turns the negation into praise.
func (l *language) praisingNegation(us []unit, j int) bool {
	if len(l.unnegate) == 0 {
		return false
	}
	for k := j + 1; k < len(us) && k <= j+4 && us[k].clause == us[j].clause; k++ {
		if l.unnegate[us[k].w] {
			return true
		}
	}
	return false
}

func negate(u *unit) {
	u.negated = true
	switch {
	case u.e.hasNeg:
		u.val = u.e.neg
	case u.val > 0:
		u.val *= negPositive
	default:
		u.val *= negNegative
	}
}

// applyVerdict lets a review lean to its ending. After "Update:" or "Nachtrag" opening a
// sentence, what follows is the shopper's last word: it weighs more and everything before less.
// Otherwise a last sentence that strongly says the opposite of what came before ("… Muy mala
// calidad.") outweighs the praise it follows; a mild last remark does not.
func applyVerdict(us []unit) {
	for i, u := range us {
		if u.kind == ukVerdict && (i == 0 || us[i-1].sent != u.sent) {
			for j := range us {
				if j < i {
					us[j].weight *= verdictBefore
				} else {
					us[j].weight *= verdictAfter
				}
			}
			return
		}
	}
	last := -1
	for _, u := range us {
		if u.kind == ukValence && u.val != 0 {
			last = u.sent
		}
	}
	var before, end, strongest float64
	for _, u := range us {
		if u.kind != ukValence || u.val == 0 {
			continue
		}
		if u.sent == last {
			end += u.val * u.weight
			strongest = math.Max(strongest, math.Abs(u.val))
		} else {
			before += u.val * u.weight
		}
	}
	if before == 0 || end == 0 || (before > 0) == (end > 0) || strongest < strongVerdict {
		return
	}
	for j := range us {
		if us[j].sent == last {
			us[j].weight *= verdictAfter
		} else {
			us[j].weight *= verdictBefore
		}
	}
}

// applyContrast weights clauses: after "but" more, before it less; a sentence that opens with
// "but" demotes the sentence before it; an "although" clause counts less.
func applyContrast(us []unit) {
	for i, u := range us {
		switch u.kind {
		case ukContrast:
			first := i
			for first > 0 && us[first-1].sent == u.sent {
				first--
			}
			if first == i && i > 0 {
				prev := us[i-1].sent
				for j := i - 1; j >= 0 && us[j].sent == prev; j-- {
					us[j].weight *= contrastBefor
				}
			} else {
				for j := first; j < i; j++ {
					us[j].weight *= contrastBefor
				}
			}
			for j := i + 1; j < len(us) && us[j].sent == u.sent; j++ {
				us[j].weight *= contrastAfter
			}
		case ukConcessive:
			j := i
			for ; j < len(us) && us[j].clause == u.clause; j++ {
				us[j].weight *= concessive
			}
			leads := i == 0 || us[i-1].sent != u.sent
			if leads {
				for ; j < len(us) && us[j].sent == u.sent; j++ {
					us[j].weight *= contrastAfter
				}
			}
		}
	}
}
