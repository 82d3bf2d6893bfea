package handlers

import (
	"context"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/boomerang-app/boomerang/models"
)

func (s *Server) healthz(c echo.Context) error { return c.String(http.StatusOK, "ok") }

// readyz answers 200 only when Postgres and Redis both answer, so a load balancer stops
// sending traffic to a process that cannot store webhooks.
func (s *Server) readyz(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
	defer cancel()
	status := map[string]string{"postgres": "ok", "redis": "ok"}
	code := http.StatusOK
	if err := models.Ping(ctx, s.DB); err != nil {
		status["postgres"], code = err.Error(), http.StatusServiceUnavailable
	}
	if err := s.Queue.Ping(ctx); err != nil {
		status["redis"], code = err.Error(), http.StatusServiceUnavailable
	}
	return c.JSON(code, status)
}
