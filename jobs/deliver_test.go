package jobs_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/boomerang-app/boomerang/delivery/mailsink"
	"github.com/boomerang-app/boomerang/delivery/smtptest"
	"github.com/boomerang-app/boomerang/internal/apptest"
	"github.com/boomerang-app/boomerang/internal/testenv"
	"github.com/boomerang-app/boomerang/jobs"
	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/models/messaging"
)

// fakeSMS is a Twilio-compatible Messages API that records what it accepted and answers each
// recipient as told.
type fakeSMS struct {
	mu       sync.Mutex
	sent     []url.Values
	failures map[string][]int // To → statuses to answer before accepting
}

func (f *fakeSMS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	f.mu.Lock()
	defer f.mu.Unlock()
	to := r.PostForm.Get("To")
	if q := f.failures[to]; len(q) > 0 {
		f.failures[to] = q[1:]
		w.WriteHeader(q[0])
		fmt.Fprintf(w, `{"code": 21211, "message": "The 'To' number %s is not a valid phone number.", "status": %d}`, to, q[0])
		return
	}
	f.sent = append(f.sent, r.PostForm)
	w.WriteHeader(201)
	fmt.Fprintf(w, `{"sid": "SM%d", "status": "queued"}`, len(f.sent))
}

func (f *fakeSMS) to(number string) []url.Values {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []url.Values
	for _, v := range f.sent {
		if v.Get("To") == number {
			out = append(out, v)
		}
	}
	return out
}

// zoneAt returns a fixed-offset zone whose local hour is `hour` now.
func zoneAt(hour int) string {
	off := (hour - time.Now().UTC().Hour() + 24) % 24
	if off > 12 {
		off -= 24
	}
	// Etc/GMT signs are inverted: Etc/GMT-3 is three hours east of UTC.
	switch {
	case off > 0:
		return fmt.Sprintf("Etc/GMT-%d", off)
	case off < 0:
		return fmt.Sprintf("Etc/GMT+%d", -off)
	}
	return "UTC"
}

