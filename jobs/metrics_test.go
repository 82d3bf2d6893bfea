package jobs_test

import (
	"context"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/boomerang-app/boomerang/internal/apptest"
	"github.com/boomerang-app/boomerang/internal/testenv"
	"github.com/boomerang-app/boomerang/jobs"
	"github.com/boomerang-app/boomerang/models/insights"
)

// The metrics sweep refreshes every installed shop's scorecard rollups.
func TestMetricsSweep(t *testing.T) {
	a := apptest.Start(t, apptest.Options{})
	ctx := context.Background()
	shop := testenv.Shop("metrics")
	shopID := a.Install(t, shop)
	now := time.Now().UTC().Format(time.RFC3339)
	a.Webhook(t, shop, "orders/paid", "", map[string]any{"id": 1, "name": "#1", "currency": "USD", "subtotal_price": "40.00",
		"total_price": "40.00", "financial_status": "paid", "processed_at": now, "created_at": now, "updated_at": now,
		"customer": map[string]any{"id": 77}})
	a.Drain(t, 10*time.Second)
	if err := a.Queue.Enqueue(ctx, asynq.NewTask(jobs.TypeMetricsSweep, nil), asynq.Queue(jobs.QueueLow)); err != nil {
		t.Fatal(err)
	}
	a.Drain(t, 20*time.Second)
	p, _ := insights.ParsePeriod("", "", time.Now(), time.UTC)
	sc, err := insights.GetScorecard(ctx, a.DB, shopID, p)
	if err != nil {
		t.Fatal(err)
	}
	if sc.AsOf == nil || sc.Counts.Orders != 1 {
		t.Errorf("after the sweep: as of %v, %d orders; want a refresh with the order", sc.AsOf, sc.Counts.Orders)
	}
}
