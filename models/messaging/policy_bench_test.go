package messaging_test

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/boomerang-app/boomerang/internal/testenv"
	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/models/messaging"
)

// BenchmarkDecide measures the pure policy engine: one candidate against facts already loaded.
func BenchmarkDecide(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	now := time.Date(2026, 3, 10, 15, 0, 0, 0, time.UTC)
	type input struct {
		c messaging.Candidate
		f messaging.PolicyFacts
	}
	inputs := make([]input, 1024)
	for i := range inputs {
		c := messaging.Candidate{Trigger: models.EventOneTimeBuyerQuiet, Kind: messaging.KindPromotional,
			Channel: []string{messaging.ChannelEmail, messaging.ChannelSMS}[rng.IntN(2)], FeaturedProductIDs: []int64{1 + rng.Int64N(20), 1 + rng.Int64N(20)},
			NotBefore: now.Add(-time.Hour)}
		f := messaging.PolicyFacts{HasAddress: true, Consent: messaging.ConsentSubscribed, Location: newYork,
			SubscribedProductIDs: []int64{1 + rng.Int64N(40)}, PromoSends: []time.Time{now.Add(-time.Duration(rng.IntN(40)) * time.Hour)}}
		if rng.IntN(5) == 0 {
			f.Holds = []models.Hold{{Reason: models.HoldNegativeReview}}
		}
		inputs[i] = input{c, f}
	}
	s := messaging.DefaultPolicySettings
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		in := &inputs[i&1023]
		_ = messaging.Decide(in.c, in.f, s, now)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "decisions/s")
}

// BenchmarkDecideWithFacts measures what a campaign or an event burst pays per decision: the
// customer's facts loaded from Postgres in batches of 500 (customer, holds, subscriptions,
// recent sends, opt-outs) and the policy applied. Decision rows are not written here.
func BenchmarkDecideWithFacts(b *testing.B) {
	db, _ := testenv.DB(b)
	ctx := context.Background()
	shop, _, _ := models.InstallShop(ctx, db, testenv.Shop("bench"))
	const customers = 5000
	now := time.Now().UTC()
	// 5,000 shoppers with consent; every 10th held after a negative review, every 5th sent a
	// promotion 3 hours ago, every 7th subscribed to the featured product.
	for _, q := range []string{
		`INSERT INTO customers (shop_id, customer_id, email, email_consent, timezone)
			SELECT ?, g, 'c' || g || '@example.com', 'subscribed', 'America/New_York' FROM generate_series(1, 5000) g`,
		`INSERT INTO holds (shop_id, customer_id, reason, source_type, source_id, until)
			SELECT ?, g, 'negative_review', 'case', g::text, now() + interval '1 day' FROM generate_series(10, 5000, 10) g`,
		`INSERT INTO message_decisions (shop_id, message_id, customer_id, trigger, entity_key, dedupe_key, kind, channel, decision, not_before, sent_at)
			SELECT ?, 1, g, 'x', 'e', 'e', 'promotional', 'email', 'sent', now(), now() - interval '3 hours' FROM generate_series(5, 5000, 5) g`,
		`INSERT INTO subscription_contracts (shop_id, contract_id, customer_id, status, status_at, started_at)
			SELECT ?, g, g, 'active', now(), now() FROM generate_series(7, 5000, 7) g`,
		`INSERT INTO subscription_lines (shop_id, contract_id, position, product_id) SELECT ?, g, 0, 7 FROM generate_series(7, 5000, 7) g`,
	} {
		if err := db.Exec(q, shop).Error; err != nil {
			b.Fatal(err)
		}
	}
	ids := make([]int64, customers)
	for i := range ids {
		ids[i] = int64(i + 1)
	}
	cand := messaging.Candidate{Trigger: "campaign", Kind: messaging.KindPromotional, Channel: messaging.ChannelEmail, Campaign: true,
		FeaturedProductIDs: []int64{7}, NotBefore: now.Add(-time.Minute)}
	s := messaging.DefaultPolicySettings
	outcomes := map[string]int{}
	b.ResetTimer()
	// One op is one batch of 500 decisions, the page size campaigns use.
	for i := 0; i < b.N; i++ {
		off := (i * 500) % customers
		batch := ids[off : off+500]
		facts, err := messaging.LoadCustomerFacts(ctx, db, shop, batch, s.CapWindow, now)
		if err != nil {
			b.Fatal(err)
		}
		for _, id := range batch {
			d := messaging.Decide(cand, facts.For(id, messaging.ChannelEmail), s, now)
			outcomes[d.Action+"/"+d.Reason]++
		}
	}
	b.ReportMetric(float64(b.N*500)/b.Elapsed().Seconds(), "decisions/s")
	if outcomes["send/"] == 0 || outcomes["hold/negative_review"] == 0 || outcomes["hold/subscribed_product"] == 0 || outcomes["skip/frequency_cap"] == 0 {
		b.Fatalf("the fixture does not exercise the rules: %v", outcomes)
	}
}
