package jobs_test

import (
	"context"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/boomerang-app/boomerang/delivery/mailsink"
	"github.com/boomerang-app/boomerang/internal/apptest"
	"github.com/boomerang-app/boomerang/internal/testenv"
	"github.com/boomerang-app/boomerang/models"
)

// The fault run that brought a shop back: orders keep arriving at 100/s while the shop
// uninstalls and is then erased by shop/redact, with the mail relay down throughout. Once the
// relay answers, nothing goes out in the shop's name, and the late deliveries neither re-create
// the shop nor leave a single row of it.
func TestLateWebhooksAfterShopRedact(t *testing.T) {
	if testing.Short() {
		t.Skip("a 3-second run")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	relay := l.Addr().String()
	l.Close() // the relay is down until the end

	a := apptest.Start(t, apptest.Options{Env: map[string]string{"SMTP_URL": "smtp://" + relay, "SMTP_TIMEOUT_SECONDS": "1"}})
	shop := testenv.Shop("leaving")
	id := a.Install(t, shop)
	noticesAtOnce(t, a, shop)
	// A shop that stays: its mail shows the relay and the retries do work in this run.
	stays := testenv.Shop("staying")
	a.Install(t, stays)
	noticesAtOnce(t, a, stays)
	for i := 1; i <= 3; i++ {
		cust := map[string]any{"id": 100 + i, "email": fmt.Sprintf("k%d@example.com", i), "first_name": "K",
			"updated_at": ts("01"), "email_marketing_consent": map[string]any{"state": "subscribed"}}
		a.Webhook(t, stays, "orders/paid", "", orderBody(int64(500+i), int64(100+i), "paid", "40.00", ts("02"), map[string]any{"customer": cust}))
	}

	const orders, perSecond = 300, 100
	uninstallAt, redactAt := 120, 200 // order numbers after which the lifecycle webhooks go out
	tick := time.NewTicker(time.Second / perSecond)
	defer tick.Stop()
	for i := 1; i <= orders; i++ {
		<-tick.C
		cust := map[string]any{"id": 7000 + i, "email": fmt.Sprintf("s%d@example.com", i), "first_name": "S",
			"updated_at": ts("01"), "email_marketing_consent": map[string]any{"state": "subscribed"}}
		a.Webhook(t, shop, "orders/paid", fmt.Sprintf("late-%d", i),
			orderBody(int64(90000+i), int64(7000+i), "paid", "40.00", ts("02"), map[string]any{"customer": cust}))
		switch i {
		case uninstallAt:
			a.Webhook(t, shop, "app/uninstalled", "", map[string]any{"id": 1, "myshopify_domain": shop})
		case redactAt:
			// Shopify sends shop/redact 48 hours after the uninstall, so the uninstall is applied
			// by then (a redact for a shop that is installed again is ignored).
			waitFor(t, drainWait, func() bool { return shopRow(t, a, shop).Status == models.ShopUninstalled })
			a.Webhook(t, shop, "shop/redact", "", map[string]any{"shop_id": 1, "shop_domain": shop})
		}
	}
	a.Drain(t, 2*drainWait)

	sink, err := mailsink.Listen(relay)
	if err != nil {
		t.Fatal(err)
	}
	defer sink.Close()
	settleAll(t, a)
	time.Sleep(2 * time.Second) // anything still scheduled would arrive now
	var leaving, staying int
	for _, m := range sink.Messages() {
		for _, to := range m.To {
			if to[0] == 's' {
				leaving++
			} else {
				staying++
			}
		}
	}
	if leaving != 0 {
		t.Fatalf("%d emails went out in the name of the shop that left", leaving)
	}
	if staying == 0 {
		t.Fatal("the shop that stays got no mail either: the run proves nothing")
	}

	if _, err := models.FindShop(context.Background(), a.DB, shop); models.ErrorCode(err) != models.ENotFound {
		t.Fatalf("the shop came back after shop/redact: %v", err)
	}
	var tables []string
	a.DB.Raw(`SELECT table_name FROM information_schema.columns WHERE column_name = 'shop_id' AND table_schema = 'public'`).Scan(&tables)
	for _, table := range tables {
		var n int64
		a.DB.Raw(`SELECT count(*) FROM `+table+` WHERE shop_id = ?`, id).Scan(&n)
		if n != 0 {
			t.Errorf("%s keeps %d rows of the erased shop", table, n)
		}
	}
	if dead, _ := models.IsTombstoned(context.Background(), a.DB, shop); !dead {
		t.Fatal("no tombstone")
	}
}

// settleAll runs every pending retry and scheduled task now, until the queues are empty.
func settleAll(t *testing.T, a *apptest.App) {
	t.Helper()
	insp := asynq.NewInspector(a.RedisOpt)
	defer insp.Close()
	waitFor(t, 60*time.Second, func() bool {
		busy := 0
		queues, _ := insp.Queues()
		for _, q := range queues {
			_, _ = insp.RunAllRetryTasks(q)
			_, _ = insp.RunAllScheduledTasks(q)
			if info, err := insp.GetQueueInfo(q); err == nil {
				busy += info.Pending + info.Active + info.Retry
			}
		}
		return busy == 0
	})
}
