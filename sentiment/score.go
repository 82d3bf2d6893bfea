package sentiment

import "math"

// Labels.
const (
	LabelNegative = "negative"
	LabelNeutral  = "neutral"
	LabelPositive = "positive"
)

const (
	// labelBand: scores within ±labelBand are neutral.
	labelBand = 0.1
	// NegativeThreshold is the score at or below which a review counts as clearly negative
	// whatever its stars.
	NegativeThreshold = -0.4
	// contradictionText is how far the text must lean against the stars to contradict them.
	contradictionText = 0.5
	// contradictionConf is the text confidence needed before the text may contradict stars.
	contradictionConf = 0.3
	// contradictionMixed: a text contradicts the stars only when it is one-sided, the praise in
	// a complaining text (or the complaint in a praising one) weighing at most this share of the
	// other side. "Love the colour, but it runs small and I am sending it back" under four stars
	// is a mixed review that agrees with its stars, not a misclick.
	contradictionMixed = 0.33
)

// Result is the sentiment of one review.
type Result struct {
	Score         float64 // [-1,1], stars and text together
	Label         string  // "negative", "neutral" or "positive", from Score
	Language      string  // ISO 639-1 code of the text ("en" when there is no text)
	Confidence    float64 // [0,1]
	Contradiction bool    // the text says the opposite of the stars
}

// ScoreText scores text alone: a score in [-1,1], the detected language and a confidence in
// [0,1] that grows with the number of sentiment words found and the language's certainty.
func ScoreText(text string) (score float64, lang string, confidence float64) {
	a := analyzeText(text, "")
	return clamp11(a.compound), a.code, textConfidence(a)
}

func textConfidence(a analysis) float64 {
	lc := 0.5 + 0.5*a.langConf
	if a.nSent == 0 {
		return clamp01(0.15 * lc)
	}
	// Words the lexicon understood are themselves evidence that the language is right, so a
	// one-word "Terrible!" is not discounted for being too short to detect.
	lc = max(lc, 0.8)
	ev := 1 - math.Exp(-float64(a.nSent)/1.5)
	return clamp01(ev * lc * (0.6 + 0.4*math.Abs(a.compound)))
}

// Score scores a review from its star rating (1..5, or 0 when there are no stars) and its text.
// Stars and text are averaged with a text weight that grows with the text's confidence. When
// the text clearly contradicts the stars (5 stars with furious text, 1 star with glowing text)
// Contradiction is set and the text dominates: a misclicked star is common, furious praise is
// not, and either way the merchant needs to see the review.
func Score(rating int, text string) Result {
	return scoreAnalysis(rating, analyzeText(text, ""))
}

// ScoreTitled is Score for a review whose title is kept apart from its body, as shops' review
// forms keep it: the title is the writer's own verdict on the whole, so where the body has an
// opinion too, the title's words weigh twice as much ("Runs small, sent it back" over a body
// that praises the colour).
func ScoreTitled(rating int, title, body string) Result {
	return scoreAnalysis(rating, analyzeReview(title, body, ""))
}

func scoreAnalysis(rating int, a analysis) Result {
	t := clamp11(a.compound)
	tc := textConfidence(a)
	r := Result{Language: a.code}
	if rating < 1 || rating > 5 {
		r.Score, r.Confidence = t, tc
		r.Label = label(r.Score)
		return r
	}
	s := float64(rating-3) / 2
	pos, neg := a.masses()
	r.Contradiction = tc >= contradictionConf &&
		((rating >= 4 && t <= -contradictionText && pos <= contradictionMixed*neg) ||
			(rating <= 2 && t >= contradictionText && neg <= contradictionMixed*pos))
	w := 0.25 + 0.35*tc
	if rating == 3 {
		// Three stars says "mixed", not which way: the text decides more.
		w = 0.5 + 0.3*tc
	}
	if r.Contradiction {
		w = 0.75
	}
	r.Score = clamp11((1-w)*s + w*t)
	agree := 1 - math.Abs(s-t)/2
	if r.Contradiction {
		r.Confidence = clamp01(0.3 + 0.3*tc)
	} else {
		r.Confidence = clamp01(0.55 + 0.25*agree + 0.2*tc*agree)
	}
	r.Label = label(r.Score)
	return r
}

func label(score float64) string {
	switch {
	case score >= labelBand:
		return LabelPositive
	case score <= -labelBand:
		return LabelNegative
	}
	return LabelNeutral
}

// Negative is the product rule for opening a make-it-right case: a rating of 1 or 2, or text
// sentiment that is clearly negative (the score at or below NegativeThreshold, or a text that
// contradicts good stars).
func Negative(r Result, rating int) bool {
	if rating >= 1 && rating <= 2 {
		return true
	}
	return r.Score <= NegativeThreshold || (r.Contradiction && r.Score < 0)
}
