package delivery

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/boomerang-app/boomerang/delivery/mailsink"
	"github.com/boomerang-app/boomerang/delivery/smtptest"
)

func newTestMailer(t *testing.T, url string) *Mailer {
	t.Helper()
	m, err := NewMailer(EmailConfig{URL: url, From: "Juniper & Oak <hello@juniper-oak.test>"})
	if err != nil {
		t.Fatalf("NewMailer: %v", err)
	}
	return m
}

func TestMailerSendsBothPartsAndHeaders(t *testing.T) {
	srv := smtptest.Start(t)
	m := newTestMailer(t, srv.URL())
	unsub := "https://app.example.com/u/" + strings.Repeat("t", 120) // long enough to need folding if split
	id, err := m.Send(context.Background(), Email{
		To:             "Chrissy Moreau <chrissy@example.com>",
		FromName:       `Juniper "J&O" Oak`,
		ReplyTo:        "care@juniper-oak.test",
		Subject:        "Your 500 points ✨ are waiting",
		HTML:           `<p>Hi Chrissy, you have <b>1250</b> points.</p><p><a href="https://shop.test/rewards">Spend them</a></p>`,
		UnsubscribeURL: unsub,
		Headers:        map[string]string{"X-Boomerang-Message": "42"},
	})
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	got := srv.WaitFor(t, 1, 10*time.Second)[0]
	if got.ParseErr != nil {
		t.Fatalf("parse: %v", got.ParseErr)
	}
	if got.From != "hello@juniper-oak.test" || len(got.To) != 1 || got.To[0] != "chrissy@example.com" {
		t.Errorf("envelope %q -> %q", got.From, got.To)
	}
	h := got.Header
	if h.Get("Message-Id") != id || !strings.HasPrefix(id, "<") || !strings.HasSuffix(id, "@juniper-oak.test>") {
		t.Errorf("Message-Id %q, provider id %q", h.Get("Message-Id"), id)
	}
	from, err := h.AddressList("From")
	if err != nil || len(from) != 1 || from[0].Name != `Juniper "J&O" Oak` || from[0].Address != "hello@juniper-oak.test" {
		t.Errorf("From = %q (%v)", h.Get("From"), err)
	}
	if h.Get("Reply-To") == "" || !strings.Contains(h.Get("Reply-To"), "care@juniper-oak.test") {
		t.Errorf("Reply-To = %q", h.Get("Reply-To"))
	}
	if got.Subject != "Your 500 points ✨ are waiting" {
		t.Errorf("Subject = %q", got.Subject)
	}
	if v := h.Get("List-Unsubscribe"); v != "<"+unsub+">" {
		t.Errorf("List-Unsubscribe = %q", v)
	}
	if v := h.Get("List-Unsubscribe-Post"); v != "List-Unsubscribe=One-Click" {
		t.Errorf("List-Unsubscribe-Post = %q", v)
	}
	if h.Get("X-Boomerang-Message") != "42" || h.Get("Date") == "" {
		t.Errorf("X-Boomerang-Message %q, Date %q", h.Get("X-Boomerang-Message"), h.Get("Date"))
	}
	if !strings.HasPrefix(h.Get("Content-Type"), "multipart/alternative") {
		t.Errorf("Content-Type = %q", h.Get("Content-Type"))
	}
	if !strings.Contains(got.HTML, "<b>1250</b>") {
		t.Errorf("HTML = %q", got.HTML)
	}
	// No Text given: the plain part is derived from the HTML, links kept.
	if want := "Hi Chrissy, you have 1250 points.\n\nSpend them (https://shop.test/rewards)"; got.Text != want {
		t.Errorf("Text = %q, want %q", got.Text, want)
	}
	if h.Get("User-Agent") != "" || h.Get("X-Mailer") != "" {
		t.Errorf("library advertised itself: %q %q", h.Get("User-Agent"), h.Get("X-Mailer"))
	}
}

func TestMailerTextOnlyAndExplicitText(t *testing.T) {
	srv := smtptest.Start(t)
	m := newTestMailer(t, srv.URL())
	if _, err := m.Send(context.Background(), Email{To: "a@example.com", Subject: "s", Text: "just text"}); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Send(context.Background(), Email{To: "b@example.com", Subject: "s", Text: "own text", HTML: "<p>html</p>"}); err != nil {
		t.Fatal(err)
	}
	msgs := srv.WaitFor(t, 2, 10*time.Second)
	if msgs[0].Text != "just text" || msgs[0].HTML != "" || msgs[0].Header.Get("List-Unsubscribe") != "" {
		t.Errorf("text-only: %+v", msgs[0])
	}
	if msgs[1].Text != "own text" || msgs[1].HTML != "<p>html</p>" {
		t.Errorf("explicit text: text %q html %q", msgs[1].Text, msgs[1].HTML)
	}
}

