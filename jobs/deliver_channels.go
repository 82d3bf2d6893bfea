package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"gorm.io/gorm"

	"github.com/boomerang-app/boomerang/config"
	"github.com/boomerang-app/boomerang/delivery"
	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/models/messaging"
)

// errNoProvider: the channel has nowhere to send (no SMTP relay, no SMS account): a retry
// cannot help until the merchant or operator configures one.
var errNoProvider = errors.New("no provider configured for this channel")

// Mailer sends one email and returns the provider's message id.
type Mailer interface {
	Send(ctx context.Context, e delivery.Email) (string, error)
}

// NewMailer returns the operator's SMTP relay (SMTP_URL, MAIL_FROM). In development without
// SMTP_URL it returns a mailer that only logs the recipient and subject, so `make dev` works
// without a mail server; in production config.Load already refused to start without one.
func NewMailer(cfg *config.Config, log *slog.Logger) (Mailer, error) {
	if cfg.SMTPURL == "" {
		if cfg.Development() {
			return LogMailer{Log: log}, nil
		}
		return nil, fmt.Errorf("email: %w (SMTP_URL is empty)", errNoProvider)
	}
	return delivery.NewMailer(delivery.EmailConfig{URL: cfg.SMTPURL, From: cfg.MailFrom, Timeout: cfg.SMTPTimeout, DKIM: cfg.DKIM})
}

// LogMailer logs instead of sending (development without SMTP_URL). The body is not logged.
type LogMailer struct{ Log *slog.Logger }

func (m LogMailer) Send(_ context.Context, e delivery.Email) (string, error) {
	id := "<dev-" + strconv.FormatInt(time.Now().UnixNano(), 36) + "@boomerang.localhost>"
	if m.Log != nil {
		m.Log.Info("email not sent (development, no SMTP_URL)", "to_domain", domainOf(e.To), "subject", e.Subject, "message_id", id)
	}
	return id, nil
}

func domainOf(addr string) string {
	for i := len(addr) - 1; i >= 0; i-- {
		if addr[i] == '@' {
			return addr[i+1:]
		}
	}
	return ""
}

// NewSMSSender opens a shop's SMS account; errNoProvider (wrapped) when none is configured.
func NewSMSSender(ctx context.Context, cfg *config.Config, db *gorm.DB, shopID int64) (*delivery.SMSClient, error) {
	cipher, err := models.NewCipher(cfg.EncryptionKey)
	if err != nil {
		return nil, err
	}
	creds, err := messaging.SMSCredentialsFor(ctx, db, cipher, shopID)
	if models.ErrorCode(err) == models.ENotFound {
		return nil, fmt.Errorf("sms: %w (the shop has no SMS account)", errNoProvider)
	}
	if err != nil {
		return nil, err
	}
	return delivery.NewSMSClient(delivery.SMSConfig{BaseURL: creds.BaseURL, AccountSID: creds.AccountSID,
		AuthToken: creds.AuthToken, From: creds.From}, nil)
}

// deliverRendered hands a rendered message to the decision's channel.
func (w *Worker) deliverRendered(ctx context.Context, md *messaging.MessageDecision, env *envelope, out delivery.Rendered) (string, error) {
	switch md.Channel {
	case messaging.ChannelSMS:
		c, err := NewSMSSender(ctx, w.Cfg, w.DB, md.ShopID)
		if err != nil {
			return "", err
		}
		return c.Send(ctx, env.customer.Phone, out.SMS)
	default:
		m, err := NewMailer(w.Cfg, w.Log)
		if err != nil {
			return "", err
		}
		e := delivery.Email{To: env.customer.Email, FromName: env.fromName, ReplyTo: env.replyTo, Subject: out.Subject,
			HTML: out.HTML, Text: out.Text, UnsubscribeURL: env.unsubscribeURL,
			Headers: map[string]string{"X-Boomerang-Decision": strconv.FormatInt(md.ID, 10)}}
		return m.Send(ctx, e)
	}
}
