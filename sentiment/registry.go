package sentiment

import (
	"bufio"
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	vaderdata "github.com/jonreiter/govader/data"
)

// Everything below is built once at init and only read afterwards, so scoring is safe for
// concurrent use without locks.
var (
	languages   map[string]*language
	emoticons   map[string]float64
	detectWords map[string]detectEvidence
)

func init() {
	if err := build(); err != nil {
		panic(fmt.Sprintf("sentiment: build lexicons: %v", err))
	}
}

func build() error {
	emoticons = map[string]float64{}
	languages = map[string]*language{}
	vader, err := vaderLexicon()
	if err != nil {
		return err
	}
	for _, code := range supported {
		l := newLanguage(code)
		if code == "en" {
			// VADER first so the English file can override or extend it.
			for _, v := range vader {
				if err := l.addValued("valence", v); err != nil {
					return fmt.Errorf("vader entry %q: %w", v, err)
				}
			}
		}
		raw, err := lexiconFS.ReadFile("lexicon/" + code + ".txt")
		if err != nil {
			return fmt.Errorf("read lexicon %s: %w", code, err)
		}
		if err := l.parse(string(raw)); err != nil {
			return fmt.Errorf("lexicon %s: %w", code, err)
		}
		l.finish()
		languages[code] = l
	}
	buildEmoji(languages["en"])
	detectWords = map[string]detectEvidence{}
	for i, code := range supported {
		l := languages[code]
		bit := langBits(1) << i
		for w := range l.stop {
			ev := detectWords[w]
			ev.stop |= bit
			detectWords[w] = ev
		}
		for _, m := range []map[string]bool{l.negators, l.postNeg, l.contrast, l.concessive} {
			for w := range m {
				ev := detectWords[w]
				ev.stop |= bit
				detectWords[w] = ev
			}
		}
		for w := range l.boosters {
			ev := detectWords[w]
			ev.lex |= bit
			detectWords[w] = ev
		}
		for w := range l.words {
			if code == "en" && !l.core[w] && utf8.RuneCountInString(w) < 4 {
				continue // VADER's short slang ("lol", "aw") would claim other languages' words
			}
			ev := detectWords[w]
			ev.lex |= bit
			detectWords[w] = ev
		}
	}
	return nil
}

// vaderLexicon returns VADER's word entries as "term value" lines and fills the emoticon
// table from its emoticon entries. Entries made only of digits (SMS codes such as "143") are
// dropped: in reviews numbers are prices, sizes and dates.
func vaderLexicon() ([]string, error) {
	raw, err := vaderdata.Asset("rawdata/vaderLexicon.txt")
	if err != nil {
		return nil, fmt.Errorf("load vader lexicon: %w", err)
	}
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(raw))
	for sc.Scan() {
		f := strings.Split(sc.Text(), "\t")
		if len(f) < 2 || f[0] == "" {
			continue
		}
		term := f[0]
		v, err := strconv.ParseFloat(f[1], 64)
		if err != nil {
			continue
		}
		first, _ := utf8.DecodeRuneInString(term)
		switch {
		case unicode.IsLetter(first):
			if strings.ContainsFunc(term, func(r rune) bool { return !unicode.IsLetter(r) && r != '\'' && r != '-' }) {
				continue // "o.o"-style faces written with letters
			}
			out = append(out, strings.ToLower(term)+" "+f[1])
		case unicode.IsDigit(first):
			continue
		default:
			if utf8.RuneCountInString(term) >= 2 {
				emoticons[term] = v
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("scan vader lexicon: %w", err)
	}
	return out, nil
}
