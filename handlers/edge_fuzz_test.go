package handlers_test

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/boomerang-app/boomerang/handlers"
	"github.com/boomerang-app/boomerang/internal/apptest"
	"github.com/boomerang-app/boomerang/internal/testenv"
	"github.com/boomerang-app/boomerang/jobs"
	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/models/loyalty"
	"github.com/boomerang-app/boomerang/models/messaging"
	"github.com/boomerang-app/boomerang/shopify"
)

// The doors a stranger can knock on, fuzzed: whatever the body or query, the answer is a
// deliberate 2xx, 3xx or 4xx, never a 500, and the ledger stays sound.

// FuzzProxyLoyaltyBodies posts arbitrary bodies to the signed redeem and birthday endpoints.
func FuzzProxyLoyaltyBodies(f *testing.F) {
	f.Add(false, []byte(`{"reward":"5 off","request_key":"k1"}`))
	f.Add(false, []byte(`{"reward":"","request_key":"`+strings.Repeat("k", 200)+`"}`))
	f.Add(false, []byte(`{"reward":5}`))
	f.Add(true, []byte(`{"birthday":"1990-02-29"}`))
	f.Add(true, []byte(`{"birthday":"2990-01-01"}`))
	f.Add(true, []byte(`{"birthday":null}`))
	f.Add(true, []byte("birthday=01%2F02%2F1990"))
	f.Add(false, []byte("\x00\xff"))
	a := apptest.Start(f, apptest.Options{NoWorker: true})
	shop := testenv.Shop("lyfuzz")
	shopID := a.Install(f, shop)
	if _, err := models.UpsertCustomer(context.Background(), a.DB, shopID, models.CustomerFact{CustomerID: 77, Email: "f@example.com"}); err != nil {
		f.Fatal(err)
	}
	if _, err := loyalty.AdjustPoints(context.Background(), a.DB, shopID, 77, 100000, "fuzz budget", "test", "fuzz", time.Now()); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, birthday bool, body []byte) {
		path, ct := "/proxy/loyalty/redeem", "application/json"
		if birthday {
			path = "/proxy/loyalty/birthday"
		}
		if len(body) > 0 && body[0] != '{' {
			ct = "application/x-www-form-urlencoded"
		}
		st, resp := proxyDo(t, a, shop, proxyCall{method: http.MethodPost, path: path, customer: 77, contentType: ct, body: body})
		if st >= 500 {
			t.Fatalf("%s answered %d for %q: %s", path, st, body, resp)
		}
		if _, err := loyalty.VerifyLedger(context.Background(), a.DB); err != nil {
			t.Fatalf("ledger after %q: %v", body, err)
		}
	})
}

// FuzzSMSInbound posts arbitrary forms to the inbound SMS webhook, signed with the shop's
// token or not: unsigned ones are refused, none is a 500.
func FuzzSMSInbound(f *testing.F) {
	f.Add(true, "+15555550123", "STOP", "")
	f.Add(true, "+15555550123", "start", "")
	f.Add(true, "not a number", "STOP", "")
	f.Add(false, "+15555550123", "STOP", "forged")
	f.Add(true, "", "\x00", "")
	a := apptest.Start(f, apptest.Options{NoWorker: true})
	shop := testenv.Shop("smsfuzz")
	a.Install(f, shop)
	var e apiError
	if code := a.API(f, shop, "PUT", "/api/sms/settings", map[string]any{"account_sid": "AC1", "auth_token": "tok", "from": "+15005550006"}, &e); code != 200 {
		f.Fatalf("sms settings: %d %+v", code, e)
	}
	path := "/sms/inbound/" + shop
	f.Fuzz(func(t *testing.T, sign bool, from, body, sig string) {
		form := url.Values{"From": {from}, "Body": {body}, "MessageSid": {"SM1"}}
		if sign {
			sig = base64.StdEncoding.EncodeToString(handlers.TwilioSignature("tok", a.Cfg.AppURL+path, form))
		}
		req, _ := http.NewRequest(http.MethodPost, a.Server.URL+path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Twilio-Signature", sig)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return // a header net/http refuses to send
		}
		resp.Body.Close()
		if resp.StatusCode >= 500 || (!sign && resp.StatusCode != http.StatusUnauthorized) {
			t.Fatalf("signed %v, from %q, body %q: %d", sign, from, body, resp.StatusCode)
		}
	})
}

