// Package smtptest runs a real SMTP server inside a test, so code that sends mail can be tested
// end to end: Start it, point the sender at URL(), then read what arrived with Messages or
// WaitFor. Messages are parsed (headers, decoded subject, text and HTML parts) for assertions.
//
// It speaks plain SMTP on 127.0.0.1 without TLS or AUTH, which is what the smtp:// scheme of
// messaging.EmailConfig expects.
package smtptest

import (
	"errors"
	"io"
	"log"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// Server is a running SMTP sink.
type Server struct {
	srv  *smtp.Server
	addr string
	opts options

	mu       sync.Mutex
	messages []Message
	changed  chan struct{} // closed and replaced whenever a message arrives
}

// Option changes how the server answers.
type Option func(*options)

type options struct {
	rejectRcpt func(addr string) error
	rejectData func(m Message) error
}

// RejectRcpt makes the server answer RCPT TO with an error whenever fn returns one. Return
// Permanent or Temporary (or any *smtp.SMTPError) to choose the reply code; other errors are
// answered as permanent (554).
func RejectRcpt(fn func(addr string) error) Option {
	return func(o *options) { o.rejectRcpt = fn }
}

// RejectData makes the server refuse a message after DATA whenever fn returns an error,
// as a spam filter would. The refused message is not stored.
func RejectData(fn func(m Message) error) Option {
	return func(o *options) { o.rejectData = fn }
}

// Permanent is a 550 5.1.1 reply ("no such user"), the usual answer for a bad address.
func Permanent(msg string) error {
	return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: msg}
}

// Temporary is a 451 4.3.0 reply, the usual answer of a server that wants a retry later.
func Temporary(msg string) error {
	return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: msg}
}

// Start listens on 127.0.0.1 on a free port and serves until the test ends.
func Start(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s := &Server{changed: make(chan struct{})}
	for _, o := range opts {
		o(&s.opts)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("smtptest: listen: %v", err)
	}
	s.addr = l.Addr().String()
	s.srv = smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
		return &session{s: s}, nil
	}))
	s.srv.Domain = "smtptest.local"
	s.srv.MaxMessageBytes = 10 << 20
	s.srv.MaxRecipients = 100
	s.srv.ReadTimeout = 30 * time.Second
	s.srv.WriteTimeout = 30 * time.Second
	s.srv.ErrorLog = log.New(io.Discard, "", 0) // a client hanging up is not a test failure
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := s.srv.Serve(l); err != nil && !errors.Is(err, smtp.ErrServerClosed) && !errors.Is(err, net.ErrClosed) {
			t.Errorf("smtptest: serve: %v", err)
		}
	}()
	t.Cleanup(func() {
		s.srv.Close()
		<-done
	})
	return s
}

// URL is the address to send to, e.g. "smtp://127.0.0.1:40123".
func (s *Server) URL() string { return "smtp://" + s.addr }

// Addr is the host:port the server listens on.
func (s *Server) Addr() string { return s.addr }

// Messages returns a copy of the messages received so far, in arrival order.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.messages...)
}

// WaitFor waits until at least n messages have arrived and returns them all. If that does not
// happen within timeout it fails the test; the timeout is a guard against hanging, not a
// measurement, so be generous.
func (s *Server) WaitFor(t testing.TB, n int, timeout time.Duration) []Message {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		got, changed := len(s.messages), s.changed
		if got >= n {
			msgs := append([]Message(nil), s.messages...)
			s.mu.Unlock()
			return msgs
		}
		s.mu.Unlock()
		select {
		case <-changed:
		case <-deadline.C:
			t.Fatalf("smtptest: %d of %d messages arrived within %s", got, n, timeout)
			return nil
		}
	}
}

func (s *Server) add(m Message) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.messages = append(s.messages, m)
	close(s.changed)
	s.changed = make(chan struct{})
}

// session is one SMTP connection's transaction state.
type session struct {
	s    *Server
	from string
	to   []string
}

func (ss *session) Reset() { ss.from, ss.to = "", nil }

func (ss *session) Logout() error { return nil }

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	ss.from = from
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if f := ss.s.opts.rejectRcpt; f != nil {
		if err := f(to); err != nil {
			return asSMTPError(err)
		}
	}
	ss.to = append(ss.to, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m := parseMessage(ss.from, append([]string(nil), ss.to...), data)
	if f := ss.s.opts.rejectData; f != nil {
		if err := f(m); err != nil {
			return asSMTPError(err)
		}
	}
	ss.s.add(m)
	return nil
}

func asSMTPError(err error) error {
	var se *smtp.SMTPError
	if errors.As(err, &se) {
		return se
	}
	return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 0, 0}, Message: strings.ReplaceAll(err.Error(), "\n", " ")}
}
