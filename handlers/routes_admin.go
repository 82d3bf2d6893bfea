package handlers

import "github.com/labstack/echo/v4"

// adminRoutes: shop, imports, scorecard, customer timeline, activity, data requests, Flow, billing. The customer
// list, record and ledger are loyalty's (routes_loyalty.go); a customer's messages are
// messaging's.
func (s *Server) adminRoutes(api *echo.Group) {
	api.GET("/shop", s.getShop)
	api.GET("/import/history", s.getHistoryImport)
	api.POST("/import/history", s.resyncHistoryImport)
	api.GET("/import/opening", s.previewOpening)
	api.POST("/import/opening", s.applyOpening)
	api.POST("/import/loyalty", s.importLoyalty)
	api.GET("/metrics/scorecard", s.getScorecard)
	api.GET("/customers/:id/timeline", s.customerTimeline)
	api.GET("/activity", s.listActivity)
	api.POST("/activity/:id/retry", s.retryActivity)
	api.GET("/data-requests", s.listDataRequests)
	api.GET("/data-requests/:id/export", s.dataRequestExport)
	api.GET("/flow/triggers", s.flowTriggers)
	api.GET("/billing", s.getBilling)
	api.POST("/billing/plan", s.choosePlan)
}
