package sentiment

import (
	"reflect"
	"slices"
	"testing"
)

func TestThemes(t *testing.T) {
	cases := []struct {
		text, lang string
		want       []string
	}{
		{"The package arrived two weeks late.", "en", []string{ThemeShipping}},
		{"Never arrived.", "", []string{ThemeShipping}},
		{"Arrived broken, the glass was cracked.", "en", []string{ThemeDamaged}},
		{"Cheaply made, it fell apart after a week.", "en", []string{ThemeQuality}},
		{"Runs small, order a size up.", "en", []string{ThemeSizeFit}},
		{"Way too expensive for what it is.", "en", []string{ThemePrice}},
		{"Customer service never replied to my emails.", "en", []string{ThemeSupport}},
		{"Poorly packaged, the box was crushed.", "en", []string{ThemePackaging}},
		{"Colis arrivé en retard et produit cassé.", "fr", []string{ThemeShipping, ThemeDamaged}},
		{"Zu klein und schlechte Qualität.", "de", []string{ThemeQuality, ThemeSizeFit}},
		{"Llegó roto y el embalaje estaba dañado.", "es", []string{ThemeDamaged, ThemePackaging}},
		{"Troppo caro e il servizio clienti non risponde.", "it", []string{ThemePrice, ThemeSupport}},
		{"Veio pequeno, tamanho errado.", "pt", []string{ThemeSizeFit}},
		{"Het pakket is nooit aangekomen.", "nl", []string{ThemeShipping}},
		{"Маломерит, и пришел сломанный.", "ru", []string{ThemeDamaged, ThemeSizeFit}},
		{"Kargo çok geç geldi, ürün kırık.", "tr", []string{ThemeShipping, ThemeDamaged}},
		// praise of a topic is no complaint; a negated complaint is none either
		{"Fast delivery and great price, love it!", "en", nil},
		{"It was not damaged at all.", "en", nil},
		{"No delay, everything perfect.", "en", nil},
	}
	for _, c := range cases {
		got := Themes(c.text, c.lang)
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("Themes(%q, %q) = %v, want %v", c.text, c.lang, got, c.want)
		}
	}
}

func TestThemesDetectsLanguageWhenUnknown(t *testing.T) {
	got := Themes("Das Paket ist nie angekommen.", "xx")
	if !reflect.DeepEqual(got, []string{ThemeShipping}) {
		t.Errorf("got %v", got)
	}
}

func TestPhrases(t *testing.T) {
	got := Phrases("The package arrived late and the box was crushed. Customer service never replied!", "en")
	for _, want := range []string{"arrived late", "package arrived late", "box crushed", "customer service", "never replied"} {
		if !slices.Contains(got, want) {
			t.Errorf("Phrases missing %q in %q", want, got)
		}
	}
	for _, bad := range []string{"late box", "crushed customer", "the package"} {
		if slices.Contains(got, bad) {
			t.Errorf("Phrases should not contain %q (across 'and', a sentence, or a stopword): %q", bad, got)
		}
	}
	fr := Phrases("Livraison très lente, colis abîmé.", "fr")
	if !slices.Contains(fr, "livraison tres lente") || !slices.Contains(fr, "colis abime") {
		t.Errorf("French phrases not normalised: %q", fr)
	}
	if got := Phrases("Took 3 weeks to arrive", "en"); !slices.Contains(got, "took # weeks") {
		t.Errorf("numbers should read '#': %q", got)
	}
	if got := Phrases("", "en"); len(got) != 0 {
		t.Errorf("empty text: %q", got)
	}
	// The same complaint in other words normalises to the same phrase.
	a := Phrases("ARRIVED LATE!!!", "en")
	b := Phrases("arrived late.", "en")
	if !reflect.DeepEqual(a, b) {
		t.Errorf("normalisation differs: %q vs %q", a, b)
	}
}
