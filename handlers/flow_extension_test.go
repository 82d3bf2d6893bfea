package handlers_test

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"

	"github.com/boomerang-app/boomerang/models"
)

// Each Flow action extension posts to the route that handles it and declares the fields the
// handler reads (the customer reference arrives as properties.customer_id).
func TestFlowActionExtensionsMatchTheRoutes(t *testing.T) {
	files, _ := filepath.Glob("../extensions/*/shopify.extension.toml")
	handled := []string{models.FlowSubscriptionCancelled, models.FlowSubscriptionPaused, models.FlowSubscriptionReactivated}
	var seen []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if !regexp.MustCompile(`(?m)^type = "flow_action"$`).Match(b) {
			continue
		}
		handle := regexp.MustCompile(`(?m)^handle = "([a-z-]+)"$`).FindSubmatch(b)
		url := regexp.MustCompile(`(?m)^runtime_url = "https://[^/"]+(/flow/actions/[a-z-]+)"$`).FindSubmatch(b)
		if handle == nil || url == nil || string(url[1]) != "/flow/actions/"+string(handle[1]) || len(handle[1]) > 30 {
			t.Errorf("%s: handle %q and runtime_url %q do not match", f, handle, url)
			continue
		}
		if !slices.Contains(handled, string(handle[1])) {
			t.Errorf("%s: no route handles %q", f, handle[1])
		}
		for _, want := range []string{`type = "customer_reference"`, `key = "product_ids"`} {
			if !regexp.MustCompile(regexp.QuoteMeta(want)).Match(b) {
				t.Errorf("%s: missing %s", f, want)
			}
		}
		seen = append(seen, string(handle[1]))
	}
	slices.Sort(seen)
	slices.Sort(handled)
	if !slices.Equal(seen, handled) {
		t.Fatalf("extensions %v, routes %v", seen, handled)
	}
}
