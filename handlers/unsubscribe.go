package handlers

import (
	"context"
	"errors"
	"html/template"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/boomerang-app/boomerang/delivery"
	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/models/messaging"
)

// The unsubscribe link in every email (and its List-Unsubscribe header) carries a signed token
// naming shop, customer and channel. GET shows a confirmation button, because mail scanners
// fetch links; POST unsubscribes, and is what mailbox providers send for RFC 8058 one-click
// ("List-Unsubscribe=One-Click" in the body): it must work without any further interaction.

var unsubscribeTmpl = template.Must(template.New("u").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>{{.Title}}</title><style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#1f2937}
button{font:inherit;padding:.6rem 1.2rem;border-radius:.4rem;border:1px solid #111;background:#111;color:#fff;cursor:pointer}</style></head>
<body><main><h1>{{.Title}}</h1><p>{{.Text}}</p>
{{if .Form}}<form method="post" action="/unsubscribe?t={{.Token}}"><button type="submit">Unsubscribe</button></form>{{end}}
</main></body></html>`))

type unsubscribeView struct {
	Title, Text, Token string
	Form               bool
}

type unsubscribeTarget struct {
	shopID, customerID int64
	channel            string
	shopName           string
}

func (s *Server) unsubscribeTarget(c echo.Context) (*unsubscribeTarget, error) {
	f, err := delivery.Verify(delivery.LinkKey(s.Cfg.EncryptionKey), delivery.PurposeUnsubscribe, c.QueryParam("t"), time.Now())
	if err != nil {
		return nil, err
	}
	shopID, err1 := strconv.ParseInt(f["s"], 10, 64)
	cust, err2 := strconv.ParseInt(f["c"], 10, 64)
	if err1 != nil || err2 != nil || (f["ch"] != messaging.ChannelEmail && f["ch"] != messaging.ChannelSMS) {
		return nil, delivery.ErrLinkInvalid
	}
	sh, err := models.GetShop(c.Request().Context(), s.DB, shopID)
	if err != nil {
		return nil, err
	}
	name := sh.Name
	if name == "" {
		name = sh.Domain
	}
	return &unsubscribeTarget{shopID: shopID, customerID: cust, channel: f["ch"], shopName: name}, nil
}

// consentQueue writes opt-outs back to Shopify (jobs.Queue has it).
type consentQueue interface {
	EnqueueConsentPush(ctx context.Context, shopID, customerID int64, channel, state string) error
}

// pushConsent mirrors a consent change to Shopify so other tools honour it too. Boomerang's own
// record is already written; a failed enqueue is logged, not shown to the shopper.
func (s *Server) pushConsent(ctx context.Context, shopID, customerID int64, channel, state string) {
	q, ok := s.Queue.(consentQueue)
	if !ok {
		return
	}
	if err := q.EnqueueConsentPush(ctx, shopID, customerID, channel, state); err != nil {
		s.Log.Warn("consent change not queued for Shopify", "shop_id", shopID, "channel", channel, "error", err)
	}
}

func (s *Server) renderUnsubscribe(c echo.Context, status int, v unsubscribeView) error {
	c.Response().Header().Set("Content-Type", "text/html; charset=utf-8")
	c.Response().Header().Set("Cache-Control", "no-store")
	c.Response().Header().Set("Referrer-Policy", "no-referrer")
	// A signed link's page: no other site may frame it and trick a click.
	c.Response().Header().Set("Content-Security-Policy", frameAncestors(""))
	c.Response().Header().Set("X-Frame-Options", "DENY")
	c.Response().WriteHeader(status)
	return unsubscribeTmpl.Execute(c.Response(), v)
}

func (s *Server) badUnsubscribe(c echo.Context, err error) error {
	if !errors.Is(err, delivery.ErrLinkInvalid) && !errors.Is(err, delivery.ErrLinkExpired) && models.ErrorCode(err) != models.ENotFound {
		return err
	}
	return s.renderUnsubscribe(c, http.StatusBadRequest, unsubscribeView{Title: "This link does not work",
		Text: "The unsubscribe link is incomplete or was changed. Use the link from the latest email you received."})
}

// unsubscribePage: GET /unsubscribe?t=… shows what the link will do and a button.
func (s *Server) unsubscribePage(c echo.Context) error {
	t, err := s.unsubscribeTarget(c)
	if err != nil {
		return s.badUnsubscribe(c, err)
	}
	what := "emails"
	if t.channel == messaging.ChannelSMS {
		what = "text messages"
	}
	return s.renderUnsubscribe(c, http.StatusOK, unsubscribeView{Title: "Unsubscribe from " + t.shopName,
		Text: "You will no longer receive " + what + " from " + t.shopName + ".", Token: c.QueryParam("t"), Form: true})
}

// unsubscribe: POST /unsubscribe?t=… (one-click or the page's button) opts the shopper out.
func (s *Server) unsubscribe(c echo.Context) error {
	t, err := s.unsubscribeTarget(c)
	if err != nil {
		return s.badUnsubscribe(c, err)
	}
	if err := messaging.Suppress(c.Request().Context(), s.DB, t.shopID, t.customerID, t.channel, "unsubscribe_link"); err != nil {
		return err
	}
	s.pushConsent(c.Request().Context(), t.shopID, t.customerID, t.channel, messaging.ConsentUnsubscribed)
	s.Log.Info("shopper unsubscribed", "shop_id", t.shopID, "channel", t.channel)
	return s.renderUnsubscribe(c, http.StatusOK, unsubscribeView{Title: "You are unsubscribed",
		Text: "You will no longer receive messages from " + t.shopName + " on this channel."})
}
