// Package sentiment scores shopper reviews from their star rating and their text, in the
// shopper's language, without a database, a network or a model download.
//
// Text scoring is rule based (VADER's approach: a valence lexicon plus rules for negation,
// intensifiers, contrast, emphasis and emoji) with one engine for every language and one
// lexicon file per language under lexicon/. English starts from the VADER lexicon shipped with
// github.com/jonreiter/govader and adds shopping vocabulary; the other languages are built here.
// Japanese and Chinese, written without spaces, are split into their lexicon's words (the split
// with the fewest pieces and unknown runes, segment.go) before the same rules run; Japanese
// adjectives are listed once and given their inflected forms (inflect.go).
// Everything is parsed once at package init, so scoring a review allocates only its own tokens.
package sentiment

// Version identifies the scoring rules and lexicons. It is stored with every score so reviews
// can be re-scored when it changes: bump it whenever a lexicon, a rule or a constant changes.
const Version = "2026.12.4"
