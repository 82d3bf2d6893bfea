package handlers

import "github.com/labstack/echo/v4"

// adminRoutes: shop, customers (360°), scorecard, activity, data requests.
func (s *Server) adminRoutes(api *echo.Group) {
	api.GET("/shop", s.getShop)
}
