package handlers

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/shopify"
)

// flowLifecycleRequest is Flow's trigger lifecycle callback: whether the shop now has an enabled
// workflow that starts with one of the app's triggers.
type flowLifecycleRequest struct {
	DefinitionID  string    `json:"flow_trigger_definition_id"`
	HasEnabled    *bool     `json:"has_enabled_flow"`
	ShopifyDomain string    `json:"shopify_domain"`
	Timestamp     time.Time `json:"timestamp"`
}

// flowLifecycle serves POST /flow/lifecycle, the URL of the flow_trigger_lifecycle_callback
// extension. Flow calls it when a merchant turns a workflow using a Boomerang trigger on or off,
// and refuses to turn it on without a 2xx, so it answers as soon as the state is stored. Signed
// like actions; an older callback than the one stored is acknowledged and ignored.
func (s *Server) flowLifecycle(c echo.Context) error {
	body, err := s.flowBody(c, "flow lifecycle callback")
	if err != nil {
		return err
	}
	var in flowLifecycleRequest
	if err := json.Unmarshal(body, &in); err != nil {
		return apiError(http.StatusBadRequest, "body is not a Flow lifecycle callback")
	}
	shop, ok := shopify.NormalizeShop(in.ShopifyDomain)
	switch {
	case !ok:
		return models.Invalid("shopify_domain", "not a myshopify.com domain")
	case in.HasEnabled == nil:
		return models.Invalid("has_enabled_flow", "required, true or false")
	case in.Timestamp.IsZero():
		return models.Invalid("timestamp", "required, an ISO 8601 time")
	}
	ctx := c.Request().Context()
	shopID, err := models.LookupShop(ctx, s.DB, shop)
	if err != nil {
		return err
	}
	applied, err := models.RecordFlowTriggerUsage(ctx, s.DB, shopID, in.DefinitionID, *in.HasEnabled, in.Timestamp)
	if err != nil {
		return err
	}
	s.Log.Info("flow trigger usage", "shop", shop, "trigger", in.DefinitionID, "enabled", *in.HasEnabled, "applied", applied)
	return c.JSON(http.StatusOK, map[string]bool{"applied": applied})
}

// flowTriggers serves GET /api/flow/triggers: every Boomerang trigger with whether the shop's
// Flow uses it, and the latest sends (Flow's refusal, if any, in failed).
func (s *Server) flowTriggers(c echo.Context) error {
	ctx, shopID := c.Request().Context(), ShopID(c)
	inUse, err := models.FlowTriggersInUse(ctx, s.DB, shopID)
	if err != nil {
		return err
	}
	sends, err := models.RecentFlowTriggers(ctx, s.DB, shopID, 50)
	if err != nil {
		return err
	}
	type trigger struct {
		Handle string `json:"handle"`
		Name   string `json:"name"`
		InUse  bool   `json:"in_use"`
	}
	out := make([]trigger, 0, len(models.FlowTriggers))
	for _, t := range models.FlowTriggers {
		out = append(out, trigger{t.Handle, t.Name, inUse[t.Handle]})
	}
	return c.JSON(http.StatusOK, map[string]any{"triggers": out, "recent": sends})
}
