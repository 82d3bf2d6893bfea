package handlers

import "github.com/labstack/echo/v4"

// messagingRoutes: messages, policy, campaigns, decisions; unsubscribe and inbound SMS.
func (s *Server) messagingRoutes(e *echo.Echo, api, proxy *echo.Group) {}
