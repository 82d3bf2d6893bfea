package shopify_test

import (
	"errors"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/boomerang-app/boomerang/shopify"
)

// Shopify's published vectors (contract §1.1 and §5), secret "hush".
const (
	vectorSecret     = "hush"
	adminVectorQuery = "code=0907a61c0c8d55e99db179b68161bc00&shop=some-shop.myshopify.com&timestamp=1337178173"
	adminVectorHMAC  = "4712bf92ffc2917d15a2f5a273e39f0116667419aa4b6ac0b3baaf26fa3c4d20"
	adminVectorTime  = 1337178173

	proxyVectorTime      = 1317327555
	proxyVectorLoggedIn  = "4c68c8624d737112c91818c11017d24d334b524cb5c2b8ba08daa056f7395ddb"
	proxyVectorAnonymous = "e072b6d7e6622d85912a5214b860d3100dc1e73d9bc29f43796ac8c9ff8093cb"
)

func mustQuery(t testing.TB, raw string) url.Values {
	t.Helper()
	q, err := url.ParseQuery(raw)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

// Our verifiers also enforce the 90 s window, so the published vectors are checked with a
// clock a few seconds after their timestamp.
func TestAdminQueryPublishedVector(t *testing.T) {
	q := mustQuery(t, adminVectorQuery+"&hmac="+adminVectorHMAC)
	shop, err := shopify.VerifyAdminQuery(q, []string{vectorSecret}, time.Unix(adminVectorTime+5, 0))
	if err != nil {
		t.Fatalf("published vector rejected: %v", err)
	}
	if shop != "some-shop.myshopify.com" {
		t.Fatalf("shop = %q", shop)
	}
	// Our own signer agrees with Shopify's.
	signed := shopify.SignAdminQuery(mustQuery(t, adminVectorQuery), vectorSecret)
	if got := signed.Get("hmac"); got != adminVectorHMAC {
		t.Fatalf("SignAdminQuery = %s, want %s", got, adminVectorHMAC)
	}
	// A `signature` param is not part of the admin message, and the previous secret may sign.
	q.Set("signature", "ignored")
	if _, err := shopify.VerifyAdminQuery(q, []string{"current-secret", vectorSecret}, time.Unix(adminVectorTime-60, 0)); err != nil {
		t.Fatalf("vector with previous secret and extra signature param: %v", err)
	}
}

func TestAdminQueryRejections(t *testing.T) {
	now := time.Unix(adminVectorTime, 0)
	good := func() url.Values { return mustQuery(t, adminVectorQuery+"&hmac="+adminVectorHMAC) }
	cases := []struct {
		name    string
		q       func() url.Values
		secrets []string
		now     time.Time
		want    error
	}{
		{"wrong secret", good, []string{"nope"}, now, shopify.ErrBadSignature},
		{"no secret", good, nil, now, shopify.ErrBadSignature},
		{"empty secret", good, []string{""}, now, shopify.ErrBadSignature},
		{"tampered code", func() url.Values { q := good(); q.Set("code", "x"); return q }, []string{vectorSecret}, now, shopify.ErrBadSignature},
		{"added param", func() url.Values { q := good(); q.Set("host", "YWRtaW4"); return q }, []string{vectorSecret}, now, shopify.ErrBadSignature},
		{"missing hmac", func() url.Values { q := good(); q.Del("hmac"); return q }, []string{vectorSecret}, now, shopify.ErrBadSignature},
		// The received MAC is hex-decoded before comparing, so its case does not matter.
		{"upper-case hex", func() url.Values {
			q := good()
			q.Set("hmac", "4712BF92FFC2917D15A2F5A273E39F0116667419AA4B6AC0B3BAAF26FA3C4D20")
			return q
		}, []string{vectorSecret}, now, nil},
		{"duplicate hmac", func() url.Values { q := good(); q.Add("hmac", adminVectorHMAC); return q }, []string{vectorSecret}, now, shopify.ErrDuplicate},
		{"duplicate shop", func() url.Values { q := good(); q.Add("shop", "other.myshopify.com"); return q }, []string{vectorSecret}, now, shopify.ErrDuplicate},
		{"91 s late", good, []string{vectorSecret}, now.Add(91 * time.Second), shopify.ErrStale},
		{"91 s early", good, []string{vectorSecret}, now.Add(-91 * time.Second), shopify.ErrStale},
		{"90 s late is fine", good, []string{vectorSecret}, now.Add(90 * time.Second), nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := shopify.VerifyAdminQuery(c.q(), c.secrets, c.now)
			if c.want == nil && err != nil {
				t.Fatalf("unexpected error %v", err)
			}
			if c.want != nil && !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
		})
	}
}

