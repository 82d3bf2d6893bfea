package reviews_test

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/boomerang-app/boomerang/internal/testenv"
	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/models/messaging"
	"github.com/boomerang-app/boomerang/models/reviews"
	"github.com/boomerang-app/boomerang/sentiment"
)

func TestReviewSubmitValidation(t *testing.T) {
	db, _ := testenv.DB(t)
	s := newReviewShop(t, db)
	now := time.Now()
	cases := []struct {
		name  string
		in    reviews.ReviewInput
		field string
	}{
		{"no product", reviews.ReviewInput{Rating: 5, CustomerID: 1, Source: reviews.SourceStorefront}, "product_id"},
		{"rating 0", reviews.ReviewInput{ProductID: 1, Rating: 0, CustomerID: 1, Source: reviews.SourceStorefront}, "rating"},
		{"rating 6", reviews.ReviewInput{ProductID: 1, Rating: 6, CustomerID: 1, Source: reviews.SourceStorefront}, "rating"},
		{"long title", reviews.ReviewInput{ProductID: 1, Rating: 5, Title: strings.Repeat("é", reviews.MaxReviewTitle+1), CustomerID: 1, Source: reviews.SourceStorefront}, "title"},
		{"long body", reviews.ReviewInput{ProductID: 1, Rating: 5, Body: strings.Repeat("a", reviews.MaxReviewBody+1), CustomerID: 1, Source: reviews.SourceStorefront}, "body"},
		{"bad utf8", reviews.ReviewInput{ProductID: 1, Rating: 5, Body: "ok \xff", CustomerID: 1, Source: reviews.SourceStorefront}, "body"},
		{"nul", reviews.ReviewInput{ProductID: 1, Rating: 5, Title: "a\x00b", CustomerID: 1, Source: reviews.SourceStorefront}, "title"},
		{"anonymous", reviews.ReviewInput{ProductID: 1, Rating: 5, Source: reviews.SourceStorefront}, "customer_id"},
		{"link for other product", reviews.ReviewInput{ProductID: 2, Rating: 5, CustomerID: 1, Source: reviews.SourceLink, LinkProducts: []int64{1}}, "product_id"},
		{"someone else's order", reviews.ReviewInput{ProductID: 1, Rating: 5, CustomerID: 1, OrderID: 999, Source: reviews.SourceStorefront}, "order_id"},
	}
	for _, c := range cases {
		_, err := reviews.SubmitReview(s.ctx, db, s.id, c.in, now)
		var de *models.Error
		if !errors.As(err, &de) || de.Code != models.EInvalid || de.Field != c.field {
			t.Errorf("%s: got %v, want invalid %s", c.name, err, c.field)
		}
	}
	// Exactly at the limit is fine: 5,000 characters of multi-byte text.
	r := s.submit(1, 1, 5, "", strings.Repeat("ü", reviews.MaxReviewBody), now)
	if len([]rune(r.Body)) != reviews.MaxReviewBody {
		t.Fatalf("body stored with %d characters", len([]rune(r.Body)))
	}
}

