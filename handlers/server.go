// Package handlers is Boomerang's HTTP edge (Echo v4): Shopify auth, webhook ingest, the
// admin JSON API, the app proxy and the admin page shell. Echo stays inside this package so
// a move to Echo v5 touches one folder.
package handlers

import (
	"context"
	"log/slog"
	"sync/atomic"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"gorm.io/gorm"

	"github.com/boomerang-app/boomerang/config"
	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/shopify"
)

// Queue is what the edge needs from the job system: hand a stored webhook to the workers.
type Queue interface {
	EnqueueWebhook(ctx context.Context, eventID int64, webhookID string) error
	EnqueueInstall(ctx context.Context, shopID int64) error
	Ping(ctx context.Context) error
}

// Deps are the handlers' collaborators, wired in cmd/boomerang.
type Deps struct {
	Cfg    *config.Config
	DB     *gorm.DB
	Queue  Queue
	Admin  *shopify.Admin
	Tokens TokenSaver
	Cipher *models.Cipher
	Log    *slog.Logger
	// Extra mounts more routes (e.g. the jobs dashboard) without handlers importing them.
	Extra func(e *echo.Echo, ops echo.MiddlewareFunc)
}

// TokenSaver stores a fresh offline token pair for a shop.
type TokenSaver interface {
	Save(ctx context.Context, shop string, t shopify.Tokens) error
	Load(ctx context.Context, shop string) (shopify.Tokens, error)
}

// Server holds the dependencies every handler method uses.
type Server struct {
	Deps
	tokenExchange *shopify.TokenClient
	// queueDownUntil (unix ns): webhooks skip the queue until then after a failed enqueue.
	queueDownUntil atomic.Int64
	deliveries     *models.DeliveryWriter // stores webhooks with group commit
}

// New builds the Echo instance with every route.
func New(d Deps) *echo.Echo {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	s := &Server{Deps: d, tokenExchange: &shopify.TokenClient{BaseURL: d.Cfg.ShopifyBaseURL,
		APIKey: d.Cfg.ShopifyAPIKey, APISecret: d.Cfg.ShopifyAPISecret}}
	if d.DB != nil {
		if w, err := models.NewDeliveryWriter(d.DB); err == nil {
			s.deliveries = w
		}
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.IPExtractor = echo.ExtractIPDirect() // no proxy headers trusted unless configured
	e.HTTPErrorHandler = s.errorHandler
	e.Use(middleware.Recover())
	e.Use(securityHeaders(!d.Cfg.Development()))
	e.Use(middleware.RequestID())
	e.Use(requestLogger(d.Log))
	e.Use(metricsMiddleware())
	s.routes(e)
	return e
}

// securityHeaders are on every response: no MIME sniffing, no path or query (signed links
// carry tokens) in the Referer sent to other sites, and in production HSTS (APP_URL must be
// https there). Framing is decided per route: the admin shell allows its shop's admin, the
// unsubscribe page and bounce pages allow no one.
func securityHeaders(production bool) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			h := c.Response().Header()
			h.Set("X-Content-Type-Options", "nosniff")
			h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
			if production {
				h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
			}
			return next(c)
		}
	}
}
