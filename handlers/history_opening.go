package handlers

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/models/loyalty"
)

// openingQueue grants opening balances in the background (jobs.Queue has it).
type openingQueue interface {
	EnqueueOpening(ctx context.Context, shopID int64, months int) error
}

// previewOpening serves GET /api/import/opening?months=N: the dry run of granting points for the
// paid orders of the last N months: {"months", "customers", "orders", "points", "liability",
// "currency"}. Nothing is written.
func (s *Server) previewOpening(c echo.Context) error {
	months, err := strconv.Atoi(c.QueryParam("months"))
	if err != nil {
		return models.Invalid("months", "must be a whole number of months")
	}
	p, err := loyalty.PreviewOpening(c.Request().Context(), s.DB, ShopID(c), months, time.Now())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}

// applyOpening serves POST /api/import/opening {"months": N}: grant those points (202 with the
// preview; GET /api/import/history reports opening_state and opening_points as it goes).
// Points already granted stay; a wider window later adds the older orders.
func (s *Server) applyOpening(c echo.Context) error {
	var in struct {
		Months int `json:"months"`
	}
	if err := c.Bind(&in); err != nil {
		return models.Invalid("", "body must be {\"months\": N}: %v", bindReason(err))
	}
	ctx, shopID := c.Request().Context(), ShopID(c)
	p, err := loyalty.PreviewOpening(ctx, s.DB, shopID, in.Months, time.Now())
	if err != nil {
		return err
	}
	q, ok := s.Queue.(openingQueue)
	if !ok {
		return echo.NewHTTPError(http.StatusServiceUnavailable, "no job queue")
	}
	if err := loyalty.RecordOpening(ctx, s.DB, shopID, in.Months, "running", time.Now()); err != nil {
		return err
	}
	if err := q.EnqueueOpening(ctx, shopID, in.Months); err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, p)
}
