package delivery

import (
	"context"
	"testing"
	"time"

	"github.com/boomerang-app/boomerang/delivery/mailsink"
	"github.com/boomerang-app/boomerang/delivery/smtptest"
)

// A server that takes the whole message and answers 250 only after the client gave up: the
// outcome is unknown (the message may be delivered), so it must not be retried. A server that
// hangs before DATA never saw the message: that is temporary, a retry is safe.
func TestMailerTimeoutOutcome(t *testing.T) {
	slow := smtptest.Start(t, mailsink.RejectData(func(mailsink.Message) error {
		time.Sleep(1500 * time.Millisecond) // accepted, but late
		return nil
	}))
	m, err := NewMailer(EmailConfig{URL: slow.URL(), From: "shop@example.test", Timeout: 500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	_, err = m.Send(context.Background(), Email{To: "a@example.com", Subject: "s", Text: "t"})
	if !IsUnknown(err) || IsPermanent(err) {
		t.Fatalf("slow 250 after the final dot: want an unknown outcome, got %v", err)
	}
	slow.WaitFor(t, 1, 10*time.Second) // and it was in fact delivered

	hang := smtptest.Start(t, mailsink.RejectRcpt(func(string) error {
		time.Sleep(1500 * time.Millisecond)
		return nil
	}))
	m, err = NewMailer(EmailConfig{URL: hang.URL(), From: "shop@example.test", Timeout: 500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	_, err = m.Send(context.Background(), Email{To: "a@example.com", Subject: "s", Text: "t"})
	if err == nil || IsUnknown(err) || IsPermanent(err) {
		t.Fatalf("hang at RCPT: want temporary, got %v", err)
	}
	time.Sleep(1200 * time.Millisecond)
	if n := len(hang.Messages()); n != 0 {
		t.Fatalf("%d messages delivered by a server that never got DATA", n)
	}
}
