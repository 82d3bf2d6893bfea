package shopify_test

import (
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/boomerang-app/boomerang/shopify"
)

// The fuzz targets run their seed corpus in every `go test`; longer runs are manual:
//   go test ./shopify/ -run '^$' -fuzz FuzzVerifyAdminQuery -fuzztime 60s

// FuzzVerifyAdminQuery feeds arbitrary query strings to the admin verifier. Whatever the input,
// it must not panic, and anything it accepts must carry a valid shop and a fresh timestamp and
// be re-signable to the same hmac (the verifier and the signer agree on the message).
func FuzzVerifyAdminQuery(f *testing.F) {
	f.Add(adminVectorQuery+"&hmac="+adminVectorHMAC, int64(adminVectorTime))
	f.Add(adminVectorQuery+"&hmac="+adminVectorHMAC+"&hmac="+adminVectorHMAC, int64(adminVectorTime))
	f.Add("shop=a.myshopify.com&timestamp=1&hmac=zz", int64(1))
	f.Add("%zz=1&hmac=%", int64(0))
	f.Add("a=1;b=2&&=&hmac=", int64(-1))
	signed := shopify.SignAdminQuery(url.Values{"shop": {"x.myshopify.com"}, "timestamp": {"1700000000"}, "host": {"a+b c"}}, vectorSecret)
	f.Add(signed.Encode(), int64(1700000000))
	f.Fuzz(func(t *testing.T, raw string, now int64) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		shop, err := shopify.VerifyAdminQuery(q, []string{vectorSecret}, time.Unix(now, 0))
		if err != nil {
			return
		}
		if s, ok := shopify.NormalizeShop(shop); !ok || s != shop {
			t.Fatalf("accepted invalid shop %q", shop)
		}
		ts, perr := strconv.ParseInt(q.Get("timestamp"), 10, 64)
		if perr != nil || ts-now > 90 || now-ts > 90 {
			t.Fatalf("accepted timestamp %q at %d", q.Get("timestamp"), now)
		}
		if got := shopify.SignAdminQuery(q, vectorSecret).Get("hmac"); !strings.EqualFold(got, q.Get("hmac")) {
			t.Fatalf("accepted hmac %s but the signer computes %s", q.Get("hmac"), got)
		}
	})
}

// FuzzVerifyProxyQuery does the same for app-proxy signatures; an accepted request's
// logged_in_customer_id is exactly what was signed.
func FuzzVerifyProxyQuery(f *testing.F) {
	for _, c := range []struct{ customer, sig string }{{"1", proxyVectorLoggedIn}, {"", proxyVectorAnonymous}} {
		q := proxyVectorQuery(c.customer)
		q.Set("signature", c.sig)
		f.Add(q.Encode(), int64(proxyVectorTime))
	}
	f.Add("signature=&shop=&timestamp=", int64(0))
	f.Add("extra=1&extra=2&signature=x&signature=y", int64(proxyVectorTime))
	f.Add("logged_in_customer_id=1%2C2&shop=a.myshopify.com", int64(5))
	f.Fuzz(func(t *testing.T, raw string, now int64) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		shop, err := shopify.VerifyProxyQuery(q, []string{vectorSecret}, time.Unix(now, 0))
		if err != nil {
			return
		}
		if s, ok := shopify.NormalizeShop(shop); !ok || s != shop {
			t.Fatalf("accepted invalid shop %q", shop)
		}
		if got := shopify.SignProxyQuery(q, vectorSecret).Get("signature"); got != q.Get("signature") {
			t.Fatalf("accepted signature %s but the signer computes %s", q.Get("signature"), got)
		}
	})
}

// FuzzVerifySessionToken feeds arbitrary strings, and tokens built from fuzzed claims, to the
// session-token parser. It must never panic; an accepted token names a valid shop that matches
// both dest and iss, is HS256 with the right audience and has not expired beyond the leeway.
func FuzzVerifySessionToken(f *testing.F) {
	good, _ := shopify.SignSessionToken(stShop, stKey, stSecret, "42", stNow, time.Minute)
	f.Add(good, "", "", "", int64(0), false)
	f.Add("", "https://a.myshopify.com", "https://a.myshopify.com/admin", stKey, int64(60), true)
	f.Add("eyJhbGciOiJub25lIn0.e30.", "https://a.myshopify.com", "a.myshopify.com/admin", stKey, int64(-20), true)
	f.Add("a.b.c", "http://a.myshopify.com:443/x", "https://b.myshopify.com/admin", "other", int64(5), true)
	f.Add(strings.Repeat("A", 300)+".."+strings.Repeat("=", 3), "", "", "", int64(0), false)
	f.Fuzz(func(t *testing.T, raw, dest, iss, aud string, expIn int64, build bool) {
		if build {
			c := stClaims()
			c.Dest, c.Issuer, c.Audience = dest, iss, jwt.ClaimStrings{aud}
			c.ExpiresAt = jwt.NewNumericDate(stNow.Add(time.Duration(expIn%100000) * time.Second))
			raw = sign(t, jwt.SigningMethodHS256, c, []byte(stSecret))
		}
		s, err := shopify.VerifySessionToken(raw, stKey, []string{stSecret, stPrevious}, stNow)
		if err != nil {
			return
		}
		if n, ok := shopify.NormalizeShop(s.Shop); !ok || n != s.Shop {
			t.Fatalf("accepted invalid shop %q", s.Shop)
		}
		if !strings.Contains(strings.ToLower(s.Claims.Issuer), s.Shop) || !strings.Contains(strings.ToLower(s.Claims.Dest), s.Shop) {
			t.Fatalf("shop %q not named by iss %q and dest %q", s.Shop, s.Claims.Issuer, s.Claims.Dest)
		}
		if len(s.Claims.Audience) == 0 || s.Claims.Audience[0] != stKey {
			t.Fatalf("accepted audience %v", s.Claims.Audience)
		}
		if s.Claims.ExpiresAt == nil || stNow.After(s.Claims.ExpiresAt.Add(shopify.SessionLeeway)) {
			t.Fatalf("accepted expired token (exp %v)", s.Claims.ExpiresAt)
		}
		hdr, _, _ := strings.Cut(raw, ".")
		if build && hdr != strings.Split(good, ".")[0] {
			t.Fatalf("accepted header %q", hdr)
		}
	})
}
