package sentiment

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

type tokKind uint8

const (
	tkWord tokKind = iota
	tkEmoji
	tkEmoticon
)

// token is one word, emoji or emoticon. low is the lower-cased form that lexicons are keyed by;
// clause and sent number the clause and sentence the token sits in, because negation and
// intensifiers never reach across a comma and contrast works sentence by sentence.
type token struct {
	low    string
	orig   string
	kind   tokKind
	caps   bool
	hyphen bool // joined to the next word by a hyphen ("Nicht-Fußballfan", "non-stick")
	// unknown: a run of CJK characters segmentation found no lexicon word in, so no lookup
	// can match it.
	unknown bool
	// title: inside 《》, the name of a book, film or product ("《菲菲生气了》"), not an opinion.
	title  bool
	clause int
	sent   int
}

// doc is a tokenised text with the counts the scorer and the language detector need.
type doc struct {
	toks    []token
	excl    int // '!' count, emphasis
	quest   int // '?' count
	capDiff bool
	script  scriptCounts
	asks    []bool // asks[s]: sentence s ends with a question mark
	// titleSents is how many sentences at the start are the review's title (analyzeReview).
	titleSents int
}

// scriptCounts counts letters per writing system and the letters that single out one
// Latin-script language; they drive language detection before any word is looked at.
type scriptCounts struct {
	latin, cyrillic, greek, arabic, hebrew, han, kana, hangul, thai, devanagari int
	ukrainian                                                                   int // і ї є ґ
	turkish                                                                     int // ğ ı ş İ
	german                                                                      int // ß ä
	spanish                                                                     int // ñ ¿ ¡
	portuguese                                                                  int // ã õ
	french                                                                      int // è ê œ û ù â î ë ï
	italian                                                                     int // ò ì
	japaneseKanji                                                               int // 悪 満 気: forms only Japanese writes
}

// tokenize splits text into tokens. It lower-cases the whole text into one buffer so every
// token's lower-case form is a substring of it: one allocation per text, not one per word.
func tokenize(text string, emoticons map[string]float64) doc {
	return tokenizeTitled(text, 0, emoticons)
}

