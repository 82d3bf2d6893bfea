package delivery

import (
	"bytes"
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/emersion/go-msgauth/dkim"
	gomail "github.com/wneessen/go-mail"
)

// DKIM: mailbox providers honour one-click unsubscribe (List-Unsubscribe-Post) only on signed
// mail, and sort unsigned bulk mail as spam. The operator publishes a selector's public key in
// DNS and gives the app the private key; mail whose From domain has a key is signed with it.

// DKIMKey signs the mail of one sending domain.
type DKIMKey struct {
	Domain   string // the From address's domain, e.g. mail.example.com
	Selector string // the DNS label: the public key is at <selector>._domainkey.<domain>
	Signer   crypto.Signer
}

// dkimHeaders are the fields signed: what a reader sees and what unsubscribes. Reply-To and
// List-Unsubscribe are signed even when absent, so nobody can add them on the way.
var dkimHeaders = []string{"From", "To", "Subject", "Date", "Message-ID", "Reply-To", "MIME-Version",
	"Content-Type", "List-Unsubscribe", "List-Unsubscribe-Post"}

// signDKIM renders msg and adds its DKIM-Signature. The send renders the same bytes again:
// go-mail keeps the message's MIME boundaries once drawn, and Date and Message-ID are set.
func signDKIM(msg *gomail.Msg, k *DKIMKey) error {
	var raw bytes.Buffer
	if _, err := msg.WriteTo(&raw); err != nil {
		return fmt.Errorf("dkim: render: %w", err)
	}
	s, err := dkim.NewSigner(&dkim.SignOptions{Domain: k.Domain, Selector: k.Selector, Signer: k.Signer,
		HeaderCanonicalization: dkim.CanonicalizationRelaxed, BodyCanonicalization: dkim.CanonicalizationRelaxed,
		HeaderKeys: dkimHeaders})
	if err != nil {
		return fmt.Errorf("dkim: %w", err)
	}
	if _, err := s.Write(raw.Bytes()); err != nil {
		return fmt.Errorf("dkim: %w", err)
	}
	if err := s.Close(); err != nil {
		return fmt.Errorf("dkim: %w", err)
	}
	_, value, ok := strings.Cut(s.Signature(), ":")
	if !ok {
		return errors.New("dkim: no signature")
	}
	msg.SetGenHeaderPreformatted("DKIM-Signature", strings.TrimSpace(value))
	return nil
}

var (
	dkimLabel  = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)
	dkimDomain = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$`)
)

// ParseDKIMKey checks a domain, a selector and a PEM private key (RSA of at least 1,024 bits,
// PKCS #1 or #8, or Ed25519 in PKCS #8) and returns the key. Errors name what is wrong, never
// the key.
func ParseDKIMKey(domain, selector string, keyPEM []byte) (*DKIMKey, error) {
	domain, selector = strings.ToLower(strings.TrimSpace(domain)), strings.ToLower(strings.TrimSpace(selector))
	if !dkimDomain.MatchString(domain) {
		return nil, fmt.Errorf("domain %q is not a DNS name", domain)
	}
	if !dkimLabel.MatchString(selector) {
		return nil, fmt.Errorf("selector %q: want one DNS label (letters, digits, hyphens)", selector)
	}
	block, _ := pem.Decode(keyPEM)
	if block == nil {
		return nil, errors.New("private key: not PEM")
	}
	var key any
	var err error
	switch block.Type {
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	default:
		return nil, fmt.Errorf("private key: PEM type %q, want RSA PRIVATE KEY or PRIVATE KEY", block.Type)
	}
	if err != nil {
		return nil, errors.New("private key: does not parse")
	}
	switch k := key.(type) {
	case *rsa.PrivateKey:
		if k.N.BitLen() < 1024 {
			return nil, fmt.Errorf("private key: RSA of %d bits, receivers want at least 1024 (2048 advised)", k.N.BitLen())
		}
		return &DKIMKey{Domain: domain, Selector: selector, Signer: k}, nil
	case ed25519.PrivateKey:
		return &DKIMKey{Domain: domain, Selector: selector, Signer: k}, nil
	}
	return nil, fmt.Errorf("private key: %T, want RSA or Ed25519", key)
}