func TestReviewSubmitVerifiedBuyerModerationAndLimits(t *testing.T) {
	db, _ := testenv.DB(t)
	s := newReviewShop(t, db)
	now := time.Now()
	s.order(5001, 77, now.Add(-48*time.Hour), 900)

	r := s.submit(77, 900, 5, "Great", "Love it", now)
	if !r.VerifiedBuyer || r.Status != reviews.ReviewPublished || r.PublishedAt == nil {
		t.Fatalf("bought and 5 stars: verified=%v status=%s", r.VerifiedBuyer, r.Status)
	}
	// The first review earns the loyalty bonus (default 100 points), once: the review raises
	// review_submitted, and loyalty pays on hearing it.
	bonus := `SELECT COALESCE(sum(points), 0) FROM ledger_entries WHERE shop_id = ? AND customer_id = 77 AND kind = 'bonus' AND source_type = 'first_review'`
	if pts := s.count(bonus, s.id); pts != 0 {
		t.Fatalf("first-review bonus paid inside the review's transaction: %d points", pts)
	}
	s.payBonuses()
	if pts := s.count(bonus, s.id); pts != 100 {
		t.Fatalf("first-review bonus: %d points", pts)
	}
	// Default moderation holds below 4 stars; no purchase means not verified.
	r2 := s.submit(77, 901, 3, "", "It is fine", now)
	if r2.VerifiedBuyer || r2.Status != reviews.ReviewPending {
		t.Fatalf("not bought, 3 stars: verified=%v status=%s", r2.VerifiedBuyer, r2.Status)
	}
	// A second review of the same product by the same customer is a conflict.
	_, err := reviews.SubmitReview(s.ctx, db, s.id, reviews.ReviewInput{ProductID: 900, Rating: 4, CustomerID: 77, Source: reviews.SourceStorefront}, now)
	if models.ErrorCode(err) != models.EConflict {
		t.Fatalf("duplicate: %v", err)
	}
	// The order named must be the customer's own.
	_, err = reviews.SubmitReview(s.ctx, db, s.id, reviews.ReviewInput{ProductID: 902, Rating: 4, CustomerID: 78, OrderID: 5001, Source: reviews.SourceStorefront}, now)
	if models.ErrorCode(err) != models.EInvalid {
		t.Fatalf("other customer's order: %v", err)
	}
	for p := int64(902); p < 905; p++ {
		s.submit(77, p, 4, "", "", now)
	}
	s.payBonuses()
	s.payBonuses()
	if pts := s.count(bonus, s.id); pts != 100 {
		t.Fatalf("bonus after five reviews: %d points", pts)
	}
	_, err = reviews.SubmitReview(s.ctx, db, s.id, reviews.ReviewInput{ProductID: 905, Rating: 4, CustomerID: 77, Source: reviews.SourceStorefront}, now)
	if !errors.Is(err, reviews.ErrTooManyReviews) {
		t.Fatalf("sixth review in a day: %v", err)
	}
	// The window rolls: a day later the customer may review again; another customer never was limited.
	s.submit(77, 905, 4, "", "", now.Add(25*time.Hour))
	s.submit(78, 905, 4, "", "", now)

	// A merchant who raises the bar to 5 stars holds 4-star reviews.
	set, _ := reviews.GetReviewSettings(s.ctx, db, s.id)
	set.AutoPublishMinRating = 5
	if _, err := reviews.SaveReviewSettings(s.ctx, db, s.id, set); err != nil {
		t.Fatal(err)
	}
	if r := s.submit(79, 905, 4, "", "", now); r.Status != reviews.ReviewPending {
		t.Fatalf("4 stars under a 5-star bar: %s", r.Status)
	}
	set.AutoPublishMinRating = 0
	if _, err := reviews.SaveReviewSettings(s.ctx, db, s.id, set); models.ErrorCode(err) != models.EInvalid {
		t.Fatalf("min rating 0 accepted: %v", err)
	}
}

