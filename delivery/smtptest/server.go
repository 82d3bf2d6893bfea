// Package smtptest runs a real SMTP server (a mailsink.Sink) inside a test, so code that sends
// mail can be tested end to end: Start it, point the sender at URL(), then read what arrived
// with Messages or WaitFor. Options (RejectRcpt, Permanent, …) come from mailsink.
package smtptest

import (
	"testing"
	"time"

	"github.com/boomerang-app/boomerang/delivery/mailsink"
)

// Message is one received message, parsed for assertions.
type Message = mailsink.Message

// Server is a sink that lives as long as the test.
type Server struct{ *mailsink.Sink }

// Start listens on 127.0.0.1 on a free port and serves until the test ends.
func Start(t testing.TB, opts ...mailsink.Option) *Server {
	t.Helper()
	s, err := mailsink.Listen("127.0.0.1:0", opts...)
	if err != nil {
		t.Fatalf("smtptest: listen: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("smtptest: close: %v", err)
		}
	})
	return &Server{s}
}

// WaitFor waits until at least n messages have arrived and returns them all. If that does not
// happen within timeout it fails the test; the timeout is a guard against hanging, not a
// measurement, so be generous.
func (s *Server) WaitFor(t testing.TB, n int, timeout time.Duration) []Message {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		got, changed := s.Received()
		if got >= n {
			return s.Messages()
		}
		select {
		case <-changed:
		case <-deadline.C:
			t.Fatalf("smtptest: %d of %d messages arrived within %s", got, n, timeout)
			return nil
		}
	}
}
