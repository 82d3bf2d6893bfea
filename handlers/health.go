package handlers

import (
	"context"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/boomerang-app/boomerang/models"
)

func (s *Server) healthz(c echo.Context) error { return c.String(http.StatusOK, "ok") }

// readyz answers 200 while Postgres answers: the stored row is what a webhook's 200 promises,
// so a process whose Redis is away still takes webhooks (the sweeper enqueues them later) and
// must stay in the load balancer. Redis's state is reported in the body for monitoring.
func (s *Server) readyz(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
	defer cancel()
	status := map[string]string{"postgres": "ok", "redis": "ok"}
	code := http.StatusOK
	if err := models.Ping(ctx, s.DB); err != nil {
		status["postgres"], code = err.Error(), http.StatusServiceUnavailable
	}
	if err := s.Queue.Ping(ctx); err != nil {
		status["redis"] = err.Error()
	}
	return c.JSON(code, status)
}
