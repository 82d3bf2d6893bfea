package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/boomerang-app/boomerang/models/insights"
)

// customerTimeline serves GET /api/customers/{id}/timeline: the newest 200 events.
func (s *Server) customerTimeline(c echo.Context) error {
	id, err := customerParam(c)
	if err != nil {
		return err
	}
	events, err := insights.CustomerTimeline(c.Request().Context(), s.DB, ShopID(c), id, insights.MaxTimeline)
	if err != nil {
		return err
	}
	if events == nil {
		events = []insights.TimelineEvent{}
	}
	return c.JSON(http.StatusOK, map[string]any{"events": events})
}