// tokenizeTitled is tokenize for a review whose first titleEnd bytes are its title, followed
// by a line break: it records how many sentences the title spans in doc.titleSents.
func tokenizeTitled(text string, titleEnd int, emoticons map[string]float64) doc {
	var d doc
	d.toks = make([]token, 0, len(text)/5+4)
	low := make([]byte, 0, len(text)+8)
	type span struct{ ls, le, os, oe int }
	spans := make([]span, 0, cap(d.toks))

	clause, sent := 0, 0
	pendingClause, pendingSent := false, false
	newToken := func() {
		if pendingSent {
			sent++
			clause++
		} else if pendingClause {
			clause++
		}
		pendingClause, pendingSent = false, false
	}

	wordStart, wordLowStart := -1, -1
	inTitle := false
	lastClose := -2 // where the last 》 stands (-1: none), looked up at the first 《
	flush := func(end int) {
		if wordStart < 0 {
			return
		}
		newToken()
		spans = append(spans, span{wordLowStart, len(low), wordStart, end})
		d.toks = append(d.toks, token{kind: tkWord, clause: clause, sent: sent, title: inTitle})
		wordStart, wordLowStart = -1, -1
	}

	i := 0
	for i < len(text) {
		if titleEnd > 0 && i == titleEnd {
			flush(i)
			if len(d.toks) > 0 {
				d.titleSents = d.toks[len(d.toks)-1].sent + 1
			}
		}
		// Emoticons are whole whitespace-separated chunks, matched case-sensitively (":D").
		if (i == 0 || isSpaceByte(text[i-1])) && emoticons != nil {
			j := i
			for j < len(text) && !isSpaceByte(text[j]) {
				j++
			}
			chunk := strings.TrimRight(text[i:j], ".,!?")
			if _, ok := emoticons[chunk]; ok && chunk != "" {
				newToken()
				ls := len(low)
				low = append(low, chunk...)
				spans = append(spans, span{ls, len(low), i, i + len(chunk)})
				d.toks = append(d.toks, token{kind: tkEmoticon, clause: clause, sent: sent})
				i += len(chunk)
				continue
			}
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		switch {
		case r >= 0x3041 && r <= 0x9FFF && r != 0x30FB && (r <= 0x30FF || r >= 0x4E00):
			// Kana and ideographs: letters without case (the generic tables are slow per rune).
			if wordStart < 0 {
				wordStart, wordLowStart = i, len(low)
			}
			d.script.count(r)
			low = append(low, text[i:i+size]...)
		case unicode.IsLetter(r) || unicode.IsDigit(r) || (unicode.IsMark(r) && wordStart >= 0):
			if wordStart < 0 {
				wordStart, wordLowStart = i, len(low)
			}
			d.script.count(r)
			low = utf8.AppendRune(low, unicode.ToLower(r))
		case isApostrophe(r):
			// Kept inside a word ("don't", "n'est"); the language's rules split elisions later.
			if wordStart >= 0 && nextIsLetter(text, i+size) {
				low = append(low, '\'')
			} else {
				flush(i)
			}
		case r == '.' && wordStart >= 0 && prevIsDigit(text, i) && nextIsDigit(text, i+size):
			low = append(low, '.') // "3.5"
		case r == ',' && wordStart >= 0 && prevIsDigit(text, i) && nextIsDigit(text, i+size):
			low = append(low, ',') // "3,5"
		case isEmoji(r):
			flush(i)
			newToken()
			ls := len(low)
			low = utf8.AppendRune(low, r)
			spans = append(spans, span{ls, len(low), i, i + size})
			d.toks = append(d.toks, token{kind: tkEmoji, clause: clause, sent: sent})
		case isEmojiJoiner(r):
			flush(i)
		default:
			joined := r == '-' && wordStart >= 0 && nextIsLetter(text, i+size)
			flush(i)
			if joined {
				d.toks[len(d.toks)-1].hyphen = true
			}
			switch r {
			case '!':
				d.excl++
				pendingSent = true
			case '?':
				d.quest++
				pendingSent = true
				if len(d.toks) > 0 {
					for len(d.asks) <= sent {
						d.asks = append(d.asks, false)
					}
					d.asks[sent] = true
				}
			case '.', '\n', '…', '。', '！', '？', '¡', '¿':
				pendingSent = true
				inTitle = inTitle && r != '\n'
			case '《':
				// Only a title that is closed: a stray 《 must not silence the rest.
				pendingClause = true
				if lastClose == -2 {
					lastClose = strings.LastIndex(text, "》")
				}
				inTitle = lastClose >= i+size
			case '》':
				pendingClause = true
				inTitle = false
			case ' ', '\u3000':
				// Chinese and Japanese writers often put a space where a comma would go
				// ("没系统 对菜鸟来讲是种折磨"): between two CJK characters it ends a clause.
				if i > 0 && text[i-1] >= utf8.RuneSelf && prevIsCJK(text, i) && nextIsCJK(text, i+size) {
					pendingClause = true
				}
			case ',', ';', ':', '(', ')', '[', ']', '"', '“', '”', '«', '»', '–', '—', '/', '|', '~',
				'、', '，', '：', '；', '（', '）', '「', '」', '『', '』', '【', '】', '～':
				pendingClause = true
			}
		}
		i += size
	}
	flush(len(text))

	lowStr := string(low)
	words, caps := 0, 0
	for k := range d.toks {
		s := spans[k]
		t := &d.toks[k]
		t.low = lowStr[s.ls:s.le]
		t.orig = text[s.os:s.oe]
		if t.kind == tkWord {
			words++
			if isAllCaps(t.orig) {
				t.caps = true
				caps++
			}
		}
	}
	d.capDiff = caps > 0 && caps < words
	return d
}

func (s *scriptCounts) count(r rune) {
	if r < 0x80 {
		if r >= 'A' && r <= 'z' {
			s.latin++
		}
		return
	}
	switch {
	// The common kana and ideograph blocks first: CJK text has a rune per letter, and the
	// generic table lookups below cost more than the scoring itself.
	case r >= 0x3040 && r <= 0x30FF:
		s.kana++
	case r >= 0x4E00 && r <= 0x9FFF:
		s.han++
		if k := r - 0x4E00; japaneseKanji[k/64]&(1<<(k%64)) != 0 {
			s.japaneseKanji++
		}
	case unicode.Is(unicode.Latin, r):
		s.latin++
		switch r {
		case 'ğ', 'Ğ', 'ı', 'ş', 'Ş', 'İ':
			s.turkish++
		case 'ß', 'ä', 'Ä':
			s.german++
		case 'ñ', 'Ñ':
			s.spanish++
		case 'ã', 'õ', 'Ã', 'Õ':
			s.portuguese++
		case 'è', 'ê', 'œ', 'û', 'ù', 'â', 'î', 'ë', 'ï', 'È', 'Ê':
			s.french++
		case 'ò', 'ì':
			s.italian++
		}
	case unicode.Is(unicode.Cyrillic, r):
		s.cyrillic++
		switch r {
		case 'і', 'ї', 'є', 'ґ', 'І', 'Ї', 'Є', 'Ґ':
			s.ukrainian++
		}
	case unicode.Is(unicode.Greek, r):
		s.greek++
	case unicode.Is(unicode.Arabic, r):
		s.arabic++
	case unicode.Is(unicode.Hebrew, r):
		s.hebrew++
	case unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r):
		s.kana++
	case unicode.Is(unicode.Han, r):
		s.han++
	case unicode.Is(unicode.Hangul, r):
		s.hangul++
	case unicode.Is(unicode.Thai, r):
		s.thai++
	case unicode.Is(unicode.Devanagari, r):
		s.devanagari++
	}
}

