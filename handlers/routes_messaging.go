package handlers

import (
	"strconv"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/boomerang-app/boomerang/models"
)

// messagingRoutes: messages, policy, campaigns, decisions; unsubscribe and inbound SMS.
func (s *Server) messagingRoutes(e *echo.Echo, api, proxy *echo.Group) {
	api.GET("/messages", s.listMessages)
	api.POST("/messages", s.createMessage)
	api.POST("/messages/preview", s.previewMessage)
	api.GET("/messages/variables", s.templateVariables)
	api.GET("/messages/:id", s.getMessage)
	api.PUT("/messages/:id", s.updateMessage)
	api.PATCH("/messages/:id", s.patchMessage)
	api.POST("/messages/:id/test", s.testSendMessage)

	api.GET("/policy", s.getPolicy)
	api.PUT("/policy", s.putPolicy)
	api.GET("/sms/settings", s.getSMSSettings)
	api.PUT("/sms/settings", s.putSMSSettings)

	api.GET("/campaigns", s.listCampaigns)
	api.POST("/campaigns", s.createCampaign)
	api.GET("/campaigns/:id", s.getCampaign)
	api.POST("/campaigns/:id/send", s.sendCampaign)

	api.GET("/customers/:id/messages", s.customerMessages)
	api.GET("/customers/:id/subscriptions", s.customerSubscriptions)

	// Public: the signed token is the authorization. POST is RFC 8058 one-click.
	e.GET("/unsubscribe", s.unsubscribePage)
	e.POST("/unsubscribe", s.unsubscribe, middleware.BodyLimit("16K"))
	// Twilio-compatible inbound SMS webhook (STOP / START), signed with the shop's auth token.
	e.POST("/sms/inbound/:shop", s.smsInbound, middleware.BodyLimit("64K"))
}

// msgPathID reads a positive integer path parameter.
func msgPathID(c echo.Context, name string) (int64, error) {
	id, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, models.Invalid(name, "not an id")
	}
	return id, nil
}
