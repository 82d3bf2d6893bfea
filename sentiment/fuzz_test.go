package sentiment

import (
	"testing"
	"unicode/utf8"
)

func FuzzScore(f *testing.F) {
	for _, s := range []string{
		"", "good", "not bad", "pas bon", "nicht schlecht", "bonito pero llegó roto", "😡", "😍", ":)",
		"İYİ DEĞİL", "Не работает!!!", "n'", "'", "a'b'c", "ne ... pas", "3.5 stars", "\xff\xfe",
		"but but but", "although although", "not not not good", "very very very", "👍🏽‍♂️", "\u200d\ufe0f",
	} {
		f.Add(3, s)
	}
	f.Fuzz(func(t *testing.T, rating int, text string) {
		r := Score(rating, text)
		checkResult(t, r)
		score, lang, conf := ScoreText(text)
		if score < -1 || score > 1 || conf < 0 || conf > 1 || lang == "" {
			t.Fatalf("ScoreText(%q) = %v %q %v", text, score, lang, conf)
		}
		if utf8.ValidString(text) {
			_ = Themes(text, lang)
			_ = Phrases(text, "")
		}
		_ = Negative(r, rating)
	})
}
