package handlers_test

import (
	"fmt"
	"testing"

	"github.com/boomerang-app/boomerang/internal/apptest"
	"github.com/boomerang-app/boomerang/internal/testenv"
	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/models/messaging"
)

// The ready set comes with its copy in every language; the admin edits one language's copy,
// a broken one is refused by its field and line, and a request without translations keeps them.
func TestMessageTranslationsAPI(t *testing.T) {
	a := apptest.Start(t, apptest.Options{NoWorker: true})
	shop := testenv.Shop("msglang")
	a.Install(t, shop)
	var list struct {
		Messages []messaging.Message `json:"messages"`
	}
	if code := a.API(t, shop, "GET", "/api/messages", nil, &list); code != 200 {
		t.Fatalf("list: %d", code)
	}
	var m messaging.Message
	for _, x := range list.Messages {
		if x.Preset == "points_earned" {
			m = x
		}
		if len(x.Translations) != len(models.Languages)-1 {
			t.Errorf("%s has %d translations", x.Preset, len(x.Translations))
		}
	}
	path := fmt.Sprintf("/api/messages/%d", m.ID)
	fr := m.Translations["fr"]
	fr.Subject = "Bravo {{ customer.first_name }} : {{ points.earned }} points"
	m.Translations["fr"] = fr
	var saved messaging.Message
	if code := a.API(t, shop, "PUT", path, m, &saved); code != 200 || saved.Translations["fr"].Subject != fr.Subject {
		t.Fatalf("edit the French copy: %d %+v", code, saved.Translations["fr"])
	}

	broken := m.Translations["de"]
	broken.HTML = "<p>Hallo</p>\n<p>{% if customer.first_name %}offen</p>"
	m.Translations["de"] = broken
	var e apiError
	if code := a.API(t, shop, "PUT", path, m, &e); code != 422 || e.Error.Field != "translations.de.html" || e.Error.Line != 2 {
		t.Fatalf("broken German copy: %d %+v", code, e.Error)
	}

	body := map[string]any{"name": m.Name, "trigger": m.Trigger, "kind": m.Kind, "channel": m.Channel, "enabled": true,
		"templates": m.Templates}
	if code := a.API(t, shop, "PUT", path, body, &saved); code != 200 || saved.Translations["fr"].Subject != fr.Subject ||
		len(saved.Translations) != len(models.Languages)-1 {
		t.Fatalf("a request without translations must keep them: %d %d %q", code, len(saved.Translations), saved.Translations["fr"].Subject)
	}
}
