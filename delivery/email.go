package delivery

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// EmailConfig is the SMTP relay the worker sends through.
type EmailConfig struct {
	// URL is SMTP_URL:
	//   smtp://[user:pass@]host[:port]           STARTTLS when offered, else plaintext (local dev
	//                                            sinks such as mailpit); port 25 by default. Over
	//                                            plaintext only challenge-response AUTH is tried,
	//                                            so a password is never sent in the clear.
	//   smtp+starttls://[user:pass@]host[:port]  STARTTLS required; port 587 by default.
	//   smtps://[user:pass@]host[:port]          TLS from the first byte; port 465 by default.
	// User and password are URL-encoded.
	URL string
	// From is MAIL_FROM, the sender address, optionally with a display name:
	// "Boomerang <hello@example.com>". Message-IDs are made under its domain.
	From string
	// Timeout bounds each network step (SMTP_TIMEOUT_SECONDS); 30 s when zero.
	Timeout time.Duration
	// DKIM holds the signing keys by sending domain (DKIM_KEYS); mail from a domain with a key
	// is signed with it.
	DKIM []*DKIMKey
}

// Email is one message to one recipient.
type Email struct {
	To       string // one address
	FromName string // display name; the MAIL_FROM address is always the sender
	ReplyTo  string // optional address
	Subject  string
	HTML     string // optional
	Text     string // optional; derived from HTML when empty, so there is always a text part
	// UnsubscribeURL, when set, is advertised as a one-click unsubscribe (RFC 8058): the
	// List-Unsubscribe and List-Unsubscribe-Post headers. It should be https and should accept
	// a POST; mailbox providers only honour the headers on DKIM-signed mail.
	UnsubscribeURL string
	// Headers are extra header fields (e.g. X-Boomerang-Message). Address, MIME, Message-ID,
	// Date, Subject and List-Unsubscribe headers cannot be set this way.
	Headers map[string]string
}

const channelEmail = "email"

// Mailer sends Email over SMTP. It opens one connection per Send and keeps no state between
// sends, so one Mailer serves concurrent workers.
type Mailer struct {
	host       string
	port       int
	tls        tlsMode
	user, pass string
	from       *mail.Address
	idDomain   string
	dkim       *DKIMKey // the From domain's key, if any
	timeout    time.Duration
}

type tlsMode int

const (
	tlsOpportunistic tlsMode = iota
	tlsStartTLS
	tlsImplicit
)

// NewMailer checks cfg and returns a Mailer. It does not connect.
func NewMailer(cfg EmailConfig) (*Mailer, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil || u.Host == "" {
		// url.Parse errors repeat the URL, password included: keep them out of the message.
		return nil, errors.New("SMTP_URL: want smtp://[user:pass@]host[:port], smtp+starttls:// or smtps://")
	}
	m := &Mailer{host: u.Hostname(), timeout: cfg.Timeout}
	if m.timeout <= 0 {
		m.timeout = 30 * time.Second
	}
	switch u.Scheme {
	case "smtp":
		m.tls, m.port = tlsOpportunistic, 25
	case "smtp+starttls":
		m.tls, m.port = tlsStartTLS, 587
	case "smtps":
		m.tls, m.port = tlsImplicit, 465
	default:
		return nil, fmt.Errorf("SMTP_URL: unknown scheme %q (want smtp, smtp+starttls or smtps)", u.Scheme)
	}
	if p := u.Port(); p != "" {
		var port int
		if _, err := fmt.Sscanf(p, "%d", &port); err != nil || port < 1 || port > 65535 {
			return nil, fmt.Errorf("SMTP_URL: bad port %q", p)
		}
		m.port = port
	}
	if u.User != nil {
		m.user = u.User.Username()
		m.pass, _ = u.User.Password()
	}
	from, err := mail.ParseAddress(cfg.From)
	if err != nil {
		return nil, fmt.Errorf("MAIL_FROM %q: %w", cfg.From, err)
	}
	m.from = from
	m.idDomain = from.Address[strings.LastIndexByte(from.Address, '@')+1:]
	for _, k := range cfg.DKIM {
		if strings.EqualFold(k.Domain, m.idDomain) {
			m.dkim = k
		}
	}
	return m, nil
}

// Send delivers e and returns its Message-ID header value ("<id@domain>"), which is the
// provider id to store with the message. Errors are *SendError; see IsPermanent.
func (m *Mailer) Send(ctx context.Context, e Email) (string, error) {
	msg, id, err := m.build(e)
	if err != nil {
		return "", permanent(channelEmail, 0, err)
	}
	client, err := gomail.NewClient(m.host, m.clientOptions()...)
	if err != nil {
		return "", temporary(channelEmail, 0, fmt.Errorf("smtp client: %w", err))
	}
	if err := client.DialAndSendWithContext(ctx, msg); err != nil {
		if msg.IsDelivered() {
			// The server took the message (250 after the final dot); what failed came later
			// (RSET, QUIT, closing the connection) and must not cause a second copy.
			return id, nil
		}
		return "", classifySMTP(err)
	}
	return id, nil
}

