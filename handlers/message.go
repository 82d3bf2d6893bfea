package handlers

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/boomerang-app/boomerang/delivery"
	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/models/messaging"
)

// messageRequest is a message as the admin page sends it. Templates may come nested
// ({"templates": {...}}) or flat on the message.
type messageRequest struct {
	Name         string                      `json:"name"`
	Trigger      string                      `json:"trigger"`
	Kind         string                      `json:"kind"`
	Channel      string                      `json:"channel"`
	Audience     models.Audience             `json:"audience"`
	DelayMinutes int                         `json:"delay_minutes"`
	Templates    *messaging.MessageTemplates `json:"templates"`
	// Translations: the copy per language; absent keeps the stored ones.
	Translations       map[string]messaging.MessageTemplates `json:"translations"`
	Subject            string                                `json:"subject"`
	HTML               string                                `json:"html"`
	Text               string                                `json:"text"`
	SMS                string                                `json:"sms"`
	FeaturedProductIDs []int64                               `json:"featured_product_ids"`
	Enabled            *bool                                 `json:"enabled"`
}

func (r messageRequest) message() messaging.Message {
	m := messaging.Message{Name: r.Name, Trigger: r.Trigger, Kind: r.Kind, Channel: r.Channel, Audience: r.Audience,
		DelayMinutes: r.DelayMinutes, FeaturedProductIDs: r.FeaturedProductIDs, Enabled: true, Translations: r.Translations,
		Templates: messaging.MessageTemplates{Subject: r.Subject, HTML: r.HTML, Text: r.Text, SMS: r.SMS}}
	if r.Templates != nil {
		m.Templates = *r.Templates
	}
	if r.Enabled != nil {
		m.Enabled = *r.Enabled
	}
	return m
}

func bindMessage(c echo.Context) (messaging.Message, error) {
	var req messageRequest
	if err := c.Bind(&req); err != nil {
		return messaging.Message{}, models.Invalid("", "body must be a message: %v", bindReason(err))
	}
	m := req.message()
	if err := m.Validate(); err != nil {
		return m, err
	}
	ctx := c.Request().Context()
	if err := checkTemplates(ctx, toTemplates(m.Templates), messageTemplateFields); err != nil {
		return m, err
	}
	for _, lang := range slices.Sorted(maps.Keys(m.Translations)) {
		fields := map[string]string{}
		for k, v := range messageTemplateFields {
			fields[k] = "translations." + lang + "." + strings.TrimPrefix(v, "templates.")
		}
		if err := checkTemplates(ctx, toTemplates(m.Translations[lang]), fields); err != nil {
			return m, err
		}
	}
	return m, nil
}

// bindReason keeps Echo's wording of a JSON problem without its HTTP wrapping.
func bindReason(err error) string {
	if he, ok := err.(*echo.HTTPError); ok {
		if he.Internal != nil {
			return he.Internal.Error()
		}
		if s, ok := he.Message.(string); ok {
			return s
		}
	}
	return err.Error()
}

func (s *Server) listMessages(c echo.Context) error {
	ms, err := messaging.ListMessages(c.Request().Context(), s.DB, ShopID(c))
	if err != nil {
		return err
	}
	if ms == nil {
		ms = []messaging.Message{}
	}
	// The choices the editor offers come with the list, so the page never offers one the
	// backend refuses.
	return c.JSON(http.StatusOK, map[string]any{"messages": ms, "triggers": messaging.MessageTriggers,
		"kinds":    []string{messaging.KindPromotional, messaging.KindTransactional},
		"channels": []string{messaging.ChannelEmail, messaging.ChannelSMS, messaging.ChannelBoth},
		"stages":   models.BuyerStages, "segments": models.SegmentNames})
}

func (s *Server) getMessage(c echo.Context) error {
	id, err := msgPathID(c, "id")
	if err != nil {
		return err
	}
	m, err := messaging.GetMessage(c.Request().Context(), s.DB, ShopID(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, m)
}

func (s *Server) createMessage(c echo.Context) error {
	m, err := bindMessage(c)
	if err != nil {
		return err
	}
	out, err := messaging.CreateMessage(c.Request().Context(), s.DB, ShopID(c), m)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, out)
}

