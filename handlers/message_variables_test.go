package handlers_test

import (
	"fmt"
	"testing"

	"github.com/boomerang-app/boomerang/internal/apptest"
	"github.com/boomerang-app/boomerang/internal/testenv"
	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/models/messaging"
)

// The editor's variable list is what the renderer takes: each variable offered for a trigger,
// inserted as the editor inserts it, saves; each is described; the trigger's own come first; an
// unknown trigger is refused.
func TestTemplateVariablesAreTheRenderersVariables(t *testing.T) {
	a := apptest.Start(t, apptest.Options{NoWorker: true})
	shop := testenv.Shop("msgvars")
	a.Install(t, shop)
	var out struct {
		Variables []messaging.TemplateVariable `json:"variables"`
	}
	if code := a.API(t, shop, "GET", "/api/messages/variables?trigger=points_earned", nil, &out); code != 200 || len(out.Variables) == 0 {
		t.Fatalf("variables: %d %+v", code, out)
	}
	if first := out.Variables[0]; first.Name != "points.earned" || !first.ForTrigger || first.Sample != "500" {
		t.Errorf("first variable for points_earned = %+v, want points.earned (sample 500)", first)
	}
	offered := map[string]bool{}
	for _, v := range out.Variables {
		offered[v.Name] = true
		if v.Description == "" {
			t.Errorf("%s has no description", v.Name)
		}
		if v.Name == "review_link" && v.ForTrigger {
			t.Error("review_link offered as filled for points_earned")
		}
		body := map[string]any{"name": "Uses " + v.Name, "trigger": models.EventPointsEarned, "kind": "transactional",
			"channel": "email", "templates": map[string]any{"subject": "Hi", "html": fmt.Sprintf("<p>{{ %s }}</p>", v.Name)}}
		var e apiError
		if code := a.API(t, shop, "POST", "/api/messages", body, &e); code != 201 {
			t.Errorf("a template with {{ %s }} is refused: %d %+v", v.Name, code, e.Error)
		}
	}
	for _, name := range messaging.DocumentedVariables() {
		if !offered[name] {
			t.Errorf("%s is described but templates cannot use it", name)
		}
	}
	if code := a.API(t, shop, "GET", "/api/messages/variables?trigger=nope", nil, nil); code != 422 {
		t.Errorf("unknown trigger: %d, want 422", code)
	}
	// The editor's old hint: the renderer refuses it, and the list does not offer it.
	bad := map[string]any{"name": "Old hint", "trigger": models.EventPointsEarned, "kind": "transactional", "channel": "email",
		"templates": map[string]any{"subject": "Hi", "html": "<p>{{ loyalty.balance }}</p>"}}
	if code := a.API(t, shop, "POST", "/api/messages", bad, nil); code != 422 {
		t.Errorf("{{ loyalty.balance }} saved: %d", code)
	}
}
