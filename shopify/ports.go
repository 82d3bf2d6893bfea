package shopify

import (
	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/models/loyalty"
	"github.com/boomerang-app/boomerang/models/messaging"
	"github.com/boomerang-app/boomerang/models/reviews"
)

// Admin is every port the domains name for Shopify; the compiler checks it here.
var (
	_ models.ShopProfileSource   = (*Admin)(nil)
	_ models.SellingPlanSource   = (*Admin)(nil)
	_ models.CustomerTags        = (*Admin)(nil)
	_ models.ContractLineSource  = (*Admin)(nil)
	_ models.FlowTriggerReceiver = (*Admin)(nil)
	_ models.AppBilling          = (*Admin)(nil)
	_ models.AppUsage            = (*Admin)(nil)
	_ models.ProductSource       = (*Admin)(nil)
	_ loyalty.Discounts          = (*Admin)(nil)
	_ messaging.ConsentWriter    = (*Admin)(nil)
	_ reviews.RatingPublisher    = (*Admin)(nil)
	_ reviews.PhotoFiles         = (*Admin)(nil)
)
