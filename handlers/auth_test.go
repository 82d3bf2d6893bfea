package handlers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/boomerang-app/boomerang/internal/apptest"
	"github.com/boomerang-app/boomerang/internal/testenv"
	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/shopify"
)

// apiGet calls GET path with an optional bearer token and returns status, headers and body.
func apiGet(t *testing.T, base, path, token string) (int, http.Header, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, base+path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b
}

func TestAPIRequiresSessionToken(t *testing.T) {
	a := apptest.Start(t, apptest.Options{NoWorker: true})
	shop := testenv.Shop("api")
	now := time.Now()
	expired, _ := shopify.SignSessionToken(shop, testenv.APIKey, testenv.APISecret, "42", now.Add(-5*time.Minute), time.Minute)
	wrongAud, _ := shopify.SignSessionToken(shop, "another-app", testenv.APISecret, "42", now, time.Minute)
	forged, _ := shopify.SignSessionToken(shop, testenv.APIKey, "not-our-secret", "42", now, time.Minute)
	none, _ := jwt.NewWithClaims(jwt.SigningMethodNone, jwt.MapClaims{"dest": "https://" + shop, "iss": "https://" + shop + "/admin",
		"aud": testenv.APIKey, "exp": now.Add(time.Minute).Unix()}).SignedString(jwt.UnsafeAllowNoneSignatureType)

	for name, tok := range map[string]string{"no token": "", "garbage": "abc", "expired": expired, "wrong aud": wrongAud,
		"wrong secret": forged, "alg none": none} {
		status, h, body := apiGet(t, a.Server.URL, "/api/shop", tok)
		if status != http.StatusUnauthorized {
			t.Errorf("%s: status %d, want 401", name, status)
		}
		if h.Get("X-Shopify-Retry-Invalid-Session-Request") != "1" {
			t.Errorf("%s: missing X-Shopify-Retry-Invalid-Session-Request", name)
		}
		var e struct{ Error struct{ Code string } }
		if json.Unmarshal(body, &e) != nil || e.Error.Code != models.EUnauthorized {
			t.Errorf("%s: body %s", name, body)
		}
	}
	// No shop was created by any refused request.
	var n int64
	a.DB.Raw(`SELECT count(*) FROM shops WHERE domain = ?`, shop).Scan(&n)
	if n != 0 {
		t.Fatal("a refused session created the shop")
	}

	// A token signed with the previous secret still works during a rotation.
	prev, _ := shopify.SignSessionToken(shop, testenv.APIKey, testenv.PreviousSecret, "42", now, time.Minute)
	var out struct{ Domain string }
	status, _, body := apiGet(t, a.Server.URL, "/api/shop", prev)
	if status != http.StatusOK || json.Unmarshal(body, &out) != nil || out.Domain != shop {
		t.Fatalf("previous secret: %d %s", status, body)
	}
}

// The first session token of a shop is exchanged for an expiring offline token, stored sealed;
// later requests do not exchange again.
func TestFirstSessionExchangesToken(t *testing.T) {
	a := apptest.Start(t, apptest.Options{NoWorker: true})
	shop := testenv.Shop("exchange")
	var out struct{ Domain string }
	if st := a.API(t, shop, http.MethodGet, "/api/shop", nil, &out); st != http.StatusOK || out.Domain != shop {
		t.Fatalf("first request: %d %+v", st, out)
	}
	ctx := context.Background()
	tok, err := a.Tokens.Load(ctx, shop)
	if err != nil || tok.AccessToken == "" || !tok.Expiring() || tok.RefreshToken == "" {
		t.Fatalf("stored token after first session: %+v, %v", tok, err)
	}
	var raw struct{ AccessToken, RefreshToken []byte }
	a.DB.Raw(`SELECT access_token, refresh_token FROM shops WHERE domain = ?`, shop).Scan(&raw)
	if bytes.Contains(raw.AccessToken, []byte(tok.AccessToken)) || bytes.Contains(raw.RefreshToken, []byte(tok.RefreshToken)) ||
		bytes.Contains(raw.AccessToken, []byte("shpat_")) {
		t.Fatal("the database holds the plaintext token")
	}
	// The stored token works against "Shopify".
	var shopOut struct{ Shop struct{ Name string } }
	if err := a.Admin.Query(ctx, shop, `query { shop { name } }`, nil, &shopOut); err != nil {
		t.Fatalf("stored token rejected by the fake: %v", err)
	}
	// A second request keeps the same token.
	a.API(t, shop, http.MethodGet, "/api/shop", nil, &out)
	if again, _ := a.Tokens.Load(ctx, shop); again.AccessToken != tok.AccessToken {
		t.Fatal("second request exchanged the session token again")
	}
	var sh models.Shop
	a.DB.Where("domain = ?", shop).First(&sh)
	if sh.Status != models.ShopInstalled {
		t.Fatalf("status = %q", sh.Status)
	}
}
