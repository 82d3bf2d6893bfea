package messaging_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/boomerang-app/boomerang/internal/testenv"
	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/models/messaging"
)

func queued(shop, customer, message int64, entity, kind string, at time.Time) *messaging.MessageDecision {
	return &messaging.MessageDecision{ShopID: shop, MessageID: message, CustomerID: customer, Trigger: models.EventOneTimeBuyerQuiet,
		EntityKey: entity, Kind: kind, Channel: messaging.ChannelEmail, Decision: messaging.DecisionQueued, NotBefore: at}
}

func TestDecisionAnsweredOncePerEntity(t *testing.T) {
	db, _ := testenv.DB(t)
	ctx := context.Background()
	shop := testenv.SeededShop(t, db, "dec")
	now := time.Now().UTC()
	first, err := messaging.RecordDecision(ctx, db, queued(shop, 1, 10, "order:1", messaging.KindPromotional, now))
	if err != nil || !first {
		t.Fatalf("first: %v %v", first, err)
	}
	again, err := messaging.RecordDecision(ctx, db, queued(shop, 1, 10, "order:1", messaging.KindPromotional, now))
	if err != nil || again {
		t.Fatalf("the same trigger was answered twice: %v %v", again, err)
	}
	other, _ := messaging.RecordDecision(ctx, db, queued(shop, 1, 11, "order:1", messaging.KindPromotional, now))
	camp := queued(shop, 1, 0, "order:1", messaging.KindPromotional, now)
	camp.CampaignID = 5
	byCampaign, _ := messaging.RecordDecision(ctx, db, camp)
	if !other || !byCampaign {
		t.Fatalf("another message or a campaign may answer the same entity: %v %v", other, byCampaign)
	}

	// Two events about one entity (a contract cancelled twice) are answered once: the second
	// is recognised through the dedupe key.
	a := queued(shop, 1, 12, "cancel:r2", messaging.KindPromotional, now)
	a.DedupeKey = "contract:9"
	if _, err := messaging.RecordDecision(ctx, db, a); err != nil {
		t.Fatal(err)
	}
	b := queued(shop, 1, 12, "cancel:r3", messaging.KindPromotional, now)
	b.DedupeKey = "contract:9"
	if dup, err := messaging.AlreadyAnswered(ctx, db, b); err != nil || !dup {
		t.Fatalf("second event about the same entity: duplicate = %v, %v", dup, err)
	}
	if dup, _ := messaging.AlreadyAnswered(ctx, db, a); dup {
		t.Fatalf("a decision is not its own duplicate")
	}
}

func TestClaimSendIsAtMostOnce(t *testing.T) {
	db, _ := testenv.DB(t)
	ctx := context.Background()
	shop := testenv.SeededShop(t, db, "dec")
	testenv.AddCustomer(t, db, shop, 1, messaging.ConsentSubscribed)
	now := time.Now().UTC()
	md := queued(shop, 1, 10, "order:1", messaging.KindPromotional, now.Add(-time.Minute))
	if _, err := messaging.RecordDecision(ctx, db, md); err != nil {
		t.Fatal(err)
	}
	cand := messaging.Candidate{Trigger: md.Trigger, Kind: md.Kind, Channel: md.Channel, NotBefore: md.NotBefore}
	cl, err := messaging.ClaimSend(ctx, db, shop, md.ID, cand, messaging.DefaultPolicySettings, now)
	got, send := cl.Decision, cl.Send
	if err != nil || !send || got.Decision != messaging.DecisionSending || cl.Customer == nil || cl.Customer.Email != "c1@example.com" {
		t.Fatalf("first claim: %+v %v %v", got, send, err)
	}
	// A retried task (the first crashed mid-send) finds the row in sending and may not send.
	cl, err = messaging.ClaimSend(ctx, db, shop, md.ID, cand, messaging.DefaultPolicySettings, now)
	got, send = cl.Decision, cl.Send
	if err != nil || send || got.Decision != messaging.DecisionSending {
		t.Fatalf("second claim: %+v %v %v", got, send, err)
	}
	// A temporary provider error puts it back in the queue; it no longer counts towards the cap.
	if err := messaging.MarkDecisionRetry(ctx, db, shop, md.ID, "451 try later"); err != nil {
		t.Fatal(err)
	}
	facts, _ := messaging.LoadCustomerFacts(ctx, db, shop, []int64{1}, 16*time.Hour, now)
	if n := len(facts.For(1, messaging.ChannelEmail).PromoSends); n != 0 {
		t.Fatalf("a send waiting for retry counts towards the cap: %d", n)
	}
	if cl, _ = messaging.ClaimSend(ctx, db, shop, md.ID, cand, messaging.DefaultPolicySettings, now); !cl.Send {
		t.Fatal("retry after a temporary error was refused")
	}
	if err := messaging.MarkDecisionSent(ctx, db, shop, md.ID, "<id@x>", now); err != nil {
		t.Fatal(err)
	}
	got, _ = messaging.GetDecision(ctx, db, shop, md.ID)
	if got.Decision != messaging.DecisionSent || got.ProviderID != "<id@x>" || got.Attempts != 2 || got.SentAt == nil {
		t.Fatalf("after send: %+v", got)
	}
	if cl, _ = messaging.ClaimSend(ctx, db, shop, md.ID, cand, messaging.DefaultPolicySettings, now); cl.Send {
		t.Fatal("a sent decision was claimed again")
	}
	// Failing a sent decision is refused: the log never loses a send.
	if err := messaging.MarkDecisionFailed(ctx, db, shop, md.ID, messaging.ReasonInterrupted, ""); err != nil {
		t.Fatal(err)
	}
	if got, _ = messaging.GetDecision(ctx, db, shop, md.ID); got.Decision != messaging.DecisionSent {
		t.Fatalf("sent decision overwritten: %+v", got)
	}
}

