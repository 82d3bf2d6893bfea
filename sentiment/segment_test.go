package sentiment

import (
	"strings"
	"testing"
)

// segmented lists the pieces a lexicon (Chinese unless text says "ja:") splits text into; an
// unknown run is written in brackets.
func segmented(t *testing.T, text string) string {
	t.Helper()
	lang := "zh"
	if rest, ok := strings.CutPrefix(text, "ja:"); ok {
		lang, text = "ja", rest
	}
	var parts []string
	for _, tok := range languages[lang].segment(tokenize(text, emoticons).toks) {
		if tok.unknown {
			parts = append(parts, "["+tok.low+"]")
		} else {
			parts = append(parts, tok.low)
		}
	}
	return strings.Join(parts, " ")
}

func TestSegmentTakesTheCheapestSplit(t *testing.T) {
	for _, c := range []struct{ text, want string }{
		// Longest match from the left reads 都没 ("not even") and leaves 得说; the split with
		// fewer pieces finds 没得说 ("nothing to fault").
		{"都没得说", "[都] 没得说"},
		// Of two splits as short, the one that leaves fewer runes unknown: 很 + 好吃, not
		// 很好 + 吃; then the one with the longer first word.
		{"很好吃", "很 好吃"},
		{"一点吸引力都没有", "一点 吸引力 都没有"},
		// Runes no word covers stay one unknown token; Latin letters stay whole.
		{"装XP非常麻烦", "[装] xp 非常 麻烦"},
		{"我居然连货都没收到", "[我] 居然 [连货] 都没 收到"},
		// Japanese particles and the copula place the boundaries and are dropped: 大満足 is
		// found whole, and ない stands next to the word it negates.
		{"ja:色も可愛くて大満足です", "[色] 可愛くて 大満足"},
		{"ja:悪くはないです", "悪く ないです"},
	} {
		if got := segmented(t, c.text); got != c.want {
			t.Errorf("segment(%q) = %q, want %q", c.text, got, c.want)
		}
	}
}
