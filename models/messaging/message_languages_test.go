package messaging_test

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/boomerang-app/boomerang/delivery"
	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/models/messaging"
)

var templateVar = regexp.MustCompile(`(?:\{\{-?|\{%-?\s*if)\s*([a-z_]+(?:\.[a-z_]+)?)`)

func varsOf(t messaging.MessageTemplates) []string {
	var out []string
	for _, s := range []string{t.Subject, t.HTML, t.Text, t.SMS} {
		for _, m := range templateVar.FindAllStringSubmatch(s, -1) {
			if !slices.Contains(out, m[1]) {
				out = append(out, m[1])
			}
		}
	}
	slices.Sort(out)
	return out
}

// Every message of the ready set exists in every language, renders with the variables a shopper
// gets, uses only the variables its English copy uses (so the trigger fills them all), and is
// not the English copy.
func TestReadySetInEveryLanguage(t *testing.T) {
	vars := delivery.SampleVars()
	tier := vars["tier"].(map[string]any)
	tier["previous"], tier["direction"] = "Bronze", "down"
	for _, m := range messaging.DefaultMessages() {
		english := varsOf(m.Templates)
		for _, lang := range models.Languages[1:] {
			tr, ok := m.Translations[lang]
			if !ok {
				t.Errorf("%s: no copy in %s", m.Preset, lang)
				continue
			}
			for _, v := range varsOf(tr) {
				if !slices.Contains(english, v) {
					t.Errorf("%s/%s uses %s, which the English copy does not", m.Preset, lang, v)
				}
			}
			tpl := delivery.Templates{Subject: tr.Subject, HTML: tr.HTML, Text: tr.Text, SMS: tr.SMS}
			if err := delivery.Validate(tpl); err != nil {
				t.Errorf("%s/%s: %v", m.Preset, lang, err)
				continue
			}
			out, err := delivery.Render(context.Background(), tpl, vars)
			if err != nil {
				t.Errorf("%s/%s: %v", m.Preset, lang, err)
				continue
			}
			if out.Subject == "" || out.HTML == "" || out.Text == "" || out.SMS == "" {
				t.Errorf("%s/%s renders a part empty: %+v", m.Preset, lang, out)
			}
			if strings.Contains(out.HTML, "You are receiving") || tr.Subject == m.Templates.Subject {
				t.Errorf("%s/%s is (partly) the English copy", m.Preset, lang)
			}
			if !strings.Contains(out.HTML, "unsubscribe?t=sample") || !strings.Contains(out.Text, "unsubscribe?t=sample") {
				t.Errorf("%s/%s has no unsubscribe link in its footer", m.Preset, lang)
			}
		}
	}
}

func TestShopperLanguage(t *testing.T) {
	for _, c := range []struct{ customer, shop, want string }{
		{"fr-CA", "en", "fr"}, {"pt-BR", "", "pt"}, {"", "de", "de"}, {"", "", "en"}, {" NL ", "fr", "nl"}, {"zh_CN", "en", "zh"},
	} {
		if got := models.ShopperLanguage(c.customer, c.shop); got != c.want {
			t.Errorf("ShopperLanguage(%q, %q) = %q, want %q", c.customer, c.shop, got, c.want)
		}
	}
}

// A copy in an unknown language, or an email copy without a subject, is refused by field.
func TestTranslationsValidated(t *testing.T) {
	m := messaging.DefaultMessages()[0]
	m.Translations["xx"] = m.Translations["fr"]
	if err := m.Validate(); fieldOf(err) != "translations.xx" {
		t.Fatalf("unknown language: %v", err)
	}
	delete(m.Translations, "xx")
	fr := m.Translations["fr"]
	fr.Subject = " "
	m.Translations["fr"] = fr
	if err := m.Validate(); fieldOf(err) != "translations.fr.subject" {
		t.Fatalf("empty subject: %v", err)
	}
}

func fieldOf(err error) string {
	var e *models.Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}
