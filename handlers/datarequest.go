package handlers

import (
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/boomerang-app/boomerang/models"
)

type dataRequestRow struct {
	ID          int64                `json:"id"`
	RequestID   int64                `json:"request_id"`
	CustomerID  int64                `json:"customer_id"`
	Customer    *models.CustomerCard `json:"customer"` // nil once the customer is redacted
	RequestedAt time.Time            `json:"requested_at"`
	Status      string               `json:"status"`
	CompletedAt *time.Time           `json:"completed_at"`
}

// listDataRequests serves GET /api/data-requests: the shop's customers/data_request
// deliveries, newest first (the newest 200).
func (s *Server) listDataRequests(c echo.Context) error {
	rs, err := models.ListDataRequests(c.Request().Context(), s.DB, ShopID(c))
	if err != nil {
		return err
	}
	ids := make([]int64, len(rs))
	for i, r := range rs {
		ids[i] = r.CustomerID
	}
	cards, err := models.CustomerCards(c.Request().Context(), s.DB, ShopID(c), ids)
	if err != nil {
		return err
	}
	out := make([]dataRequestRow, len(rs))
	for i, r := range rs {
		out[i] = dataRequestRow{ID: r.ID, RequestID: r.RequestID, CustomerID: r.CustomerID, Customer: cards[r.CustomerID],
			RequestedAt: r.RequestedAt, Status: r.Status, CompletedAt: r.CompletedAt}
	}
	return c.JSON(http.StatusOK, map[string]any{"requests": out})
}

// dataRequestExport serves GET /api/data-requests/{id}/export: the stored export, as a JSON
// download. 409 while the export is still being built.
func (s *Server) dataRequestExport(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return models.Invalid("id", "not a data request id")
	}
	dr, err := models.GetDataRequest(c.Request().Context(), s.DB, ShopID(c), id)
	if err != nil {
		return err
	}
	if len(dr.Export) == 0 {
		return models.Conflict("the export of data request %d is not ready yet", id)
	}
	c.Response().Header().Set(echo.HeaderContentDisposition,
		`attachment; filename="data-request-`+strconv.FormatInt(dr.ID, 10)+`.json"`)
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSONBlob(http.StatusOK, dr.Export)
}
