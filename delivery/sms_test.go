package delivery

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// fakeTwilio answers like the Messages API: 201 with a sid, or Twilio's error JSON.
type fakeTwilio struct {
	mu       sync.Mutex
	received []map[string]string
}

func (f *fakeTwilio) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	user, pass, ok := r.BasicAuth()
	if r.Method != http.MethodPost || r.URL.Path != "/2010-04-01/Accounts/AC123/Messages.json" {
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"code":20404,"message":"The requested resource was not found","status":404}`)
		return
	}
	if !ok || user != "AC123" || pass != "token-xyz" {
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"code":20003,"message":"Authenticate","status":401}`)
		return
	}
	if err := r.ParseForm(); err != nil || r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	msg := map[string]string{"To": r.PostForm.Get("To"), "From": r.PostForm.Get("From"), "Body": r.PostForm.Get("Body")}
	switch msg["To"] {
	case "+15005550001":
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `{"code":21211,"message":"The 'To' number +15005550001 is not a valid phone number.","more_info":"https://www.twilio.com/docs/errors/21211","status":400}`)
		return
	case "+15005550009":
		w.WriteHeader(http.StatusTooManyRequests)
		fmt.Fprint(w, `{"code":20429,"message":"Too Many Requests","status":429}`)
		return
	case "+15005550010":
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprint(w, `upstream unavailable`)
		return
	case "+15005550011":
		w.WriteHeader(http.StatusCreated)
		fmt.Fprint(w, `{"status":"queued"}`)
		return
	}
	f.mu.Lock()
	f.received = append(f.received, msg)
	sid := fmt.Sprintf("SM%032d", len(f.received))
	f.mu.Unlock()
	w.WriteHeader(http.StatusCreated)
	_ = json.NewEncoder(w).Encode(map[string]any{"sid": sid, "status": "queued", "to": msg["To"], "body": msg["Body"]})
}

