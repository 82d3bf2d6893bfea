package handlers

import "github.com/labstack/echo/v4"

// reviewRoutes: inbox, moderation, cases, themes, import; storefront submission and listing.
func (s *Server) reviewRoutes(api, proxy *echo.Group) {}
