package jobs_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/shopspring/decimal"

	"github.com/boomerang-app/boomerang/internal/apptest"
	"github.com/boomerang-app/boomerang/internal/testenv"
	"github.com/boomerang-app/boomerang/jobs"
	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/models/reviews"
	"github.com/boomerang-app/boomerang/sentiment"
)

// The one-minute review sweep catches everything a lost enqueue or a new scorer version leaves
// behind: unscored reviews (live and imported), outdated scores, due review requests, held
// reviews past the moderation window and undelivered merchant alerts.
func TestReviewSweep(t *testing.T) {
	a := apptest.Start(t, apptest.Options{})
	shop := testenv.Shop("rvsweep")
	shopID := a.Install(t, shop)
	ctx := context.Background()
	now := time.Now().UTC()
	count := func(sql string, args ...any) int64 {
		t.Helper()
		var n int64
		if err := a.DB.Raw(sql, args...).Scan(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}
	sweep := func() {
		t.Helper()
		if err := a.Queue.Enqueue(ctx, asynq.NewTask(jobs.TypeReviewSweep, nil)); err != nil {
			t.Fatal(err)
		}
		a.Drain(t, 30*time.Second)
	}

	// Stored without their scoring task: a live complaint, a held review from 15 days ago and
	// an import.
	live, err := reviews.SubmitReview(ctx, a.DB, shopID, reviews.ReviewInput{ProductID: 1, Rating: 1, Body: "Broken on arrival.",
		CustomerID: 5, Source: reviews.SourceStorefront}, now)
	if err != nil {
		t.Fatal(err)
	}
	old, err := reviews.SubmitReview(ctx, a.DB, shopID, reviews.ReviewInput{ProductID: 2, Rating: 3, Body: "It is fine.",
		CustomerID: 6, Source: reviews.SourceStorefront}, now.Add(-15*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	csv := "rating,product_id,body\n5,3,Lovely\n2,3,Arrived late and damaged\n"
	if rep, err := reviews.ImportReviews(ctx, a.DB, shopID, strings.NewReader(csv), now); err != nil || rep.Imported != 2 {
		t.Fatalf("import %+v %v", rep, err)
	}
	// An order fulfilled 15 days ago, whose request is due.
	at := now.Add(-15 * 24 * time.Hour)
	p := int64(4)
	if _, err := models.UpsertOrder(ctx, a.DB, shopID, models.OrderFact{OrderID: 70, CustomerID: 9, Paid: true, ProcessedAt: &at,
		UpdatedAt: &at, Subtotal: decimal.NewFromInt(10), Lines: []models.OrderLine{{LineItemID: 1, ProductID: &p, Title: "Mug", Quantity: 1}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := models.UpsertFulfillment(ctx, a.DB, shopID, models.Fulfillment{FulfillmentID: 71, OrderID: 70, Status: "success", ShopifyCreatedAt: &at}); err != nil {
		t.Fatal(err)
	}
	if err := reviews.SyncReviewRequest(ctx, a.DB, shopID, 70, now); err != nil {
		t.Fatal(err)
	}

	sweep()
	if n := count(`SELECT count(*) FROM reviews WHERE shop_id = ? AND scorer_version = ?`, shopID, sentiment.Version); n != 4 {
		t.Fatalf("%d of 4 reviews scored", n)
	}
	if n := count(`SELECT count(*) FROM cases WHERE shop_id = ? AND review_id = ?`, shopID, live.ID); n != 1 {
		t.Fatalf("case for the live complaint: %d", n)
	}
	if n := count(`SELECT count(*) FROM cases WHERE shop_id = ?`, shopID); n != 1 {
		t.Fatalf("cases: %d (imports open none)", n)
	}
	if r, _ := reviews.GetReview(ctx, a.DB, shopID, old.ID); r.Status != reviews.ReviewPublished {
		t.Fatalf("held review after 15 days: %s", r.Status)
	}
	if q, _ := reviews.GetReviewRequest(ctx, a.DB, shopID, 70); q.Status != reviews.RequestSent {
		t.Fatalf("due request: %+v", q)
	}
	// Each customer's review raised review_submitted, and the bus took it to loyalty.
	if n := count(`SELECT count(*) FROM ledger_entries WHERE shop_id = ? AND kind = 'bonus' AND source_type = 'first_review'`, shopID); n != 2 {
		t.Fatalf("first-review bonuses: %d, want 2 (customers 5 and 6)", n)
	}
	// The case's negative_review took its merchant alert to delivery through the bus. No mail
	// relay in this app: the alert is kept, with the reason, for a later attempt.
	var alert reviews.MerchantAlert
	a.DB.Raw(`SELECT * FROM merchant_alerts WHERE shop_id = ?`, shopID).Scan(&alert)
	if alert.SentAt != nil || alert.Attempts < 1 || alert.LastError == "" {
		t.Fatalf("alert %+v", alert)
	}

	// A new scorer version re-scores everything, without opening a second case.
	a.DB.Exec(`UPDATE reviews SET scorer_version = '0-previous' WHERE shop_id = ?`, shopID)
	sweep()
	if n := count(`SELECT count(*) FROM reviews WHERE shop_id = ? AND scorer_version = ?`, shopID, sentiment.Version); n != 4 {
		t.Fatalf("%d of 4 reviews re-scored", n)
	}
	if n := count(`SELECT count(*) FROM cases WHERE shop_id = ?`, shopID); n != 1 {
		t.Fatalf("cases after re-scoring: %d", n)
	}
	if n := count(`SELECT count(*) FROM complaints WHERE shop_id = ?`, shopID); n != 2 {
		t.Fatalf("complaints after re-scoring: %d", n)
	}
}