func newFakeTwilio(t *testing.T) (*fakeTwilio, *SMSClient, string) {
	t.Helper()
	fake := &fakeTwilio{}
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	c, err := NewSMSClient(SMSConfig{BaseURL: srv.URL, AccountSID: "AC123", AuthToken: "token-xyz", From: "+15005550006"}, srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	return fake, c, srv.URL
}

func TestSMSSend(t *testing.T) {
	fake, c, _ := newFakeTwilio(t)
	id, err := c.Send(context.Background(), "+14155552671", "Hi Chrissy, you have 1250 points & a reward. Reply STOP to opt out.")
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	if id != "SM00000000000000000000000000000001" {
		t.Errorf("sid = %q", id)
	}
	if len(fake.received) != 1 {
		t.Fatalf("received %d", len(fake.received))
	}
	got := fake.received[0]
	if got["To"] != "+14155552671" || got["From"] != "+15005550006" || got["Body"] != "Hi Chrissy, you have 1250 points & a reward. Reply STOP to opt out." {
		t.Errorf("received %q", got)
	}
}

func TestSMSClassifiesFailures(t *testing.T) {
	_, c, url := newFakeTwilio(t)
	ctx := context.Background()
	cases := []struct {
		to, body  string
		permanent bool
		code      int
	}{
		{"+15005550001", "hi", true, 400},
		{"+15005550009", "hi", false, 429},
		{"+15005550010", "hi", false, 503},
		{"+15005550011", "hi", true, 201}, // accepted without a sid: never retried
		{"4155552671", "hi", true, 0},     // not E.164
		{"+14155552671", " ", true, 0},
		{"+14155552671", string(make([]rune, MaxSMSChars+1)), true, 0},
	}
	for _, tc := range cases {
		_, err := c.Send(ctx, tc.to, tc.body)
		var se *SendError
		if !errors.As(err, &se) {
			t.Errorf("%s: want *SendError, got %v", tc.to, err)
			continue
		}
		if se.Permanent != tc.permanent || IsPermanent(err) != tc.permanent || se.Code != tc.code || se.Channel != "sms" {
			t.Errorf("%s: got %+v", tc.to, se)
		}
	}
	_, err := c.Send(ctx, "+15005550001", "hi")
	if want := "sms: permanent failure (400): error 21211: The 'To' number +15005550001 is not a valid phone number."; err.Error() != want {
		t.Errorf("error text %q", err.Error())
	}

	bad, err := NewSMSClient(SMSConfig{BaseURL: "http://127.0.0.1:1", AccountSID: "AC123", AuthToken: "t", From: "+15005550006"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bad.Send(ctx, "+14155552671", "hi"); err == nil || IsPermanent(err) {
		t.Errorf("connection refused: want temporary, got %v", err)
	}
	wrongAuth, err := NewSMSClient(SMSConfig{BaseURL: url, AccountSID: "AC123", AuthToken: "stale", From: "+15005550006"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := wrongAuth.Send(ctx, "+14155552671", "hi"); !IsPermanent(err) {
		t.Errorf("401: want permanent, got %v", err)
	}
}

func TestSMSConfig(t *testing.T) {
	for _, cfg := range []SMSConfig{
		{AccountSID: "AC1", AuthToken: "t", From: "5550006"},
		{AccountSID: "", AuthToken: "t", From: "+15005550006"},
		{BaseURL: "ftp://x", AccountSID: "AC1", AuthToken: "t", From: "+15005550006"},
	} {
		if _, err := NewSMSClient(cfg, nil); err == nil {
			t.Errorf("%+v: want error", cfg)
		}
	}
	c, err := NewSMSClient(SMSConfig{AccountSID: "AC1", AuthToken: "t", From: "+15005550006"}, nil)
	if err != nil || c.endpoint != "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json" {
		t.Errorf("default endpoint %q (%v)", c.endpoint, err)
	}
}

func TestKeywords(t *testing.T) {
	for _, s := range []string{"STOP", "stop", " Stop. ", "StopAll", "unsubscribe", "CANCEL", "end", "Quit!"} {
		if !IsStopKeyword(s) || IsStartKeyword(s) {
			t.Errorf("%q should be a stop keyword only", s)
		}
	}
	for _, s := range []string{"START", "start", " Unstop "} {
		if !IsStartKeyword(s) || IsStopKeyword(s) {
			t.Errorf("%q should be a start keyword only", s)
		}
	}
	for _, s := range []string{"please stop", "stopp", "", "yes", "STOP IT", "help"} {
		if IsStopKeyword(s) || IsStartKeyword(s) {
			t.Errorf("%q is not a keyword", s)
		}
	}
}

// A provider that reads the whole request and then falls silent may have queued the SMS: the
// outcome is unknown, never a retry. One that cannot be reached never saw it: temporary.
func TestSMSTimeoutOutcome(t *testing.T) {
	var got sync.WaitGroup
	got.Add(1)
	silent := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		got.Done()
		<-r.Context().Done() // never answers
	}))
	defer silent.Close()
	hc := &http.Client{Timeout: 300 * time.Millisecond}
	c, err := NewSMSClient(SMSConfig{BaseURL: silent.URL, AccountSID: "AC123", AuthToken: "t", From: "+15005550006"}, hc)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Send(context.Background(), "+15005550009", "hello")
	got.Wait()
	if !IsUnknown(err) || IsPermanent(err) {
		t.Fatalf("no reply after the request was sent: want unknown, got %v", err)
	}

	down := httptest.NewServer(http.NotFoundHandler())
	url := down.URL
	down.Close()
	c, err = NewSMSClient(SMSConfig{BaseURL: url, AccountSID: "AC123", AuthToken: "t", From: "+15005550006"}, hc)
	if err != nil {
		t.Fatal(err)
	}
	if _, err = c.Send(context.Background(), "+15005550009", "hello"); err == nil || IsUnknown(err) || IsPermanent(err) {
		t.Fatalf("connection refused: want temporary, got %v", err)
	}
}
