package main

import (
	"encoding/xml"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// kaf is the part of an OpeNER KAF file this command reads: the tokens with their offsets and
// the opinions people annotated. Polarity attributes on terms come from an automatic tagger and
// are not read.
type kaf struct {
	Words []struct {
		Offset int    `xml:"offset,attr"` // in characters, not bytes
		Length int    `xml:"length,attr"`
		Para   string `xml:"para,attr"`
		Text   string `xml:",chardata"`
	} `xml:"text>wf"`
	Opinions []struct {
		Expression struct {
			Polarity string `xml:"polarity,attr"`
		} `xml:"opinion_expression"`
	} `xml:"opinions>opinion"`
}

// readOpeNER reads one language's annotated reviews. A review's label comes from the opinion
// expressions annotated in it (Strong… counts twice): it is kept only when one side carries at
// least 2 and the other at most a quarter of the total, so that people's annotations clearly
// lean one way. Mixed reviews are left out, as three-star reviews are for starred sets.
func readOpeNER(dir, lang, domain string) ([]review, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.kaf"))
	if err != nil || len(files) == 0 {
		return nil, err
	}
	sort.Strings(files)
	var rs []review
	for _, path := range files {
		raw, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		var k kaf
		if err := xml.Unmarshal(raw, &k); err != nil {
			return nil, err
		}
		var pos, neg int
		for _, o := range k.Opinions {
			w := 1
			if strings.HasPrefix(o.Expression.Polarity, "Strong") {
				w = 2
			}
			switch strings.TrimPrefix(o.Expression.Polarity, "Strong") {
			case "Positive":
				pos += w
			case "Negative":
				neg += w
			}
		}
		total := pos + neg
		if max(pos, neg) < 2 || 4*min(pos, neg) > total {
			continue
		}
		id := "opener-" + domain + "-" + lang + "-" + strings.TrimSuffix(filepath.Base(path), ".kaf")
		title, body := kafText(k)
		rs = append(rs, review{id: id, lang: lang, negative: neg > pos, title: title, text: body})
	}
	return rs, nil
}

// kafText rebuilds a review from its tokens: a space wherever the offsets leave a gap, and a
// full stop between paragraphs that lack one. The first of two or more paragraphs is the
// review's title.
func kafText(k kaf) (title, body string) {
	var paras []string
	var b strings.Builder
	end, para := 0, ""
	for i, w := range k.Words {
		switch {
		case i > 0 && w.Para != para:
			paras = append(paras, b.String())
			b.Reset()
		case i > 0 && w.Offset > end:
			b.WriteByte(' ')
		}
		// The corpus writes every hyphen as "·" (a KAF comment may not hold "--").
		b.WriteString(strings.ReplaceAll(w.Text, "·", "-"))
		end, para = w.Offset+w.Length, w.Para
	}
	paras = append(paras, b.String())
	if len(paras) > 1 {
		title, paras = paras[0], paras[1:]
	}
	// A paragraph ends a sentence.
	for i, p := range paras[:len(paras)-1] {
		if p != "" && !strings.ContainsAny(p[len(p)-1:], ".!?") {
			paras[i] = p + "."
		}
	}
	return title, strings.Join(paras, " ")
}