func TestClaimSendRechecksTheRules(t *testing.T) {
	db, _ := testenv.DB(t)
	ctx := context.Background()
	shop := testenv.SeededShop(t, db, "dec")
	testenv.AddCustomer(t, db, shop, 1, messaging.ConsentSubscribed)
	now := time.Now().UTC()
	md := queued(shop, 1, 10, "order:1", messaging.KindPromotional, now.Add(-time.Minute))
	messaging.RecordDecision(ctx, db, md)
	// A negative review lands between the decision and its delivery.
	until := now.Add(14 * 24 * time.Hour)
	if _, err := models.PlaceHold(ctx, db, shop, 1, models.HoldNegativeReview, "case", "1", &until); err != nil {
		t.Fatal(err)
	}
	cand := messaging.Candidate{Trigger: md.Trigger, Kind: md.Kind, Channel: md.Channel, NotBefore: md.NotBefore}
	cl, err := messaging.ClaimSend(ctx, db, shop, md.ID, cand, messaging.DefaultPolicySettings, now)
	got, send := cl.Decision, cl.Send
	if err != nil || send || got.Decision != messaging.DecisionHeld || got.Reason != messaging.ReasonNegativeReview {
		t.Fatalf("claim after hold: %+v %v %v", got, send, err)
	}
	// Unsubscribed through Boomerang between decision and delivery.
	md2 := queued(shop, 1, 11, "order:1", messaging.KindTransactional, now.Add(-time.Minute))
	messaging.RecordDecision(ctx, db, md2)
	if err := messaging.Suppress(ctx, db, shop, 1, messaging.ChannelEmail, "unsubscribe_link"); err != nil {
		t.Fatal(err)
	}
	cand.Kind = messaging.KindTransactional
	cl, _ = messaging.ClaimSend(ctx, db, shop, md2.ID, cand, messaging.DefaultPolicySettings, now)
	got, send = cl.Decision, cl.Send
	if send || got.Decision != messaging.DecisionSkipped || got.Reason != messaging.ReasonUnsubscribed {
		t.Fatalf("claim after unsubscribe: %+v", got)
	}
	c, _ := models.GetCustomer(ctx, db, shop, 1)
	if c.EmailConsent != messaging.ConsentUnsubscribed {
		t.Fatalf("consent after unsubscribe = %q", c.EmailConsent)
	}
	// A later customers/update from Shopify still saying "subscribed" does not undo the opt-out.
	models.UpsertCustomer(ctx, db, shop, models.CustomerFact{CustomerID: 1, Email: "c1@example.com", EmailConsent: messaging.ConsentSubscribed})
	md3 := queued(shop, 1, 12, "order:1", messaging.KindPromotional, now.Add(-time.Minute))
	messaging.RecordDecision(ctx, db, md3)
	cand.Kind = messaging.KindPromotional
	cl, _ = messaging.ClaimSend(ctx, db, shop, md3.ID, cand, messaging.DefaultPolicySettings, now)
	got = cl.Decision
	if got.Reason != messaging.ReasonUnsubscribed {
		t.Fatalf("Shopify's stale consent overrode the unsubscribe: %+v", got)
	}
}

