package handlers

import (
	"log/slog"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

var (
	webhooksTotal = promauto.NewCounterVec(prometheus.CounterOpts{
		Name: "boomerang_webhooks_total", Help: "Webhook deliveries by topic and result.",
	}, []string{"topic", "result"})
	ingestSeconds = promauto.NewHistogram(prometheus.HistogramOpts{
		Name: "boomerang_webhook_ingest_seconds", Help: "Time to verify, store and enqueue a webhook.",
		Buckets: []float64{.001, .002, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
	})
	httpRequests = promauto.NewCounterVec(prometheus.CounterOpts{
		Name: "boomerang_http_requests_total", Help: "HTTP requests by route and status.",
	}, []string{"route", "status"})
)

func metricsMiddleware() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			err := next(c)
			status := c.Response().Status
			if err != nil {
				if he, ok := err.(*echo.HTTPError); ok {
					status = he.Code
				}
			}
			route := c.Path()
			if route == "" {
				route = "unmatched"
			}
			httpRequests.WithLabelValues(route, strconv.Itoa(status)).Inc()
			return err
		}
	}
}

// requestLogger logs one line per request with its id and shop; webhooks and probes log at
// debug so a flash sale does not flood the logs.
func requestLogger(log *slog.Logger) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			start := time.Now()
			err := next(c)
			if err != nil {
				c.Error(err)
			}
			level := slog.LevelInfo
			switch c.Path() {
			case "/webhooks", "/healthz", "/readyz", "/metrics":
				level = slog.LevelDebug
			}
			if c.Response().Status >= 500 {
				level = slog.LevelError
			}
			log.Log(c.Request().Context(), level, "http",
				"request_id", c.Response().Header().Get(echo.HeaderXRequestID),
				"method", c.Request().Method, "route", c.Path(), "status", c.Response().Status,
				"ms", time.Since(start).Milliseconds(), "shop", c.Get(ctxShop))
			return nil
		}
	}
}
