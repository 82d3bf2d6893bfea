package handlers

import "github.com/labstack/echo/v4"

// loyaltyRoutes: program settings, ledger, adjustments; storefront balance and redemption.
func (s *Server) loyaltyRoutes(api, proxy *echo.Group) {}
