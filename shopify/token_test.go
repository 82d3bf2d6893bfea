package shopify_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/boomerang-app/boomerang/shopify"
	"github.com/boomerang-app/boomerang/shopify/fakeshop"
)

const fakeSecret = "fake-secret"

// fakeWithCounts serves the fake Admin API and counts token-endpoint calls by grant.
type countingFake struct {
	*fakeshop.Server
	URL    string
	grants sync.Map // grant kind → *atomic.Int64
}

func startFake(t *testing.T) *countingFake {
	t.Helper()
	f := &countingFake{Server: fakeshop.New(fakeSecret)}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/admin/oauth/access_token") {
			_ = r.ParseForm()
			kind := r.PostForm.Get("grant_type")
			if kind == "" {
				kind = "code"
			}
			if strings.HasSuffix(kind, "token-exchange") {
				kind = r.PostForm.Get("subject_token_type")
			}
			n, _ := f.grants.LoadOrStore(kind, new(atomic.Int64))
			n.(*atomic.Int64).Add(1)
		}
		f.Server.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	f.URL = srv.URL
	return f
}

func (f *countingFake) BaseURL() string { return f.URL + "/{shop}" }

func (f *countingFake) count(kind string) int64 {
	if n, ok := f.grants.Load(kind); ok {
		return n.(*atomic.Int64).Load()
	}
	return 0
}

const (
	kindRefresh = "refresh_token"
	kindLegacy  = "urn:shopify:params:oauth:token-type:offline-access-token"
	kindIDToken = "urn:ietf:params:oauth:token-type:id_token"
)

func tokenClient(f *countingFake, now time.Time) *shopify.TokenClient {
	return &shopify.TokenClient{BaseURL: f.BaseURL(), APIKey: "key", APISecret: fakeSecret, Now: func() time.Time { return now }}
}

func TestTokenClientGrants(t *testing.T) {
	f := startFake(t)
	now := time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)
	tc := tokenClient(f, now)
	ctx := context.Background()
	shop := "tok.myshopify.com"

	sess, _ := shopify.SignSessionToken(shop, "key", fakeSecret, "1", now, time.Minute)
	tok, err := tc.Exchange(ctx, shop, sess)
	if err != nil {
		t.Fatal(err)
	}
	if !tok.Expiring() || tok.AccessToken == "" || tok.RefreshToken == "" {
		t.Fatalf("exchange gave %+v", tok)
	}
	if !tok.AccessTokenExpiresAt.Equal(now.Add(time.Hour)) || !tok.RefreshTokenExpiresAt.Equal(now.Add(90*24*time.Hour)) {
		t.Fatalf("expiries %v / %v", tok.AccessTokenExpiresAt, tok.RefreshTokenExpiresAt)
	}
	if tok.NeedsRefresh(now, 5*time.Minute) || !tok.NeedsRefresh(now.Add(56*time.Minute), 5*time.Minute) {
		t.Fatal("NeedsRefresh margin is wrong")
	}

	next, err := tc.Refresh(ctx, shop, tok.RefreshToken)
	if err != nil {
		t.Fatal(err)
	}
	if next.AccessToken == tok.AccessToken || next.RefreshToken == tok.RefreshToken {
		t.Fatal("refresh returned the same pair")
	}
	// The fake makes refresh tokens one-time, as Shopify does once the replacement is used.
	var te *shopify.TokenError
	if _, err := tc.Refresh(ctx, shop, tok.RefreshToken); !errors.As(err, &te) || te.Status != http.StatusBadRequest {
		t.Fatalf("reused refresh token: %v", err)
	}

	f.IssueToken(shop, "shpat_legacy")
	mig, err := tc.MigrateLegacy(ctx, shop, "shpat_legacy")
	if err != nil || !mig.Expiring() {
		t.Fatalf("migrate: %+v, %v", mig, err)
	}
	if _, err := tc.MigrateLegacy(ctx, shop, "shpat_legacy"); !errors.As(err, &te) {
		t.Fatalf("the legacy token must be revoked by the migration: %v", err)
	}

	if code, err := tc.AuthorizationCode(ctx, shop, "0907a61c0c8d55e99db179b68161bc00"); err != nil || code.AccessToken == "" {
		t.Fatalf("authorization code: %+v, %v", code, err)
	}
	if _, err := tc.Exchange(ctx, shop, "not-a-jwt"); !errors.As(err, &te) || te.Status != http.StatusBadRequest {
		t.Fatalf("bad session token: %v", err)
	}
	bad := *tc
	bad.APISecret = "wrong"
	if _, err := bad.Exchange(ctx, shop, sess); !errors.As(err, &te) || te.Status != http.StatusUnauthorized {
		t.Fatalf("wrong client secret: %v", err)
	}
	if _, err := tc.Exchange(ctx, "evil.com", sess); !errors.Is(err, shopify.ErrBadShop) {
		t.Fatalf("bad shop: %v", err)
	}
}

func TestTokenClientMalformedResponses(t *testing.T) {
	for name, body := range map[string]string{"empty object": `{}`, "not json": `<html>`, "no token": `{"scope":"read_orders"}`} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(body)) }))
		tc := &shopify.TokenClient{BaseURL: srv.URL + "/{shop}", APIKey: "k", APISecret: "s"}
		if _, err := tc.AuthorizationCode(context.Background(), "a.myshopify.com", "c"); err == nil {
			t.Errorf("%s: accepted", name)
		}
		srv.Close()
	}
	// A non-expiring (legacy) answer has no expiry.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"access_token":"shpat_x","scope":"read_orders"}`))
	}))
	defer srv.Close()
	tc := &shopify.TokenClient{BaseURL: srv.URL + "/{shop}", APIKey: "k", APISecret: "s"}
	tok, err := tc.AuthorizationCode(context.Background(), "a.myshopify.com", "c")
	if err != nil || tok.Expiring() || tok.NeedsRefresh(time.Now(), time.Hour) {
		t.Fatalf("legacy answer: %+v, %v", tok, err)
	}
}

