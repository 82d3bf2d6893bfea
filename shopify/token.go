package shopify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/boomerang-app/boomerang/models"
)

// Tokens is an offline access token and, for expiring tokens, its refresh token.
type Tokens struct {
	AccessToken           string
	AccessTokenExpiresAt  *time.Time // nil for a legacy non-expiring token
	RefreshToken          string
	RefreshTokenExpiresAt *time.Time
	Scope                 string
}

// Expiring reports whether these tokens are of the expiring kind.
func (t Tokens) Expiring() bool { return t.AccessTokenExpiresAt != nil }

// NeedsRefresh is true within `margin` of the access token's expiry.
func (t Tokens) NeedsRefresh(now time.Time, margin time.Duration) bool {
	return t.AccessTokenExpiresAt != nil && now.Add(margin).After(*t.AccessTokenExpiresAt)
}

// TokenClient talks to Shopify's token endpoint: token exchange, refresh, legacy migration
// and the authorization-code grant. go-shopify v4.7.0 drops expires_in and refresh_token, so
// this is written here.
type TokenClient struct {
	HTTP      *http.Client
	BaseURL   string // template with {shop}
	APIKey    string
	APISecret string
	Now       func() time.Time
}

const (
	grantTokenExchange = "urn:ietf:params:oauth:grant-type:token-exchange"
	typeIDToken        = "urn:ietf:params:oauth:token-type:id_token"
	typeOfflineToken   = "urn:shopify:params:oauth:token-type:offline-access-token"
)

// TokenError is a refusal from the token endpoint (400 for a bad or expired session token).
type TokenError struct {
	Status int
	Body   string
}

func (e *TokenError) Error() string {
	return fmt.Sprintf("token endpoint: status %d: %s", e.Status, e.Body)
}

// Exchange trades a session token for an expiring offline access token.
func (c *TokenClient) Exchange(ctx context.Context, shop, sessionToken string) (Tokens, error) {
	return c.post(ctx, shop, url.Values{
		"grant_type": {grantTokenExchange}, "subject_token": {sessionToken},
		"subject_token_type": {typeIDToken}, "requested_token_type": {typeOfflineToken}, "expiring": {"1"},
	})
}

// Refresh trades a refresh token for a new access and refresh pair.
func (c *TokenClient) Refresh(ctx context.Context, shop, refreshToken string) (Tokens, error) {
	return c.post(ctx, shop, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refreshToken}})
}

// MigrateLegacy turns a non-expiring offline token into an expiring pair (one-time; Shopify
// revokes the old token).
func (c *TokenClient) MigrateLegacy(ctx context.Context, shop, legacyToken string) (Tokens, error) {
	return c.post(ctx, shop, url.Values{
		"grant_type": {grantTokenExchange}, "subject_token": {legacyToken},
		"subject_token_type": {typeOfflineToken}, "requested_token_type": {typeOfflineToken}, "expiring": {"1"},
	})
}

// AuthorizationCode completes the authorization-code grant (fallback install path).
func (c *TokenClient) AuthorizationCode(ctx context.Context, shop, code string) (Tokens, error) {
	return c.post(ctx, shop, url.Values{"code": {code}, "expiring": {"1"}})
}

func (c *TokenClient) post(ctx context.Context, shop string, form url.Values) (Tokens, error) {
	if _, ok := NormalizeShop(shop); !ok {
		return Tokens{}, ErrBadShop
	}
	form.Set("client_id", c.APIKey)
	form.Set("client_secret", c.APISecret)
	endpoint := ShopURL(c.BaseURL, shop) + "/admin/oauth/access_token"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return Tokens{}, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 15 * time.Second}
	}
	resp, err := hc.Do(req)
	if err != nil {
		return Tokens{}, fmt.Errorf("token endpoint: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode != http.StatusOK {
		return Tokens{}, &TokenError{Status: resp.StatusCode, Body: string(body)}
	}
	var r struct {
		AccessToken           string `json:"access_token"`
		Scope                 string `json:"scope"`
		ExpiresIn             int64  `json:"expires_in"`
		RefreshToken          string `json:"refresh_token"`
		RefreshTokenExpiresIn int64  `json:"refresh_token_expires_in"`
	}
	if err := json.Unmarshal(body, &r); err != nil || r.AccessToken == "" {
		return Tokens{}, errors.New("token endpoint: response has no access_token")
	}
	now := time.Now
	if c.Now != nil {
		now = c.Now
	}
	t := Tokens{AccessToken: r.AccessToken, RefreshToken: r.RefreshToken, Scope: r.Scope}
	if r.ExpiresIn > 0 {
		at := now().Add(time.Duration(r.ExpiresIn) * time.Second).UTC()
		t.AccessTokenExpiresAt = &at
	}
	if r.RefreshTokenExpiresIn > 0 {
		rt := now().Add(time.Duration(r.RefreshTokenExpiresIn) * time.Second).UTC()
		t.RefreshTokenExpiresAt = &rt
	}
	return t, nil
}

// ShopURL expands the SHOPIFY_BASE_URL template for a shop.
func ShopURL(template, shop string) string {
	return strings.TrimRight(strings.ReplaceAll(template, "{shop}", shop), "/")
}

// ScopeReadAllOrders lets an app read orders older than 60 days. It needs Shopify's approval,
// so Boomerang asks for it as an optional scope, at runtime.
const ScopeReadAllOrders = "read_all_orders"

// HasScopes reports whether every required scope is granted. write_x implies read_x.
func HasScopes(granted, required string) (missing []string) {
	return models.MissingScopes(granted, required)
}
