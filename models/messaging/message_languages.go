package messaging

import (
	"embed"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/boomerang-app/boomerang/models"
)

// The ready set in each language besides English (defaults/<lang>.json): the same presets, the
// same variables, each with its footer. A shopper gets the copy in their own language
// (models.ShopperLanguage); a language a message has no copy in gets its default copy.

//go:embed defaults/*.json
var defaultsFS embed.FS

type languageDefaults struct {
	Footer     string                      `json:"footer"`
	TextFooter string                      `json:"text_footer"`
	Messages   map[string]MessageTemplates `json:"messages"`
}

// defaultCopies maps preset → language → templates, footers included.
var defaultCopies = loadDefaultCopies()

func loadDefaultCopies() map[string]map[string]MessageTemplates {
	out := map[string]map[string]MessageTemplates{}
	for _, lang := range models.Languages {
		if lang == "en" {
			continue
		}
		b, err := defaultsFS.ReadFile("defaults/" + lang + ".json")
		if err != nil {
			panic(fmt.Sprintf("messaging: the ready set in %s is missing: %v", lang, err))
		}
		var d languageDefaults
		if err := json.Unmarshal(b, &d); err != nil {
			panic(fmt.Sprintf("messaging: defaults/%s.json: %v", lang, err))
		}
		for preset, t := range d.Messages {
			if out[preset] == nil {
				out[preset] = map[string]MessageTemplates{}
			}
			t.HTML += "\n" + d.Footer
			t.Text += d.TextFooter
			out[preset][lang] = t
		}
	}
	return out
}

// defaultTranslations is a preset's copy in every language besides English (a fresh map).
func defaultTranslations(preset string) map[string]MessageTemplates {
	out := map[string]MessageTemplates{}
	for lang, t := range defaultCopies[preset] {
		out[lang] = t
	}
	return out
}

// TemplatesFor is the message's copy for a shopper writing in lang: its own copy in that
// language, else the default copy.
func (m *Message) TemplatesFor(lang string) MessageTemplates {
	if t, ok := m.Translations[lang]; ok {
		return t
	}
	return m.Templates
}

// validateTranslations checks each language's copy as Validate checks the default copy.
func (m *Message) validateTranslations() error {
	for lang, t := range m.Translations {
		field := "translations." + lang
		if !slices.Contains(models.Languages, lang) {
			return models.Invalid(field, "unknown language %q (one of %s)", lang, strings.Join(models.Languages, ", "))
		}
		if m.Channel != ChannelSMS && (strings.TrimSpace(t.Subject) == "" || strings.TrimSpace(t.HTML+t.Text) == "") {
			return models.Invalid(field+".subject", "an email needs a subject and a body")
		}
		if m.Channel != ChannelEmail && strings.TrimSpace(t.SMS) == "" {
			return models.Invalid(field+".sms", "an SMS message needs SMS text")
		}
	}
	return nil
}
