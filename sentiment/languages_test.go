package sentiment

import (
	"math"
	"testing"
)

// expect is what a text's ScoreText must say.
type expect int

const (
	neg    expect = iota // clearly negative: score <= -0.2
	pos                  // clearly positive: score >= 0.2
	notNeg               // not negative: score > -0.05 ("nicht schlecht")
	neu                  // no opinion: -0.2 < score < 0.2 ("plus long", "en main propre")
)

type langCase struct {
	text string
	want expect
}

func checkCase(t *testing.T, lang string, c langCase) {
	t.Helper()
	score, got, _ := ScoreText(c.text)
	if got != lang {
		t.Errorf("%q: language %q, want %q", c.text, got, lang)
	}
	ok := false
	switch c.want {
	case neg:
		ok = score <= -0.2
	case pos:
		ok = score >= 0.2
	case notNeg:
		ok = score > -0.05
	case neu:
		ok = score > -0.2 && score < 0.2
	}
	if !ok {
		t.Errorf("%q: score %.3f, want %s", c.text, score, [...]string{"negative", "positive", "not negative", "no opinion"}[c.want])
	}
}

// Each language: plain praise and complaint, negation both ways, contrast (the clause after
// "but" wins), shopping vocabulary, and emoji.
var languageCases = map[string][]langCase{
	"en": {
		{"This is a good product.", pos},
		{"This is not a good product.", neg},
		{"Not bad at all, I am happy with it.", pos},
		{"It looks nice but it arrived broken.", neg},
		{"It arrived late but the quality is excellent.", pos},
		{"My order never arrived and I want a refund.", neg},
		{"Fits perfectly and arrived quickly.", pos},
		{"The box was damaged and the item doesn't work.", neg},
		{"I can't recommend it enough!", pos},
		{"I do not recommend this seller.", neg},
		{"Stopped working after a week, waste of money.", neg},
		{"Runs small, had to send it back.", neg},
		{"Absolutely love it 😍", pos},
		{"The delivery was a joke 😡", neg},
	},
	"fr": {
		{"Le produit est bon et la livraison est rapide.", pos},
		{"pas bon", neg},
		{"Ce n'est pas bon du tout.", neg},
		{"Pas mal du tout, je suis content.", pos},
		{"Joli mais arrivé cassé.", neg},
		{"Livraison en retard mais le produit est parfait.", pos},
		{"Colis jamais reçu, je demande un remboursement.", neg},
		{"Je ne recommande pas ce vendeur.", neg},
		{"Très bien, je recommande vivement !", pos},
		{"Ça ne marche plus au bout de deux semaines.", neg},
		{"Taille parfaitement et arrivé rapidement.", pos},
		{"Conforme à la description, mais la robe est trop petite.", neg},
		{"Je suis très déçu 😡", neg},
		{"J'adore ce produit 😍", pos},
	},
	"de": {
		{"Das Produkt ist sehr gut und die Lieferung war schnell.", pos},
		{"Das ist nicht gut.", neg},
		{"Das ist nicht schlecht.", notNeg},
		{"Die Qualität ist gar nicht schlecht, ich bin zufrieden.", pos},
		{"Es funktioniert nicht.", neg},
		{"Schön, aber leider kaputt angekommen.", neg},
		{"Die Lieferung hat gedauert, aber das Produkt ist super.", pos},
		{"Das Paket ist nie angekommen, ich will mein Geld zurück.", neg},
		{"Passt perfekt, klare Kaufempfehlung!", pos},
		{"Leider zu klein und schlechte Qualität.", neg},
		{"Ich kann es nicht empfehlen.", neg},
		{"Das Produkt gefällt mir überhaupt nicht.", neg},
		{"Die Qualität lässt zu wünschen übrig.", neg},
		{"Sehr enttäuscht 😡", neg},
		{"Ich liebe es 😍", pos},
	},
	"es": {
		{"El producto es muy bueno y el envío fue rápido.", pos},
		{"No es bueno.", neg},
		{"No está mal, estoy contento.", pos},
		{"bonito pero llegó roto", neg},
		{"Llegó tarde pero la calidad es excelente.", pos},
		{"Nunca llegó el pedido, quiero un reembolso.", neg},
		{"No funciona, no lo recomiendo.", neg},
		{"Me encanta, lo recomiendo totalmente.", pos},
		{"Queda perfecto y llegó rápido.", pos},
		{"Mala calidad, se rompió a la semana.", neg},
		{"Qué decepción 😡", neg},
		{"Me encanta 😍", pos},
	},
	"it": {
		{"Il prodotto è molto buono e la spedizione è stata veloce.", pos},
		{"Non è buono.", neg},
		{"Non male, sono soddisfatto.", pos},
		{"Bello ma arrivato rotto.", neg},
		{"Arrivato in ritardo ma la qualità è ottima.", pos},
		{"Mai arrivato, voglio il rimborso.", neg},
		{"Non funziona, lo sconsiglio.", neg},
		{"Ottimo prodotto, consigliato!", pos},
		{"Non mi piace per niente, pessima qualità.", neg},
		{"Veste perfettamente, consegna rapida.", pos},
		{"Che delusione 😡", neg},
		{"Lo adoro 😍", pos},
	},
	"pt": {
		{"O produto é muito bom e a entrega foi rápida.", pos},
		{"Não é bom.", neg},
		{"Não é ruim, estou satisfeito.", pos},
		{"Bonito, mas veio quebrado.", neg},
		{"Atrasou, mas a qualidade é excelente.", pos},
		{"Nunca chegou, quero o reembolso.", neg},
		{"Não funciona, não recomendo.", neg},
		{"Amei, recomendo muito!", pos},
		{"Serviu perfeitamente, chegou antes do prazo.", pos},
		{"Péssima qualidade, parou de funcionar.", neg},
		{"Que decepção 😡", neg},
		{"Adorei 😍", pos},
	},
	"nl": {
		{"Het product is erg goed en de levering was snel.", pos},
		{"Het is niet goed.", neg},
		{"Het is niet slecht, ik ben tevreden.", pos},
		{"Mooi maar kapot aangekomen.", neg},
		{"De levering was laat maar de kwaliteit is uitstekend.", pos},
		{"Het pakket is nooit aangekomen, ik wil mijn geld terug.", neg},
		{"Het werkt niet, ik raad het af.", neg},
		{"Echt een aanrader, past perfect!", pos},
		{"Te klein en slechte kwaliteit.", neg},
		{"Heel erg teleurgesteld 😡", neg},
		{"Ik ben er blij mee 😍", pos},
	},
	"ru": {
		{"Очень хороший товар и быстрая доставка.", pos},
		{"Это не хорошо.", neg},
		{"Неплохо, я доволен.", pos},
		{"Красивый, но пришел сломанный.", neg},
		{"Доставка задержалась, но качество отличное.", pos},
		{"Посылка так и не пришла, верните деньги.", neg},
		{"Не работает, не рекомендую.", neg},
		{"Отличное качество, рекомендую!", pos},
		{"Маломерит и плохое качество.", neg},
		{"Проблем нет, всё отлично.", pos},
		{"Ужасно 😡", neg},
		{"Я в восторге 😍", pos},
	},
	"tr": {
		{"Ürün çok güzel ve kargo hızlı geldi.", pos},
		{"Bu ürün iyi değil.", neg},
		{"Fena değil, memnunum.", pos},
		{"Güzel ama kırık geldi.", neg},
		{"Kargo geç geldi ama kalitesi çok iyi.", pos},
		{"Ürün hala gelmedi, para iadesi istiyorum.", neg},
		{"Çalışmıyor, tavsiye etmem.", neg},
		{"Harika bir ürün, tavsiye ederim!", pos},
		{"Beğenmedim, kalitesi kötü.", neg},
		{"Hiçbir sorun yok, çok memnun kaldım.", pos},
		{"Berbat 😡", neg},
		{"Bayıldım 😍", pos},
	},
	// Japanese and Chinese are segmented into the lexicon's words (segment.go).
	"ja": {
		{"とても良い商品です。また買います。", pos},
		{"全然使えない。最悪です。", neg},
		{"使いやすくないです。", neg},
		{"美味しくなかった", neg},
		{"デザインは可愛いけど、すぐ壊れました。", neg},
		{"届くのは遅かったけど、品質は素晴らしいです。", pos},
		{"サイズが合わないので返品しました。", neg},
		{"大満足です！おすすめします。", pos},
		{"最初は良かったけど、一週間で使えなくなりました。", neg},
		{"写真と違う商品が届きました。連絡がないです。", neg},
		{"軽くて読みやすい。買ってよかったです。", pos},
		{"期待以上でした！手放せないです。", pos},
		{"初期不良でした。お金の無駄です。", neg},
		{"分かりやすくないです。", neg},
	},
	"zh": {
		{"质量很好，物流也很快，非常满意！", pos},
		{"质量太差了，用了两天就坏了，退货。", neg},
		{"不好用", neg},
		{"东西不错，但是发错货了，很失望。", neg},
		{"包装有点破损，但是东西还不错", pos},
		{"刚开始很好用，现在充不进去了", neg},
		{"性价比高，推荐购买。", pos},
		{"不推荐，再也不买了。", neg},
		{"東西很好，很喜歡。", pos},
	},
}