// TestFrequencyCapHoldsUnderConcurrency races many deliveries for the same customers and
// checks the log afterwards: within any cap window no customer has more promotional sends
// than the cap, whatever the interleaving, and transactional messages are not limited.
func TestFrequencyCapHoldsUnderConcurrency(t *testing.T) {
	db, _ := testenv.DB(t)
	ctx := context.Background()
	shop := testenv.SeededShop(t, db, "cap")
	rng := rand.New(rand.NewPCG(7, 11))
	now := time.Now().UTC()
	s := messaging.DefaultPolicySettings
	s.CapCount = 2
	const customers, perCustomer = 5, 12
	type job struct {
		id   int64
		cand messaging.Candidate
	}
	var jobs []job
	for c := int64(1); c <= customers; c++ {
		testenv.AddCustomer(t, db, shop, c, messaging.ConsentSubscribed)
		for k := 0; k < perCustomer; k++ {
			kind := messaging.KindPromotional
			if rng.IntN(4) == 0 {
				kind = messaging.KindTransactional
			}
			md := queued(shop, c, int64(100+k), fmt.Sprintf("e%d", k), kind, now.Add(-time.Minute))
			if _, err := messaging.RecordDecision(ctx, db, md); err != nil {
				t.Fatal(err)
			}
			jobs = append(jobs, job{md.ID, messaging.Candidate{Trigger: md.Trigger, Kind: kind, Channel: messaging.ChannelEmail, NotBefore: md.NotBefore}})
		}
	}
	rng.Shuffle(len(jobs), func(i, j int) { jobs[i], jobs[j] = jobs[j], jobs[i] })
	var wg sync.WaitGroup
	errs := make(chan error, len(jobs))
	for _, j := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := messaging.ClaimSend(ctx, db, shop, j.id, j.cand, s, now); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	var rows []struct {
		CustomerID int64
		Kind       string
		Decision   string
		Reason     string
		N          int
	}
	db.Raw(`SELECT customer_id, kind, decision, reason, count(*) AS n FROM message_decisions WHERE shop_id = ?
		GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3`, shop).Scan(&rows)
	sends := map[int64]int{}
	for _, r := range rows {
		switch {
		case r.Kind == messaging.KindPromotional && r.Decision == messaging.DecisionSending:
			sends[r.CustomerID] += r.N
		case r.Kind == messaging.KindPromotional && r.Decision != messaging.DecisionDeferred:
			t.Fatalf("unexpected promotional outcome %+v", r)
		case r.Kind == messaging.KindPromotional && r.Reason != messaging.ReasonFrequencyCap:
			t.Fatalf("deferred for %q, want frequency_cap", r.Reason)
		case r.Kind == messaging.KindTransactional && r.Decision != messaging.DecisionSending:
			t.Fatalf("transactional message limited: %+v", r)
		}
	}
	for c := int64(1); c <= customers; c++ {
		if sends[c] != s.CapCount {
			t.Fatalf("customer %d: %d promotional sends, want exactly the cap %d (%+v)", c, sends[c], s.CapCount, rows)
		}
	}
}

// Ten deliveries of the same transactional decision race; exactly one may send it.
func TestClaimTransactionalOnceUnderRace(t *testing.T) {
	db, _ := testenv.DB(t)
	ctx := context.Background()
	shop := testenv.SeededShop(t, db, "race")
	testenv.AddCustomer(t, db, shop, 1, "not_subscribed") // transactional email needs no marketing consent
	now := time.Now().UTC()
	md := queued(shop, 1, 10, "order:1", messaging.KindTransactional, now.Add(-time.Minute))
	if _, err := messaging.RecordDecision(ctx, db, md); err != nil {
		t.Fatal(err)
	}
	cand := messaging.Candidate{Trigger: md.Trigger, Kind: messaging.KindTransactional, Channel: messaging.ChannelEmail, NotBefore: md.NotBefore}
	var wg sync.WaitGroup
	var mu sync.Mutex
	sends := 0
	for i := 0; i < 10; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := messaging.ClaimDecision(ctx, db, md, cand, messaging.DefaultPolicySettings, now)
			if err != nil {
				t.Error(err)
				return
			}
			if c.Send {
				mu.Lock()
				sends++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if sends != 1 {
		t.Fatalf("%d claims won, want exactly 1", sends)
	}
}