func TestMailerClassifiesFailures(t *testing.T) {
	srv := smtptest.Start(t, mailsink.RejectRcpt(func(addr string) error {
		switch addr {
		case "gone@example.com":
			return mailsink.Permanent("no such user")
		case "full@example.com":
			return mailsink.Temporary("mailbox full, try later")
		}
		return nil
	}))
	m := newTestMailer(t, srv.URL())
	ctx := context.Background()

	_, err := m.Send(ctx, Email{To: "gone@example.com", Subject: "s", Text: "t"})
	if !IsPermanent(err) {
		t.Errorf("550: want permanent, got %v", err)
	}
	var se *SendError
	if !errors.As(err, &se) || se.Code != 550 || se.Channel != "email" {
		t.Errorf("550: %#v", se)
	}
	_, err = m.Send(ctx, Email{To: "full@example.com", Subject: "s", Text: "t"})
	if err == nil || IsPermanent(err) {
		t.Errorf("451: want temporary, got %v", err)
	}
	for _, bad := range []Email{
		{To: "not an address", Subject: "s", Text: "t"},
		{To: "a@example.com, b@example.com", Subject: "s", Text: "t"},
		{To: "a@example.com", Subject: "s"},
		{To: "a@example.com", Subject: "s", Text: "t", Headers: map[string]string{"Bcc": "spy@example.com"}},
		{To: "a@example.com", Subject: "s", Text: "t", Headers: map[string]string{"X-Ok": "a\r\nBcc: spy@example.com"}},
		{To: "a@example.com", Subject: "s", Text: "t", UnsubscribeURL: "/relative"},
	} {
		if _, err := m.Send(ctx, bad); !IsPermanent(err) {
			t.Errorf("%+v: want permanent, got %v", bad, err)
		}
	}
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("%d messages delivered", n)
	}

	// Nothing listening: connection refused is temporary.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	_, err = newTestMailer(t, "smtp://"+addr).Send(ctx, Email{To: "a@example.com", Subject: "s", Text: "t"})
	if err == nil || IsPermanent(err) {
		t.Errorf("refused: want temporary, got %v", err)
	}
}

func TestMailerSubjectInjection(t *testing.T) {
	srv := smtptest.Start(t)
	m := newTestMailer(t, srv.URL())
	if _, err := m.Send(context.Background(), Email{To: "a@example.com", Subject: "Hi\r\nBcc: spy@example.com", Text: "t"}); err != nil {
		t.Fatal(err)
	}
	got := srv.WaitFor(t, 1, 10*time.Second)[0]
	if got.Header.Get("Bcc") != "" || len(got.To) != 1 || got.Subject != "Hi Bcc: spy@example.com" {
		t.Errorf("subject broke out of its header: %q, To %q", got.Subject, got.To)
	}
}

func TestNewMailerConfig(t *testing.T) {
	good := map[string]struct {
		port int
		tls  tlsMode
		user string
	}{
		"smtp://localhost:1025":                         {1025, tlsOpportunistic, ""},
		"smtp://mail.test":                              {25, tlsOpportunistic, ""},
		"smtp+starttls://u%40x:p%3Ass@smtp.example.com": {587, tlsStartTLS, "u@x"},
		"smtps://apikey:secret@smtp.example.com:2465":   {2465, tlsImplicit, "apikey"},
	}
	for url, want := range good {
		m, err := NewMailer(EmailConfig{URL: url, From: "a@b.test"})
		if err != nil {
			t.Errorf("%s: %v", url, err)
			continue
		}
		if m.port != want.port || m.tls != want.tls || m.user != want.user {
			t.Errorf("%s: port %d tls %d user %q", url, m.port, m.tls, m.user)
		}
	}
	for _, bad := range []EmailConfig{
		{URL: "http://x", From: "a@b.test"},
		{URL: "smtp://", From: "a@b.test"},
		{URL: "smtp://x:99999", From: "a@b.test"},
		{URL: "smtp://x:25", From: "not an address"},
	} {
		if _, err := NewMailer(bad); err == nil {
			t.Errorf("%+v: want error", bad)
		}
	}
	_, err := NewMailer(EmailConfig{URL: "smtp://user:hunter2@%zz", From: "a@b.test"})
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("bad URL error must not leak the password: %v", err)
	}
}

func TestRenderThenSend(t *testing.T) {
	srv := smtptest.Start(t)
	m := newTestMailer(t, srv.URL())
	vars := SampleVars()
	vars["customer"].(map[string]any)["first_name"] = "<Naomi>"
	r, err := Render(testCtx(t), Templates{
		Subject: "Sorry, {{ customer.first_name }}",
		HTML:    "<p>Dear {{ customer.first_name }}, here is {{ offer.value }}: <strong>{{ offer.code }}</strong></p>",
	}, vars)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Send(context.Background(), Email{To: "naomi@example.com", Subject: r.Subject, HTML: r.HTML, Text: r.Text}); err != nil {
		t.Fatal(err)
	}
	got := srv.WaitFor(t, 1, 10*time.Second)[0]
	if got.Subject != "Sorry, <Naomi>" || !strings.Contains(got.HTML, "Dear &lt;Naomi&gt;") ||
		got.Text != "Dear <Naomi>, here is 10% off: COMEBACK10" {
		t.Errorf("subject %q html %q text %q", got.Subject, got.HTML, got.Text)
	}
}
