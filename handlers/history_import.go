package handlers

import (
	"context"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/boomerang-app/boomerang/models"
)

// historyQueue starts or resumes a shop's history import (jobs.Queue has it).
type historyQueue interface {
	EnqueueHistoryImport(ctx context.Context, shopID int64, after time.Duration) error
}

// getHistoryImport serves GET /api/import/history: {"state": "pending|running|done|failed",
// "phase", "percent", "eta_seconds", "customers", "orders", "all_orders", "errors",
// "line_errors", "started_at", "finished_at", "last_error", and the opening balances chosen}.
func (s *Server) getHistoryImport(c echo.Context) error {
	imp, err := models.GetHistoryImport(c.Request().Context(), s.DB, ShopID(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, historyView(imp))
}

// historyView is the import with its progress: {"state", "phase", "percent", "eta_seconds", …}.
func historyView(imp models.HistoryImport) any {
	return struct {
		models.HistoryImport
		models.HistoryProgress
	}{imp, imp.Progress(time.Now())}
}

// resyncHistoryImport serves POST /api/import/history: import the order history again (what is
// already stored stays; 409 while an import runs). 202 with the import as it now stands.
func (s *Server) resyncHistoryImport(c echo.Context) error {
	ctx, shopID := c.Request().Context(), ShopID(c)
	if err := models.ResyncHistoryImport(ctx, s.DB, shopID, time.Now()); err != nil {
		return err
	}
	if q, ok := s.Queue.(historyQueue); ok {
		if err := q.EnqueueHistoryImport(ctx, shopID, 0); err != nil {
			return err
		}
	}
	imp, err := models.GetHistoryImport(ctx, s.DB, shopID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, historyView(imp))
}
