package handlers

import (
	"crypto/subtle"
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/web"
)

// routes is the map of the whole HTTP surface.
func (s *Server) routes(e *echo.Echo) {
	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)

	ops := s.opsAuth()
	e.GET("/metrics", echo.WrapHandler(promhttp.Handler()), ops)
	e.GET("/ops/webhooks/failed", s.failedWebhooksPage, ops)
	if s.Extra != nil {
		s.Extra(e, ops)
	}

	e.POST("/webhooks", s.webhook)
	e.POST("/webhooks/*", s.webhook) // any subscription uri under /webhooks lands in the same inbox
	for _, a := range []string{models.FlowSubscriptionCancelled, models.FlowSubscriptionPaused, models.FlowSubscriptionReactivated} {
		e.POST("/flow/actions/"+a, s.flowSubscriptionAction(a))
	}
	e.POST("/flow/lifecycle", s.flowLifecycle)

	e.GET("/auth", s.authStart)
	e.GET("/auth/callback", s.authCallback)
	e.GET(bouncePath, s.bouncePage)

	api := e.Group("/api", apiBodyLimit(), s.requireSession)
	proxy := e.Group("/proxy", middleware.BodyLimit("64K"), s.requireProxySignature)
	s.adminRoutes(api)
	s.loyaltyRoutes(api, proxy)
	s.reviewRoutes(e, api, proxy)
	s.messagingRoutes(e, api, proxy)

	if s.Cfg.Development() {
		e.GET("/dev/admin", s.devAdmin)
		e.GET("/dev/session", s.devSession)
	}

	assets := echo.MustSubFS(web.Files(), "assets")
	e.GET("/assets/*", echo.WrapHandler(immutable(http.StripPrefix("/assets/", http.FileServer(http.FS(assets))))))
	// The admin page's client-side routes all load the same shell.
	for _, p := range []string{"/", "/customers", "/customers/*", "/loyalty", "/reviews", "/messages", "/messages/*", "/campaigns", "/activity", "/setup"} {
		e.GET(p, s.appHome)
	}
}

// immutable marks hashed asset files cacheable for a year.
func immutable(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		h.ServeHTTP(w, r)
	})
}

// opsAuth protects operator pages with basic auth (user "ops", OPS_PASSWORD). In development
// without a password they are open, on loopback only by nature of `make dev`.
func (s *Server) opsAuth() echo.MiddlewareFunc {
	if s.Cfg.OpsPassword == "" && s.Cfg.Development() {
		return func(next echo.HandlerFunc) echo.HandlerFunc { return next }
	}
	return middleware.BasicAuth(func(user, pass string, _ echo.Context) (bool, error) {
		return subtle.ConstantTimeCompare([]byte(user), []byte("ops")) == 1 &&
			s.Cfg.OpsPassword != "" && subtle.ConstantTimeCompare([]byte(pass), []byte(s.Cfg.OpsPassword)) == 1, nil
	})
}

// apiBodyLimit is the /api body limit with the review import exempted: the import streams
// its file under its own, larger limit (maxImportBytes), so a 100 MB export is accepted
// without being held in memory.
func apiBodyLimit() echo.MiddlewareFunc {
	return middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{Limit: "2M", Skipper: func(c echo.Context) bool {
		return c.Request().Method == http.MethodPost && c.Request().URL.Path == "/api/reviews/import"
	}})
}
