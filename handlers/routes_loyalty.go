package handlers

import "github.com/labstack/echo/v4"

// loyaltyRoutes: program settings, the customer record (list, 360° view, ledger, adjustments);
// storefront statement and redemption through the app proxy.
func (s *Server) loyaltyRoutes(api, proxy *echo.Group) {
	api.GET("/loyalty/settings", s.getLoyaltySettings)
	api.PUT("/loyalty/settings", s.putLoyaltySettings)

	api.GET("/customers", s.listCustomers)
	api.GET("/customers/export.csv", s.exportCustomers)
	api.GET("/customers/:id", s.getCustomer)
	api.GET("/customers/:id/ledger", s.customerLedger)
	api.GET("/customers/:id/ledger.csv", s.exportLedger)
	api.POST("/customers/:id/adjustments", s.adjustPoints)

	proxy.GET("/loyalty", s.proxyLoyalty)
	proxy.POST("/loyalty/redeem", s.proxyRedeem)
	proxy.POST("/loyalty/birthday", s.proxyBirthday)
}
