package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/models/messaging"
)

// getPolicy returns the sending policy every message obeys.
func (s *Server) getPolicy(c echo.Context) error {
	p, err := messaging.GetMessagePolicy(c.Request().Context(), s.DB, ShopID(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}

// putPolicy replaces the policy document; 422 names the bad field.
func (s *Server) putPolicy(c echo.Context) error {
	p, err := messaging.GetMessagePolicy(c.Request().Context(), s.DB, ShopID(c))
	if err != nil {
		return err
	}
	if err := c.Bind(&p); err != nil {
		return models.Invalid("", "body must be the policy document: %v", bindReason(err))
	}
	out, err := messaging.SaveMessagePolicy(c.Request().Context(), s.DB, ShopID(c), p)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

// getSMSSettings shows the shop's SMS account without its token.
func (s *Server) getSMSSettings(c echo.Context) error {
	v, err := messaging.GetSMSSettings(c.Request().Context(), s.DB, ShopID(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

// putSMSSettings stores the shop's SMS account; an empty auth_token keeps the stored one.
func (s *Server) putSMSSettings(c echo.Context) error {
	var in messaging.SMSSettingsInput
	if err := c.Bind(&in); err != nil {
		return models.Invalid("", "body must be {\"account_sid\",\"auth_token\",\"from\",\"base_url\"}: %v", bindReason(err))
	}
	v, err := messaging.SaveSMSSettings(c.Request().Context(), s.DB, s.Cipher, ShopID(c), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}
