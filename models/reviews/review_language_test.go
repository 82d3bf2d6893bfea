package reviews_test

import (
	"testing"
	"time"

	"github.com/boomerang-app/boomerang/internal/testenv"
	"github.com/boomerang-app/boomerang/models/reviews"
)

// Reviews are scored in the shopper's language: praise and complaints in each supported
// language end up with the right label and language, complaints open a case and name their
// themes, negated criticism is not a complaint, and a "but" clause weighs on the score.
func TestScoreReviewInEachLanguage(t *testing.T) {
	db, _ := testenv.DB(t)
	s := newReviewShop(t, db)
	now := time.Now().UTC()
	langs := []struct {
		lang, praise, complaint, negated string
	}{
		{"en", "Excellent quality, I love it. Fast delivery.", "Not good at all. It arrived broken and support never answers.", "Not bad at all, I like it."},
		{"de", "Sehr gute Qualität, ich bin begeistert. Schnelle Lieferung.", "Leider nicht gut. Die Ware kam kaputt an und der Kundenservice antwortet nicht.", "Nicht schlecht, ich bin zufrieden."},
		{"fr", "Produit excellent, je suis très satisfaite. Livraison rapide.", "Pas bon du tout. Le colis est arrivé cassé et le service client ne répond pas.", "Pas mal du tout, je recommande."},
		{"es", "Excelente calidad, me encanta. Envío rápido.", "No me gustó nada. Llegó roto y el servicio al cliente no responde.", "No está mal, me gusta."},
		{"it", "Qualità ottima, lo adoro. Spedizione veloce.", "Non mi è piaciuto per niente. È arrivato rotto e il servizio clienti non risponde.", ""},
		{"nl", "Uitstekende kwaliteit, ik ben er heel blij mee. Snelle levering.", "Helemaal niet goed. Het kwam kapot aan en de klantenservice reageert niet.", ""},
		{"pt", "Qualidade excelente, adorei. Entrega rápida.", "Não gostei nada. Chegou quebrado e o atendimento não responde.", ""},
		{"ru", "Отличное качество, очень довольна. Быстрая доставка.", "Ужасное качество, пришло сломанным, поддержка не отвечает.", ""},
		{"tr", "Harika kalite, çok memnun kaldım. Hızlı kargo.", "Hiç beğenmedim. Kırık geldi ve müşteri hizmetleri cevap vermiyor.", ""},
	}
	cust := int64(1000)
	score := func(rating int, text string) (*reviews.Review, reviews.ScoreOutcome) {
		t.Helper()
		cust++
		r := s.submit(cust, 1, rating, "", text, now)
		out, err := reviews.ScoreReview(s.ctx, db, s.id, r.ID, now)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := reviews.GetReview(s.ctx, db, s.id, r.ID)
		return got, out
	}
	for _, l := range langs {
		r, out := score(5, l.praise)
		if sm := r.Sentiment(); sm.Label != "positive" || sm.Language != l.lang || out.Negative || sm.Contradiction {
			t.Errorf("%s praise: %+v %+v", l.lang, sm, out)
		}
		r, out = score(1, l.complaint)
		if sm := r.Sentiment(); sm.Label != "negative" || sm.Language != l.lang || !out.Negative || out.CaseID == 0 {
			t.Errorf("%s complaint: %+v %+v", l.lang, sm, out)
		}
		if n := s.count(`SELECT count(*) FROM complaint_terms t JOIN complaints c ON c.shop_id = t.shop_id AND c.id = t.complaint_id
			WHERE c.shop_id = ? AND c.source_id = ? AND t.kind = 'theme' AND t.term = 'damaged'`, s.id, r.ID); n != 1 {
			t.Errorf("%s complaint: no damaged theme", l.lang)
		}
		if l.negated == "" {
			continue
		}
		// Four stars alone score 0.5; "not bad" read as "bad" would drag the review well below.
		r, out = score(4, l.negated)
		if sm := r.Sentiment(); sm.Label != "positive" || sm.Score < 0.45 || out.Negative {
			t.Errorf("%s negation %q: %+v", l.lang, l.negated, sm)
		}
	}
	// Contrast: what follows "but" (aber) outweighs what came before it.
	for _, c := range []struct{ lang, text string }{
		{"en", "The color is nice but the size runs small."},
		{"de", "Schöne Farbe, aber die Größe fällt klein aus."},
	} {
		r, _ := score(4, c.text)
		if sm := r.Sentiment(); sm.Score >= 0.5 || sm.Language != c.lang {
			t.Errorf("%s contrast %q: %+v", c.lang, c.text, sm)
		}
	}
	// Stars and text that disagree are flagged; furious text under five stars still opens a case.
	r, out := score(5, "Terrible, broke after one day, total waste of money.")
	if sm := r.Sentiment(); !sm.Contradiction || sm.Label != "negative" || out.CaseID == 0 {
		t.Errorf("5 stars, furious text: %+v %+v", sm, out)
	}
	r, _ = score(1, "Absolutely love it, perfect in every way!")
	if sm := r.Sentiment(); !sm.Contradiction {
		t.Errorf("1 star, glowing text: %+v", sm)
	}
}
