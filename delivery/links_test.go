package delivery

import (
	"encoding/hex"
	"errors"
	"maps"
	"strings"
	"testing"
	"time"
)

var (
	testKey  = []byte("0123456789abcdef0123456789abcdef")
	otherKey = []byte("fedcba9876543210fedcba9876543210")
	t0       = time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
)

func TestLinkSignVerify(t *testing.T) {
	fields := map[string]string{"shop": "juniper-oak.myshopify.com", "customer": "7421", "channel": "email"}
	tok := Sign(testKey, "unsubscribe", fields, time.Time{})
	if strings.ContainsAny(tok, "+/=?&# ") {
		t.Errorf("token %q is not URL-safe", tok)
	}
	got, err := Verify(testKey, "unsubscribe", tok, t0.AddDate(10, 0, 0))
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if !maps.Equal(got, fields) {
		t.Errorf("fields %v, want %v", got, fields)
	}
	if again := Sign(testKey, "unsubscribe", maps.Clone(fields), time.Time{}); again != tok {
		t.Errorf("signing the same fields twice gave %q and %q", tok, again)
	}
	empty := Sign(testKey, "review", nil, time.Time{})
	if got, err := Verify(testKey, "review", empty, t0); err != nil || len(got) != 0 {
		t.Errorf("empty fields: %v %v", got, err)
	}
}

func TestLinkRejects(t *testing.T) {
	fields := map[string]string{"customer": "7421"}
	tok := Sign(testKey, "review", fields, time.Time{})
	payload, mac, _ := strings.Cut(tok, ".")
	forged := Sign(testKey, "review", map[string]string{"customer": "9999"}, time.Time{})
	forgedPayload, _, _ := strings.Cut(forged, ".")

	cases := map[string]struct {
		key     []byte
		purpose string
		token   string
	}{
		"purpose mismatch":        {testKey, "unsubscribe", tok},
		"other key":               {otherKey, "review", tok},
		"short key":               {testKey[:16], "review", tok},
		"payload swapped":         {testKey, "review", forgedPayload + "." + mac},
		"mac flipped":             {testKey, "review", payload + "." + flipLast(mac)},
		"payload flipped":         {testKey, "review", flipLast(payload) + "." + mac},
		"no dot":                  {testKey, "review", payload + mac},
		"empty":                   {testKey, "review", ""},
		"padding added":           {testKey, "review", payload + "==." + mac},
		"extra segment":           {testKey, "review", tok + ".x"},
		"standard base64 symbols": {testKey, "review", strings.NewReplacer("-", "+", "_", "/").Replace(tok) + "+/"},
	}
	for name, c := range cases {
		if _, err := Verify(c.key, c.purpose, c.token, t0); !errors.Is(err, ErrLinkInvalid) {
			t.Errorf("%s: got %v, want ErrLinkInvalid", name, err)
		}
	}
}

func flipLast(s string) string {
	b := []byte(s)
	if b[len(b)-1] == 'A' {
		b[len(b)-1] = 'B'
	} else {
		b[len(b)-1] = 'A'
	}
	return string(b)
}

func TestLinkExpiry(t *testing.T) {
	exp := t0.Add(14 * 24 * time.Hour)
	tok := Sign(testKey, "review", map[string]string{"order": "1001"}, exp)
	if _, err := Verify(testKey, "review", tok, exp.Add(-time.Second)); err != nil {
		t.Errorf("before expiry: %v", err)
	}
	for _, now := range []time.Time{exp, exp.Add(time.Hour)} {
		if _, err := Verify(testKey, "review", tok, now); !errors.Is(err, ErrLinkExpired) {
			t.Errorf("at %s: got %v, want ErrLinkExpired", now, err)
		}
	}
	// Expiry is inside the MAC: a token re-signed without it is a different token.
	if Sign(testKey, "review", map[string]string{"order": "1001"}, time.Time{}) == tok {
		t.Error("expiry not part of the token")
	}
}

func TestSignPanicsOnShortKey(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("Sign accepted a 5-byte key")
		}
	}()
	Sign([]byte("short"), "review", nil, time.Time{})
}

// FuzzVerify feeds Verify arbitrary tokens. Whatever the input, Verify must not panic, and a
// token it accepts must be exactly what Sign produces for the fields and expiry it carries:
// there is no second spelling of a valid token (no malleability).
func FuzzVerify(f *testing.F) {
	f.Add(Sign(testKey, "unsubscribe", map[string]string{"shop": "a.myshopify.com", "customer": "1"}, time.Time{}), "unsubscribe")
	f.Add(Sign(testKey, "review", map[string]string{"order": "1001"}, t0.Add(time.Hour)), "review")
	f.Add(Sign(testKey, "review", nil, time.Time{}), "review")
	f.Add("e30.AAAA", "review")
	f.Add("..", "")
	f.Fuzz(func(t *testing.T, token, purpose string) {
		fields, err := Verify(testKey, purpose, token, t0)
		if err != nil {
			if !errors.Is(err, ErrLinkInvalid) && !errors.Is(err, ErrLinkExpired) {
				t.Fatalf("unexpected error kind: %v", err)
			}
			return
		}
		p, err := verifyLink(testKey, purpose, token)
		if err != nil {
			t.Fatalf("Verify accepted what verifyLink refuses: %v", err)
		}
		exp := time.Time{}
		if p.Exp != 0 {
			exp = time.Unix(p.Exp, 0)
		}
		if again := Sign(testKey, purpose, fields, exp); again != token {
			t.Fatalf("accepted %q, but Sign gives %q", token, again)
		}
	})
}

// The link keys are pinned: links already in shoppers' mailboxes (unsubscribe, review requests)
// must keep verifying, so a change to either derivation fails here first.
func TestLinkKeysArePinned(t *testing.T) {
	if got := hex.EncodeToString(ReviewLinkKey("boomerang-dev-secret")); got != "039b808b14a21ceaaf27320a2a17b08c720abbb07e005be770fc57f0711cb6ee" {
		t.Errorf("ReviewLinkKey changed: %s", got)
	}
	if got := hex.EncodeToString(LinkKey([]byte("0123456789abcdef0123456789abcdef"))); got != "0afc71a8e53881d98bf6f423bbafd20a83cc0af47fcdcb95bdf13996ca5a24c2" {
		t.Errorf("LinkKey changed: %s", got)
	}
}
