package jobs_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/boomerang-app/boomerang/delivery/mailsink"
	"github.com/boomerang-app/boomerang/delivery/smtptest"
	"github.com/boomerang-app/boomerang/internal/apptest"
	"github.com/boomerang-app/boomerang/internal/testenv"
	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/models/messaging"
)

// mailToEach emits one "points earned" notice for each of n subscribed customers and dispatches
// them; the running worker delivers them.
func mailToEach(t *testing.T, a *apptest.App, shopID int64, n int) {
	t.Helper()
	ctx := context.Background()
	for i := 1; i <= n; i++ {
		id := int64(i)
		if _, err := models.UpsertCustomer(ctx, a.DB, shopID, models.CustomerFact{CustomerID: id,
			Email: fmt.Sprintf("c%d@example.com", i), FirstName: "C", EmailConsent: messaging.ConsentSubscribed}); err != nil {
			t.Fatal(err)
		}
		if _, err := models.Emit(ctx, a.DB, shopID, id, fmt.Sprintf("order:%d", i),
			models.PointsEarnedPayload{Points: 50, Balance: 50}, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := a.Worker.DispatchEvents(ctx, shopID); err != nil {
		t.Fatal(err)
	}
}

// settle waits until no decision of the shop is queued or sending, running Asynq's pending
// retries at once instead of waiting out their backoff.
func settle(t *testing.T, a *apptest.App, shopID int64) {
	t.Helper()
	insp := asynq.NewInspector(a.RedisOpt)
	defer insp.Close()
	waitFor(t, 60*time.Second, func() bool {
		_, _ = insp.RunAllRetryTasks("default")
		var open int64
		a.DB.Raw(`SELECT count(*) FROM message_decisions WHERE shop_id = ? AND decision IN ('queued', 'sending')`, shopID).Scan(&open)
		return open == 0
	})
}

func copiesPerRecipient(srv *smtptest.Server) map[string]int {
	out := map[string]int{}
	for _, m := range srv.Messages() {
		for _, to := range m.To {
			out[to]++
		}
	}
	return out
}

// A relay that takes the whole message and answers 250 after the client gave up: the send's
// outcome is unknown, so it is never repeated on its own, and each shopper gets one copy. The
// merchant can send one again by hand.
func TestSlowSMTPNeverDoubleSends(t *testing.T) {
	var slow atomic.Bool
	slow.Store(true)
	srv := smtptest.Start(t, mailsink.RejectData(func(mailsink.Message) error {
		if slow.Load() {
			time.Sleep(2 * time.Second)
		}
		return nil
	}))
	a := apptest.Start(t, apptest.Options{Env: map[string]string{"SMTP_URL": srv.URL(), "SMTP_TIMEOUT_SECONDS": "1"}})
	shop := testenv.Shop("slow250")
	shopID := a.Install(t, shop)
	noticesAtOnce(t, a, shop)
	const n = 12
	mailToEach(t, a, shopID, n)
	settle(t, a, shopID)
	srv.WaitFor(t, n, 30*time.Second)
	time.Sleep(3 * time.Second) // room for a second copy to arrive, if one were sent
	for to, copies := range copiesPerRecipient(srv) {
		if copies != 1 {
			t.Errorf("%s got %d copies", to, copies)
		}
	}
	var rows []messaging.MessageDecision
	a.DB.Where("shop_id = ?", shopID).Order("customer_id").Find(&rows)
	if len(rows) != n {
		t.Fatalf("%d decisions, want %d", len(rows), n)
	}
	for _, md := range rows {
		if md.Decision != messaging.DecisionUnknown || md.Reason != messaging.ReasonOutcomeUnknown {
			t.Fatalf("decision after a late 250: %s/%s (%s)", md.Decision, md.Reason, md.Detail)
		}
	}

	// The merchant sends one again; a sent one cannot be.
	slow.Store(false)
	var out struct{ Decision string }
	if st := a.API(t, shop, http.MethodPost, fmt.Sprintf("/api/activity/%d/retry", rows[0].ID), nil, &out); st != http.StatusAccepted || out.Decision != messaging.DecisionQueued {
		t.Fatalf("retry by hand: %d %+v", st, out)
	}
	settle(t, a, shopID)
	srv.WaitFor(t, n+1, 30*time.Second)
	var md messaging.MessageDecision
	a.DB.Where("shop_id = ? AND id = ?", shopID, rows[0].ID).First(&md)
	if md.Decision != messaging.DecisionSent {
		t.Fatalf("after the retry by hand: %s/%s", md.Decision, md.Reason)
	}
	if st := a.API(t, shop, http.MethodPost, fmt.Sprintf("/api/activity/%d/retry", md.ID), nil, nil); st != http.StatusConflict {
		t.Fatalf("retry of a sent message: %d", st)
	}
	if st := a.API(t, testenv.Shop("other"), http.MethodPost, fmt.Sprintf("/api/activity/%d/retry", rows[1].ID), nil, nil); st != http.StatusNotFound {
		t.Fatalf("retry from another shop: %d", st)
	}
}

// A relay that refuses (4xx) or hangs before DATA never got the message: those sends are
// retried until delivered, once each.
func TestSMTPRefusedBeforeDataIsRetried(t *testing.T) {
	tries := tryCounter{n: map[string]int{}}
	srv := smtptest.Start(t, mailsink.RejectRcpt(func(addr string) error {
		switch tries.add(addr) {
		case 1:
			return mailsink.Temporary("try again later")
		case 2:
			time.Sleep(1500 * time.Millisecond) // hangs past the client's timeout
		}
		return nil
	}))
	a := apptest.Start(t, apptest.Options{Env: map[string]string{"SMTP_URL": srv.URL(), "SMTP_TIMEOUT_SECONDS": "1"}})
	refuse := testenv.Shop("refuse")
	shopID := a.Install(t, refuse)
	noticesAtOnce(t, a, refuse)
	const n = 6
	mailToEach(t, a, shopID, n)
	settle(t, a, shopID)
	srv.WaitFor(t, n, 30*time.Second)
	time.Sleep(2 * time.Second)
	got := copiesPerRecipient(srv)
	if len(got) != n {
		t.Fatalf("%d recipients reached, want %d", len(got), n)
	}
	for to, copies := range got {
		if copies != 1 {
			t.Errorf("%s got %d copies", to, copies)
		}
	}
	var sent int64
	a.DB.Raw(`SELECT count(*) FROM message_decisions WHERE shop_id = ? AND decision = 'sent'`, shopID).Scan(&sent)
	if sent != n {
		t.Fatalf("%d of %d decisions sent", sent, n)
	}
}

// tryCounter counts attempts per key across the sink's connections.
type tryCounter struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *tryCounter) add(k string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n[k]++
	return c.n[k]
}