func TestDeliverySMSQuietHoursFailuresAndCrash(t *testing.T) {
	fake := &fakeSMS{failures: map[string][]int{"+15555550003": {400}, "+15555550004": {503}}}
	sms := httptest.NewServer(fake)
	defer sms.Close()
	a := apptest.Start(t, apptest.Options{NoWorker: true})
	shop := testenv.Shop("sms")
	shopID := a.Install(t, shop)
	ctx := context.Background()
	if code := a.API(t, shop, "PUT", "/api/sms/settings", map[string]any{"account_sid": "AC123", "auth_token": "tok",
		"from": "+15005550006", "base_url": sms.URL}, nil); code != 200 {
		t.Fatalf("sms settings: %d", code)
	}
	var birthday int64
	var list struct {
		Messages []messaging.Message `json:"messages"`
	}
	a.API(t, shop, "GET", "/api/messages", nil, &list)
	for _, m := range list.Messages {
		if m.Trigger == models.EventBirthday {
			birthday = m.ID
			m.Channel, m.Kind = messaging.ChannelSMS, messaging.KindPromotional
			m.Templates.SMS = "Happy birthday {{ customer.first_name }}! Reply STOP to opt out."
			if code := a.API(t, shop, "PUT", fmt.Sprintf("/api/messages/%d", m.ID), m, nil); code != 200 {
				t.Fatalf("switch birthday to SMS: %d", code)
			}
		}
	}
	customers := map[int64]string{1: zoneAt(12), 2: zoneAt(23), 3: zoneAt(12), 4: zoneAt(12), 5: zoneAt(12)}
	for id, tz := range customers {
		phone := fmt.Sprintf("+1555555000%d", id)
		if _, err := models.UpsertCustomer(ctx, a.DB, shopID, models.CustomerFact{CustomerID: id, FirstName: fmt.Sprintf("C%d", id),
			Phone: phone, SMSConsent: messaging.ConsentSubscribed, Timezone: tz}); err != nil {
			t.Fatal(err)
		}
		if _, err := models.Emit(ctx, a.DB, shopID, id, fmt.Sprintf("%d:2026", id), models.BirthdayPayload{}, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := a.Worker.DispatchEvents(ctx, shopID); err != nil {
		t.Fatal(err)
	}
	decision := func(customer int64) *messaging.MessageDecision {
		t.Helper()
		var md messaging.MessageDecision
		if err := a.DB.Where("shop_id = ? AND customer_id = ? AND message_id = ?", shopID, customer, birthday).First(&md).Error; err != nil {
			t.Fatal(err)
		}
		return &md
	}
	mux := a.Worker.Mux()
	deliver := func(customer int64) error {
		b, _ := json.Marshal(map[string]int64{"shop": shopID, "id": decision(customer).ID})
		return mux.ProcessTask(ctx, asynq.NewTask(jobs.TypeDeliverMessage, b))
	}

	// Daytime: sent, with the provider's id.
	if err := deliver(1); err != nil {
		t.Fatal(err)
	}
	if md := decision(1); md.Decision != messaging.DecisionSent || !strings.HasPrefix(md.ProviderID, "SM") {
		t.Fatalf("daytime SMS: %+v", md)
	}
	if got := fake.to("+15555550001"); len(got) != 1 || got[0].Get("Body") != "Happy birthday C1! Reply STOP to opt out." || got[0].Get("From") != "+15005550006" {
		t.Fatalf("provider received %v", got)
	}

	// 23:00 for the shopper: deferred to 08:00 their time, never dropped.
	md := decision(2)
	if md.Decision != messaging.DecisionDeferred || md.Reason != messaging.ReasonQuietHours || md.DueAt == nil {
		t.Fatalf("night SMS: %+v", md)
	}
	loc, _ := time.LoadLocation(customers[2])
	if due := md.DueAt.In(loc); due.Hour() != 8 || due.Minute() != 0 || time.Until(*md.DueAt) > 10*time.Hour {
		t.Fatalf("deferred to %v local", due)
	}
	if err := deliver(2); err != nil { // woke early: goes back to sleep
		t.Fatal(err)
	}
	if len(fake.to("+15555550002")) != 0 || decision(2).Decision != messaging.DecisionDeferred {
		t.Fatal("a deferred SMS went out inside quiet hours")
	}

	// A permanent refusal is recorded as failed with the provider's reason, not retried.
	if err := deliver(3); err != nil {
		t.Fatal(err)
	}
	if md := decision(3); md.Decision != messaging.DecisionFailed || md.Reason != messaging.ReasonProviderRejected || !strings.Contains(md.Detail, "not a valid phone number") {
		t.Fatalf("rejected SMS: %+v", md)
	}

	// A temporary error returns the decision to the queue; the retry sends it once.
	if err := deliver(4); err == nil {
		t.Fatal("a temporary provider error must fail the task so it is retried")
	}
	if md := decision(4); md.Decision != messaging.DecisionQueued || md.SentAt != nil {
		t.Fatalf("after a temporary error: %+v", md)
	}
	if err := deliver(4); err != nil {
		t.Fatal(err)
	}
	if md := decision(4); md.Decision != messaging.DecisionSent || len(fake.to("+15555550004")) != 1 {
		t.Fatalf("after retry: %+v", md)
	}

	// A crash mid-send leaves the decision in 'sending'; the retried task must not send again.
	md = decision(5)
	a.Inspect().Exec(`UPDATE message_decisions SET decision = 'sending', sent_at = now(), updated_at = now() - interval '10 minutes' WHERE id = ?`, md.ID)
	if err := deliver(5); err != nil {
		t.Fatal(err)
	}
	if md := decision(5); md.Decision != messaging.DecisionUnknown || md.Reason != messaging.ReasonInterrupted || len(fake.to("+15555550005")) != 0 {
		t.Fatalf("after a crash mid-send: %+v, %d sent", md, len(fake.to("+15555550005")))
	}
	// Delivering a sent decision again does nothing.
	if err := deliver(1); err != nil || len(fake.to("+15555550001")) != 1 {
		t.Fatalf("redelivery sent again: %v", err)
	}
}

// TestDeliveryEmailRefusedAndUnsubscribe: an SMTP 5xx is a failure with the server's words;
// an unsubscribed shopper's pending messages are skipped.
func TestDeliveryEmailRefusedAndUnsubscribe(t *testing.T) {
	srv := smtptest.Start(t, mailsink.RejectRcpt(func(addr string) error {
		if strings.HasPrefix(addr, "bounce") {
			return mailsink.Permanent("5.1.1 mailbox unavailable")
		}
		return nil
	}))
	a := apptest.Start(t, apptest.Options{NoWorker: true, Env: map[string]string{"SMTP_URL": srv.URL()}})
	shop := testenv.Shop("mail")
	shopID := a.Install(t, shop)
	noticesAtOnce(t, a, shop)
	ctx := context.Background()
	for id, email := range map[int64]string{1: "bounce@example.com", 2: "gone@example.com"} {
		models.UpsertCustomer(ctx, a.DB, shopID, models.CustomerFact{CustomerID: id, Email: email, FirstName: "X", EmailConsent: messaging.ConsentSubscribed})
		models.Emit(ctx, a.DB, shopID, id, fmt.Sprintf("order:%d", id), models.PointsEarnedPayload{Points: 50, Balance: 50}, time.Now())
	}
	if _, err := a.Worker.DispatchEvents(ctx, shopID); err != nil {
		t.Fatal(err)
	}
	if err := messaging.Suppress(ctx, a.DB, shopID, 2, messaging.ChannelEmail, "unsubscribe_link"); err != nil {
		t.Fatal(err)
	}
	mux := a.Worker.Mux()
	for _, c := range []int64{1, 2} {
		var md messaging.MessageDecision
		if err := a.DB.Where("shop_id = ? AND customer_id = ?", shopID, c).First(&md).Error; err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(map[string]int64{"shop": shopID, "id": md.ID})
		if err := mux.ProcessTask(ctx, asynq.NewTask(jobs.TypeDeliverMessage, b)); err != nil {
			t.Fatal(err)
		}
		if err := a.DB.Where("shop_id = ? AND id = ?", shopID, md.ID).First(&md).Error; err != nil {
			t.Fatal(err)
		}
		switch c {
		case 1:
			if md.Decision != messaging.DecisionFailed || md.Reason != messaging.ReasonProviderRejected || !strings.Contains(md.Detail, "mailbox unavailable") {
				t.Fatalf("bounced: %+v", md)
			}
		case 2:
			if md.Decision != messaging.DecisionSkipped || md.Reason != messaging.ReasonUnsubscribed {
				t.Fatalf("unsubscribed before delivery: %+v", md)
			}
		}
	}
	if n := len(srv.Messages()); n != 0 {
		t.Fatalf("%d messages accepted", n)
	}
}
