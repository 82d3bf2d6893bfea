package sentiment

import "testing"

func TestScoreCombinesStarsAndText(t *testing.T) {
	cases := []struct {
		rating int
		text   string
		label  string
	}{
		{5, "Love it, works perfectly.", LabelPositive},
		{1, "Broken on arrival, awful.", LabelNegative},
		{3, "", LabelNeutral},
		{4, "", LabelPositive},
		{2, "", LabelNegative},
		{0, "Terrible quality, never again.", LabelNegative},
		{0, "Great value, fast shipping!", LabelPositive},
		{0, "I ordered it on Monday.", LabelNeutral},
		{3, "Très déçu, produit cassé.", LabelNegative},
	}
	for _, c := range cases {
		r := Score(c.rating, c.text)
		if r.Label != c.label {
			t.Errorf("Score(%d, %q) = %+v, want label %s", c.rating, c.text, r, c.label)
		}
	}
	// Text moves a star rating: 4 stars with praise beats 4 stars with a complaint.
	good := Score(4, "Excellent, highly recommend!")
	meh := Score(4, "It's fine but the delivery was late.")
	if good.Score <= meh.Score {
		t.Errorf("text should move the score: %.3f vs %.3f", good.Score, meh.Score)
	}
	if r := Score(5, "Sehr gut!"); r.Language != "de" {
		t.Errorf("language: %+v", r)
	}
	if r := Score(5, ""); r.Language != "en" || r.Confidence <= 0.5 {
		t.Errorf("stars alone: %+v", r)
	}
}

func TestContradiction(t *testing.T) {
	contradicting := []struct {
		rating int
		text   string
	}{
		{5, "Absolutely terrible. It broke the first day, customer service was rude and I want a refund!"},
		{5, "Horrible, never arrived, total scam 😡"},
		{1, "Absolutely love it, perfect quality and super fast delivery! Highly recommend 😍"},
		{5, "Produit nul, arrivé cassé, je suis furieux !"},
		{1, "Ausgezeichnet, sehr zufrieden, klare Kaufempfehlung!"},
		{5, "Terrible!"},
		{1, "Perfect!"},
	}
	for _, c := range contradicting {
		r := Score(c.rating, c.text)
		if !r.Contradiction {
			t.Errorf("Score(%d, %q) = %+v: want Contradiction", c.rating, c.text, r)
		}
		if r.Confidence >= Score(c.rating, "").Confidence {
			t.Errorf("a contradiction should lower confidence: %+v", r)
		}
	}
	consistent := []struct {
		rating int
		text   string
	}{
		{5, "Absolutely love it, perfect!"},
		{1, "Terrible, broke on the first day."},
		{4, "Good, but the box was a bit dented."},
		// A mixed review agrees with four stars even when its complaint is the stronger part.
		{4, "Beautiful dress but it runs small so unfortunately I have to return it."},
		{4, "Love the colour and the fabric, but way too long and boxy on me. Sending it back."},
		{5, ""},
		{0, "Horrible, never arrived."},
		{3, "Terrible."},
	}
	for _, c := range consistent {
		if r := Score(c.rating, c.text); r.Contradiction {
			t.Errorf("Score(%d, %q) = %+v: want no Contradiction", c.rating, c.text, r)
		}
	}
	// The furious 5-star review reads as negative: the text wins.
	if r := Score(5, contradicting[0].text); r.Label != LabelNegative {
		t.Errorf("furious 5-star: %+v", r)
	}
}

