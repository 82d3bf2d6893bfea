package handlers

import (
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// reviewRoutes: inbox, moderation, cases, themes, import; storefront submission and listing.
func (s *Server) reviewRoutes(e *echo.Echo, api, proxy *echo.Group) {
	api.GET("/reviews", s.listReviews)
	api.GET("/reviews/export.csv", s.exportReviews)
	api.GET("/reviews/settings", s.getReviewSettings)
	api.PUT("/reviews/settings", s.putReviewSettings)
	api.POST("/reviews/import", s.importReviews)
	api.GET("/reviews/:id", s.getReview)
	api.PATCH("/reviews/:id", s.patchReview)
	api.DELETE("/reviews/:id", s.deleteReview)
	api.PUT("/reviews/:id/reply", s.replyReview)
	api.GET("/cases", s.listCases)
	api.GET("/cases/:id", s.getCase)
	api.PATCH("/cases/:id", s.patchCase)
	api.POST("/cases/:id/resolve", s.resolveCase)
	api.GET("/themes", s.listThemes)

	// Storefront, through Shopify's app proxy (/apps/boomerang/reviews… on the shop's domain).
	proxy.POST("/reviews", s.proxySubmitReview)
	proxy.GET("/reviews", s.proxyListReviews)
	proxy.GET("/reviews/new", s.proxyReviewForm)
	// Photos outgrow the proxy group's 64 KB body limit: their own route, same signature check.
	e.POST("/proxy/reviews/:id/photos", s.proxyReviewPhotos, middleware.BodyLimit("16M"), s.requireProxySignature)
}