func (s *Server) updateMessage(c echo.Context) error {
	id, err := msgPathID(c, "id")
	if err != nil {
		return err
	}
	m, err := bindMessage(c)
	if err != nil {
		return err
	}
	out, err := messaging.UpdateMessage(c.Request().Context(), s.DB, ShopID(c), id, m)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

// patchMessage switches a message on or off: {"enabled": false}.
func (s *Server) patchMessage(c echo.Context) error {
	id, err := msgPathID(c, "id")
	if err != nil {
		return err
	}
	var req struct {
		Enabled *bool `json:"enabled"`
	}
	if err := c.Bind(&req); err != nil || req.Enabled == nil {
		return models.Invalid("enabled", "body must be {\"enabled\": true|false}")
	}
	out, err := messaging.SetMessageEnabled(c.Request().Context(), s.DB, ShopID(c), id, *req.Enabled)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

// previewRequest renders templates for a real customer (customer_id) or the sample one.
type previewRequest struct {
	Templates  messaging.MessageTemplates `json:"templates"`
	CustomerID json.RawMessage            `json:"customer_id"`
	Trigger    string                     `json:"trigger"`
}

func (s *Server) previewMessage(c echo.Context) error {
	var req previewRequest
	if err := c.Bind(&req); err != nil {
		return models.Invalid("", "body must be {\"templates\": {...}, \"customer_id\": optional}: %v", bindReason(err))
	}
	ctx := c.Request().Context()
	cid, err := looseID(req.CustomerID)
	if err != nil {
		return err
	}
	var vars map[string]any
	sample := cid == 0
	if sample {
		shop, err := models.GetShop(ctx, s.DB, ShopID(c))
		if err != nil {
			return err
		}
		vars = s.sampleFor(shop)
	} else if vars, err = s.customerVars(ctx, ShopID(c), cid, req.Trigger); err != nil {
		return err
	}
	t := toTemplates(req.Templates)
	if err := delivery.Validate(t); err != nil {
		return templateProblem(err, messageTemplateFields)
	}
	rctx, cancel := context.WithTimeout(ctx, delivery.DefaultRenderTimeout)
	out, err := delivery.Render(rctx, t, vars)
	cancel()
	if err != nil {
		return templateProblem(err, messageTemplateFields)
	}
	return c.JSON(http.StatusOK, map[string]any{"subject": out.Subject, "html": out.HTML, "text": out.Text, "sms": out.SMS, "sample": sample})
}

// looseID accepts a number, a numeric string or nothing.
func looseID(raw json.RawMessage) (int64, error) {
	v := strings.Trim(strings.TrimSpace(string(raw)), `"`)
	if v == "" || v == "null" {
		return 0, nil
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return 0, models.Invalid("customer_id", "not a customer id")
	}
	return id, nil
}

// customerVars are the variables a real customer's message would get, with the latest event
// of the trigger (when given) as its data; links are marked as previews.
func (s *Server) customerVars(ctx context.Context, shopID, customerID int64, trigger string) (map[string]any, error) {
	cust, err := models.GetCustomer(ctx, s.DB, shopID, customerID)
	if err != nil {
		return nil, err
	}
	shop, err := models.GetShop(ctx, s.DB, shopID)
	if err != nil {
		return nil, err
	}
	payload, err := messaging.LatestEventPayload(ctx, s.DB, shopID, customerID, trigger)
	if err != nil {
		return nil, err
	}
	return messaging.TemplateVars(ctx, s.DB, shop, cust, trigger, payload, s.Cfg.AppURL+"/unsubscribe?t=preview", nil)
}

// testSendMessage sends a message rendered with sample data to the merchant: an email address
// gets the email, an E.164 number the SMS (through the shop's SMS account).
func (s *Server) testSendMessage(c echo.Context) error {
	id, err := msgPathID(c, "id")
	if err != nil {
		return err
	}
	var req struct {
		To       string `json:"to"`
		Language string `json:"language"` // which copy to send; the default copy when empty
	}
	if err := c.Bind(&req); err != nil || strings.TrimSpace(req.To) == "" {
		return models.Invalid("to", "body must be {\"to\": \"merchant@example.com\"}")
	}
	ctx := c.Request().Context()
	shopID := ShopID(c)
	m, err := messaging.GetMessage(ctx, s.DB, shopID, id)
	if err != nil {
		return err
	}
	shop, err := models.GetShop(ctx, s.DB, shopID)
	if err != nil {
		return err
	}
	out, err := delivery.Render(ctx, toTemplates(m.TemplatesFor(req.Language)), s.sampleFor(shop))
	if err != nil {
		return templateProblem(err, messageTemplateFields)
	}
	to := strings.TrimSpace(req.To)
	var providerID string
	if !strings.Contains(to, "@") {
		providerID, err = s.testSMS(ctx, shopID, to, out.SMS)
	} else {
		var mailer sender
		if mailer, err = mailerFor(s.Cfg, s.Log); err != nil {
			return err
		}
		pol, perr := messaging.GetMessagePolicy(ctx, s.DB, shopID)
		if perr != nil {
			return perr
		}
		from := pol.SenderName
		if from == "" {
			from = shop.Name
		}
		providerID, err = mailer.Send(ctx, delivery.Email{To: to, FromName: from, ReplyTo: pol.ReplyTo,
			Subject: "[Test] " + out.Subject, HTML: out.HTML, Text: out.Text})
	}
	if err != nil {
		var de *models.Error
		if errors.As(err, &de) {
			return de
		}
		return sendFailure(err)
	}
	return c.JSON(http.StatusOK, map[string]any{"sent": true, "provider_id": providerID})
}

func (s *Server) testSMS(ctx context.Context, shopID int64, to, body string) (string, error) {
	creds, err := messaging.SMSCredentialsFor(ctx, s.DB, s.Cipher, shopID)
	if err != nil {
		if models.ErrorCode(err) == models.ENotFound {
			return "", models.Invalid("to", "configure the shop's SMS account first, or send the test to an email address")
		}
		return "", err
	}
	client, err := delivery.NewSMSClient(delivery.SMSConfig{BaseURL: creds.BaseURL, AccountSID: creds.AccountSID,
		AuthToken: creds.AuthToken, From: creds.From}, nil)
	if err != nil {
		return "", models.Invalid("to", "%v", err)
	}
	if body == "" {
		return "", models.Invalid("to", "this message has no SMS text")
	}
	return client.Send(ctx, to, "[Test] "+body)
}
