package handlers

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/boomerang-app/boomerang/models/insights"
)

// scorecardMaxAge: the scorecard folds in changes older than this before answering, so its
// figures are never more than a minute behind the facts.
const scorecardMaxAge = time.Minute

// getScorecard serves GET /api/metrics/scorecard?from=&to= (dates in the shop's time zone,
// both inclusive; default the last 12 months). Definitions: insights.Scorecard.
func (s *Server) getScorecard(c echo.Context) error {
	ctx, shopID := c.Request().Context(), ShopID(c)
	loc, err := insights.ShopLocation(ctx, s.DB, shopID)
	if err != nil {
		return err
	}
	p, err := insights.ParsePeriod(c.QueryParam("from"), c.QueryParam("to"), time.Now(), loc)
	if err != nil {
		return err
	}
	if r, err := insights.RefreshMetricsIfStale(ctx, s.DB, shopID, scorecardMaxAge); err != nil {
		// Stale figures beat none: the periodic refresh will retry.
		s.Log.Warn("metrics refresh failed", "shop", c.Get(ctxShop), "error", err)
	} else if r.Deferred {
		s.Log.Info("metrics rebuild left to the periodic job", "shop", c.Get(ctxShop))
	} else if !r.Skipped && r.Took > time.Second {
		s.Log.Info("metrics refreshed", "shop", c.Get(ctxShop), "rebuilt", r.Rebuilt, "customers", r.Customers,
			"days", r.Days, "took", r.Took)
	}
	sc, err := insights.GetScorecard(ctx, s.DB, shopID, p)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, sc)
}
