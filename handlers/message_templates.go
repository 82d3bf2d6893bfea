package handlers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/boomerang-app/boomerang/config"
	"github.com/boomerang-app/boomerang/delivery"
	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/models/messaging"
)

// sampleVars are delivery.SampleVars plus the variables Boomerang adds for tier changes
// (tier.previous, tier.direction): what a template may use, with sample values.
func sampleVars() map[string]any {
	v := delivery.SampleVars()
	if tier, ok := v["tier"].(map[string]any); ok {
		tier["previous"], tier["direction"] = "Bronze", "up"
	}
	return v
}

// sampleFor is the one sample the preview and the test send both render with: the sample
// shopper at the merchant's own shop, every link on the shop's domain, the unsubscribe link on
// the app's and marked as a sample.
func (s *Server) sampleFor(shop *models.Shop) map[string]any {
	v := sampleVars()
	name := shop.Name
	if name == "" {
		name = strings.TrimSuffix(shop.Domain, ".myshopify.com")
	}
	base := "https://" + shop.Domain
	v["shop"] = map[string]any{"name": name, "domain": shop.Domain, "url": base}
	v["referral_link"] = base + "/?ref=SAMPLE"
	v["review_link"] = base + "/apps/boomerang/review?t=sample"
	v["unsubscribe_link"] = s.Cfg.AppURL + "/unsubscribe?t=sample"
	if fp, ok := v["featured_products"].([]any); ok {
		for _, p := range fp {
			if m, ok := p.(map[string]any); ok {
				m["url"] = base + "/products/" + strings.ToLower(strings.ReplaceAll(fmt.Sprint(m["title"]), " ", "-"))
			}
		}
	}
	return v
}

// checkTemplates refuses a template that does not parse or does not render with the sample
// variables (an undefined variable, a failing filter, a limit), naming the field and line.
// fields maps messaging's field names to the request's.
func checkTemplates(ctx context.Context, t delivery.Templates, fields map[string]string) error {
	err := delivery.Validate(t)
	if err == nil {
		rctx, cancel := context.WithTimeout(ctx, delivery.DefaultRenderTimeout)
		_, err = delivery.Render(rctx, t, sampleVars())
		cancel()
	}
	if err == nil {
		return nil
	}
	return templateProblem(err, fields)
}

func templateProblem(err error, fields map[string]string) error {
	var te *delivery.TemplateError
	if !errors.As(err, &te) {
		return err
	}
	field := fields[te.Field]
	if field == "" {
		field = te.Field
	}
	return &models.Error{Code: models.EInvalid, Field: field, Line: te.Line, Message: te.Reason}
}

var messageTemplateFields = map[string]string{
	delivery.FieldSubject: "templates.subject", delivery.FieldHTML: "templates.html",
	delivery.FieldText: "templates.text", delivery.FieldSMS: "templates.sms",
}

func toTemplates(t messaging.MessageTemplates) delivery.Templates {
	return delivery.Templates{Subject: t.Subject, HTML: t.HTML, Text: t.Text, SMS: t.SMS}
}

// sender is what a test send needs from a channel.
type sender interface {
	Send(ctx context.Context, e delivery.Email) (string, error)
}

// mailerFor returns the operator's SMTP relay, or in development without SMTP_URL a mailer
// that only logs the recipient's domain and the subject.
func mailerFor(cfg *config.Config, log *slog.Logger) (sender, error) {
	if cfg.SMTPURL == "" {
		if cfg.Development() {
			return devMailer{log}, nil
		}
		return nil, models.Conflict("no SMTP server is configured (SMTP_URL)")
	}
	return delivery.NewMailer(delivery.EmailConfig{URL: cfg.SMTPURL, From: cfg.MailFrom, DKIM: cfg.DKIM})
}

type devMailer struct{ log *slog.Logger }

func (m devMailer) Send(_ context.Context, e delivery.Email) (string, error) {
	id := "<dev-" + strconv.FormatInt(time.Now().UnixNano(), 36) + "@boomerang.localhost>"
	m.log.Info("test email not sent (development, no SMTP_URL)", "subject", e.Subject, "message_id", id)
	return id, nil
}

// sendFailure words a channel's refusal for the merchant.
func sendFailure(err error) error {
	if delivery.IsPermanent(err) {
		return models.Invalid("to", "the message was refused: %v", err)
	}
	return apiError(502, fmt.Sprintf("the provider could not be reached, try again: %v", err))
}

// templateVariables lists what a template may use for a trigger (?trigger=points_earned), with
// what each means and its sample value: {"variables": [{"name","description","sample","for_trigger"}]}.
// The list is made from the variables templates are checked against.
func (s *Server) templateVariables(c echo.Context) error {
	trigger := c.QueryParam("trigger")
	if trigger != "" && !slices.Contains(messaging.MessageTriggers, trigger) {
		return models.Invalid("trigger", "unknown trigger %q", trigger)
	}
	return c.JSON(http.StatusOK, map[string]any{"variables": messaging.TemplateVariables(sampleVars(), trigger)})
}
