package handlers

import (
	"io"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/boomerang-app/boomerang/models/loyalty"
)

// getLoyaltySettings returns the shop's whole program document (exactly what PUT accepts).
func (s *Server) getLoyaltySettings(c echo.Context) error {
	set, err := loyalty.LoadLoyaltySettings(c.Request().Context(), s.DB, ShopID(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, set.LoyaltySettings)
}

// putLoyaltySettings replaces the whole document; a bad value is a 422 naming the field.
func (s *Server) putLoyaltySettings(c echo.Context) error {
	body, err := io.ReadAll(c.Request().Body)
	if err != nil {
		return apiError(http.StatusBadRequest, "could not read body")
	}
	set, err := loyalty.ParseLoyaltySettings(body)
	if err != nil {
		return err
	}
	if err := loyalty.SaveLoyaltySettings(c.Request().Context(), s.DB, ShopID(c), set, StaffUser(c), time.Now()); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, set)
}
