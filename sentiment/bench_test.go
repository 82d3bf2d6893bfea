package sentiment

import "testing"

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
	n := 0
	for b.Loop() {
		r := benchReviews[n%len(benchReviews)]
		Score(r.rating, r.text)
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "reviews/s")
}

func BenchmarkThemes(b *testing.B) {
	n := 0
	for b.Loop() {
		Themes(benchReviews[n%len(benchReviews)].text, "")
		n++
	}
}
