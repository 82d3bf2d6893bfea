package handlers

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/boomerang-app/boomerang/models"
)

type errorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
	Line    int    `json:"line,omitempty"`
}

var statusOf = map[string]int{
	models.EInvalid:      http.StatusUnprocessableEntity,
	models.ENotFound:     http.StatusNotFound,
	models.EConflict:     http.StatusConflict,
	models.EUnauthorized: http.StatusUnauthorized,
	models.EInternal:     http.StatusInternalServerError,
}

// errorHandler is the one place errors become HTTP responses: domain codes map to statuses,
// internal causes are logged and never shown.
func (s *Server) errorHandler(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	status, body := http.StatusInternalServerError, errorBody{Code: models.EInternal, Message: "internal error"}
	var de *models.Error
	var he *echo.HTTPError
	switch {
	case errors.As(err, &de):
		status = statusOf[de.Code]
		body = errorBody{Code: de.Code, Message: de.Message, Field: de.Field, Line: de.Line}
	case errors.As(err, &he):
		status = he.Code
		body = errorBody{Code: codeForStatus(he.Code), Message: http.StatusText(he.Code)}
		if m, ok := he.Message.(string); ok {
			body.Message = m
		}
	}
	if status >= 500 {
		s.Log.Error("request failed", "request_id", c.Response().Header().Get(echo.HeaderXRequestID),
			"path", c.Path(), "shop", c.Get(ctxShop), "error", err)
	}
	if status == http.StatusUnauthorized && isAPI(c) {
		// App Bridge fetches a fresh session token and retries once when it sees this header.
		c.Response().Header().Set("X-Shopify-Retry-Invalid-Session-Request", "1")
	}
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(status)
		return
	}
	_ = c.JSON(status, map[string]errorBody{"error": body})
}

func codeForStatus(st int) string {
	switch {
	case st == http.StatusUnauthorized || st == http.StatusForbidden:
		return models.EUnauthorized
	case st == http.StatusNotFound:
		return models.ENotFound
	case st == http.StatusConflict:
		return models.EConflict
	case st >= 400 && st < 500:
		return models.EInvalid
	}
	return models.EInternal
}

func isAPI(c echo.Context) bool {
	p := c.Request().URL.Path
	return len(p) >= 5 && p[:5] == "/api/"
}

// apiError builds an HTTP error with a message for statuses that are not domain errors (413, 429).
func apiError(status int, msg string) error { return echo.NewHTTPError(status, msg) }
