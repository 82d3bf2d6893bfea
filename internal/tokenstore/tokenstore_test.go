package tokenstore_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/boomerang-app/boomerang/internal/testenv"
	"github.com/boomerang-app/boomerang/internal/tokenstore"
	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/shopify"
	"github.com/boomerang-app/boomerang/shopify/fakeshop"
)

func newStore(t *testing.T) *tokenstore.Store {
	t.Helper()
	db, _ := testenv.DB(t)
	key, _ := hex.DecodeString(testenv.EncryptionKey)
	c, err := models.NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	return &tokenstore.Store{DB: db, Cipher: c}
}

func rawTokens(t *testing.T, s *tokenstore.Store, shop string) (access, refresh []byte) {
	t.Helper()
	row := struct{ AccessToken, RefreshToken []byte }{}
	if err := s.DB.Raw(`SELECT access_token, refresh_token FROM shops WHERE domain = ?`, shop).Scan(&row).Error; err != nil {
		t.Fatal(err)
	}
	return row.AccessToken, row.RefreshToken
}

func TestSaveSealsTokens(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	shop := testenv.Shop("seal")
	if _, _, err := models.InstallShop(ctx, s.DB, shop); err != nil {
		t.Fatal(err)
	}
	exp := time.Now().Add(time.Hour).UTC().Truncate(time.Microsecond)
	in := shopify.Tokens{AccessToken: "shpat_plaintext_secret_123", AccessTokenExpiresAt: &exp,
		RefreshToken: "shprt_plaintext_refresh_456", RefreshTokenExpiresAt: &exp, Scope: "read_orders"}
	if err := s.Save(ctx, shop, in); err != nil {
		t.Fatal(err)
	}
	access, refresh := rawTokens(t, s, shop)
	if len(access) == 0 || len(refresh) == 0 {
		t.Fatal("tokens not stored")
	}
	for _, b := range [][]byte{access, refresh} {
		if bytes.Contains(b, []byte("plaintext")) || bytes.Contains(b, []byte("shpat_")) || bytes.Contains(b, []byte("shprt_")) {
			t.Fatalf("stored bytes contain the plaintext token: %q", b)
		}
	}
	out, err := s.Load(ctx, shop)
	if err != nil {
		t.Fatal(err)
	}
	if out.AccessToken != in.AccessToken || out.RefreshToken != in.RefreshToken || out.Scope != "read_orders" ||
		!out.AccessTokenExpiresAt.Equal(exp) {
		t.Fatalf("loaded %+v", out)
	}

	// A sealed token copied onto another shop's row does not open there.
	other := testenv.Shop("other")
	if _, _, err := models.InstallShop(ctx, s.DB, other); err != nil {
		t.Fatal(err)
	}
	if err := s.DB.Exec(`UPDATE shops SET access_token = ? WHERE domain = ?`, access, other).Error; err != nil {
		t.Fatal(err)
	}
	if _, err := s.Load(ctx, other); err == nil {
		t.Fatal("a token sealed for one shop opened on another")
	}

	// After uninstall the tokens are gone and Load says so.
	id, _, _ := models.InstallShop(ctx, s.DB, shop)
	if err := models.MarkUninstalled(ctx, s.DB, id, time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Load(ctx, shop); models.ErrorCode(err) != models.ENotFound {
		t.Fatalf("load after uninstall: %v", err)
	}
	if a, r := rawTokens(t, s, shop); a != nil || r != nil {
		t.Fatal("uninstall left token bytes behind")
	}
	// Saving a new pair (reinstall) makes the shop installed again.
	if err := s.Save(ctx, shop, in); err != nil {
		t.Fatal(err)
	}
	if sh, _ := models.GetShop(ctx, s.DB, id); sh.Status != models.ShopInstalled || sh.UninstalledAt != nil {
		t.Fatalf("after reinstall: status %q, uninstalled_at %v", sh.Status, sh.UninstalledAt)
	}
}

func TestUpdateErrorKeepsTokens(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	shop := testenv.Shop("keep")
	_, _, _ = models.InstallShop(ctx, s.DB, shop)
	if err := s.Save(ctx, shop, shopify.Tokens{AccessToken: "a1", RefreshToken: "r1"}); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("token endpoint down")
	if _, err := s.Update(ctx, shop, func(shopify.Tokens) (shopify.Tokens, error) { return shopify.Tokens{}, boom }); !errors.Is(err, boom) {
		t.Fatalf("update error = %v", err)
	}
	if got, _ := s.Load(ctx, shop); got.AccessToken != "a1" || got.RefreshToken != "r1" {
		t.Fatalf("a failed refresh changed the stored pair: %+v", got)
	}
}

// Ten workers find the token near expiry at the same moment: the per-shop advisory lock
// makes exactly one of them call Shopify, and every caller ends up with the new token.
// barrierStore holds each Load until all concurrent callers have loaded.
type barrierStore struct {
	*tokenstore.Store
	loaded *sync.WaitGroup
}

func (b barrierStore) Load(ctx context.Context, shop string) (shopify.Tokens, error) {
	t, err := b.Store.Load(ctx, shop)
	b.loaded.Done()
	b.loaded.Wait()
	return t, err
}

func TestConcurrentRefreshHappensOnce(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	shop := testenv.Shop("race")
	_, _, _ = models.InstallShop(ctx, s.DB, shop)

	fake := fakeshop.New(testenv.APISecret)
	var refreshes atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/admin/oauth/access_token") {
			_ = r.ParseForm()
			if r.PostForm.Get("grant_type") == "refresh_token" {
				refreshes.Add(1)
				time.Sleep(50 * time.Millisecond) // widen the race window
			}
		}
		fake.ServeHTTP(w, r)
	}))
	defer srv.Close()
	tc := &shopify.TokenClient{BaseURL: srv.URL + "/{shop}", APIKey: testenv.APIKey, APISecret: testenv.APISecret}
	admin := &shopify.Admin{Store: s, Tokens: tc, BaseURL: srv.URL + "/{shop}", APIVersion: "2026-10"}

	// Install through the legacy migration so the fake knows the refresh token.
	fake.IssueToken(shop, "shpat_legacy")
	if err := s.Save(ctx, shop, shopify.Tokens{AccessToken: "shpat_legacy"}); err != nil {
		t.Fatal(err)
	}
	first, err := admin.AccessToken(ctx, shop)
	if err != nil {
		t.Fatal(err)
	}
	stored, _ := s.Load(ctx, shop)
	if !stored.Expiring() || stored.AccessToken != first {
		t.Fatalf("legacy token not migrated to an expiring pair: %+v", stored)
	}

	// Move the clock (ours and the token client's, which dates new tokens) to 2 minutes before expiry.
	later := stored.AccessTokenExpiresAt.Add(-2 * time.Minute)
	admin.Now = func() time.Time { return later }
	tc.Now = admin.Now
	// Every caller reads the stale token before any of them may refresh, so all ten reach the lock.
	loaded := &sync.WaitGroup{}
	loaded.Add(10)
	admin.Store = barrierStore{Store: s, loaded: loaded}
	var wg sync.WaitGroup
	got := make([]string, 10)
	errs := make([]error, 10)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i], errs[i] = admin.AccessToken(ctx, shop)
		}()
	}
	wg.Wait()
	for i := range got {
		if errs[i] != nil {
			t.Fatalf("caller %d: %v", i, errs[i])
		}
		if got[i] == first || got[i] != got[0] {
			t.Fatalf("callers got different tokens: %v", got)
		}
	}
	if n := refreshes.Load(); n != 1 {
		t.Fatalf("refreshes = %d, want exactly 1", n)
	}
	if now, _ := s.Load(ctx, shop); now.AccessToken != got[0] {
		t.Fatal("the stored token is not the one handed out")
	}
}
