package handlers_test

import (
	"encoding/json"
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
		url := regexp.MustCompile(`(?m)^runtime_url = "(/flow/actions/[a-z-]+)"$`).FindSubmatch(b)
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

// Each Flow trigger extension declares exactly the fields the payload Boomerang sends carries
// (the customer reference as customer_id, then the custom fields by key), and every trigger
// models.FlowTriggers sends has its extension. The lifecycle callback posts to its route.
func TestFlowTriggerExtensionsMatch(t *testing.T) {
	files, _ := filepath.Glob("../extensions/*/shopify.extension.toml")
	want := map[string]models.FlowTrigger{}
	for _, tr := range models.FlowTriggers {
		want[tr.Handle] = tr
	}
	seen, lifecycle := 0, 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if regexp.MustCompile(`(?m)^type = "flow_trigger_lifecycle_callback"$`).Match(b) {
			lifecycle++
			if !regexp.MustCompile(`(?m)^url = "/flow/lifecycle"$`).Match(b) {
				t.Errorf("%s: the lifecycle callback must post to /flow/lifecycle", f)
			}
			continue
		}
		if !regexp.MustCompile(`(?m)^type = "flow_trigger"$`).Match(b) {
			continue
		}
		handle := string(regexp.MustCompile(`(?m)^handle = "([a-z-]+)"$`).FindSubmatch(b)[1])
		tr, ok := want[handle]
		if !ok || len(handle) > 30 {
			t.Errorf("%s: handle %q is not one Boomerang sends (or longer than 30)", f, handle)
			continue
		}
		seen++
		if name := regexp.MustCompile(`(?m)^name = "(.*)"$`).FindSubmatch(b); name == nil || string(name[1]) != tr.Name {
			t.Errorf("%s: name %q, want %q", f, name, tr.Name)
		}
		if !regexp.MustCompile(`(?m)^type = "customer_reference"$`).Match(b) {
			t.Errorf("%s: no customer reference", f)
		}
		var keys []string
		for _, m := range regexp.MustCompile(`(?m)^key = "(.*)"$`).FindAllSubmatch(b, -1) {
			if !regexp.MustCompile(`^[A-Za-z ]+$`).Match(m[1]) {
				t.Errorf("%s: key %q: Flow takes letters and spaces only", f, m[1])
			}
			keys = append(keys, string(m[1]))
		}
		if !slices.Equal(keys, tr.Fields) {
			t.Errorf("%s: fields %v, Boomerang sends %v", f, keys, tr.Fields)
		}
	}
	if seen != len(models.FlowTriggers) || lifecycle != 1 {
		t.Fatalf("%d trigger extensions for %d triggers, %d lifecycle callbacks", seen, len(models.FlowTriggers), lifecycle)
	}
}

// The payload of every trigger carries the customer and exactly its declared fields.
func TestFlowTriggerPayloadKeys(t *testing.T) {
	cust := int64(42)
	evs := []models.Event{
		{ShopID: 1, CustomerID: &cust, Kind: models.EventNegativeReview, Key: "review:1", Payload: []byte(`{"rating":1,"title":"Broke","product_id":77}`)},
		{ShopID: 1, CustomerID: &cust, Kind: models.EventTierChanged, Key: "42:2", Payload: []byte(`{"from":"Silver","to":"Gold","direction":"up"}`)},
		{ShopID: 1, CustomerID: &cust, Kind: models.EventPointsExpiring, Key: "42:x", Payload: []byte(`{"points":500,"expires_at":"2027-01-31T00:00:00Z","days_before":14}`)},
		{ShopID: 1, CustomerID: &cust, Kind: models.EventAtRisk, Key: "42:1", Payload: []byte(`{"last_order_at":"2026-08-01T10:00:00Z"}`)},
	}
	var sends []models.FlowTriggerSend
	for _, ev := range evs {
		s, ok := models.FlowSendForEvent(ev)
		if !ok {
			t.Fatalf("%s starts no trigger", ev.Kind)
		}
		sends = append(sends, s)
	}
	for _, ch := range []models.HoldTagChange{{CustomerID: cust, Held: true, Active: []int64{5}, Reasons: []string{"negative_review"}},
		{CustomerID: cust, Held: false, Ended: []int64{5}}} {
		s, ok := models.FlowSendForHold(1, ch)
		if !ok {
			t.Fatalf("hold change %+v starts no trigger", ch)
		}
		sends = append(sends, s)
	}
	fields := map[string][]string{}
	for _, tr := range models.FlowTriggers {
		fields[tr.Handle] = tr.Fields
	}
	handles := map[string]bool{}
	for _, s := range sends {
		handles[s.Handle] = true
		var p map[string]any
		if err := json.Unmarshal(s.Payload, &p); err != nil || p["customer_id"] != float64(cust) {
			t.Fatalf("%s payload %s: no customer_id", s.Handle, s.Payload)
		}
		var keys []string
		for k := range p {
			if k != "customer_id" {
				keys = append(keys, k)
			}
		}
		want := slices.Clone(fields[s.Handle])
		slices.Sort(keys)
		slices.Sort(want)
		if !slices.Equal(keys, want) {
			t.Errorf("%s payload keys %v, declared %v", s.Handle, keys, want)
		}
	}
	if len(handles) != len(models.FlowTriggers) {
		t.Errorf("payloads for %d of %d triggers", len(handles), len(models.FlowTriggers))
	}
	if _, ok := models.FlowSendForEvent(models.Event{CustomerID: &cust, Kind: models.EventPointsEarned}); ok {
		t.Error("points earned starts no trigger")
	}
}