func TestHasScopes(t *testing.T) {
	cases := []struct {
		granted, required string
		missing           []string
	}{
		{"read_orders,write_customers", "read_orders,read_customers", nil},
		{"read_orders, write_discounts", "read_orders,write_discounts,read_discounts", nil},
		{"read_orders", "read_orders,write_app_proxy", []string{"write_app_proxy"}},
		{"read_customers", "write_customers", []string{"write_customers"}},
		{"", "read_orders", []string{"read_orders"}},
		{"read_orders", "", nil},
	}
	for _, c := range cases {
		if got := shopify.HasScopes(c.granted, c.required); !reflect.DeepEqual(got, c.missing) {
			t.Errorf("HasScopes(%q, %q) = %v, want %v", c.granted, c.required, got, c.missing)
		}
	}
}

// memStore is an in-memory shopify.TokenStore with the same per-shop serialization contract.
type memStore struct {
	mu     sync.Mutex
	tokens map[string]shopify.Tokens
}

func (m *memStore) Load(_ context.Context, shop string) (shopify.Tokens, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.tokens[shop], nil
}

func (m *memStore) Update(_ context.Context, shop string, fn func(shopify.Tokens) (shopify.Tokens, error)) (shopify.Tokens, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	next, err := fn(m.tokens[shop])
	if err != nil {
		return shopify.Tokens{}, err
	}
	m.tokens[shop] = next
	return next, nil
}

func TestAdminAccessToken(t *testing.T) {
	f := startFake(t)
	now := time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)
	clock := now
	tc := tokenClient(f, now)
	tc.Now = func() time.Time { return clock }
	store := &memStore{tokens: map[string]shopify.Tokens{}}
	admin := &shopify.Admin{Store: store, Tokens: tc, BaseURL: f.BaseURL(), APIVersion: "2026-10", Now: func() time.Time { return clock }}
	ctx := context.Background()
	shop := "adm.myshopify.com"

	if _, err := admin.AccessToken(ctx, shop); !errors.Is(err, shopify.ErrNoToken) {
		t.Fatalf("no token: %v", err)
	}

	// A legacy non-expiring token is migrated once, then reused.
	f.IssueToken(shop, "shpat_old")
	store.tokens[shop] = shopify.Tokens{AccessToken: "shpat_old"}
	first, err := admin.AccessToken(ctx, shop)
	if err != nil || first == "shpat_old" {
		t.Fatalf("legacy migration: %q, %v", first, err)
	}
	if again, _ := admin.AccessToken(ctx, shop); again != first || f.count(kindLegacy) != 1 {
		t.Fatalf("second call: %q (migrations %d)", again, f.count(kindLegacy))
	}
	var out struct{ Shop struct{ Name string } }
	if err := admin.Query(ctx, shop, `query { shop { name } }`, nil, &out); err != nil || out.Shop.Name != "adm" {
		t.Fatalf("query with migrated token: %+v, %v", out, err)
	}

	// Near expiry the token is refreshed; before that, never.
	clock = now.Add(50 * time.Minute)
	if tok, _ := admin.AccessToken(ctx, shop); tok != first || f.count(kindRefresh) != 0 {
		t.Fatal("refreshed too early")
	}
	clock = now.Add(56 * time.Minute)
	refreshed, err := admin.AccessToken(ctx, shop)
	if err != nil || refreshed == first || f.count(kindRefresh) != 1 {
		t.Fatalf("refresh: %q, %v, refreshes %d", refreshed, err, f.count(kindRefresh))
	}
	if err := admin.Query(ctx, shop, `query { shop { name } }`, nil, &out); err != nil {
		t.Fatalf("query with refreshed token: %v", err)
	}

	// A dead refresh token means the merchant must open the app again.
	clock = now.Add(91 * 24 * time.Hour)
	if _, err := admin.AccessToken(ctx, shop); !errors.Is(err, shopify.ErrNoToken) {
		t.Fatalf("expired refresh token: %v", err)
	}
}

func TestAdminThrottled(t *testing.T) {
	f := startFake(t)
	store := &memStore{tokens: map[string]shopify.Tokens{}}
	shop := "thr.myshopify.com"
	f.IssueToken(shop, "shpat_t")
	exp := time.Now().Add(time.Hour)
	store.tokens[shop] = shopify.Tokens{AccessToken: "shpat_t", AccessTokenExpiresAt: &exp, RefreshToken: "r"}
	admin := &shopify.Admin{Store: store, Tokens: tokenClient(f, time.Now()), BaseURL: f.BaseURL(), APIVersion: "2026-10", Retries: 2}
	var out any
	f.Throttle(5)
	err := admin.Query(context.Background(), shop, `query { shop { name } }`, nil, &out)
	if !shopify.IsThrottled(err) {
		t.Fatalf("throttled beyond retries: %v", err)
	}
	// go-shopify counts Retries as attempts: with 2, one THROTTLED answer is waited out (about 1 s).
	f.Throttle(1)
	if err := admin.Query(context.Background(), shop, `query { shop { name } }`, nil, &out); err != nil {
		t.Fatalf("one throttle within retries: %v", err)
	}
	if shopify.IsThrottled(errors.New("other")) {
		t.Fatal("plain error reported as throttled")
	}
}