func TestNegativeReviewOpensCaseHoldEventAlert(t *testing.T) {
	db, _ := testenv.DB(t)
	s := newReviewShop(t, db)
	now := time.Now().UTC()
	s.order(6001, 42, now.Add(-10*24*time.Hour), 700)
	r := s.submit(42, 700, 1, "Broken", "Arrived broken and support never answered.", now)

	out, err := reviews.ScoreReview(s.ctx, db, s.id, r.ID, now)
	if err != nil {
		t.Fatal(err)
	}
	if !out.Scored || !out.Negative || out.CaseID == 0 || out.AlertID == 0 {
		t.Fatalf("outcome %+v", out)
	}
	got, _ := reviews.GetReview(s.ctx, db, s.id, r.ID)
	sm := got.Sentiment()
	if sm == nil || sm.Label != sentiment.LabelNegative || sm.Version != sentiment.Version || sm.Score > -0.1 || sm.Language != "en" {
		t.Fatalf("sentiment %+v", sm)
	}
	c, err := reviews.GetCase(s.ctx, db, s.id, out.CaseID)
	if err != nil || c.Status != reviews.CaseOpen || c.CustomerID != 42 || c.ReviewID != r.ID || c.Review == nil || c.Review.Rating != 1 {
		t.Fatalf("case %+v %v", c, err)
	}
	holds, _ := models.ActiveHolds(s.ctx, db, s.id, 42, now)
	if len(holds) != 1 || holds[0].Reason != models.HoldNegativeReview || holds[0].SourceID != strconv.FormatInt(c.ID, 10) ||
		holds[0].Until == nil || holds[0].Until.Sub(now) < 13*24*time.Hour || holds[0].Until.Sub(now) > 15*24*time.Hour {
		t.Fatalf("holds %+v", holds)
	}
	evs := s.events(models.EventNegativeReview)
	if len(evs) != 1 || evs[0].CustomerID == nil || *evs[0].CustomerID != 42 {
		t.Fatalf("events %+v", evs)
	}
	var p map[string]any
	_ = json.Unmarshal(evs[0].Payload, &p)
	if p["review_id"] != float64(r.ID) || p["case_id"] != float64(c.ID) || p["rating"] != float64(1) || p["product_id"] != float64(700) || p["title"] != "Broken" {
		t.Fatalf("payload %v", p)
	}
	for _, k := range []string{"email", "body", "name"} {
		if _, ok := p[k]; ok {
			t.Fatalf("payload carries %s", k)
		}
	}
	alert, err := reviews.LoadNegativeReviewAlert(s.ctx, db, out.AlertID)
	if err != nil || alert == nil || alert.CaseID != c.ID || alert.Rating != 1 || alert.ProductTitle != "Product 700" {
		t.Fatalf("alert %+v %v", alert, err)
	}
	if ids, err := reviews.UnsentAlerts(s.ctx, db, now.Add(time.Hour), 10); err != nil || len(ids) != 1 {
		t.Fatalf("unsent alerts: %v %v", ids, err)
	}
	// Nothing goes to the merchant of a shop that left.
	if err := models.MarkUninstalled(s.ctx, db, s.id, now); err != nil {
		t.Fatal(err)
	}
	if a, err := reviews.LoadNegativeReviewAlert(s.ctx, db, out.AlertID); err != nil || a != nil {
		t.Fatalf("alert of an uninstalled shop: %+v %v", a, err)
	}
	if ids, _ := reviews.UnsentAlerts(s.ctx, db, now.Add(time.Hour), 10); len(ids) != 0 {
		t.Fatalf("unsent alerts of an uninstalled shop listed: %v", ids)
	}
	if err := models.MarkInstalled(s.ctx, db, s.id); err != nil {
		t.Fatal(err)
	}
	// Themes were recorded from the complaint.
	if n := s.count(`SELECT count(*) FROM complaint_terms WHERE shop_id = ? AND kind = 'theme' AND term IN ('damaged', 'support')`, s.id); n != 2 {
		t.Fatalf("themes recorded: %d", n)
	}

	// Scoring again changes nothing.
	again, err := reviews.ScoreReview(s.ctx, db, s.id, r.ID, now.Add(time.Minute))
	if err != nil || again.Scored || again.CaseID != 0 {
		t.Fatalf("rescore: %+v %v", again, err)
	}
	if n := s.count(`SELECT count(*) FROM cases WHERE shop_id = ?`, s.id); n != 1 {
		t.Fatalf("cases after rescore: %d", n)
	}

	// Resolving the case releases the hold at once.
	res, err := reviews.ResolveCase(s.ctx, db, s.id, c.ID, "Sent a replacement", "staff-1", now.Add(time.Hour))
	if err != nil || res.Status != reviews.CaseResolved || res.Note != "Sent a replacement" || res.ResolvedAt == nil {
		t.Fatalf("resolve %+v %v", res, err)
	}
	if holds, _ := models.ActiveHolds(s.ctx, db, s.id, 42, now.Add(2*time.Hour)); len(holds) != 0 {
		t.Fatalf("holds after resolve %+v", holds)
	}
	if _, err := reviews.ResolveCase(s.ctx, db, s.id, c.ID, "", "staff-1", now); models.ErrorCode(err) != models.EConflict {
		t.Fatalf("resolve twice: %v", err)
	}
	if _, err := reviews.ResolveCase(s.ctx, db, s.id+1000, c.ID, "", "x", now); models.ErrorCode(err) != models.ENotFound {
		t.Fatalf("other shop's case: %v", err)
	}
}

func TestPositiveAndContradictingReviews(t *testing.T) {
	db, _ := testenv.DB(t)
	s := newReviewShop(t, db)
	now := time.Now().UTC()
	happy := s.submit(1, 10, 5, "Perfect", "Absolutely love it, great quality, fast shipping.", now)
	out, err := reviews.ScoreReview(s.ctx, db, s.id, happy.ID, now)
	if err != nil || out.Negative || out.CaseID != 0 {
		t.Fatalf("happy review: %+v %v", out, err)
	}
	// Five stars with furious text: flagged, negative, and a case opens on the text alone.
	angry := s.submit(2, 10, 5, "", "Terrible. It broke after one day, awful quality, a complete waste of money. I hate it.", now)
	out, err = reviews.ScoreReview(s.ctx, db, s.id, angry.ID, now)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := reviews.GetReview(s.ctx, db, s.id, angry.ID)
	if !got.Sentiment().Contradiction || got.Sentiment().Label != sentiment.LabelNegative || !out.Negative || out.CaseID == 0 {
		t.Fatalf("contradiction: %+v outcome %+v", got.Sentiment(), out)
	}
	if n := s.count(`SELECT count(*) FROM holds WHERE shop_id = ? AND customer_id = 2`, s.id); n != 1 {
		t.Fatalf("holds for the 5-star complaint: %d", n)
	}
}

