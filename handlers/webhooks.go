package handlers

import (
	"context"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/shopify"
)

// maxWebhookBody bounds what is read before the signature is checked.
const maxWebhookBody = 1 << 20

// webhook is the whole ingest path: bound the body, verify the HMAC, validate the shop, store
// the delivery durably (once per webhook id), hand it to the workers, answer 200. Everything
// else happens in jobs, replayable from the stored row.
func (s *Server) webhook(c echo.Context) error {
	start := time.Now()
	req := c.Request()
	body, err := io.ReadAll(http.MaxBytesReader(c.Response(), req.Body, maxWebhookBody))
	if err != nil {
		webhooksTotal.WithLabelValues("unverified", "too_large").Inc()
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return apiError(http.StatusRequestEntityTooLarge, "body larger than 1 MiB")
		}
		return apiError(http.StatusBadRequest, "could not read body")
	}
	h := shopify.ReadWebhookHeaders(req.Header)
	if h.HMAC == "" || !shopify.VerifyWebhook(body, h.HMAC, s.Cfg.Secrets()) {
		webhooksTotal.WithLabelValues("unverified", "unauthorized").Inc()
		s.Log.Warn("webhook rejected: bad or missing HMAC", "remote", c.RealIP(), "bytes", len(body))
		return apiError(http.StatusUnauthorized, "invalid webhook signature")
	}
	shop, ok := shopify.NormalizeShop(h.ShopDomain)
	if !ok || !headerToken(h.Topic, 100) || !headerToken(h.WebhookID, 200) ||
		(h.EventID != "" && !headerToken(h.EventID, 200)) || (h.APIVersion != "" && !headerToken(h.APIVersion, 32)) {
		webhooksTotal.WithLabelValues("unverified", "bad_request").Inc()
		s.Log.Warn("webhook rejected: bad headers", "shop_header", truncate(h.ShopDomain, 80), "topic", truncate(h.Topic, 80))
		return apiError(http.StatusBadRequest, "missing or invalid shop domain, topic or webhook id")
	}
	c.Set(ctxShop, shop)
	ctx := req.Context()
	d := models.Delivery{ShopDomain: shop, Topic: h.Topic, WebhookID: h.WebhookID, EventID: h.EventID,
		TriggeredAt: h.TriggeredAt, APIVersion: h.APIVersion, Body: body}
	var st models.Stored
	if s.deliveries != nil {
		st, err = s.deliveries.Store(ctx, d)
	} else {
		st, err = models.StoreDelivery(ctx, s.DB, d)
	}
	if err != nil {
		// Not stored means not acknowledged: Shopify retries.
		webhooksTotal.WithLabelValues(h.Topic, "unavailable").Inc()
		s.Log.Error("webhook not stored", "shop", shop, "topic", h.Topic, "error", err)
		return apiError(http.StatusServiceUnavailable, "storage unavailable, retry later")
	}
	if st.Dropped != "" {
		// A shop that never installed, left or was erased: acknowledged so Shopify stops
		// retrying, and nothing is stored, sent or re-created.
		webhooksTotal.WithLabelValues(h.Topic, "dropped_"+st.Dropped).Inc()
		s.Log.Info("webhook dropped", "shop", shop, "topic", h.Topic, "reason", st.Dropped)
		return c.NoContent(http.StatusOK)
	}
	if !st.Fresh {
		webhooksTotal.WithLabelValues(h.Topic, "duplicate").Inc()
		return c.NoContent(http.StatusOK)
	}
	// The row is the promise; the queue is an optimisation. If Redis is away the sweeper
	// enqueues later, so enqueue on a context that outlives the request but not by much, and
	// after a failure skip the queue for a moment: otherwise every webhook would wait out the
	// Redis client's dial retries (~2 s) before its 200.
	result := "stored"
	if models.Batched(h.Topic) {
		// Order deliveries are claimed from the table by the workers' drain (jobs/drain.go).
		result = "drained"
	} else if time.Now().UnixNano() < s.queueDownUntil.Load() {
		result = "deferred"
	} else {
		qctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
		defer cancel()
		if err := s.Queue.EnqueueWebhook(qctx, st.EventID, h.WebhookID); err != nil {
			s.queueDownUntil.Store(time.Now().Add(queueBackoff).UnixNano())
			result = "deferred"
			s.Log.Warn("webhook stored but not enqueued; the sweeper will enqueue it", "shop", shop, "event", st.EventID, "error", err)
		}
	}
	webhooksTotal.WithLabelValues(h.Topic, result).Inc()
	ingestSeconds.Observe(time.Since(start).Seconds())
	return c.NoContent(http.StatusOK)
}

// queueBackoff is how long webhooks skip the queue after a failed enqueue.
const queueBackoff = 2 * time.Second

// headerToken accepts a non-empty printable-ASCII value of at most max bytes. Shopify's topics
// and ids always are; anything else would fail in Postgres (invalid UTF-8 → a 503 that
// Shopify retries forever) or panic as a metric label, so it is refused as a bad request.
func headerToken(s string, max int) bool {
	if s == "" || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