func TestLanguages(t *testing.T) {
	for lang, cases := range languageCases {
		t.Run(lang, func(t *testing.T) {
			for _, c := range cases {
				checkCase(t, lang, c)
			}
		})
	}
}

// Intensifiers make a word count more; dampeners less.
func TestIntensifiers(t *testing.T) {
	pairs := []struct{ plain, boosted string }{
		{"The product is good.", "The product is very good."},
		{"Le produit est bon.", "Le produit est très bon."},
		{"Das Produkt ist gut.", "Das Produkt ist sehr gut."},
		{"El producto es bueno.", "El producto es muy bueno."},
		{"Il prodotto è buono.", "Il prodotto è molto buono."},
		{"O produto é bom.", "O produto é muito bom."},
		{"Het product is goed.", "Het product is erg goed."},
		{"Het product is goed.", "Het product is zeer goed."},
		{"Товар хороший.", "Товар очень хороший."},
		{"Ürün iyi.", "Ürün çok iyi."},
		{"The product is bad.", "The product is really bad."},
	}
	for _, p := range pairs {
		a, _, _ := ScoreText(p.plain)
		b, _, _ := ScoreText(p.boosted)
		if math.Abs(b) <= math.Abs(a) {
			t.Errorf("%q (%.3f) should be stronger than %q (%.3f)", p.boosted, b, p.plain, a)
		}
	}
	a, _, _ := ScoreText("The product is good.")
	b, _, _ := ScoreText("The product is somewhat good.")
	if b >= a {
		t.Errorf("dampened %.3f should be weaker than plain %.3f", b, a)
	}
}