// FuzzOAuthCallback sends arbitrary queries to the OAuth callback: without Shopify's HMAC it is
// 401; nothing is a 500, and no redirect leaves for anywhere but the shop's admin.
func FuzzOAuthCallback(f *testing.F) {
	f.Add("code=abc&shop=x.myshopify.com&state=s&timestamp=1&hmac=00", false)
	f.Add("code=abc&state=s", true)
	f.Add("shop=evil.com&code=a", true)
	f.Add("%zz", false)
	a := apptest.Start(f, apptest.Options{NoWorker: true})
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	f.Fuzz(func(t *testing.T, raw string, sign bool) {
		q, err := url.ParseQuery(raw)
		if err != nil && !sign {
			q = nil
		}
		target := a.Server.URL + "/auth/callback?" + raw
		if sign && q != nil {
			q.Set("timestamp", testTimestamp())
			target = a.Server.URL + "/auth/callback?" + shopify.SignAdminQuery(q, testenv.APISecret).Encode()
		}
		resp, err := client.Get(target)
		if err != nil {
			return
		}
		resp.Body.Close()
		if resp.StatusCode >= 500 && resp.StatusCode != http.StatusBadGateway { // 502: the fake refused the code
			t.Fatalf("%q (signed %v): %d", raw, sign, resp.StatusCode)
		}
		// 400: net/http itself refuses a request line the raw query breaks.
		if !sign && resp.StatusCode != http.StatusUnauthorized && resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("unsigned callback %q answered %d", raw, resp.StatusCode)
		}
		if loc := resp.Header.Get("Location"); loc != "" && !strings.HasPrefix(loc, a.Fake.BaseURL()[:strings.Index(a.Fake.BaseURL(), "{shop}")]) {
			t.Fatalf("redirect to %q", loc)
		}
	})
}

// FuzzOneClickUnsubscribe posts arbitrary bodies and tokens to /unsubscribe: a bad token is a
// 400, a good one unsubscribes, and nothing is a 500.
func FuzzOneClickUnsubscribe(f *testing.F) {
	f.Add(true, "List-Unsubscribe=One-Click", "")
	f.Add(true, "", "")
	f.Add(true, "\x00\xff=%zz", "")
	f.Add(false, "List-Unsubscribe=One-Click", "eyJhbGciOiJIUzI1NiJ9.e30.x")
	a := apptest.Start(f, apptest.Options{NoWorker: true})
	shop := testenv.Shop("unsubfuzz")
	shopID := a.Install(f, shop)
	ctx := context.Background()
	if _, err := models.UpsertCustomer(ctx, a.DB, shopID, models.CustomerFact{CustomerID: 5, Email: "u@example.com", EmailConsent: "subscribed"}); err != nil {
		f.Fatal(err)
	}
	link := jobs.UnsubscribeURL(a.Server.URL, a.Cfg.EncryptionKey, shopID, 5, messaging.ChannelEmail)
	f.Fuzz(func(t *testing.T, valid bool, body, token string) {
		target := link
		if !valid {
			target = a.Server.URL + "/unsubscribe?t=" + url.QueryEscape(token)
		}
		resp, err := http.Post(target, "application/x-www-form-urlencoded", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		switch {
		case resp.StatusCode >= 500:
			t.Fatalf("body %q token %q: %d", body, token, resp.StatusCode)
		case valid && resp.StatusCode != http.StatusOK:
			t.Fatalf("a valid link answered %d for body %q", resp.StatusCode, body)
		case !valid && resp.StatusCode == http.StatusOK:
			t.Fatalf("a forged token %q unsubscribed someone", token)
		}
	})
}

func testTimestamp() string { return strconv.FormatInt(time.Now().Unix(), 10) }
