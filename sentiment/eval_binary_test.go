package sentiment

import "testing"

// binaryFigures are the issue-16 measures of text-only scoring on reviews labelled positive or
// negative: accuracy with a score of 0 or more counted positive, the share scored exactly 0
// (no opinion word found), and the case-opening rule's (score <= NegativeThreshold) recall and
// precision on the negatives.
type binaryFigures struct {
	n, zero                  int
	negatives                int
	accuracy, recall, precis float64
	// balanced is the mean of the accuracy on negatives and on positives: most sets are mostly
	// positive, and plain accuracy rewards a scorer that calls everything positive.
	balanced float64
}

// textScores scores each text alone (ScoreText).
func textScores(texts []string) []float64 {
	scores := make([]float64, len(texts))
	for i, text := range texts {
		scores[i], _, _ = ScoreText(text)
	}
	return scores
}

func binaryScores(scores []float64, negative []bool) binaryFigures {
	var f binaryFigures
	var right, negRight, flagged, flaggedNeg int
	for i, score := range scores {
		f.n++
		if score == 0 {
			f.zero++
		}
		if (score >= 0) != negative[i] {
			right++
			if negative[i] {
				negRight++
			}
		}
		if negative[i] {
			f.negatives++
		}
		if score <= NegativeThreshold {
			flagged++
			if negative[i] {
				flaggedNeg++
			}
		}
	}
	f.accuracy = float64(right) / float64(max(f.n, 1))
	posRight := right - negRight
	f.balanced = (float64(negRight)/float64(max(f.negatives, 1)) + float64(posRight)/float64(max(f.n-f.negatives, 1))) / 2
	f.recall = float64(flaggedNeg) / float64(max(f.negatives, 1))
	f.precis = float64(flaggedNeg) / float64(max(flagged, 1))
	return f
}

// TestBinaryOnPeoplesRatings reports the binary figures on the human-rated snippets whose mean
// rating is clearly positive or negative (|rating| >= 0.25 on [-1,1]). The scorer was tuned on
// these snippets, so they are a development set, not a test of unseen reviews: the floors only
// guard against regressions.
func TestBinaryOnPeoplesRatings(t *testing.T) {
	for _, set := range []struct {
		file                     string
		accuracy, recall, precis float64
	}{
		{"amazonReviewSnippets_GroundTruth.txt", 0.82, 0.37, 0.94},
		{"movieReviewSnippets_GroundTruth.txt", 0.69, 0.32, 0.82},
	} {
		var texts []string
		var negative []bool
		for _, r := range loadGroundTruth(t, set.file) {
			if r.rating >= 0.25 || r.rating <= -0.25 {
				texts = append(texts, r.text)
				negative = append(negative, r.rating < 0)
			}
		}
		f := binaryScores(textScores(texts), negative)
		t.Logf("%s: n=%d accuracy=%.3f scored 0=%.1f%% case rule recall=%.3f precision=%.3f",
			set.file, f.n, f.accuracy, 100*float64(f.zero)/float64(f.n), f.recall, f.precis)
		if f.accuracy < set.accuracy || f.recall < set.recall || f.precis < set.precis {
			t.Errorf("%s: below the floors %.2f / %.2f / %.2f", set.file, set.accuracy, set.recall, set.precis)
		}
	}
}
