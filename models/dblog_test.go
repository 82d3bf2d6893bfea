package models_test

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"github.com/boomerang-app/boomerang/internal/testenv"
	"github.com/boomerang-app/boomerang/models"
)

// A failing statement is logged without its values, whichever way GORM ran it: an error log
// must not carry a shopper's email.
func TestFailedStatementsAreLoggedWithoutValues(t *testing.T) {
	var buf bytes.Buffer
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&buf, nil)))
	defer slog.SetDefault(prev)
	_, dsn := testenv.DB(t)
	db, err := models.Open(dsn, 2)
	if err != nil {
		t.Fatal(err)
	}
	const secret = "naomi.private@example.com"
	const q = `SELECT length(?::text) / 0`
	var n int
	if err := db.Raw(q, secret).Scan(&n).Error; err == nil {
		t.Fatal("Raw.Scan did not fail")
	}
	if err := db.Raw(q, secret).Find(&n).Error; err == nil {
		t.Fatal("Raw.Find did not fail")
	}
	if err := db.Exec(q, secret).Error; err == nil {
		t.Fatal("Exec did not fail")
	}
	out := buf.String()
	if strings.Count(out, "division by zero") != 3 {
		t.Errorf("expected the three failed statements in the log, got:\n%s", out)
	}
	if strings.Contains(out, secret) {
		t.Errorf("the log carries the value:\n%s", out)
	}
}
