package handlers

import (
	"net"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/time/rate"
)

// Per-IP limit on storefront review submissions: a token bucket per address, in process. It
// stops one machine from flooding a shop; the per-customer daily limit, kept in the database,
// is the one that holds across processes.
const (
	reviewIPBurst    = 10                   // submissions at once
	reviewIPRefill   = rate.Limit(1.0 / 30) // then one every 30 seconds
	reviewIPTracked  = 50000                // addresses remembered before idle ones are dropped
	reviewIPIdleDrop = 10 * time.Minute     // a bucket idle this long is full again anyway
)

type ipLimiter struct {
	mu      sync.Mutex
	rate    rate.Limit
	burst   int
	buckets map[string]*ipBucket
}

type ipBucket struct {
	lim  *rate.Limiter
	seen time.Time
}

func newIPLimiter(r rate.Limit, burst int) *ipLimiter {
	return &ipLimiter{rate: r, burst: burst, buckets: map[string]*ipBucket{}}
}

var reviewIPLimiter = newIPLimiter(reviewIPRefill, reviewIPBurst)

// allow takes one token for ip at now.
func (l *ipLimiter) allow(ip string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buckets[ip]
	if b == nil {
		if len(l.buckets) >= reviewIPTracked {
			l.evict(now)
		}
		b = &ipBucket{lim: rate.NewLimiter(l.rate, l.burst)}
		l.buckets[ip] = b
	}
	b.seen = now
	return b.lim.AllowN(now, 1)
}

// evict drops buckets idle long enough to have refilled; if every address is busy (a flood
// from many addresses) it starts over rather than grow without bound.
func (l *ipLimiter) evict(now time.Time) {
	for ip, b := range l.buckets {
		if now.Sub(b.seen) > reviewIPIdleDrop {
			delete(l.buckets, ip)
		}
	}
	if len(l.buckets) >= reviewIPTracked {
		l.buckets = map[string]*ipBucket{}
	}
}

// proxyClientIP is the shopper's address on /proxy routes. The shopper controls every
// X-Forwarded-For entry up to the one Shopify's app proxy appends, so that one is taken: the
// right-most entry once the operator's own proxies (TRUSTED_PROXY_HOPS, each appending one
// entry after Shopify's) are skipped. Anything missing or unparsable falls back to the
// connection's address.
func proxyClientIP(c echo.Context, trustedHops int) string {
	var hops []string
	for _, h := range c.Request().Header.Values(echo.HeaderXForwardedFor) {
		hops = append(hops, strings.Split(h, ",")...)
	}
	if i := len(hops) - 1 - trustedHops; i >= 0 {
		if ip := net.ParseIP(strings.TrimSpace(hops[i])); ip != nil {
			return ip.String()
		}
	}
	host, _, err := net.SplitHostPort(c.Request().RemoteAddr)
	if err != nil {
		return c.Request().RemoteAddr
	}
	return host
}
