package jobs

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/models/loyalty"
	"github.com/boomerang-app/boomerang/models/messaging"
	"github.com/boomerang-app/boomerang/models/reviews"
)

type recorder struct {
	got      []string
	finished bool
	fail     error
}

func (r *recorder) handle(_ context.Context, evs []models.Event) error {
	for _, ev := range evs {
		r.got = append(r.got, ev.Kind+":"+ev.Key)
	}
	return r.fail
}

func (r *recorder) finish(context.Context) error {
	r.finished = true
	return nil
}

// Each subscriber gets the batch's events of its kinds, oldest first, and nothing when the
// batch has none of them; a subscriber for every kind gets them all.
func TestBusRoutesByKind(t *testing.T) {
	reviews, all, none := &recorder{}, &recorder{}, &recorder{}
	b := &bus{
		subs: []subscription{
			{name: "reviews", kinds: kindsOf(models.EventNegativeReview)},
			{name: "all"},
			{name: "none", kinds: kindsOf(models.EventBirthday)},
		},
		open: []subscriber{reviews, all, none},
	}
	evs := []models.Event{{Kind: models.EventPointsEarned, Key: "1"}, {Kind: models.EventNegativeReview, Key: "2"},
		{Kind: models.EventPointsEarned, Key: "3"}, {Kind: models.EventNegativeReview, Key: "4"}}
	if err := b.publish(context.Background(), evs); err != nil {
		t.Fatal(err)
	}
	if want := []string{"negative_review:2", "negative_review:4"}; !slices.Equal(reviews.got, want) {
		t.Errorf("negative-review subscriber got %v, want %v", reviews.got, want)
	}
	if len(all.got) != 4 || all.got[0] != "points_earned:1" || all.got[3] != "negative_review:4" {
		t.Errorf("every-kind subscriber got %v", all.got)
	}
	if none.got != nil {
		t.Errorf("a subscriber of another kind was called with %v", none.got)
	}
	if err := b.finish(context.Background()); err != nil || !reviews.finished || !all.finished || !none.finished {
		t.Errorf("finish: %v (%v %v %v)", err, reviews.finished, all.finished, none.finished)
	}
}

// A subscriber's failure stops the batch before the later subscribers (and before the batch
// is marked), naming the subscriber.
func TestBusStopsAtAFailingSubscriber(t *testing.T) {
	bad, later := &recorder{fail: errors.New("boom")}, &recorder{}
	b := &bus{subs: []subscription{{name: "bad"}, {name: "later"}}, open: []subscriber{bad, later}}
	err := b.publish(context.Background(), []models.Event{{Kind: models.EventBirthday}})
	if err == nil || err.Error() != "bad: boom" || later.got != nil {
		t.Fatalf("err %v, later got %v", err, later.got)
	}
}

// The worker's subscriptions: Flow triggers before messaging (a trigger is stored before its
// cause is marked), each routed by the kinds it answers, and the tag sync woken by any kind.
func TestWorkerSubscriptions(t *testing.T) {
	subs := (&Worker{}).subscriptions()
	var names []string
	for _, s := range subs {
		names = append(names, s.name)
	}
	if want := []string{"flow triggers", "messaging", "loyalty bonuses", "merchant alerts", "hold tags"}; !slices.Equal(names, want) {
		t.Fatalf("subscriptions %v, want %v", names, want)
	}
	same := func(got map[string]bool, want []string) bool {
		return len(got) == len(want) && !slices.ContainsFunc(want, func(k string) bool { return !got[k] })
	}
	if !same(subs[0].kinds, models.FlowTriggerKinds()) || !subs[0].kinds[models.EventTierChanged] {
		t.Errorf("flow triggers' kinds: %v", subs[0].kinds)
	}
	if !same(subs[1].kinds, messaging.MessageTriggers) || !subs[1].kinds[models.EventPointsEarned] {
		t.Errorf("messaging's kinds: %v", subs[1].kinds)
	}
	if !same(subs[2].kinds, loyalty.BonusTriggers) || !subs[2].kinds[models.EventReviewSubmitted] {
		t.Errorf("loyalty bonuses' kinds: %v", subs[2].kinds)
	}
	if !same(subs[3].kinds, reviews.AlertTriggers) || !subs[3].kinds[models.EventNegativeReview] {
		t.Errorf("merchant alerts' kinds: %v", subs[3].kinds)
	}
	if subs[4].kinds != nil {
		t.Errorf("hold tags should hear every kind, has %v", subs[4].kinds)
	}
}
