// Package mailsink is a real SMTP server that keeps what it receives in memory instead of
// delivering it. Tests use it (through smtptest) to check mail end to end, and `boomerang dev`
// runs one so that a developer sees every message the app sends without an SMTP account.
//
// It speaks plain SMTP without TLS or AUTH, which is what the smtp:// scheme of
// delivery.EmailConfig expects.
package mailsink

import (
	"errors"
	"io"
	"log"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-smtp"
)

// Sink is a running SMTP server and the messages it has received.
type Sink struct {
	srv  *smtp.Server
	l    net.Listener
	addr string
	opts options
	done chan struct{}

	mu       sync.Mutex
	messages []Message
	received int           // all messages ever accepted, including those no longer kept
	changed  chan struct{} // closed and replaced whenever a message arrives
}

// Option changes how the sink answers or what it keeps.
type Option func(*options)

type options struct {
	rejectRcpt func(addr string) error
	rejectData func(m Message) error
	keep       int
	persist    string // file the messages are kept in too (Persist)
}

// Keep bounds memory: only the newest n messages are kept (0, the default, keeps all).
func Keep(n int) Option { return func(o *options) { o.keep = n } }

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

// Listen starts a sink on addr ("127.0.0.1:0" for a free port) and serves until Close.
func Listen(addr string, opts ...Option) (*Sink, error) {
	s := &Sink{changed: make(chan struct{}), done: make(chan struct{})}
	for _, o := range opts {
		o(&s.opts)
	}
	if s.opts.persist != "" {
		if err := s.load(); err != nil {
			return nil, err
		}
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	s.l, s.addr = l, l.Addr().String()
	s.srv = smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
		return &session{s: s}, nil
	}))
	s.srv.Domain = "mailsink.local"
	s.srv.MaxMessageBytes = 10 << 20
	s.srv.MaxRecipients = 100
	s.srv.ReadTimeout = 30 * time.Second
	s.srv.WriteTimeout = 30 * time.Second
	s.srv.ErrorLog = log.New(io.Discard, "", 0) // a client hanging up is not the sink's problem
	go func() {
		defer close(s.done)
		_ = s.srv.Serve(l) // returns when Close closes the listener
	}()
	return s, nil
}

// Close stops the server and waits for it.
func (s *Sink) Close() error {
	err := s.srv.Close()
	// A Close right after Listen can come before Serve has taken the listener, which the server
	// then does not know to close: close it here too, or Serve would wait on it for ever.
	_ = s.l.Close()
	<-s.done
	if errors.Is(err, smtp.ErrServerClosed) || errors.Is(err, net.ErrClosed) {
		return nil
	}
	return err
}

// URL is the address to send to, e.g. "smtp://127.0.0.1:40123".
func (s *Sink) URL() string { return "smtp://" + s.addr }

// Addr is the host:port the server listens on.
func (s *Sink) Addr() string { return s.addr }

// Messages returns a copy of the kept messages, in arrival order.
func (s *Sink) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.messages...)
}

// Received returns how many messages have arrived so far and a channel that is closed when
// the next one does, so a caller can wait without polling.
func (s *Sink) Received() (int, <-chan struct{}) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.received, s.changed
}

func (s *Sink) add(m Message) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keepLocked(m)
	if s.opts.persist != "" {
		s.store(m)
	}
	s.received++
	close(s.changed)
	s.changed = make(chan struct{})
}

// keepLocked adds m to the kept messages, dropping the oldest beyond Keep (callers hold s.mu, or
// own the sink before it serves).
func (s *Sink) keepLocked(m Message) {
	s.messages = append(s.messages, m)
	if k := s.opts.keep; k > 0 && len(s.messages) > k {
		s.messages = append(s.messages[:0], s.messages[len(s.messages)-k:]...)
	}
}

// session is one SMTP connection's transaction state.
type session struct {
	s    *Sink
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
	m.ReceivedAt = time.Now().UTC()
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