// The clause after the contrast word weighs more than the one before it, in every language.
func TestContrastWeighsLaterClause(t *testing.T) {
	cases := []struct {
		lang, text string
		want       expect
	}{
		{"en", "The color is great but the fabric is terrible.", neg},
		{"en", "The fabric is terrible but the color is great.", pos},
		{"fr", "La couleur est belle mais le tissu est horrible.", neg},
		{"de", "Die Farbe ist schön, aber der Stoff ist schrecklich.", neg},
		{"es", "El color es bonito pero la tela es horrible.", neg},
		{"it", "Il colore è bello ma il tessuto è orribile.", neg},
		{"pt", "A cor é bonita, mas o tecido é horrível.", neg},
		{"nl", "De kleur is mooi maar de stof is verschrikkelijk.", neg},
		{"ru", "Цвет красивый, но ткань ужасная.", neg},
		{"tr", "Rengi güzel ama kumaşı berbat.", neg},
		{"en", "Although it looks nice, it broke on the first day.", neg},
	}
	for _, c := range cases {
		checkCase(t, c.lang, langCase{c.text, c.want})
	}
}

func TestEmojiAndEmoticons(t *testing.T) {
	for _, c := range []langCase{
		{"😡😡😡", neg}, {"😍", pos}, {"👍", pos}, {"👎", neg}, {"❤️❤️", pos}, {"💩", neg},
		{":)", pos}, {":(", neg}, {"👍🏽", pos},
	} {
		score, _, _ := ScoreText(c.text)
		if (c.want == pos && score < 0.2) || (c.want == neg && score > -0.2) {
			t.Errorf("%q: score %.3f", c.text, score)
		}
	}
}

func TestEmphasis(t *testing.T) {
	plain, _, _ := ScoreText("this is terrible")
	excl, _, _ := ScoreText("this is terrible!!!")
	caps, _, _ := ScoreText("this is TERRIBLE")
	if excl >= plain || caps >= plain {
		t.Errorf("emphasis should strengthen: plain %.3f, '!!!' %.3f, caps %.3f", plain, excl, caps)
	}
}

func TestNeutralText(t *testing.T) {
	for _, s := range []string{"", "   ", "I ordered it on Tuesday.", "12345", "Der Artikel wurde am Montag bestellt."} {
		score, _, conf := ScoreText(s)
		if score != 0 {
			t.Errorf("%q: score %.3f, want 0", s, score)
		}
		if conf > 0.3 {
			t.Errorf("%q: confidence %.2f for a text with no sentiment", s, conf)
		}
	}
}

// Accents are often missing in typed reviews; folding must still find the words.
func TestUnaccentedSpelling(t *testing.T) {
	for _, c := range []struct {
		lang string
		c    langCase
	}{
		{"fr", langCase{"Tres decu, produit casse a la livraison.", neg}},
		{"de", langCase{"Die Qualitaet ist schoen und die Lieferung war puenktlich, sehr zufrieden.", pos}},
		{"tr", langCase{"Urun cok guzel, tavsiye ederim.", pos}},
		{"pt", langCase{"Nao gostei, pessima qualidade.", neg}},
	} {
		checkCase(t, c.lang, c.c)
	}
}