func (m *Mailer) clientOptions() []gomail.Option {
	opts := []gomail.Option{gomail.WithPort(m.port), gomail.WithTimeout(m.timeout)}
	switch m.tls {
	case tlsOpportunistic:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	case tlsStartTLS:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case tlsImplicit:
		opts = append(opts, gomail.WithSSL())
	}
	if m.user != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(m.user), gomail.WithPassword(m.pass))
	}
	return opts
}

// reservedHeaders are set by build itself; letting Headers override them would break
// threading, unsubscribe handling or the MIME structure.
var reservedHeaders = map[string]bool{
	"from": true, "to": true, "cc": true, "bcc": true, "reply-to": true, "sender": true,
	"subject": true, "date": true, "message-id": true, "mime-version": true,
	"content-type": true, "content-transfer-encoding": true,
	"list-unsubscribe": true, "list-unsubscribe-post": true,
}

func (m *Mailer) build(e Email) (*gomail.Msg, string, error) {
	to, err := mail.ParseAddress(e.To)
	if err != nil {
		return nil, "", fmt.Errorf("recipient %q: %w", e.To, err)
	}
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	name := m.from.Name
	if e.FromName != "" {
		name = e.FromName
	}
	// net/mail quotes and encodes the display name, whatever characters it holds.
	msg.SetAddrHeaderFromMailAddress(gomail.HeaderFrom, &mail.Address{Name: oneLine(name), Address: m.from.Address})
	msg.SetAddrHeaderFromMailAddress(gomail.HeaderTo, to)
	if e.ReplyTo != "" {
		if err := msg.ReplyTo(e.ReplyTo); err != nil {
			return nil, "", fmt.Errorf("reply-to %q: %w", e.ReplyTo, err)
		}
	}
	msg.Subject(oneLine(e.Subject))
	msg.SetDate()
	id := newMessageID(m.idDomain)
	msg.SetMessageIDWithValue(id)

	for k, v := range e.Headers {
		if !validHeaderName(k) || reservedHeaders[strings.ToLower(k)] {
			return nil, "", fmt.Errorf("header %q cannot be set", k)
		}
		if strings.ContainsAny(v, "\r\n") {
			return nil, "", fmt.Errorf("header %q: value contains a line break", k)
		}
		msg.SetGenHeader(gomail.Header(k), v)
	}
	if e.UnsubscribeURL != "" {
		u, err := url.Parse(e.UnsubscribeURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" ||
			strings.ContainsAny(e.UnsubscribeURL, " <>\r\n") {
			return nil, "", fmt.Errorf("unsubscribe URL %q: want an absolute http(s) URL", e.UnsubscribeURL)
		}
		msg.SetGenHeader("List-Unsubscribe", "<"+e.UnsubscribeURL+">")
		msg.SetGenHeader("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")
	}

	text := e.Text
	if text == "" {
		text = PlainText(e.HTML)
	}
	if strings.TrimSpace(text) == "" {
		return nil, "", errors.New("message has no body")
	}
	msg.SetBodyString(gomail.TypeTextPlain, text)
	if e.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, e.HTML)
	}
	if m.dkim != nil {
		if err := signDKIM(msg, m.dkim); err != nil {
			return nil, "", err
		}
	}
	return msg, "<" + id + ">", nil
}

func validHeaderName(k string) bool {
	if k == "" {
		return false
	}
	for _, c := range []byte(k) {
		if c <= ' ' || c >= 0x7f || c == ':' {
			return false
		}
	}
	return true
}

var idEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

func newMessageID(domain string) string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return strings.ToLower(idEncoding.EncodeToString(b)) + "@" + domain
}

// classifySMTP turns a go-mail error into a *SendError. go-mail reports failures inside the
// SMTP transaction (MAIL, RCPT, DATA) as *gomail.SendError carrying the server's reply code;
// a 5xx there is permanent. Failing to connect, to start TLS or to authenticate comes back as
// a plain error: those are our relay's problem, not the recipient's, so they are temporary.
// Failing to read the reply to the final dot, with no reply code, leaves the outcome unknown:
// the server has the whole message and may deliver it.
func classifySMTP(err error) error {
	var se *gomail.SendError
	if errors.As(err, &se) {
		code := se.ErrorCode()
		switch {
		case se.Reason == gomail.ErrSMTPDataClose && code == 0:
			return unknown(channelEmail, 0, err)
		case code >= 500 && code < 600:
			return permanent(channelEmail, code, err)
		case se.Reason == gomail.ErrGetSender || se.Reason == gomail.ErrGetRcpts:
			return permanent(channelEmail, code, err)
		default:
			return temporary(channelEmail, code, err)
		}
	}
	return temporary(channelEmail, 0, err)
}
