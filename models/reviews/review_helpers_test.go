package reviews_test

import (
	"context"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"gorm.io/gorm"

	"github.com/boomerang-app/boomerang/internal/testenv"
	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/models/loyalty"
	"github.com/boomerang-app/boomerang/models/reviews"
)

// reviewShop is a seeded shop for review tests with helpers that write the facts reviews
// depend on.
type reviewShop struct {
	t    *testing.T
	ctx  context.Context
	db   *gorm.DB
	id   int64
	name string
}

func newReviewShop(t *testing.T, db *gorm.DB) *reviewShop {
	t.Helper()
	ctx := context.Background()
	name := testenv.Shop("rev")
	id, _, err := models.InstallShop(ctx, db, name)
	if err != nil {
		t.Fatal(err)
	}
	if err := models.SeedShop(ctx, db, id); err != nil {
		t.Fatal(err)
	}
	return &reviewShop{t: t, ctx: ctx, db: db, id: id, name: name}
}

// order stores a paid order for customer with one line per product (price = 10 × position).
func (s *reviewShop) order(orderID, customerID int64, at time.Time, products ...int64) {
	s.t.Helper()
	f := models.OrderFact{OrderID: orderID, CustomerID: customerID, Name: "#" + decimal.NewFromInt(orderID).String(),
		Subtotal: decimal.NewFromInt(50), Total: decimal.NewFromInt(55), Paid: true, ProcessedAt: &at, CreatedAt: &at, UpdatedAt: &at}
	for i, p := range products {
		p := p
		f.Lines = append(f.Lines, models.OrderLine{LineItemID: orderID*100 + int64(i), ProductID: &p, Title: "Product " + decimal.NewFromInt(p).String(),
			Quantity: 1, Price: decimal.NewFromInt(int64(10 * (i + 1)))})
	}
	if _, err := models.UpsertOrder(s.ctx, s.db, s.id, f); err != nil {
		s.t.Fatal(err)
	}
}

func (s *reviewShop) fulfill(orderID, fulfillmentID int64, at time.Time, delivered *time.Time) {
	s.t.Helper()
	f := models.Fulfillment{FulfillmentID: fulfillmentID, OrderID: orderID, Status: "success", ShopifyCreatedAt: &at, ShopifyUpdatedAt: &at, DeliveredAt: delivered}
	if delivered != nil {
		f.ShipmentStatus = "delivered"
		f.ShopifyUpdatedAt = delivered
	}
	if _, err := models.UpsertFulfillment(s.ctx, s.db, s.id, f); err != nil {
		s.t.Fatal(err)
	}
}

func (s *reviewShop) submit(customerID, productID int64, rating int, title, body string, now time.Time) *reviews.Review {
	s.t.Helper()
	r, err := reviews.SubmitReview(s.ctx, s.db, s.id, reviews.ReviewInput{ProductID: productID, Rating: rating, Title: title,
		Body: body, CustomerID: customerID, Source: reviews.SourceStorefront}, now)
	if err != nil {
		s.t.Fatalf("submit review: %v", err)
	}
	return r
}

func (s *reviewShop) count(sql string, args ...any) int64 {
	s.t.Helper()
	var n int64
	if err := s.db.Raw(sql, args...).Scan(&n).Error; err != nil {
		s.t.Fatal(err)
	}
	return n
}

func (s *reviewShop) events(kind string) []models.Event {
	s.t.Helper()
	var evs []models.Event
	if err := models.Scoped(s.ctx, s.db, s.id).Where("kind = ?", kind).Order("id").Find(&evs).Error; err != nil {
		s.t.Fatal(err)
	}
	return evs
}

// payBonuses does the loyalty subscriber's part of a dispatch run (jobs/bus.go): the shop's
// undispatched events go to loyalty, which pays the bonuses they call for.
func (s *reviewShop) payBonuses() {
	s.t.Helper()
	evs, err := models.PendingEvents(s.ctx, s.db, s.id, 1000)
	if err != nil {
		s.t.Fatal(err)
	}
	if err := loyalty.BonusesFor(s.ctx, s.db, s.id, evs); err != nil {
		s.t.Fatal(err)
	}
}