// prevIsCJK and nextIsCJK look past spaces at the nearest rune before i or from i on.
func prevIsCJK(text string, i int) bool {
	t := strings.TrimRight(text[:i], " \u3000")
	r, _ := utf8.DecodeLastRuneInString(t)
	return t != "" && isCJK(r)
}

func nextIsCJK(text string, i int) bool {
	t := strings.TrimLeft(text[i:], " \u3000")
	r, _ := utf8.DecodeRuneInString(t)
	return t != "" && isCJK(r)
}

func isSpaceByte(b byte) bool { return b == ' ' || b == '\t' || b == '\n' || b == '\r' }

func isApostrophe(r rune) bool { return r == '\'' || r == '’' || r == 'ʼ' || r == '‘' || r == '`' }

func nextIsLetter(s string, i int) bool {
	if i >= len(s) {
		return false
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	return unicode.IsLetter(r)
}

func nextIsDigit(s string, i int) bool { return i < len(s) && s[i] >= '0' && s[i] <= '9' }

func prevIsDigit(s string, i int) bool { return i > 0 && s[i-1] >= '0' && s[i-1] <= '9' }

// isEmoji reports pictographs that carry meaning on their own. Skin tones, variation selectors
// and joiners are separated out by isEmojiJoiner so "👍🏽" scores as "👍".
func isEmoji(r rune) bool {
	switch {
	case r >= 0x1F300 && r <= 0x1F3FA, r >= 0x1F400 && r <= 0x1FAFF:
		return true
	case r >= 0x2600 && r <= 0x27BF:
		return true
	case r == 0x2B50 || r == 0x2B55 || r == 0x2B06 || r == 0x2B07 || r == 0x2B1B || r == 0x2B1C:
		return true
	case r == 0x2122 || r == 0x2139 || r == 0x203C || r == 0x2049:
		return true
	}
	return false
}

func isEmojiJoiner(r rune) bool {
	return r == 0x200D || r == 0xFE0F || r == 0xFE0E || (r >= 0x1F3FB && r <= 0x1F3FF) || r == 0x20E3 ||
		(r >= 0x1F1E6 && r <= 0x1F1FF) || (r >= 0xE0020 && r <= 0xE007F)
}

// isAllCaps is true for a word of at least two letters with no lower-case letter: shouting.
func isAllCaps(s string) bool {
	letters := 0
	for _, r := range s {
		if r >= 0x3040 && r <= 0x9FFF { // kana and ideographs have no case
			return false
		}
		if unicode.IsLower(r) {
			return false
		}
		if unicode.IsUpper(r) {
			letters++
		}
	}
	return letters >= 2
}
