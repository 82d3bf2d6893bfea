package models_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/boomerang-app/boomerang/internal/testenv"
	"github.com/boomerang-app/boomerang/models"
)

// Deliveries stored at once through the group-commit writer get the answers StoreDelivery
// gives one by one: each webhook id stored once and reported fresh once, its copies reported
// as duplicates of that row, a shop never installed and a shop that left dropped with their
// reasons (but the compliance topics of the one that left stored), and nothing else written.
func TestDeliveryWriterAnswersAsOneByOne(t *testing.T) {
	db, _ := testenv.DB(t)
	ctx := context.Background()
	live, gone, stranger := testenv.Shop("grp"), testenv.Shop("grpgone"), testenv.Shop("grpnever")
	liveID, _, _ := models.InstallShop(ctx, db, live)
	goneID, _, _ := models.InstallShop(ctx, db, gone)
	if err := models.MarkUninstalled(ctx, db, goneID, time.Now()); err != nil {
		t.Fatal(err)
	}
	w, err := models.NewDeliveryWriter(db)
	if err != nil {
		t.Fatal(err)
	}
	type sent struct {
		d  models.Delivery
		st models.Stored
	}
	var deliveries []models.Delivery
	for i := 0; i < 300; i++ {
		// Every id three times: copies land in one statement and in different ones.
		d := models.Delivery{ShopDomain: live, Topic: "orders/paid", WebhookID: fmt.Sprintf("w%d", i%100), Body: []byte(`{"id":1}`)}
		switch i % 10 {
		case 7:
			d.ShopDomain = stranger
		case 8:
			d.ShopDomain, d.WebhookID = gone, fmt.Sprintf("g%d", i)
		case 9:
			d.ShopDomain, d.Topic, d.WebhookID = gone, "customers/redact", fmt.Sprintf("r%d", i)
		}
		deliveries = append(deliveries, d)
	}
	out := make([]sent, len(deliveries))
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, d := range deliveries {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			st, err := w.Store(ctx, d)
			if err != nil {
				t.Error(err)
			}
			out[i] = sent{d, st}
		}()
	}
	close(start)
	wg.Wait()

	fresh := map[string]int64{}
	for _, s := range out {
		switch {
		case s.d.ShopDomain == stranger:
			if s.st.Dropped != models.DropUnknownShop {
				t.Errorf("never-installed shop: %+v", s.st)
			}
		case s.d.ShopDomain == gone && s.d.Topic == "orders/paid":
			if s.st.Dropped != models.DropUninstalled {
				t.Errorf("order of a shop that left: %+v", s.st)
			}
		case s.st.Fresh:
			if _, twice := fresh[s.d.WebhookID]; twice {
				t.Errorf("webhook %s reported fresh twice", s.d.WebhookID)
			}
			fresh[s.d.WebhookID] = s.st.EventID
		}
	}
	for _, s := range out {
		if s.st.Dropped == "" && !s.st.Fresh && s.st.EventID != fresh[s.d.WebhookID] {
			t.Errorf("duplicate of %s answered with event %d, stored as %d", s.d.WebhookID, s.st.EventID, fresh[s.d.WebhookID])
		}
		if s.st.Dropped == "" && s.st.ShopID != liveID && s.st.ShopID != goneID {
			t.Errorf("answer without its shop: %+v", s.st)
		}
	}
	var rows int64
	db.Raw(`SELECT count(*) FROM webhook_events WHERE shop_id IN (?, ?)`, liveID, goneID).Scan(&rows)
	// 100 ids: 70 of them orders of the live shop (i%10 in 0–6), and the shop that left keeps
	// its 30 compliance deliveries.
	if len(fresh) != 100 || rows != 100 {
		t.Fatalf("%d webhook ids reported fresh and %d rows stored; want 100 and 100", len(fresh), rows)
	}
}
