package shopify_test

import (
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/boomerang-app/boomerang/shopify"
)

const (
	stKey      = "api-key"
	stSecret   = "current-secret"
	stPrevious = "previous-secret"
	stShop     = "example-shop.myshopify.com"
)

var stNow = time.Date(2026, 9, 1, 12, 0, 0, 0, time.UTC)

// claims are App Bridge's, as documented (contract §2); tests mutate a copy.
func stClaims() shopify.SessionClaims {
	return shopify.SessionClaims{
		Dest: "https://" + stShop,
		SID:  "sid-1",
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    "https://" + stShop + "/admin",
			Subject:   "42",
			Audience:  jwt.ClaimStrings{stKey},
			ExpiresAt: jwt.NewNumericDate(stNow.Add(time.Minute)),
			NotBefore: jwt.NewNumericDate(stNow.Add(-time.Second)),
			IssuedAt:  jwt.NewNumericDate(stNow),
			ID:        "jti-1",
		},
	}
}

func sign(t testing.TB, m jwt.SigningMethod, c shopify.SessionClaims, key any) string {
	t.Helper()
	s, err := jwt.NewWithClaims(m, c).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSessionTokenValid(t *testing.T) {
	tok, err := shopify.SignSessionToken(stShop, stKey, stSecret, "42", stNow, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	s, err := shopify.VerifySessionToken(tok, stKey, []string{stSecret, stPrevious}, stNow.Add(30*time.Second))
	if err != nil {
		t.Fatalf("valid token rejected: %v", err)
	}
	if s.Shop != stShop || s.UserID != "42" {
		t.Fatalf("session = %+v", s)
	}
}

func TestSessionTokenCases(t *testing.T) {
	secrets := []string{stSecret, stPrevious}
	cases := []struct {
		name   string
		token  func() string
		now    time.Time
		secret []string
		ok     bool
		shop   string
	}{
		{name: "documented claims", token: func() string { return sign(t, jwt.SigningMethodHS256, stClaims(), []byte(stSecret)) }, ok: true, shop: stShop},
		{name: "expired", token: func() string { return sign(t, jwt.SigningMethodHS256, stClaims(), []byte(stSecret)) }, now: stNow.Add(time.Minute + 11*time.Second)},
		{name: "expired within the 10 s leeway", token: func() string { return sign(t, jwt.SigningMethodHS256, stClaims(), []byte(stSecret)) },
			now: stNow.Add(time.Minute + 5*time.Second), ok: true, shop: stShop},
		{name: "not yet valid", token: func() string {
			c := stClaims()
			c.NotBefore = jwt.NewNumericDate(stNow.Add(30 * time.Second))
			return sign(t, jwt.SigningMethodHS256, c, []byte(stSecret))
		}},
		{name: "no exp", token: func() string {
			c := stClaims()
			c.ExpiresAt = nil
			return sign(t, jwt.SigningMethodHS256, c, []byte(stSecret))
		}},
		{name: "wrong aud", token: func() string {
			c := stClaims()
			c.Audience = jwt.ClaimStrings{"someone-else"}
			return sign(t, jwt.SigningMethodHS256, c, []byte(stSecret))
		}},
		{name: "alg none", token: func() string {
			return sign(t, jwt.SigningMethodNone, stClaims(), jwt.UnsafeAllowNoneSignatureType)
		}},
		{name: "alg none with a forged signature", token: func() string {
			hs := sign(t, jwt.SigningMethodHS256, stClaims(), []byte(stSecret))
			parts := strings.Split(hs, ".")
			none := strings.Split(sign(t, jwt.SigningMethodNone, stClaims(), jwt.UnsafeAllowNoneSignatureType), ".")
			return none[0] + "." + parts[1] + "." + parts[2]
		}},
		{name: "HS512", token: func() string { return sign(t, jwt.SigningMethodHS512, stClaims(), []byte(stSecret)) }},
		{name: "wrong secret", token: func() string { return sign(t, jwt.SigningMethodHS256, stClaims(), []byte("attacker")) }},
		{name: "previous secret during rotation", token: func() string { return sign(t, jwt.SigningMethodHS256, stClaims(), []byte(stPrevious)) }, ok: true, shop: stShop},
		{name: "previous secret after rotation", token: func() string { return sign(t, jwt.SigningMethodHS256, stClaims(), []byte(stPrevious)) },
			secret: []string{stSecret}},
		{name: "iss and dest name different shops", token: func() string {
			c := stClaims()
			c.Issuer = "https://other-shop.myshopify.com/admin"
			return sign(t, jwt.SigningMethodHS256, c, []byte(stSecret))
		}},
		{name: "iss without https (Shopify's own test helper)", token: func() string {
			c := stClaims()
			c.Issuer = stShop + "/admin"
			return sign(t, jwt.SigningMethodHS256, c, []byte(stSecret))
		}, ok: true, shop: stShop},
		{name: "iss missing", token: func() string {
			c := stClaims()
			c.Issuer = ""
			return sign(t, jwt.SigningMethodHS256, c, []byte(stSecret))
		}},
		{name: "dest not a shop", token: func() string {
			c := stClaims()
			c.Dest, c.Issuer = "https://evil.example.com", "https://evil.example.com/admin"
			return sign(t, jwt.SigningMethodHS256, c, []byte(stSecret))
		}},
		{name: "dest host with a lookalike suffix", token: func() string {
			c := stClaims()
			c.Dest, c.Issuer = "https://a.myshopify.com.evil.com", "https://a.myshopify.com.evil.com/admin"
			return sign(t, jwt.SigningMethodHS256, c, []byte(stSecret))
		}},
		{name: "dest without scheme", token: func() string {
			c := stClaims()
			c.Dest = stShop
			return sign(t, jwt.SigningMethodHS256, c, []byte(stSecret))
		}},
		{name: "upper-case dest is normalized", token: func() string {
			c := stClaims()
			c.Dest, c.Issuer = "https://Example-Shop.myshopify.com", "https://EXAMPLE-SHOP.myshopify.com/admin"
			return sign(t, jwt.SigningMethodHS256, c, []byte(stSecret))
		}, ok: true, shop: stShop},
		{name: "garbage", token: func() string { return "not.a.jwt" }},
		{name: "empty", token: func() string { return "" }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			now := c.now
			if now.IsZero() {
				now = stNow
			}
			sec := c.secret
			if sec == nil {
				sec = secrets
			}
			s, err := shopify.VerifySessionToken(c.token(), stKey, sec, now)
			if c.ok {
				if err != nil {
					t.Fatalf("rejected: %v", err)
				}
				if s.Shop != c.shop {
					t.Fatalf("shop = %q, want %q", s.Shop, c.shop)
				}
				return
			}
			if err == nil {
				t.Fatalf("accepted: %+v", s)
			}
		})
	}
}

func TestSessionTokenNoSecrets(t *testing.T) {
	tok := sign(t, jwt.SigningMethodHS256, stClaims(), []byte(""))
	if _, err := shopify.VerifySessionToken(tok, stKey, []string{""}, stNow); err == nil {
		t.Fatal("a token signed with the empty key was accepted when no secret is configured")
	}
	if _, err := shopify.VerifySessionToken(tok, stKey, nil, stNow); err == nil {
		t.Fatal("accepted with no secrets")
	}
}
