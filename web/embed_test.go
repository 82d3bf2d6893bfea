package web

import (
	"bytes"
	"errors"
	"io/fs"
	"testing"
)

// The server depends on two things from the build: the placeholder exists once, inside <head>, before any
// script (App Bridge must load first), and unbuilt trees fail with ErrNotBuilt instead of serving nothing.
func TestIndex(t *testing.T) {
	b, err := Index()
	if _, statErr := fs.Stat(Files(), "index.html"); errors.Is(statErr, fs.ErrNotExist) {
		if !errors.Is(err, ErrNotBuilt) {
			t.Fatalf("Index() on an unbuilt tree: err = %v, want ErrNotBuilt", err)
		}
		t.Skip("front end not built; placeholder checks need dist/index.html")
	}
	if err != nil {
		t.Fatalf("Index(): %v", err)
	}
	if n := bytes.Count(b, []byte(HeadPlaceholder)); n != 1 {
		t.Fatalf("placeholder occurs %d times, want 1", n)
	}
	at := bytes.Index(b, []byte(HeadPlaceholder))
	headEnd := bytes.Index(b, []byte("</head>"))
	if headEnd < 0 || at > headEnd {
		t.Fatalf("placeholder at %d is not inside <head> (ends at %d)", at, headEnd)
	}
	if script := bytes.Index(b, []byte("<script")); script >= 0 && script < at {
		t.Fatalf("a script at %d comes before the placeholder at %d", script, at)
	}
}
