package sentiment

import (
	"bufio"
	"bytes"
	"math"
	"strings"
	"unicode/utf8"

	vaderdata "github.com/jonreiter/govader/data"
)

// emojiValence holds valences (VADER scale) for pictographs. The common review emoji are set
// by hand; the rest are scored from VADER's English emoji descriptions at init, which is
// rough ("pouting face" says little) but better than nothing.
var emojiValence map[rune]float64

var emojiHand = map[rune]float64{
	// joy, love, approval
	'😀': 2.2, '😃': 2.3, '😄': 2.4, '😁': 2.3, '😆': 2.2, '😊': 2.4, '🙂': 1.4, '😉': 1.2, '😍': 3.0,
	'🥰': 3.0, '😘': 2.4, '😻': 2.8, '🤩': 3.0, '😎': 1.8, '🥳': 2.6, '😇': 2.0, '☺': 2.0, '😂': 1.6,
	'🤣': 1.6, '😋': 2.0, '🤗': 2.2, '😌': 1.3, '❤': 2.8, '💕': 2.6, '💖': 2.6, '💗': 2.5, '💓': 2.5,
	'💞': 2.5, '💝': 2.4, '💘': 2.4, '💯': 2.4, '🧡': 2.4, '💛': 2.4, '💚': 2.4, '💙': 2.4, '💜': 2.4,
	'🤍': 2.2, '♥': 2.5, '👍': 2.0, '👌': 1.9, '👏': 2.2, '🙌': 2.3, '🙏': 1.5, '💪': 1.8, '✌': 1.3,
	'🤝': 1.4, '⭐': 1.8, '🌟': 2.2, '✨': 1.8, '🔥': 1.5, '🎉': 2.3, '🎊': 2.2, '🏆': 2.2, '🥇': 2.2,
	'✅': 1.5, '✔': 1.2, '☀': 1.0, '🌈': 1.2, '🆗': 1.0, '😺': 1.8, '😸': 2.0, '🥂': 1.8, '🍾': 1.8,
	'😅': 0.6, '😏': 0.3, '🤤': 1.0, '🆒': 1.5,
	// anger, sadness, disgust, disappointment
	'😡': -3.0, '😠': -2.8, '🤬': -3.3, '👿': -2.5, '😤': -2.2, '💢': -2.0, '👎': -2.3, '🖕': -3.0,
	'😞': -2.2, '😔': -2.0, '😟': -1.9, '😕': -1.5, '🙁': -1.6, '☹': -1.9, '😣': -2.0, '😖': -2.1,
	'😫': -2.2, '😩': -2.2, '😢': -2.4, '😭': -2.6, '😿': -2.3, '💔': -2.8, '😒': -1.8, '🙄': -1.7,
	'😑': -1.0, '😐': -0.5, '😬': -1.0, '🤢': -2.6, '🤮': -3.0, '💩': -2.5, '😱': -1.8, '😨': -1.8,
	'😰': -1.8, '😓': -1.4, '😪': -1.0, '🥺': -0.8, '😦': -1.4, '😧': -1.6, '🤯': -1.2, '😵': -1.3,
	'🤦': -2.0, '🤷': -0.6, '❌': -1.8, '✖': -1.2, '⛔': -1.8, '🚫': -1.8, '⚠': -1.2, '🗑': -1.8,
	'😾': -2.2, '😶': -0.4, '🤨': -0.8, '😷': -1.0, '🤒': -1.2, '🤕': -1.5, '💀': -1.2, '☠': -1.8,
	'🐌': -1.2, '🐢': -0.6, '⏳': -0.4, '⌛': -0.4,
}

func buildEmoji(en *language) {
	emojiValence = make(map[rune]float64, len(emojiHand)+512)
	for r, v := range emojiHand {
		emojiValence[r] = v
	}
	raw, err := vaderdata.Asset("rawdata/emojiUTF8Lexicon.txt")
	if err != nil {
		return // the hand list still works; VADER's data ships inside the module
	}
	sc := bufio.NewScanner(bytes.NewReader(raw))
	for sc.Scan() {
		f := strings.SplitN(sc.Text(), "\t", 2)
		if len(f) != 2 || utf8.RuneCountInString(f[0]) != 1 {
			continue
		}
		r, _ := utf8.DecodeRuneInString(f[0])
		if _, ok := emojiValence[r]; ok {
			continue
		}
		sum := 0.0
		for _, w := range strings.Fields(strings.ToLower(f[1])) {
			if e, ok := en.words[strings.Trim(w, ",.:")]; ok {
				sum += e.val
			}
		}
		if sum != 0 {
			emojiValence[r] = math.Max(-2.5, math.Min(2.5, sum))
		}
	}
}
