package main

import (
	"encoding/csv"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// readClothing reads the Women's E-Commerce Clothing Reviews CSV: a review's title and body
// with its 1–5 stars. One and two stars are negative, four and five positive; three-star reviews
// are left out because their stars do not say which way they lean.
func readClothing(path string) ([]review, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, err
	}
	col := map[string]int{}
	for i, name := range rows[0] {
		col[name] = i
	}
	for _, name := range []string{"Title", "Review Text", "Rating"} {
		if _, ok := col[name]; !ok {
			return nil, fmt.Errorf("%s: no %q column", path, name)
		}
	}
	var rs []review
	for i, row := range rows[1:] {
		stars, err := strconv.Atoi(row[col["Rating"]])
		body := strings.TrimSpace(row[col["Review Text"]])
		if err != nil || stars == 3 || body == "" {
			continue
		}
		title := strings.TrimRight(strings.TrimSpace(row[col["Title"]]), ".!? ")
		rs = append(rs, review{id: fmt.Sprintf("wcr-%d", i), lang: "en", stars: stars, negative: stars <= 2, title: title, text: body})
	}
	return rs, nil
}
