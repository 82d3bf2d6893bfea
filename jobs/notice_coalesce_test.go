package jobs_test

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/boomerang-app/boomerang/internal/testenv"
	"github.com/boomerang-app/boomerang/jobs"
	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/models/loyalty"
	"github.com/boomerang-app/boomerang/models/messaging"
)

// Naomi orders three times in a few minutes: one "points earned" mail goes out, once the notice
// window has passed, with the points of all three and her final balance; the first two notices are
// in the decision log as coalesced, each naming the newer one.
func TestPointsNoticesCoalesce(t *testing.T) {
	s := newStory(t, "coalesce")
	ctx := context.Background()
	const naomi, email = int64(5101), "naomi.coalesce@example.com"
	s.customer(naomi, "Naomi", email, "subscribed")
	now := time.Now()
	for i, id := range []int64{9501, 9502, 9503} {
		s.order(id, naomi, 77, "20.00", now.Add(time.Duration(i)*time.Minute))
	}
	s.a.Drain(t, 30*time.Second)

	var ds []messaging.MessageDecision
	s.a.DB.Where("shop_id = ? AND customer_id = ? AND trigger = ?", s.shopID, naomi, models.EventPointsEarned).Order("id").Find(&ds)
	if len(ds) != 3 {
		t.Fatalf("%d points notices decided, want 3", len(ds))
	}
	for _, d := range ds {
		if d.Decision != messaging.DecisionDeferred || d.DueAt == nil || d.DueAt.Sub(d.CreatedAt) < 9*time.Minute {
			t.Fatalf("notice %d not waiting out the window: %+v", d.ID, d)
		}
	}

	// The window has passed: each comes due in turn.
	s.a.Worker.Now = func() time.Time { return time.Now().Add(15 * time.Minute) }
	defer func() { s.a.Worker.Now = nil }()
	mux := s.a.Worker.Mux()
	for _, d := range ds {
		b, _ := json.Marshal(map[string]int64{"shop": s.shopID, "id": d.ID})
		if err := mux.ProcessTask(ctx, asynq.NewTask(jobs.TypeDeliverMessage, b)); err != nil {
			t.Fatal(err)
		}
	}
	s.a.DB.Where("shop_id = ? AND customer_id = ? AND trigger = ?", s.shopID, naomi, models.EventPointsEarned).Order("id").Find(&ds)
	for i, d := range ds[:2] {
		if d.Decision != messaging.DecisionSkipped || d.Reason != messaging.ReasonCoalesced || !strings.Contains(d.Detail, "newer notice") {
			t.Fatalf("notice %d: %s %s %q, want skipped as coalesced", i+1, d.Decision, d.Reason, d.Detail)
		}
	}
	if ds[2].Decision != messaging.DecisionSent {
		t.Fatalf("the last notice: %s %s %q, want sent", ds[2].Decision, ds[2].Reason, ds[2].Detail)
	}
	acct, _ := loyalty.GetLoyaltyAccount(ctx, s.a.DB, s.shopID, naomi)
	var points []string
	for _, m := range s.mailsTo(email) {
		if strings.Contains(m.Subject, "You earned") {
			points = append(points, m.Text)
		}
	}
	if len(points) != 1 || !strings.Contains(points[0], "You just earned 300 points") ||
		!strings.Contains(points[0], "balance is now "+strconv.FormatInt(acct.Balance, 10)+" points") {
		t.Fatalf("points mails (balance %d): %q", acct.Balance, points)
	}
	t.Logf("points mails for 3 orders in 2 minutes, 10-minute window: %d", len(points))

	// In the same run, a shop with the window off (the behaviour before it existed) and the same
	// burst: one mail per order, at once.
	off := &story{t: t, a: s.a, smtp: s.smtp, shop: testenv.Shop("coalesceoff"), customers: map[int64]map[string]any{}}
	off.shopID = s.a.Install(t, off.shop)
	noticesAtOnce(t, s.a, off.shop)
	const olga, olgaEmail = int64(5102), "olga.coalesce@example.com"
	off.customer(olga, "Olga", olgaEmail, "subscribed")
	for i, id := range []int64{9511, 9512, 9513} {
		off.order(id, olga, 78, "20.00", now.Add(time.Duration(i)*time.Minute))
	}
	s.a.Drain(t, 30*time.Second)
	count := func() (n int) {
		for _, m := range off.mailsTo(olgaEmail) {
			if strings.Contains(m.Subject, "You earned") {
				n++
			}
		}
		return n
	}
	for deadline := time.Now().Add(10 * time.Second); count() < 3 && time.Now().Before(deadline); {
		time.Sleep(50 * time.Millisecond)
	}
	if n := count(); n != 3 {
		t.Fatalf("points mails with the window off: %d, want 3", n)
	}
	t.Logf("points mails for 3 orders in 2 minutes, window off: %d", count())
}