func TestAdminQueryTimestampAndShop(t *testing.T) {
	now := time.Now()
	ts := strconv.FormatInt(now.Unix(), 10)
	// Missing timestamp: signed fine, but not fresh.
	q := shopify.SignAdminQuery(url.Values{"shop": {"a.myshopify.com"}}, vectorSecret)
	if _, err := shopify.VerifyAdminQuery(q, []string{vectorSecret}, now); !errors.Is(err, shopify.ErrStale) {
		t.Fatalf("missing timestamp: %v", err)
	}
	q = shopify.SignAdminQuery(url.Values{"shop": {"a.myshopify.com"}, "timestamp": {"soon"}}, vectorSecret)
	if _, err := shopify.VerifyAdminQuery(q, []string{vectorSecret}, now); !errors.Is(err, shopify.ErrStale) {
		t.Fatalf("non-integer timestamp: %v", err)
	}
	for _, bad := range []string{"evil.com", "a.myshopify.com.evil.com", "https://a.myshopify.com", "", "a.myshopify.com/admin"} {
		q = shopify.SignAdminQuery(url.Values{"shop": {bad}, "timestamp": {ts}}, vectorSecret)
		if _, err := shopify.VerifyAdminQuery(q, []string{vectorSecret}, now); !errors.Is(err, shopify.ErrBadShop) {
			t.Fatalf("shop %q: %v", bad, err)
		}
	}
	// Every parameter is signed, including host and values that need escaping.
	q = shopify.SignAdminQuery(url.Values{"shop": {"Mixed-Case.myshopify.com"}, "timestamp": {ts},
		"host": {"YWRtaW4uc2hvcGlmeS5jb20vc3RvcmUvYQ"}, "state": {"a b&c=d%"}, "embedded": {"1"}}, vectorSecret)
	shop, err := shopify.VerifyAdminQuery(q, []string{vectorSecret}, now)
	if err != nil || shop != "mixed-case.myshopify.com" {
		t.Fatalf("signed query with escapes: shop %q, err %v", shop, err)
	}
	// Round trip through a real URL, as the callback arrives.
	u, _ := url.Parse("https://app.example.com/auth/callback?" + q.Encode())
	if _, err := shopify.VerifyAdminQuery(u.Query(), []string{vectorSecret}, now); err != nil {
		t.Fatalf("after URL round trip: %v", err)
	}
}

func proxyVectorQuery(customer string) url.Values {
	return url.Values{
		"extra": {"1", "2"}, "shop": {"shop-name.myshopify.com"}, "logged_in_customer_id": {customer},
		"path_prefix": {"/apps/awesome_reviews"}, "timestamp": {strconv.Itoa(proxyVectorTime)},
	}
}

func TestProxyQueryPublishedVectors(t *testing.T) {
	now := time.Unix(proxyVectorTime+3, 0)
	for _, c := range []struct{ customer, sig string }{{"1", proxyVectorLoggedIn}, {"", proxyVectorAnonymous}} {
		q := proxyVectorQuery(c.customer)
		if got := shopify.SignProxyQuery(q, vectorSecret).Get("signature"); got != c.sig {
			t.Fatalf("SignProxyQuery(customer %q) = %s, want %s", c.customer, got, c.sig)
		}
		q.Set("signature", c.sig)
		// As Shopify forwards it: a URL-encoded query string.
		u, _ := url.Parse("https://app.example.com/proxy/x?" + q.Encode())
		shop, err := shopify.VerifyProxyQuery(u.Query(), []string{vectorSecret}, now)
		if err != nil || shop != "shop-name.myshopify.com" {
			t.Fatalf("vector (customer %q): shop %q, err %v", c.customer, shop, err)
		}
		// Previous secret during rotation.
		if _, err := shopify.VerifyProxyQuery(u.Query(), []string{"new-secret", vectorSecret}, now); err != nil {
			t.Fatalf("vector with previous secret: %v", err)
		}
	}
	// The two signatures are not interchangeable: a visitor cannot claim to be customer 1.
	q := proxyVectorQuery("1")
	q.Set("signature", proxyVectorAnonymous)
	if _, err := shopify.VerifyProxyQuery(q, []string{vectorSecret}, now); !errors.Is(err, shopify.ErrBadSignature) {
		t.Fatalf("anonymous signature with a customer id: %v", err)
	}
}

