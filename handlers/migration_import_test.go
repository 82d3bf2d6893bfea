package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/boomerang-app/boomerang/internal/apptest"
	"github.com/boomerang-app/boomerang/internal/testenv"
	"github.com/boomerang-app/boomerang/models"
)

// POST /api/import/loyalty: a dry run of a Smile.io export, then the import, as the setup guide
// uploads them (raw body, then multipart); a file in no known layout is refused with the reason.
func TestLoyaltyMigrationUpload(t *testing.T) {
	a := apptest.Start(t, apptest.Options{})
	shop := testenv.Shop("migrate")
	shopID := a.Install(t, shop)
	now := time.Now().UTC()
	for id, email := range map[int64]string{9001: "chrissy@example.com", 9002: "ada@example.com", 9003: "ben@example.com"} {
		if _, err := models.UpsertCustomer(context.Background(), a.DB, shopID, models.CustomerFact{CustomerID: id, Email: email, UpdatedAt: &now}); err != nil {
			t.Fatal(err)
		}
	}
	smile, err := os.ReadFile("../models/loyalty/testdata/migration/smile.csv")
	if err != nil {
		t.Fatal(err)
	}
	post := func(query string, body []byte, multipart bool) (int, map[string]any) {
		name := ""
		if multipart {
			name = "export.csv"
		}
		return uploadFile(t, a, shop, "/api/import/loyalty?"+query, name, body)
	}
	st, rep := post("dry_run=true", smile, false)
	if st != http.StatusOK || rep["format"] != "smile" || rep["dry_run"] != true || rep["points"] != float64(1790) ||
		len(rep["errors"].([]any)) != 2 {
		t.Fatalf("dry run: %d %v", st, rep)
	}
	st, rep = post("", smile, true)
	if st != http.StatusOK || rep["points"] != float64(1790) || rep["tiers"] != float64(2) {
		t.Fatalf("import: %d %v", st, rep)
	}
	var out map[string]any
	st, out = post("", []byte("a,b\n1,2\n"), false)
	if st != http.StatusUnprocessableEntity {
		t.Fatalf("unknown layout: %d %v", st, out)
	}
	mapping := url.QueryEscape(`{"email":"a","points":"b","bogus":"c"}`)
	if st, out = post("mapping="+mapping, []byte("a,b\nada@example.com,2\n"), false); st != http.StatusUnprocessableEntity {
		t.Fatalf("a mapping with an unknown field: %d %v", st, out)
	}
}
