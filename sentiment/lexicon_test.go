package sentiment

import (
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