func TestProxyQueryRejections(t *testing.T) {
	now := time.Unix(proxyVectorTime, 0)
	signed := func() url.Values {
		q := proxyVectorQuery("1")
		q.Set("signature", proxyVectorLoggedIn)
		return q
	}
	cases := []struct {
		name string
		q    url.Values
		now  time.Time
		want error
	}{
		{"values reordered", func() url.Values { q := signed(); q["extra"] = []string{"2", "1"}; return q }(), now, shopify.ErrBadSignature},
		{"customer changed", func() url.Values { q := signed(); q.Set("logged_in_customer_id", "2"); return q }(), now, shopify.ErrBadSignature},
		{"signature missing", func() url.Values { q := signed(); q.Del("signature"); return q }(), now, shopify.ErrBadSignature},
		{"duplicate signature", func() url.Values { q := signed(); q.Add("signature", proxyVectorLoggedIn); return q }(), now, shopify.ErrDuplicate},
		{"duplicate timestamp", func() url.Values { q := signed(); q.Add("timestamp", "1"); return q }(), now, shopify.ErrDuplicate},
		{"duplicate shop", func() url.Values { q := signed(); q.Add("shop", "x.myshopify.com"); return q }(), now, shopify.ErrDuplicate},
		{"duplicate hmac", func() url.Values { q := signed(); q["hmac"] = []string{"a", "b"}; return q }(), now, shopify.ErrDuplicate},
		{"stale", signed(), now.Add(91 * time.Second), shopify.ErrStale},
		{"future", signed(), now.Add(-91 * time.Second), shopify.ErrStale},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := shopify.VerifyProxyQuery(c.q, []string{vectorSecret}, c.now); !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
		})
	}
	if _, err := shopify.VerifyProxyQuery(signed(), []string{"wrong", ""}, now); !errors.Is(err, shopify.ErrBadSignature) {
		t.Fatalf("wrong secret: %v", err)
	}
	q := shopify.SignProxyQuery(url.Values{"shop": {"evil.example.com"}, "timestamp": {strconv.Itoa(proxyVectorTime)}}, vectorSecret)
	if _, err := shopify.VerifyProxyQuery(q, []string{vectorSecret}, now); !errors.Is(err, shopify.ErrBadShop) {
		t.Fatalf("bad shop: %v", err)
	}
}

// A correct MAC with anything after it is not a correct MAC (go-shopify compares only what
// hex-decodes; found by FuzzVerifyAdminQuery).
func TestVerifyRejectsMACWithTrailingJunk(t *testing.T) {
	for _, junk := range []string{"\a", "0", "00", "zz", " "} {
		q, _ := url.ParseQuery(adminVectorQuery)
		q.Set("hmac", adminVectorHMAC+junk)
		if _, err := shopify.VerifyAdminQuery(q, []string{vectorSecret}, time.Unix(adminVectorTime, 0)); err == nil {
			t.Errorf("admin query hmac with %q appended accepted", junk)
		}
		p := proxyVectorQuery("1")
		p.Set("signature", proxyVectorLoggedIn+junk)
		if _, err := shopify.VerifyProxyQuery(p, []string{vectorSecret}, time.Unix(proxyVectorTime, 0)); err == nil {
			t.Errorf("proxy signature with %q appended accepted", junk)
		}
	}
}