func TestHoldLengthComesFromMessagingPolicy(t *testing.T) {
	db, _ := testenv.DB(t)
	s := newReviewShop(t, db)
	now := time.Now().UTC()
	pol, _ := messaging.GetMessagePolicy(s.ctx, db, s.id)
	pol.NegativeReviewHoldDays = 30
	if _, err := messaging.SaveMessagePolicy(s.ctx, db, s.id, pol); err != nil {
		t.Fatal(err)
	}
	r := s.submit(5, 11, 2, "", "Not good", now)
	if _, err := reviews.ScoreReview(s.ctx, db, s.id, r.ID, now); err != nil {
		t.Fatal(err)
	}
	holds, _ := models.ActiveHolds(s.ctx, db, s.id, 5, now.Add(20*24*time.Hour))
	if len(holds) != 1 {
		t.Fatalf("30-day hold not active on day 20: %+v", holds)
	}
	if holds, _ := models.ActiveHolds(s.ctx, db, s.id, 5, now.Add(31*24*time.Hour)); len(holds) != 0 {
		t.Fatalf("hold still active on day 31: %+v", holds)
	}
	// 0 days: the case still opens, but no promotional hold is placed.
	pol.NegativeReviewHoldDays = 0
	if _, err := messaging.SaveMessagePolicy(s.ctx, db, s.id, pol); err != nil {
		t.Fatal(err)
	}
	r2 := s.submit(6, 11, 1, "", "Bad", now)
	out, err := reviews.ScoreReview(s.ctx, db, s.id, r2.ID, now)
	if err != nil || out.CaseID == 0 {
		t.Fatalf("case with no hold: %+v %v", out, err)
	}
	if holds, _ := models.ActiveHolds(s.ctx, db, s.id, 6, now); len(holds) != 0 {
		t.Fatalf("hold placed with 0 days: %+v", holds)
	}
}

