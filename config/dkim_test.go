package config

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func keyFile(t *testing.T) string {
	t.Helper()
	_, k, _ := ed25519.GenerateKey(rand.Reader)
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "dkim.pem")
	if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestDKIMKeys(t *testing.T) {
	path := keyFile(t)
	c, err := Load(env(map[string]string{"MAIL_FROM": "Shop <hello@Mail.Example.com>",
		"DKIM_KEYS": "other.example.org:s1:" + path + ", mail.example.com:bmr:" + path}))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.DKIM) != 2 || c.DKIM[1].Domain != "mail.example.com" || c.DKIM[1].Selector != "bmr" {
		t.Fatalf("keys %+v", c.DKIM)
	}
	for spec, want := range map[string]string{
		"mail.example.com:bmr":                           "want domain:selector:",
		"mail.example.com:bmr:/nonexistent/key.pem":      "key file of mail.example.com",
		"mail.example.com:two.labels:" + path:            "selector",
		"other.example.org:s1:" + path:                   "no key for MAIL_FROM's domain \"mail.example.com\"",
		"mail.example.com:bmr:" + filepath.Dir(path):     "key file of",
		"mail.example.com:bmr:" + os.Args[0] + "-absent": "key file of",
	} {
		_, err := Load(env(map[string]string{"MAIL_FROM": "hello@mail.example.com", "DKIM_KEYS": spec}))
		if err == nil || !strings.Contains(err.Error(), "DKIM_KEYS: ") || !strings.Contains(err.Error(), want) {
			t.Errorf("DKIM_KEYS=%q: %v, want an error about %s", spec, err, want)
		}
	}
}
