package handlers

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/models/messaging"
	"github.com/boomerang-app/boomerang/shopify"
)

// maxFlowBody bounds a Flow action request before its signature is checked.
const maxFlowBody = 256 << 10

// flowQueue hands a Flow run's consequences to the workers: the messages its events trigger and
// the hold tags in Shopify (jobs.Queue has both).
type flowQueue interface {
	EnqueueDispatch(ctx context.Context, shopID int64) error
	EnqueueHoldTags(ctx context.Context, shopID int64) error
}

// flowRequest is what Shopify Flow posts to an action's runtime URL.
type flowRequest struct {
	ShopifyDomain string `json:"shopify_domain"`
	ActionRunID   string `json:"action_run_id"`
	Properties    struct {
		CustomerID json.RawMessage `json:"customer_id"`
		ProductIDs json.RawMessage `json:"product_ids"`
		Reason     string          `json:"reason"`
	} `json:"properties"`
}

// flowSubscriptionAction serves POST /flow/actions/subscription-cancelled (and -paused,
// -reactivated): Shopify Flow's action runs, signed like webhooks (X-Shopify-Hmac-Sha256 over
// the raw body with the app secret). 200 once the change is stored; a resend of the same run
// changes nothing. A forged request is 401, a malformed one 400, an unknown customer 422 with
// the field: Flow shows the message in the run's log.
func (s *Server) flowSubscriptionAction(action string) echo.HandlerFunc {
	return func(c echo.Context) error { return s.flowAction(c, action) }
}

// flowBody reads a request from Flow and checks its signature: X-Shopify-Hmac-Sha256 over the
// raw body with the app secret, as for webhooks.
func (s *Server) flowBody(c echo.Context, what string) ([]byte, error) {
	req := c.Request()
	body, err := io.ReadAll(http.MaxBytesReader(c.Response(), req.Body, maxFlowBody))
	if err != nil {
		return nil, apiError(http.StatusBadRequest, "body larger than 256 KiB or unreadable")
	}
	mac := req.Header.Get("X-Shopify-Hmac-Sha256")
	if mac == "" || !shopify.VerifyWebhook(body, mac, s.Cfg.Secrets()) {
		s.Log.Warn(what+" rejected: bad or missing HMAC", "remote", c.RealIP(), "bytes", len(body))
		return nil, apiError(http.StatusUnauthorized, "invalid signature")
	}
	return body, nil
}

func (s *Server) flowAction(c echo.Context, action string) error {
	req := c.Request()
	body, err := s.flowBody(c, "flow action")
	if err != nil {
		return err
	}
	var in flowRequest
	if err := json.Unmarshal(body, &in); err != nil {
		return apiError(http.StatusBadRequest, "body is not a Flow action request")
	}
	shop, ok := shopify.NormalizeShop(in.ShopifyDomain)
	if !ok {
		return models.Invalid("shopify_domain", "not a myshopify.com domain")
	}
	ctx := req.Context()
	shopID, err := models.LookupShop(ctx, s.DB, shop) // 404 for a shop that is not installed
	if err != nil {
		return err
	}
	cust, err := flowID(in.Properties.CustomerID, "Customer")
	if err != nil {
		return models.Invalid("properties.customer_id", "must be a customer id, a number or a gid")
	}
	products, err := flowIDs(in.Properties.ProductIDs)
	if err != nil {
		return models.Invalid("properties.product_ids", "must be product ids: a list, or numbers or gids separated by commas")
	}
	pol, err := messaging.GetMessagePolicy(ctx, s.DB, shopID)
	if err != nil {
		return err
	}
	res, err := models.RecordFlowSubscription(ctx, s.DB, shopID, models.FlowSubscriptionAction{Action: action,
		RunID: in.ActionRunID, CustomerID: cust, ProductIDs: products, Reason: truncate(in.Properties.Reason, 2000)},
		time.Now(), pol.CancellationCooldown())
	if err != nil {
		return err
	}
	if q, ok := s.Queue.(flowQueue); ok && res.Subscriptions > 0 {
		// Queued on a resend too: the first send may have stored the change and failed after.
		// The periodic sweeps catch what is still not queued.
		if err := q.EnqueueDispatch(ctx, shopID); err != nil {
			s.Log.Warn("messages of a flow run not queued; the sweep sends them", "shop", shop, "error", err)
		}
		if err := q.EnqueueHoldTags(ctx, shopID); err != nil {
			s.Log.Warn("hold tags not queued; the sweep refreshes them", "shop", shop, "error", err)
		}
	}
	return c.JSON(http.StatusOK, res)
}

// flowID reads an id Flow sends as a number, a numeric string or a gid of the type.
func flowID(raw json.RawMessage, typ string) (int64, error) {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return 0, err
	}
	var s string
	switch t := v.(type) {
	case float64:
		s = strconv.FormatFloat(t, 'f', -1, 64)
	case string:
		s = strings.TrimPrefix(strings.TrimSpace(t), "gid://shopify/"+typ+"/")
	default:
		return 0, errors.New("not an id")
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, errors.New("not an id")
	}
	return id, nil
}

// flowIDs reads product ids: absent, a list, or one string of ids separated by commas.
func flowIDs(raw json.RawMessage) ([]int64, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		var joined string
		if json.Unmarshal(raw, &joined) != nil {
			return nil, errors.New("not ids")
		}
		for _, p := range strings.Split(joined, ",") {
			if p = strings.TrimSpace(p); p != "" {
				b, _ := json.Marshal(p)
				items = append(items, b)
			}
		}
	}
	if len(items) > 100 {
		return nil, errors.New("too many ids")
	}
	ids := make([]int64, 0, len(items))
	for _, it := range items {
		id, err := flowID(it, "Product")
		if err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, nil
}
