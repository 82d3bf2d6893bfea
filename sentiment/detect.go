package sentiment

import (
	"math"
	"strings"
)

// supported lists the languages with a lexicon, in a fixed order (bit i of a langBits is
// supported[i]).
var supported = []string{"en", "fr", "de", "es", "it", "pt", "nl", "ru", "tr", "ja", "zh"}

type langBits uint16

// ideographWeight is how many Latin letters a Han, kana or Hangul character counts as when
// scripts are weighed against each other.
const ideographWeight = 3

// detectEvidence records, for a word, which languages use it as a function word (strong
// evidence) and which have it in their lexicon (weaker: "super" and "top" cross borders).
type detectEvidence struct {
	stop, lex langBits
}

// DetectLanguage returns the ISO 639-1 code of the text's language and a confidence in [0,1].
// Non-Latin scripts are decided by their letters; Latin-script text by function words, lexicon
// words and letters only one language uses, and a short text by which lexicon understands it
// ("Ottimo" is Italian). With too little evidence it returns "en" with low confidence. It is
// the language Score and ScoreText report.
func DetectLanguage(text string) (lang string, confidence float64) {
	a := analyzeText(text, "")
	return a.code, clamp01(a.langConf)
}

// detectScores also returns each supported language's evidence, indexed like supported.
func detectScores(d *doc) (string, float64, [16]float64) {
	var score [16]float64
	s := d.script
	// An ideograph or a kana is about a word's worth of text, a Latin letter a fifth of one, so
	// "早上Check out速度比较慢" is Chinese with an English phrase in it, not the reverse.
	s.han, s.kana, s.hangul = s.han*ideographWeight, s.kana*ideographWeight, s.hangul*ideographWeight
	letters := s.latin + s.cyrillic + s.greek + s.arabic + s.hebrew + s.han + s.kana + s.hangul + s.thai + s.devanagari
	if letters == 0 {
		return "en", 0.05, score
	}
	// A script that is the majority of the letters settles it.
	scriptConf := func(n int) float64 {
		share := float64(n) / float64(letters)
		return clamp01(share * (1 - math.Exp(-float64(n)/6)))
	}
	nonLatin := []struct {
		n    int
		code string
	}{
		{s.kana, "ja"}, {s.hangul, "ko"}, {s.han, "zh"}, {s.greek, "el"}, {s.arabic, "ar"},
		{s.hebrew, "he"}, {s.thai, "th"}, {s.devanagari, "hi"},
	}
	if s.cyrillic*2 > letters {
		if s.ukrainian > 0 {
			return "uk", scriptConf(s.cyrillic) * 0.8, score
		}
		score[langIndex["ru"]] = 1
		return "ru", scriptConf(s.cyrillic), score
	}
	if s.kana > 0 && s.kana+s.han > letters/2 {
		return "ja", scriptConf(s.kana + s.han), score
	}
	// One such form in ten Han characters: a stray one (a brand, a quotation) in a Chinese
	// review is not enough.
	if s.han*2 > letters && s.japaneseKanji*10*ideographWeight >= s.han {
		return "ja", scriptConf(s.han), score
	}
	for _, c := range nonLatin {
		if c.n*2 > letters {
			return c.code, scriptConf(c.n), score
		}
	}

	for _, t := range d.toks {
		if t.kind != tkWord {
			continue
		}
		ev, ok := detectWords[t.low]
		if !ok {
			// "c'est", "dell'articolo": the parts around an elision are evidence too.
			// Only a short elided head counts: "c'est" splits, "gayton's" and "don't" do not.
			if k := strings.IndexByte(t.low, '\''); k > 0 && k <= 5 && len(t.low)-k-1 >= 2 {
				ev = detectWords[t.low[:k]]
				e2 := detectWords[t.low[k+1:]]
				ev.stop |= e2.stop
				ev.lex |= e2.lex
				ok = ev.stop|ev.lex != 0
			}
		}
		if !ok {
			continue
		}
		if n := popcount(ev.stop); n > 0 {
			w := 1 / float64(n)
			for i := range supported {
				if ev.stop&(1<<i) != 0 {
					score[i] += w
				}
			}
		}
		if n := popcount(ev.lex); n > 0 {
			w := 0.4 / float64(n)
			for i := range supported {
				if ev.lex&(1<<i) != 0 {
					score[i] += w
				}
			}
		}
	}
	// Letters only one language writes count like a function word each, capped so one
	// borrowed name ("Müller") cannot outvote a sentence.
	addLetters := func(code string, n int, w float64) {
		if n > 0 {
			score[langIndex[code]] += math.Min(float64(n)*w, 3)
		}
	}
	addLetters("tr", s.turkish, 1.5)
	addLetters("de", s.german, 1)
	addLetters("es", s.spanish, 1.2)
	addLetters("pt", s.portuguese, 1.2)
	addLetters("fr", s.french, 0.6)
	addLetters("it", s.italian, 0.6)

	// English is the fallback language, so it wins near-ties (names, numbers, borrowed words).
	score[langIndex["en"]] += 0.3

	best, second := 0, -1
	for i := 1; i < len(supported); i++ {
		if score[i] > score[best] {
			best = i
		}
	}
	for i := range supported {
		if i != best && (second < 0 || score[i] > score[second]) {
			second = i
		}
	}
	b, sc := score[best], score[second]
	if b < 1.05 {
		return "en", 0.1, score
	}
	conf := (b - sc) / (b + 0.5) * (1 - math.Exp(-b/1.5))
	return supported[best], clamp01(conf), score
}

var langIndex = func() map[string]int {
	m := map[string]int{}
	for i, c := range supported {
		m[c] = i
	}
	return m
}()

func popcount(b langBits) int {
	n := 0
	for ; b != 0; b &= b - 1 {
		n++
	}
	return n
}

func clamp01(x float64) float64 {
	if x < 0 || math.IsNaN(x) {
		return 0
	}
	if x > 1 {
		return 1
	}
	return x
}

func clamp11(x float64) float64 {
	if math.IsNaN(x) {
		return 0
	}
	if x < -1 {
		return -1
	}
	if x > 1 {
		return 1
	}
	return x
}

// japaneseKanji marks, over the block U+4E00–U+9FFF, common kanji that Japanese simplified its
// own way: Simplified Chinese writes 恶 满 气 对 卖 and Traditional 惡 滿 氣 對 賣 where Japanese
// writes 悪 満 気 対 売. A text of Han characters only ("最悪", "大満足") is Japanese when enough of
// them are such forms.
var japaneseKanji = func() (bits [(0x9FFF-0x4E00)/64 + 1]uint64) {
	for _, r := range "悪満気対売続読楽変様関価払込働辺発県図広応戦単済経帰歳実円駅険験検効軽転鉄黒緑薬雑壊" {
		k := r - 0x4E00
		bits[k/64] |= 1 << (k % 64)
	}
	return bits
}()