func TestReviewListFiltersAndCursor(t *testing.T) {
	db, _ := testenv.DB(t)
	s := newReviewShop(t, db)
	base := time.Now().UTC().Add(-time.Hour)
	var ids []int64
	for i := 0; i < 7; i++ {
		r := s.submit(int64(100+i), 50+int64(i%2), 1+i%5, "", "text", base.Add(time.Duration(i)*time.Minute))
		ids = append(ids, r.ID)
		if _, err := reviews.ScoreReview(s.ctx, db, s.id, r.ID, base); err != nil {
			t.Fatal(err)
		}
	}
	var seen []int64
	cursor := ""
	for page := 0; page < 5; page++ {
		rs, next, err := reviews.ListReviews(s.ctx, db, s.id, reviews.ReviewFilter{Limit: 3, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rs {
			seen = append(seen, r.ID)
		}
		if next == "" {
			break
		}
		cursor = next
	}
	if len(seen) != 7 {
		t.Fatalf("paged %d reviews: %v", len(seen), seen)
	}
	for i := range seen {
		if seen[i] != ids[6-i] {
			t.Fatalf("not newest first: %v (ids %v)", seen, ids)
		}
	}
	rs, _, err := reviews.ListReviews(s.ctx, db, s.id, reviews.ReviewFilter{ProductID: 51})
	if err != nil || len(rs) != 3 {
		t.Fatalf("product filter: %d %v", len(rs), err)
	}
	rs, _, _ = reviews.ListReviews(s.ctx, db, s.id, reviews.ReviewFilter{Rating: 1})
	if len(rs) != 2 {
		t.Fatalf("rating filter: %d", len(rs))
	}
	rs, _, _ = reviews.ListReviews(s.ctx, db, s.id, reviews.ReviewFilter{Sentiment: "negative"})
	for _, r := range rs {
		if r.Sentiment().Label != "negative" {
			t.Fatalf("sentiment filter let through %+v", r.Sentiment())
		}
	}
	rs, _, _ = reviews.ListReviews(s.ctx, db, s.id, reviews.ReviewFilter{CustomerID: 103})
	if len(rs) != 1 || *rs[0].CustomerID != 103 {
		t.Fatalf("customer filter: %+v", rs)
	}
	for _, f := range []reviews.ReviewFilter{{Rating: 9}, {Sentiment: "angry"}, {Status: "gone"}, {Cursor: "!!"}} {
		if _, _, err := reviews.ListReviews(s.ctx, db, s.id, f); models.ErrorCode(err) != models.EInvalid {
			t.Fatalf("filter %+v: %v", f, err)
		}
	}
	// Moderation and the storefront summary agree.
	if _, err := reviews.SetReviewStatus(s.ctx, db, s.id, ids[0], reviews.ReviewHidden); err != nil {
		t.Fatal(err)
	}
	sum, err := reviews.ProductRatingSummary(s.ctx, db, s.id, reviews.ProductQuery{ProductID: 50})
	if err != nil {
		t.Fatal(err)
	}
	pub, _, _ := reviews.PublishedReviews(s.ctx, db, s.id, reviews.ProductQuery{ProductID: 50}, "", "", 0)
	if sum.Count != int64(len(pub)) {
		t.Fatalf("summary %d vs %d published", sum.Count, len(pub))
	}
	var total int64
	for _, p := range pub {
		total += int64(p.Rating)
		if p.ID == ids[0] {
			t.Fatal("hidden review shown on the storefront")
		}
	}
	if len(pub) > 0 && sum.Average != float64(int(float64(total)/float64(len(pub))*100+0.5))/100 {
		t.Fatalf("average %v for %v", sum.Average, pub)
	}
	if _, err := reviews.SetReviewStatus(s.ctx, db, s.id, ids[0], "pending"); models.ErrorCode(err) != models.EInvalid {
		t.Fatalf("status pending accepted: %v", err)
	}
	if _, err := reviews.SetReviewStatus(s.ctx, db, s.id+99, ids[0], reviews.ReviewPublished); models.ErrorCode(err) != models.ENotFound {
		t.Fatalf("other shop's review: %v", err)
	}
}

func TestHeldReviewsPublishAfterWindow(t *testing.T) {
	db, _ := testenv.DB(t)
	s := newReviewShop(t, db)
	now := time.Now().UTC()
	old := s.submit(1, 1, 2, "", "meh", now.Add(-15*24*time.Hour))
	fresh := s.submit(2, 1, 2, "", "meh", now.Add(-time.Hour))
	n, err := reviews.PublishHeldReviews(s.ctx, db, now)
	if err != nil || n != 1 {
		t.Fatalf("published %d: %v", n, err)
	}
	a, _ := reviews.GetReview(s.ctx, db, s.id, old.ID)
	b, _ := reviews.GetReview(s.ctx, db, s.id, fresh.ID)
	if a.Status != reviews.ReviewPublished || b.Status != reviews.ReviewPending {
		t.Fatalf("statuses %s %s", a.Status, b.Status)
	}
}

func TestReviewRedactionAndExport(t *testing.T) {
	db, _ := testenv.DB(t)
	s := newReviewShop(t, db)
	now := time.Now().UTC()
	r := s.submit(31, 5, 1, "Awful", "My name is Dana Smith and it broke.", now)
	out, err := reviews.ScoreReview(s.ctx, db, s.id, r.ID, now)
	if err != nil || out.CaseID == 0 {
		t.Fatalf("score: %+v %v", out, err)
	}
	if _, err := reviews.UpdateCase(s.ctx, db, s.id, out.CaseID, reviews.CaseUpdate{Note: ptrStr("Called Dana at 555-0100")}); err != nil {
		t.Fatal(err)
	}
	if err := models.FulfillDataRequest(s.ctx, db, s.id, 1, 31); err != nil {
		t.Fatal(err)
	}
	var export string
	db.Raw(`SELECT export::text FROM data_requests WHERE shop_id = ? AND request_id = 1`, s.id).Scan(&export)
	if !strings.Contains(export, `"reviews"`) || !strings.Contains(export, "Dana Smith") || !strings.Contains(export, `"cases"`) {
		t.Fatalf("export lacks reviews or cases: %s", export)
	}
	if err := models.RedactCustomer(s.ctx, db, s.id, 31); err != nil {
		t.Fatal(err)
	}
	got, _ := reviews.GetReview(s.ctx, db, s.id, r.ID)
	c, _ := reviews.GetCase(s.ctx, db, s.id, out.CaseID)
	if got.Body != "" || got.Title != "" || got.Rating != 1 || c.Note != "" {
		t.Fatalf("after redaction: review %q %q rating %d, case note %q", got.Title, got.Body, got.Rating, c.Note)
	}
	if n := s.count(`SELECT count(*) FROM complaints WHERE shop_id = ? AND quote LIKE '%Dana%'`, s.id); n != 0 {
		t.Fatalf("complaint quote kept the name")
	}
}

func ptrStr(s string) *string { return &s }