func TestNegative(t *testing.T) {
	cases := []struct {
		rating int
		text   string
		want   bool
	}{
		{1, "", true},
		{2, "It's okay I guess.", true},
		{1, "Love it!", true}, // the product rule: rating <= 2 opens a case whatever the text
		{5, "Perfect, thank you!", false},
		{4, "Nice.", false},
		{3, "", false},
		{3, "Awful quality, it broke after two days and support ignored me.", true},
		{5, "Terrible, arrived broken and the seller never answered. Want my money back!", true},
		{0, "Terrible, never arrived, total waste of money.", true},
		{0, "Works fine.", false},
		{4, "Good product, but shipping was a bit slow.", false},
		{3, "Jamais reçu, arnaque totale !", true},
		{0, "Kargo çok geç geldi ve ürün kırık, rezalet.", true},
	}
	for _, c := range cases {
		r := Score(c.rating, c.text)
		if got := Negative(r, c.rating); got != c.want {
			t.Errorf("Negative(Score(%d, %q) = %+v) = %v, want %v", c.rating, c.text, r, got, c.want)
		}
	}
}

func TestResultInvariants(t *testing.T) {
	for _, rating := range []int{-3, 0, 1, 2, 3, 4, 5, 6, 99} {
		for _, text := range []string{"", "good", "bad", "not bad", "!!!!!!!!", "GREAT GREAT GREAT", "😡😡😡😡😡😡😡😡"} {
			r := Score(rating, text)
			checkResult(t, r)
		}
	}
	if Version == "" {
		t.Error("Version must be set")
	}
}

func checkResult(t testing.TB, r Result) {
	t.Helper()
	if r.Score < -1 || r.Score > 1 || r.Score != r.Score {
		t.Fatalf("score out of range: %+v", r)
	}
	if r.Confidence < 0 || r.Confidence > 1 || r.Confidence != r.Confidence {
		t.Fatalf("confidence out of range: %+v", r)
	}
	if r.Label != label(r.Score) {
		t.Fatalf("label %q inconsistent with score %.3f", r.Label, r.Score)
	}
	if r.Language == "" {
		t.Fatalf("no language: %+v", r)
	}
}

// Scoring must be safe from many goroutines: the lexicons are shared and read-only.
func TestConcurrentScoring(t *testing.T) {
	want := Score(2, "Arrived late, box damaged, not happy.")
	done := make(chan Result)
	for i := 0; i < 8; i++ {
		go func() {
			var r Result
			for j := 0; j < 200; j++ {
				r = Score(2, "Arrived late, box damaged, not happy.")
			}
			done <- r
		}()
	}
	for i := 0; i < 8; i++ {
		if got := <-done; got != want {
			t.Fatalf("concurrent result %+v differs from %+v", got, want)
		}
	}
}

// A review's title is the writer's verdict: over a body with an opinion of its own it weighs
// twice, so a complaining title over a body that praises the colour leans further to the
// complaint than the same words read as one text. Without a body, or without a title, nothing
// changes.
func TestScoreTitled(t *testing.T) {
	title, body := "Runs small, sent it back", "Love the colour and the fabric is soft."
	titled, joined := ScoreTitled(0, title, body).Score, Score(0, title+"\n"+body).Score
	if titled >= joined {
		t.Errorf("titled %.3f, joined %.3f: the title should weigh more", titled, joined)
	}
	if got, want := ScoreTitled(4, "", body), Score(4, body); got != want {
		t.Errorf("no title: %+v, want %+v", got, want)
	}
	if got, want := ScoreTitled(2, title, ""), Score(2, title+"\n"); got != want {
		t.Errorf("title only: %+v, want %+v", got, want)
	}
	// A title with no opinion weighs nothing more than it says.
	if got, want := ScoreTitled(0, "Order 1042", body).Score, Score(0, "Order 1042\n"+body).Score; got != want {
		t.Errorf("neutral title: %.3f, want %.3f", got, want)
	}
}

func TestTokenizeTitledCountsTheTitlesSentences(t *testing.T) {
	for _, c := range []struct {
		title string
		want  int
	}{{"Great! Love it :)", 2}, {"Runs small", 1}, {"!!!", 0}} {
		if d := tokenizeTitled(c.title+"\nSent it back.", len(c.title), emoticons); d.titleSents != c.want {
			t.Errorf("%q: titleSents = %d, want %d", c.title, d.titleSents, c.want)
		}
	}
}
