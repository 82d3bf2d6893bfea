package shopify

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	goshopify "github.com/bold-commerce/go-shopify/v4"

	"github.com/boomerang-app/boomerang/models"
)

// TokenStore keeps each shop's tokens. Update runs fn under a per-shop lock with the stored
// tokens and saves what it returns atomically, so concurrent workers never refresh twice and
// a crash never leaves half a token pair.
type TokenStore interface {
	Load(ctx context.Context, shop string) (Tokens, error)
	Update(ctx context.Context, shop string, fn func(current Tokens) (Tokens, error)) (Tokens, error)
}

// ErrNoToken means the shop has no usable offline token: the merchant must open the app again.
var ErrNoToken = models.ErrNoAdminToken

// Admin hands out GraphQL clients with a fresh offline token for a shop.
type Admin struct {
	Store      TokenStore
	Tokens     *TokenClient
	BaseURL    string // template with {shop}
	APIVersion string
	HTTP       *http.Client
	Retries    int // retries on THROTTLED and 5xx, inside go-shopify
	Now        func() time.Time
}

// refreshMargin refreshes a little before expiry so a call never starts with a dying token.
const refreshMargin = 5 * time.Minute

// AccessToken returns a valid offline token, refreshing (serialized per shop) when it is near
// expiry and migrating a legacy non-expiring token to an expiring one.
func (a *Admin) AccessToken(ctx context.Context, shop string) (string, error) {
	now := time.Now
	if a.Now != nil {
		now = a.Now
	}
	t, err := a.Store.Load(ctx, shop)
	if err != nil {
		return "", err
	}
	if t.AccessToken == "" {
		return "", ErrNoToken
	}
	if t.Expiring() && !t.NeedsRefresh(now(), refreshMargin) {
		return t.AccessToken, nil
	}
	t, err = a.Store.Update(ctx, shop, func(cur Tokens) (Tokens, error) {
		switch {
		case cur.AccessToken == "":
			return cur, ErrNoToken
		case !cur.Expiring():
			return a.Tokens.MigrateLegacy(ctx, shop, cur.AccessToken)
		case !cur.NeedsRefresh(now(), refreshMargin):
			return cur, nil // another worker refreshed while we waited for the lock
		case cur.RefreshToken == "" || (cur.RefreshTokenExpiresAt != nil && now().After(*cur.RefreshTokenExpiresAt)):
			return cur, ErrNoToken
		default:
			return a.Tokens.Refresh(ctx, shop, cur.RefreshToken)
		}
	})
	if err != nil {
		return "", fmt.Errorf("access token for %s: %w", shop, err)
	}
	return t.AccessToken, nil
}

// Client returns a go-shopify client for one shop, speaking GraphQL only.
func (a *Admin) Client(ctx context.Context, shop string) (*goshopify.Client, error) {
	token, err := a.AccessToken(ctx, shop)
	if err != nil {
		return nil, err
	}
	hc := a.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 20 * time.Second}
	}
	rewritten := *hc
	rewritten.Transport = &baseURLTransport{template: a.BaseURL, next: transportOrDefault(hc.Transport)}
	return goshopify.NewClient(goshopify.App{}, shop, token,
		goshopify.WithVersion(a.APIVersion), goshopify.WithHTTPClient(&rewritten), goshopify.WithRetry(a.Retries))
}

// Query runs one GraphQL operation for a shop.
func (a *Admin) Query(ctx context.Context, shop, query string, vars, out any) error {
	c, err := a.Client(ctx, shop)
	if err != nil {
		return err
	}
	if err := c.GraphQL.Query(ctx, query, vars, out); err != nil {
		return fmt.Errorf("graphql %s: %w", shop, err)
	}
	return nil
}

// IsThrottled reports whether err is Shopify's cost throttle after go-shopify's retries.
func IsThrottled(err error) bool {
	var rl goshopify.RateLimitError
	return errors.As(err, &rl)
}

// baseURLTransport sends go-shopify's `https://{shop}/...` requests to SHOPIFY_BASE_URL, so
// tests and acceptance checks can point every call at a local fake of the Admin API.
type baseURLTransport struct {
	template string
	next     http.RoundTripper
}

func (t *baseURLTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if t.template == "" || t.template == "https://{shop}" {
		return t.next.RoundTrip(r)
	}
	base, err := url.Parse(ShopURL(t.template, r.URL.Host))
	if err != nil {
		return nil, err
	}
	r2 := r.Clone(r.Context())
	r2.URL.Scheme, r2.URL.Host = base.Scheme, base.Host
	r2.URL.Path = strings.TrimRight(base.Path, "/") + r.URL.Path
	r2.Host = base.Host
	return t.next.RoundTrip(r2)
}

func transportOrDefault(rt http.RoundTripper) http.RoundTripper {
	if rt == nil {
		return http.DefaultTransport
	}
	return rt
}

// CustomerGID / ProductGID build Admin API global ids.
func CustomerGID(id int64) string { return fmt.Sprintf("gid://shopify/Customer/%d", id) }
func ProductGID(id int64) string  { return fmt.Sprintf("gid://shopify/Product/%d", id) }

// GIDNumber extracts the numeric id from a gid ("gid://shopify/Product/42" → 42).
func GIDNumber(gid string) int64 {
	i := strings.LastIndexByte(gid, '/')
	var n int64
	for _, ch := range gid[i+1:] {
		if ch < '0' || ch > '9' {
			return 0
		}
		n = n*10 + int64(ch-'0')
	}
	return n
}
