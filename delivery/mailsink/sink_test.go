package mailsink

import (
	"fmt"
	"net/smtp"
	"path/filepath"
	"testing"
)

// A dev sink keeps only the newest messages but still counts every one.
func TestKeepBoundsMemory(t *testing.T) {
	s, err := Listen("127.0.0.1:0", Keep(2))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for i := 1; i <= 3; i++ {
		msg := fmt.Sprintf("From: a@example.com\r\nTo: b@example.com\r\nSubject: n%d\r\n\r\nbody %d\r\n", i, i)
		if err := smtp.SendMail(s.Addr(), nil, "a@example.com", []string{"b@example.com"}, []byte(msg)); err != nil {
			t.Fatalf("send %d: %v", i, err)
		}
	}
	got := s.Messages()
	if len(got) != 2 || got[0].Subject != "n2" || got[1].Subject != "n3" {
		t.Fatalf("kept %d messages %v, want n2 and n3", len(got), subjects(got))
	}
	if n, _ := s.Received(); n != 3 {
		t.Errorf("received = %d, want 3", n)
	}
	if got[1].ReceivedAt.IsZero() || got[1].Text != "body 3" {
		t.Errorf("message not stamped or parsed: %+v", got[1])
	}
}

func subjects(ms []Message) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Subject)
	}
	return out
}

// A sink started again on the same file shows what the one before it received, up to Keep.
func TestSinkPersistsAcrossRestarts(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mail.jsonl")
	first, err := Listen("127.0.0.1:0", Persist(path), Keep(2))
	if err != nil {
		t.Fatal(err)
	}
	for _, subject := range []string{"one", "two", "three"} {
		if err := smtp.SendMail(first.Addr(), nil, "a@example.com", []string{"b@example.com"},
			[]byte("Subject: "+subject+"\r\n\r\nbody\r\n")); err != nil {
			t.Fatal(err)
		}
	}
	first.Close()
	second, err := Listen("127.0.0.1:0", Persist(path), Keep(2))
	if err != nil {
		t.Fatal(err)
	}
	defer second.Close()
	got := second.Messages()
	if len(got) != 2 || got[0].Subject != "two" || got[1].Subject != "three" || got[1].ReceivedAt.IsZero() {
		t.Fatalf("after a restart: %+v", got)
	}
}
