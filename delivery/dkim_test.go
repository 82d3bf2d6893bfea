package delivery

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-msgauth/dkim"

	"github.com/boomerang-app/boomerang/delivery/smtptest"
)

// dnsRecord is the TXT record an operator publishes for a key.
func dnsRecord(t *testing.T, signer crypto.Signer) string {
	t.Helper()
	switch pub := signer.Public().(type) {
	case *rsa.PublicKey:
		der, err := x509.MarshalPKIXPublicKey(pub)
		if err != nil {
			t.Fatal(err)
		}
		return "v=DKIM1; k=rsa; p=" + base64.StdEncoding.EncodeToString(der)
	case ed25519.PublicKey:
		return "v=DKIM1; k=ed25519; p=" + base64.StdEncoding.EncodeToString(pub)
	}
	t.Fatalf("key %T", signer)
	return ""
}

func verifyDKIM(t *testing.T, data []byte, records map[string]string) error {
	t.Helper()
	vs, err := dkim.VerifyWithOptions(bytes.NewReader(data), &dkim.VerifyOptions{LookupTXT: func(name string) ([]string, error) {
		return []string{records[name]}, nil
	}})
	if err != nil {
		return err
	}
	if len(vs) != 1 {
		t.Fatalf("%d signatures, want 1", len(vs))
	}
	return vs[0].Err
}

// Mail from a domain with a key is signed over what readers see and what unsubscribes; a
// receiver holding the published key verifies it, and a changed List-Unsubscribe fails.
func TestMailerSignsWithDKIM(t *testing.T) {
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	_, edKey, _ := ed25519.GenerateKey(rand.Reader)
	for _, tc := range []struct {
		name   string
		signer crypto.Signer
		pemKey []byte
	}{
		{"rsa", rsaKey, pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(rsaKey)})},
		{"ed25519", edKey, func() []byte {
			der, _ := x509.MarshalPKCS8PrivateKey(edKey)
			return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
		}()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			key, err := ParseDKIMKey("Juniper-Oak.test", "bmr2026", tc.pemKey)
			if err != nil {
				t.Fatal(err)
			}
			other, _ := ParseDKIMKey("elsewhere.test", "s1", tc.pemKey)
			srv := smtptest.Start(t)
			m, err := NewMailer(EmailConfig{URL: srv.URL(), From: "Juniper & Oak <hello@juniper-oak.test>", DKIM: []*DKIMKey{other, key}})
			if err != nil {
				t.Fatal(err)
			}
			unsub := "https://app.example.com/unsubscribe?t=" + strings.Repeat("x", 90)
			if _, err := m.Send(context.Background(), Email{To: "chrissy@example.com", Subject: "Your points ✨",
				HTML: "<p>Hi Chrissy, 1,250 points.</p>", UnsubscribeURL: unsub}); err != nil {
				t.Fatal(err)
			}
			got := srv.WaitFor(t, 1, 10*time.Second)[0]
			records := map[string]string{"bmr2026._domainkey.juniper-oak.test": dnsRecord(t, tc.signer)}
			if err := verifyDKIM(t, got.Data, records); err != nil {
				t.Fatalf("signature does not verify: %v\n%s", err, got.Data)
			}
			sig := got.Header.Get("DKIM-Signature")
			for _, want := range []string{"d=juniper-oak.test", "s=bmr2026", "list-unsubscribe-post"} {
				if !strings.Contains(strings.ToLower(strings.Join(strings.Fields(sig), "")), want) {
					t.Errorf("DKIM-Signature %q lacks %s", sig, want)
				}
			}
			forged := bytes.Replace(got.Data, []byte("unsubscribe?t=xx"), []byte("unsubscribe?t=yy"), 1)
			if bytes.Equal(forged, got.Data) {
				t.Fatal("the test's edit did not apply")
			}
			if err := verifyDKIM(t, forged, records); err == nil {
				t.Fatal("a changed List-Unsubscribe still verifies")
			}
		})
	}
}

// A mailer without a key for its From domain sends unsigned mail.
func TestMailerWithoutKeyDoesNotSign(t *testing.T) {
	srv := smtptest.Start(t)
	m := newTestMailer(t, srv.URL())
	if _, err := m.Send(context.Background(), Email{To: "a@example.com", Subject: "s", Text: "t"}); err != nil {
		t.Fatal(err)
	}
	if got := srv.WaitFor(t, 1, 10*time.Second)[0]; got.Header.Get("DKIM-Signature") != "" {
		t.Fatal("signed without a key")
	}
}

func TestParseDKIMKeyRefusesBadSettings(t *testing.T) {
	t.Setenv("GODEBUG", "rsa1024min=0") // Go itself refuses to make keys this small
	small, err := rsa.GenerateKey(rand.Reader, 512)
	if err != nil {
		t.Fatal(err)
	}
	smallPEM := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(small)})
	for _, tc := range []struct {
		domain, selector string
		key              []byte
		want             string
	}{
		{"not a domain", "s1", smallPEM, "domain"},
		{"example.com", "two.labels", smallPEM, "selector"},
		{"example.com", "s1", []byte("nope"), "not PEM"},
		{"example.com", "s1", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte{1}}), "PEM type"},
		{"example.com", "s1", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte{1, 2}}), "does not parse"},
		{"example.com", "s1", smallPEM, "512 bits"},
	} {
		if _, err := ParseDKIMKey(tc.domain, tc.selector, tc.key); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseDKIMKey(%q, %q) = %v, want an error about %s", tc.domain, tc.selector, err, tc.want)
		}
	}
}
