package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/boomerang-app/boomerang/models"
)

func (s *Server) getShop(c echo.Context) error {
	sh, err := models.GetShop(c.Request().Context(), s.DB, ShopID(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"domain": sh.Domain, "name": sh.Name, "currency": sh.Currency,
		"timezone": sh.Timezone, "installed_at": sh.InstalledAt})
}
