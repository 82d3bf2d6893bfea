package shopify

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	goshopify "github.com/bold-commerce/go-shopify/v4"
)

// TimestampTolerance is how far a signed query's timestamp may be from now (Shopify's own
// library uses 90 s) so a captured URL cannot be replayed later.
const TimestampTolerance = 90 * time.Second

var (
	ErrBadSignature = errors.New("signature does not match")
	ErrStale        = errors.New("timestamp missing or outside the allowed window")
	ErrDuplicate    = errors.New("a signed parameter appears more than once")
	ErrBadShop      = errors.New("shop is not a valid myshopify.com domain")
)

// VerifyAdminQuery checks an OAuth / app-load query ("admin" signature: hex HMAC over the
// sorted query without hmac and signature) with the current or previous secret, then the
// timestamp window and the shop. It returns the normalized shop.
func VerifyAdminQuery(q url.Values, secrets []string, now time.Time) (string, error) {
	if err := singleValued(q, "hmac", "shop", "timestamp"); err != nil {
		return "", err
	}
	if !hexSHA256(q.Get("hmac")) {
		return "", ErrBadSignature
	}
	u := &url.URL{RawQuery: q.Encode()}
	ok := false
	for _, s := range secrets {
		if s == "" {
			continue
		}
		if good, err := (goshopify.App{ApiSecret: s}).VerifyAuthorizationURL(u); err == nil && good {
			ok = true
		}
	}
	if !ok {
		return "", ErrBadSignature
	}
	if !fresh(q.Get("timestamp"), now) {
		return "", ErrStale
	}
	shop, valid := NormalizeShop(q.Get("shop"))
	if !valid {
		return "", ErrBadShop
	}
	return shop, nil
}

// VerifyProxyQuery checks an app-proxy request's `signature` (hex HMAC over the sorted
// `key=value` pairs, repeated values joined with commas, no separator) with the current or
// previous secret, the timestamp window and the shop. Only after this may the caller trust
// `logged_in_customer_id`.
func VerifyProxyQuery(q url.Values, secrets []string, now time.Time) (string, error) {
	if err := singleValued(q, "hmac", "shop", "signature", "timestamp"); err != nil {
		return "", err
	}
	if !hexSHA256(q.Get("signature")) {
		return "", ErrBadSignature
	}
	u := &url.URL{RawQuery: q.Encode()}
	ok := false
	for _, s := range secrets {
		if s != "" && (goshopify.App{ApiSecret: s}).VerifySignature(u) {
			ok = true
		}
	}
	if !ok {
		return "", ErrBadSignature
	}
	if !fresh(q.Get("timestamp"), now) {
		return "", ErrStale
	}
	shop, valid := NormalizeShop(q.Get("shop"))
	if !valid {
		return "", ErrBadShop
	}
	return shop, nil
}

// SignProxyQuery adds a valid `signature` to q; for tests and the dev storefront.
func SignProxyQuery(q url.Values, secret string) url.Values {
	out := url.Values{}
	var parts []string
	for k, vs := range q {
		if k == "signature" {
			continue
		}
		out[k] = vs
		parts = append(parts, k+"="+strings.Join(vs, ","))
	}
	sort.Strings(parts)
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(strings.Join(parts, "")))
	out.Set("signature", hex.EncodeToString(m.Sum(nil)))
	return out
}

// SignAdminQuery adds a valid `hmac` to q; for tests and the dev flow.
func SignAdminQuery(q url.Values, secret string) url.Values {
	out := url.Values{}
	for k, vs := range q {
		if k != "hmac" && k != "signature" {
			out[k] = vs
		}
	}
	msg, _ := url.QueryUnescape(out.Encode())
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(msg))
	out.Set("hmac", hex.EncodeToString(m.Sum(nil)))
	return out
}

// hexSHA256 accepts exactly a hex SHA-256 MAC, 64 digits. go-shopify decodes the hex with
// hex.DecodeString and compares what decoded, so a correct MAC followed by junk ("…4d20\a")
// would pass; found by FuzzVerifyAdminQuery.
func hexSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

func singleValued(q url.Values, keys ...string) error {
	for _, k := range keys {
		if len(q[k]) > 1 {
			return ErrDuplicate
		}
	}
	return nil
}

func fresh(ts string, now time.Time) bool {
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return false
	}
	d := now.Sub(time.Unix(sec, 0))
	return d <= TimestampTolerance && d >= -TimestampTolerance
}
