package sentiment

import (
	"math"
	"strings"
)

// Japanese adjectives ending in い inflect by their ending: 薄い is 薄く ("thinly", and the
// form ない negates), 薄くて ("thin, and…"), 薄かった ("was thin"), 薄すぎ ("too thin"), 薄さ
// ("thinness"). Reviews use these forms far more often than the dictionary form, and text has
// no spaces to find a stem by, so the segmenter must know each form as a word. With the
// lexicon option "inflect-adjectives", every valence word ending in い gets its forms, unless
// the lexicon names that form itself (よく is "often" as much as "well").
const (
	// tooPraise: "too" on a word of praise intensifies it (美味しすぎる, "unbelievably
	// tasty"); on anything weaker it is a complaint (大きすぎる, "too big").
	tooPraise = 1.0
	tooScale  = 1.2
	tooBlame  = -1.5
	// nounMin: only strong adjectives keep their valence as nouns: 良さ is praise, but 大きさ
	// and 重さ are "size" and "weight".
	nounMin = 1.5
)

func (l *language) inflectAdjectives() {
	adjectives := make(map[string]entry)
	for w, e := range l.words {
		if strings.HasSuffix(w, "い") && w != "い" {
			adjectives[w] = e
		}
	}
	for w, e := range adjectives {
		// いい ("good") inflects on its older form よい: 気持ちいい, 気持ちよかった.
		stem := strings.TrimSuffix(w, "い")
		if strings.HasSuffix(w, "いい") {
			stem = strings.TrimSuffix(w, "いい") + "よ"
		}
		for _, end := range []string{"く", "くて", "かった", "かったです"} {
			l.addForm(stem+end, e)
		}
		too := entry{val: tooBlame + math.Min(e.val, 0)}
		if e.val >= tooPraise {
			too = entry{val: math.Min(e.val*tooScale, 4)}
		}
		for _, end := range []string{"すぎ", "すぎる", "すぎて", "すぎた", "すぎます", "すぎました", "過ぎ", "過ぎる", "過ぎて", "過ぎた"} {
			l.addForm(stem+end, too)
		}
		if math.Abs(e.val) >= nounMin {
			l.addForm(stem+"さ", e)
		}
	}
}

// addForm adds an inflected form as a word of its own unless the lexicon already names it.
func (l *language) addForm(w string, e entry) {
	_, word := l.words[w]
	_, booster := l.boosters[w]
	if word || booster || l.isFunctionWord(w) || l.block[w] {
		return
	}
	l.words[w] = e
}
