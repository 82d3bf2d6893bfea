package smtptest

import (
	"errors"
	"net/smtp"
	"net/textproto"
	"strings"
	"testing"
	"time"

	"github.com/boomerang-app/boomerang/delivery/mailsink"
)

// A hand-built message with the encodings real senders use: an RFC 2047 subject, a
// quoted-printable text part and a base64 HTML part inside multipart/alternative.
const rawMessage = "From: Shop <shop@example.com>\r\n" +
	"To: naomi@example.com\r\n" +
	"Subject: =?UTF-8?q?Caf=C3=A9_news?=\r\n" +
	"MIME-Version: 1.0\r\n" +
	"Content-Type: multipart/alternative; boundary=\"b1\"\r\n" +
	"\r\n" +
	"--b1\r\n" +
	"Content-Type: text/plain; charset=UTF-8\r\n" +
	"Content-Transfer-Encoding: quoted-printable\r\n" +
	"\r\n" +
	"Caf=C3=A9 is open. A long line that was soft-=\r\nwrapped.\r\n" +
	"--b1\r\n" +
	"Content-Type: text/html; charset=UTF-8\r\n" +
	"Content-Transfer-Encoding: base64\r\n" +
	"\r\n" +
	"PHA+Q2Fmw6kgaXMg\r\nb3Blbi48L3A+\r\n" +
	"--b1--\r\n"

func send(t *testing.T, s *Server, to string) error {
	t.Helper()
	return smtp.SendMail(s.Addr(), nil, "shop@example.com", []string{to}, []byte(rawMessage))
}

func TestServerDecodesMessage(t *testing.T) {
	s := Start(t)
	if !strings.HasPrefix(s.URL(), "smtp://127.0.0.1:") {
		t.Fatalf("URL = %q", s.URL())
	}
	if err := send(t, s, "naomi@example.com"); err != nil {
		t.Fatalf("send: %v", err)
	}
	m := s.WaitFor(t, 1, 10*time.Second)[0]
	if m.ParseErr != nil {
		t.Fatalf("ParseErr: %v", m.ParseErr)
	}
	if m.From != "shop@example.com" || len(m.To) != 1 || m.To[0] != "naomi@example.com" {
		t.Errorf("envelope %q -> %q", m.From, m.To)
	}
	if m.Subject != "Café news" {
		t.Errorf("Subject = %q", m.Subject)
	}
	if m.Text != "Café is open. A long line that was soft-wrapped." {
		t.Errorf("Text = %q", m.Text)
	}
	if m.HTML != "<p>Café is open.</p>" {
		t.Errorf("HTML = %q", m.HTML)
	}
	if m.Header.Get("To") != "naomi@example.com" {
		t.Errorf("Header To = %q", m.Header.Get("To"))
	}
}

func TestServerRejectsRecipients(t *testing.T) {
	s := Start(t, mailsink.RejectRcpt(func(addr string) error {
		switch {
		case strings.HasPrefix(addr, "gone@"):
			return mailsink.Permanent("no such user")
		case strings.HasPrefix(addr, "busy@"):
			return mailsink.Temporary("mailbox busy")
		case strings.HasPrefix(addr, "odd@"):
			return errors.New("something else")
		}
		return nil
	}))
	for addr, code := range map[string]int{"gone@example.com": 550, "busy@example.com": 451, "odd@example.com": 554} {
		err := send(t, s, addr)
		var pe *textproto.Error
		if !errors.As(err, &pe) || pe.Code != code {
			t.Errorf("%s: got %v, want reply %d", addr, err, code)
		}
	}
	if err := send(t, s, "fine@example.com"); err != nil {
		t.Fatalf("send: %v", err)
	}
	if msgs := s.WaitFor(t, 1, 10*time.Second); len(msgs) != 1 || msgs[0].To[0] != "fine@example.com" {
		t.Errorf("stored %d messages: %+v", len(msgs), msgs)
	}
}

func TestServerRejectsData(t *testing.T) {
	s := Start(t, mailsink.RejectData(func(m Message) error {
		if strings.Contains(m.Text, "Café") {
			return mailsink.Permanent("content rejected")
		}
		return nil
	}))
	err := send(t, s, "naomi@example.com")
	var pe *textproto.Error
	if !errors.As(err, &pe) || pe.Code != 550 {
		t.Fatalf("got %v, want 550", err)
	}
	if n := len(s.Messages()); n != 0 {
		t.Errorf("%d messages stored", n)
	}
}
