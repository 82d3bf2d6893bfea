package jobs_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/boomerang-app/boomerang/delivery/mailsink"
	"github.com/boomerang-app/boomerang/delivery/smtptest"
	"github.com/boomerang-app/boomerang/internal/apptest"
	"github.com/boomerang-app/boomerang/internal/testenv"
	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/models/messaging"
)

func benchEnv(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// BenchmarkEventToMail drives domain events at a fixed rate (BENCH_RATE per second, default
// 200, for BENCH_SECONDS, default 20) through the whole messaging path — outbox event,
// dispatch, policy, decision log, delivery task, Liquid render, SMTP — into a real SMTP server,
// and reports the latency from the event's commit to the server accepting the mail. Each event
// is a points_earned for a different shopper (one transactional mail each). Run it alone:
//
//	go test ./jobs -run '^$' -bench EventToMail -benchtime=1x
func BenchmarkEventToMail(b *testing.B) {
	rate, seconds := benchEnv("BENCH_RATE", 200), benchEnv("BENCH_SECONDS", 20)
	n := rate * seconds
	var arrivals sync.Map // recipient → time accepted
	srv := smtptest.Start(b, mailsink.RejectData(func(m smtptest.Message) error {
		now := time.Now()
		for _, to := range m.To {
			arrivals.LoadOrStore(to, now)
		}
		return nil
	}))
	a := apptest.Start(b, apptest.Options{Env: map[string]string{"SMTP_URL": srv.URL(),
		"WORKER_CONCURRENCY": strconv.Itoa(benchEnv("BENCH_CONCURRENCY", 20))}})
	shop := testenv.Shop("latency")
	shopID := a.Install(b, shop)
	noticesAtOnce(b, a, shop) // each event's own mail, as measured before notices merged
	ctx := context.Background()
	if err := a.DB.Exec(`INSERT INTO customers (shop_id, customer_id, email, first_name, email_consent)
		SELECT ?, g, 'c' || g || '@bench.test', 'Shopper', 'subscribed' FROM generate_series(1, ?) g`, shopID, n).Error; err != nil {
		b.Fatal(err)
	}
	committed := make([]time.Time, n+1)
	b.ResetTimer()
	// Open loop: event i is due at start + i/rate whatever happened before, so a slow moment
	// is caught up rather than lowering the offered rate.
	var wg sync.WaitGroup
	start := time.Now()
	for i := 1; i <= n; i++ {
		if d := time.Until(start.Add(time.Duration(i) * time.Second / time.Duration(rate))); d > 0 {
			time.Sleep(d)
		}
		wg.Add(1)
		go func(c int64) {
			defer wg.Done()
			// As a producer does: the event commits, then dispatch is asked for.
			if _, err := models.Emit(ctx, a.DB, shopID, c, fmt.Sprintf("bench:%d", c),
				models.PointsEarnedPayload{Points: 500, Balance: 500}, time.Now()); err != nil {
				b.Error(err)
				return
			}
			committed[c] = time.Now()
			if err := a.Queue.EnqueueDispatch(ctx, shopID); err != nil {
				b.Error(err)
			}
		}(int64(i))
	}
	emitDone := time.Since(start)
	wg.Wait()
	deadline := time.Now().Add(2 * time.Minute)
	var lat []time.Duration
	for {
		lat = lat[:0]
		for c := 1; c <= n; c++ {
			if at, ok := arrivals.Load(fmt.Sprintf("c%d@bench.test", c)); ok {
				lat = append(lat, at.(time.Time).Sub(committed[c]))
			}
		}
		if len(lat) == n || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	b.StopTimer()
	if len(lat) < n {
		b.Fatalf("%d of %d mails arrived", len(lat), n)
	}
	slices.Sort(lat)
	pct := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Milliseconds()) }
	b.ReportMetric(float64(n)/emitDone.Seconds(), "events/s")
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.95), "p95-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(float64(lat[len(lat)-1].Milliseconds()), "max-ms")
}

// BenchmarkCampaignDecisions measures deciding a campaign's audience end to end: pages of 500
// shoppers, facts loaded per page, one decision row each, delivery tasks enqueued in Redis.
// Delivery itself is not run (no worker), so this is the decision rate alone.
func BenchmarkCampaignDecisions(b *testing.B) {
	a := apptest.Start(b, apptest.Options{NoWorker: true})
	shop := testenv.Shop("campaign")
	shopID := a.Install(b, shop)
	ctx := context.Background()
	const customers = 5000
	for _, q := range []string{
		`INSERT INTO customers (shop_id, customer_id, email, email_consent, stage)
			SELECT ?, g, 'c' || g || '@bench.test', 'subscribed', 'repeat' FROM generate_series(1, 5000) g`,
		`INSERT INTO holds (shop_id, customer_id, reason, source_type, source_id, until)
			SELECT ?, g, 'negative_review', 'case', g::text, now() + interval '1 day' FROM generate_series(10, 5000, 10) g`,
	} {
		if err := a.DB.Exec(q, shopID).Error; err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	decided := 0
	for i := 0; i < b.N; i++ {
		c, err := messaging.CreateCampaign(ctx, a.DB, shopID, messaging.Campaign{Name: "Sale", Channel: messaging.ChannelEmail, Subject: "Sale",
			Body: "<p>Sale</p>", Audience: messaging.CampaignAudience{Stage: models.StageRepeat}})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := messaging.StartCampaign(ctx, a.DB, shopID, c.ID, time.Now()); err != nil {
			b.Fatal(err)
		}
		k, err := messaging.DecideCampaign(ctx, a.DB, shopID, c.ID, time.Now, func(created []*messaging.MessageDecision) error {
			return a.Worker.EnqueueDeliveries(ctx, created)
		})
		if err != nil || k != customers {
			b.Fatalf("decided %d, %v", k, err)
		}
		decided += k
	}
	b.ReportMetric(float64(decided)/b.Elapsed().Seconds(), "decisions/s")
}
