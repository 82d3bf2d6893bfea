package delivery

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Signed links carry a few fields (shop, customer, message, ...) in a URL token that only the
// holder of the key can produce, so an unsubscribe or review link needs no database lookup to
// be trusted and cannot be edited to act for another shopper.
//
// Token: base64url(payload) "." base64url(MAC), where payload is the JSON {"f": fields,
// "e": unix expiry} (e omitted when the link does not expire) and MAC is HMAC-SHA256 under the
// key of "boomerang-link-v1\x00" || uint64be(len(purpose)) || purpose || payload. The purpose
// is in the MAC, not the token: a review token fails as an unsubscribe token. The MAC covers
// the payload bytes as sent, so verifying never depends on re-encoding JSON the same way.

// Link purposes used across the app; a token signed for one fails verification for another.
const (
	PurposeUnsubscribe  = "unsubscribe"
	PurposeReview       = "review"
	PurposeReviewPhotos = "review-photos" // adding photos to the review just submitted
)

// Every signed link's key is derived from a secret the app already has, so links need no
// configuration of their own, and each derived key differs from every other use of its secret.

// LinkKey is the key of unsubscribe links, derived from the app's encryption key (so a link key
// can never decrypt a stored token).
func LinkKey(encryptionKey []byte) []byte {
	return deriveKey(encryptionKey, "boomerang signed links v1")
}

// ReviewLinkKey is the key of review links and photo tokens, derived from a Shopify app secret
// (verifiers try the previous secret too, so links survive a secret rotation).
func ReviewLinkKey(appSecret string) []byte { return deriveKey([]byte(appSecret), "review-links") }

func deriveKey(secret []byte, label string) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(label))
	return m.Sum(nil)
}

// MinLinkKeyBytes is the shortest key Sign and Verify accept.
const MinLinkKeyBytes = 32

var (
	// ErrLinkInvalid: the token is malformed, was signed with another key or purpose, or was
	// altered.
	ErrLinkInvalid = errors.New("invalid link")
	// ErrLinkExpired: the token is genuine but past its expiry.
	ErrLinkExpired = errors.New("link expired")
)

var b64 = base64.RawURLEncoding.Strict()

type linkPayload struct {
	Fields map[string]string `json:"f"`
	Exp    int64             `json:"e,omitempty"`
}

// Sign returns a token binding fields to purpose. A zero exp means the token does not expire;
// otherwise it is valid until exp (second precision). key must hold at least MinLinkKeyBytes
// bytes: a shorter one is a configuration error and panics, so check it at startup.
func Sign(key []byte, purpose string, fields map[string]string, exp time.Time) string {
	if len(key) < MinLinkKeyBytes {
		panic(fmt.Sprintf("delivery.Sign: key shorter than %d bytes", MinLinkKeyBytes))
	}
	p := linkPayload{Fields: fields}
	if p.Fields == nil {
		p.Fields = map[string]string{}
	}
	if !exp.IsZero() {
		p.Exp = exp.Unix()
		if p.Exp == 0 { // 0 means "never"; the epoch itself is long past anyway
			p.Exp = -1
		}
	}
	payload, err := json.Marshal(p) // map keys are sorted: equal fields give equal tokens
	if err != nil {
		panic(fmt.Sprintf("delivery.Sign: %v", err)) // cannot happen for map[string]string
	}
	return b64.EncodeToString(payload) + "." + b64.EncodeToString(linkMAC(key, purpose, payload))
}

// Verify checks token against key and purpose and returns its fields. It returns
// ErrLinkInvalid (wrapped) for anything not produced by Sign with this key and purpose, and
// ErrLinkExpired for a genuine token at or after its expiry.
func Verify(key []byte, purpose, token string, now time.Time) (map[string]string, error) {
	p, err := verifyLink(key, purpose, token)
	if err != nil {
		return nil, err
	}
	if p.Exp != 0 && now.Unix() >= p.Exp {
		return nil, ErrLinkExpired
	}
	return p.Fields, nil
}

func verifyLink(key []byte, purpose, token string) (*linkPayload, error) {
	if len(key) < MinLinkKeyBytes {
		return nil, fmt.Errorf("%w: key shorter than %d bytes", ErrLinkInvalid, MinLinkKeyBytes)
	}
	enc, sig, ok := strings.Cut(token, ".")
	if !ok || len(token) > 4096 {
		return nil, ErrLinkInvalid
	}
	payload, err := b64.DecodeString(enc)
	if err != nil {
		return nil, ErrLinkInvalid
	}
	mac, err := b64.DecodeString(sig)
	if err != nil || !hmac.Equal(mac, linkMAC(key, purpose, payload)) {
		return nil, ErrLinkInvalid
	}
	var p linkPayload
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil || p.Fields == nil {
		// Only reachable with the key, i.e. a bug in Sign: still refuse.
		return nil, ErrLinkInvalid
	}
	return &p, nil
}

func linkMAC(key []byte, purpose string, payload []byte) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte("boomerang-link-v1\x00"))
	// Length-prefixed so no purpose/payload pair can be re-split into another.
	h.Write(binary.BigEndian.AppendUint64(nil, uint64(len(purpose))))
	h.Write([]byte(purpose))
	h.Write(payload)
	return h.Sum(nil)
}
