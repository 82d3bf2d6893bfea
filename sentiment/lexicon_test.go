package sentiment

import (
	"math"
	"strings"
	"testing"
)

func TestLexiconRefusesATermWrittenTwice(t *testing.T) {
	for _, raw := range []string{
		"@valence\ngood 2\nfine 1\ngood 2.5\n",
		"@valence\nsent it back -1.8\n@valence\nsent it back -1.5\n",
		"@booster\nvery 0.293\nvery 0.3\n",
		"@valence\nwork 0 !-2.2\nwork 0.5\n",
	} {
		err := newLanguage("xx").parse(raw)
		if err == nil || !strings.Contains(err.Error(), "already in") {
			t.Errorf("parse(%q) = %v, want a duplicate-term error", raw, err)
		}
	}
	// The same term in valence and booster is two entries, not a repeat.
	if err := newLanguage("xx").parse("@valence\npretty 1.5\n@booster\npretty 0.2\n"); err != nil {
		t.Errorf("valence and booster of one word: %v", err)
	}
}

func TestLexiconRefusesAnUnknownOption(t *testing.T) {
	for _, raw := range []string{"@option\nsegmnet\n", "@option\ndangling-negation x\n"} {
		if err := newLanguage("xx").parse(raw); err == nil || !strings.Contains(err.Error(), "unknown option") {
			t.Errorf("parse(%q) = %v, want an unknown-option error", raw, err)
		}
	}
	l := newLanguage("xx")
	if err := l.parse("@option\ndangling-negation -0.5\n"); err != nil || l.danglingNeg != -0.5 {
		t.Errorf("dangling-negation -0.5: err %v, value %v", err, l.danglingNeg)
	}
}

// inflect-adjectives gives each adjective ending in い its endings, keeps what the lexicon says
// of a form itself, reads "too" as praise on praise and as a complaint otherwise, and makes a
// noun only of a strong adjective.
func TestInflectAdjectives(t *testing.T) {
	l := newLanguage("xx")
	raw := "@option\nsegment\ninflect-adjectives\n@valence\n美味しい 2.5\n大きい -0.4\n悪い -2\nいい 1.9\nよく 0.4\n合う 0.5 !-1.8\n"
	if err := l.parse(raw); err != nil {
		t.Fatal(err)
	}
	l.finish()
	want := map[string]float64{
		"美味しく": 2.5, "美味しくて": 2.5, "美味しかった": 2.5, "美味しすぎる": 3, "美味しさ": 2.5,
		"大きくて": -0.4, "大きすぎて": -1.9, "悪すぎ": -3.5,
		"よくて": 1.9, "よかった": 1.9, // いい inflects on よい
		"よく": 0.4, // named by the lexicon: kept
	}
	for w, v := range want {
		if e, ok := l.words[w]; !ok || math.Abs(e.val-v) > 1e-9 {
			t.Errorf("%s: %v (%v), want %v", w, e.val, ok, v)
		}
	}
	for _, w := range []string{"大きさ", "合く", "いく"} {
		if _, ok := l.words[w]; ok {
			t.Errorf("%s should not be a word", w)
		}
	}
}
