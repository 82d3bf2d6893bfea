package sentiment

import "testing"

func TestDetectLanguage(t *testing.T) {
	cases := []struct{ text, want string }{
		{"The product arrived on time and works as described.", "en"},
		{"Le produit est arrivé à temps et il fonctionne comme prévu.", "fr"},
		{"Das Produkt ist pünktlich angekommen und funktioniert wie beschrieben.", "de"},
		{"El producto llegó a tiempo y funciona como se describe.", "es"},
		{"Il prodotto è arrivato in tempo e funziona come descritto.", "it"},
		{"O produto chegou no prazo e funciona como descrito.", "pt"},
		{"Het product is op tijd aangekomen en werkt zoals beschreven.", "nl"},
		{"Товар пришел вовремя и работает как описано.", "ru"},
		{"Ürün zamanında geldi ve açıklandığı gibi çalışıyor.", "tr"},
		{"Urun zamaninda geldi ve cok guzel, tavsiye ederim.", "tr"}, // typed without Turkish letters
		{"Je n'ai jamais reçu ma commande.", "fr"},
		{"Non l'ho mai ricevuto, è una vergogna.", "it"},
		{"Товар прийшов вчасно і працює добре.", "uk"},
		{"商品はとても良かったです。", "ja"},
		{"质量很好，物流很快。", "zh"},
		{"最悪。", "ja"}, // Han only, but 悪 is written so only in Japanese (Chinese 恶, 惡)
		{"大満足", "ja"},
		{"東西很好，很喜歡。", "zh"},
		{"المنتج ممتاز", "ar"},
		{"Πολύ καλό προϊόν", "el"},
		{"良い 👍", "ja"},             // an emoji does not turn a Japanese review English
		{"早上Check out速度比较慢", "zh"}, // an ideograph weighs like a word, a Latin letter like a fifth of one
		{"WiFi信号很差", "zh"},
		{"I loved the 北京 duck", "en"},
		{"Ottimo", "it"}, // too short for function words: the lexicon that knows it decides
		{"Sehr gut", "de"},
	}
	for _, c := range cases {
		got, conf := DetectLanguage(c.text)
		if got != c.want {
			t.Errorf("%q: got %q (%.2f), want %q", c.text, got, conf, c.want)
		}
		if conf <= 0 || conf > 1 {
			t.Errorf("%q: confidence %.2f out of (0,1]", c.text, conf)
		}
	}
}

func TestDetectLanguageConfidence(t *testing.T) {
	_, long := DetectLanguage("I bought this for my daughter and she says that it is the best one she has ever had.")
	if long < 0.6 {
		t.Errorf("a long English sentence should be detected with confidence, got %.2f", long)
	}
	for _, short := range []string{"", "ok", "12/10", "👍", "Super!"} {
		lang, conf := DetectLanguage(short)
		if lang != "en" || conf > 0.3 {
			t.Errorf("%q: got %q with confidence %.2f, want the en fallback with low confidence", short, lang, conf)
		}
	}
}

// Short reviews name no function word; the language whose lexicon understands them is used.
func TestShortReviewsScoredInTheirLanguage(t *testing.T) {
	cases := []struct {
		text, lang string
		positive   bool
	}{
		{"Ottimo", "it", true}, {"Perfeito", "pt", true}, {"Harika", "tr", true}, {"Sehr gut", "de", true},
		{"Schlecht", "de", false}, {"Nul", "fr", false}, {"Отлично", "ru", true}, {"Muy bueno", "es", true},
		{"Goed product", "nl", true}, {"Décevant", "fr", false},
		{"良い 👍", "ja", true}, // unsupported language: emoji still count, language kept
	}
	for _, c := range cases {
		score, lang, _ := ScoreText(c.text)
		if lang != c.lang || (c.positive && score < 0.2) || (!c.positive && score > -0.2) {
			t.Errorf("%q: got %s %.3f, want %s and positive=%v", c.text, lang, score, c.lang, c.positive)
		}
	}
}
