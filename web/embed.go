// Package web carries the embedded admin front end. Vite builds it into dist/ (npm ci && npm run build in web/);
// a fresh clone only has dist/.gitkeep, so the binary still compiles and Index reports that the UI is missing.
package web

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
)

// HeadPlaceholder is the comment in dist/index.html's <head> that the server replaces with the shop's
// App Bridge tags and the window.__BOOMERANG__ bootstrap script. It sits before every script Vite emits.
const HeadPlaceholder = "<!--boomerang:head-->"

// Dist holds the build output under the "dist/" prefix; use Files for a tree rooted at dist/.
//
//go:embed all:dist
var Dist embed.FS

// ErrNotBuilt means the binary was compiled before the front end was built.
var ErrNotBuilt = errors.New("web: front end not built (run `npm ci && npm run build` in web/ before go build)")

// Files returns the built front end rooted at dist/: index.html and assets/<name>-<hash>.<ext>.
func Files() fs.FS {
	sub, err := fs.Sub(Dist, "dist")
	if err != nil {
		// fs.Sub only fails on an invalid path; "dist" is a constant valid path.
		panic(fmt.Sprintf("web: sub dist: %v", err))
	}
	return sub
}

// Index returns dist/index.html, still containing HeadPlaceholder for the server to fill per request.
func Index() ([]byte, error) {
	b, err := Dist.ReadFile("dist/index.html")
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNotBuilt
	}
	if err != nil {
		return nil, fmt.Errorf("web: read dist/index.html: %w", err)
	}
	return b, nil
}
