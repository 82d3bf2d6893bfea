package shopify

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// SessionClaims are the claims of an App Bridge session token.
type SessionClaims struct {
	Dest string `json:"dest"`
	SID  string `json:"sid"`
	jwt.RegisteredClaims
}

// Session is what a verified session token proves: which shop, which staff user.
type Session struct {
	Shop   string
	UserID string
	Claims SessionClaims
}

// SessionLeeway is the clock skew allowed on exp and nbf (Shopify's libraries use 10 s).
const SessionLeeway = 10 * time.Second

// VerifySessionToken checks an App Bridge session token: HS256 only, signed with the current
// or previous secret, exp and nbf with leeway, aud equal to the API key, and iss and dest
// naming the same shop (iss may come with or without https://). The shop is taken from dest.
func VerifySessionToken(token, apiKey string, secrets []string, now time.Time) (*Session, error) {
	var lastErr error = errors.New("no secret configured")
	for _, secret := range secrets {
		if secret == "" {
			continue
		}
		var claims SessionClaims
		_, err := jwt.ParseWithClaims(token, &claims, func(*jwt.Token) (any, error) { return []byte(secret), nil },
			jwt.WithValidMethods([]string{"HS256"}),
			jwt.WithAudience(apiKey),
			jwt.WithLeeway(SessionLeeway),
			jwt.WithExpirationRequired(),
			jwt.WithTimeFunc(func() time.Time { return now }),
		)
		if err != nil {
			lastErr = err
			if errors.Is(err, jwt.ErrTokenSignatureInvalid) {
				continue // maybe signed with the other secret during a rotation
			}
			return nil, fmt.Errorf("session token: %w", err)
		}
		shop, err := sessionShop(claims)
		if err != nil {
			return nil, err
		}
		return &Session{Shop: shop, UserID: claims.Subject, Claims: claims}, nil
	}
	return nil, fmt.Errorf("session token: %w", lastErr)
}

func sessionShop(c SessionClaims) (string, error) {
	d, err := url.Parse(c.Dest)
	if err != nil || d.Host == "" {
		return "", errors.New("session token: dest is not a URL")
	}
	shop, ok := NormalizeShop(d.Hostname())
	if !ok {
		return "", errors.New("session token: dest is not a myshopify.com shop")
	}
	iss := strings.TrimPrefix(strings.TrimPrefix(c.Issuer, "https://"), "http://")
	issHost := strings.ToLower(strings.SplitN(iss, "/", 2)[0])
	if issHost != shop {
		return "", errors.New("session token: iss and dest name different shops")
	}
	return shop, nil
}

// SignSessionToken mints a session token the way App Bridge's issuer does. Used by tests and,
// in development only, to open the admin outside Shopify.
func SignSessionToken(shop, apiKey, secret, userID string, now time.Time, ttl time.Duration) (string, error) {
	claims := SessionClaims{
		Dest: "https://" + shop,
		SID:  "dev-" + userID,
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    "https://" + shop + "/admin",
			Subject:   userID,
			Audience:  jwt.ClaimStrings{apiKey},
			ExpiresAt: jwt.NewNumericDate(now.Add(ttl)),
			NotBefore: jwt.NewNumericDate(now.Add(-time.Second)),
			IssuedAt:  jwt.NewNumericDate(now),
			ID:        fmt.Sprintf("%d", now.UnixNano()),
		},
	}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte(secret))
}
