package jobs

import (
	"context"
	"fmt"
	"html"
	"strings"

	"github.com/hibiken/asynq"

	"github.com/boomerang-app/boomerang/delivery"
	"github.com/boomerang-app/boomerang/models/reviews"
)

// alertMailer builds the SMTP mailer from SMTP_URL / MAIL_FROM (NewMailer does not connect).
func (w *Worker) alertMailer() (*delivery.Mailer, error) {
	if w.Cfg.SMTPURL == "" {
		return nil, fmt.Errorf("SMTP_URL is not configured")
	}
	return delivery.NewMailer(delivery.EmailConfig{URL: w.Cfg.SMTPURL, From: w.Cfg.MailFrom, Timeout: w.Cfg.SMTPTimeout, DKIM: w.Cfg.DKIM})
}

// handleReviewAlert emails the shop's contact address that a negative review opened a case.
// Failures are recorded on the alert; the sweep retries until it is sent or given up.
func (w *Worker) handleReviewAlert(ctx context.Context, t *asynq.Task) error {
	id, err := decodeID(t)
	if err != nil {
		return err
	}
	a, err := reviews.LoadNegativeReviewAlert(ctx, w.DB, id)
	if err != nil || a == nil {
		return err
	}
	if a.ShopEmail == "" {
		return reviews.MarkAlertFailed(ctx, w.DB, a.Alert.ShopID, id, "the shop has no contact email yet")
	}
	m, err := w.alertMailer()
	if err != nil {
		w.Log.Warn("merchant alert not sent", "alert_id", id, "error", err)
		return reviews.MarkAlertFailed(ctx, w.DB, a.Alert.ShopID, id, err.Error())
	}
	if _, err := m.Send(ctx, negativeReviewEmail(a, w.Cfg.ShopifyAPIKey)); err != nil {
		_ = reviews.MarkAlertFailed(ctx, w.DB, a.Alert.ShopID, id, err.Error())
		if delivery.IsPermanent(err) {
			w.Log.Warn("merchant alert refused", "alert_id", id, "error", err)
			return nil
		}
		return fmt.Errorf("send merchant alert %d: %w", id, err)
	}
	return reviews.MarkAlertSent(ctx, w.DB, a.Alert.ShopID, id, w.now())
}

// negativeReviewEmail is the alert itself: what was said, and where to act on it.
func negativeReviewEmail(a *reviews.NegativeReviewAlert, apiKey string) delivery.Email {
	product := a.ProductTitle
	if product == "" && a.ProductID != nil {
		product = fmt.Sprintf("product %d", *a.ProductID)
	}
	stars := strings.Repeat("★", a.Rating) + strings.Repeat("☆", 5-a.Rating)
	subject := fmt.Sprintf("%d-star review of %s: make-it-right case #%d opened", a.Rating, product, a.CaseID)
	link := fmt.Sprintf("https://%s/admin/apps/%s/reviews", a.ShopDomain, apiKey)
	var quote strings.Builder
	if a.Title != "" {
		quote.WriteString(a.Title)
		quote.WriteString("\n")
	}
	quote.WriteString(clipText(a.Body, 1000))
	verified := ""
	if a.Verified {
		verified = " (verified buyer)"
	}
	text := fmt.Sprintf(`A shopper%s left a %d-star review of %s.

%s
%s

Boomerang opened make-it-right case #%d and is holding promotional messages to this shopper until the case is resolved.
An apology goes out through your "Apology after a negative review" message if it is switched on.

Open the case: %s
`, verified, a.Rating, product, stars, quote.String(), a.CaseID, link)
	htmlBody := fmt.Sprintf(`<p>A shopper%s left a <strong>%d-star</strong> review of %s.</p>
<p>%s</p><blockquote>%s</blockquote>
<p>Boomerang opened make-it-right case #%d and is holding promotional messages to this shopper until the case is resolved.</p>
<p><a href="%s">Open the case</a></p>`, html.EscapeString(verified), a.Rating, html.EscapeString(product), stars,
		strings.ReplaceAll(html.EscapeString(quote.String()), "\n", "<br>"), a.CaseID, html.EscapeString(link))
	name := a.ShopName
	if name == "" {
		name = "Boomerang"
	}
	return delivery.Email{To: a.ShopEmail, FromName: name + " via Boomerang", Subject: subject, Text: text, HTML: htmlBody,
		Headers: map[string]string{"X-Boomerang-Alert": fmt.Sprintf("negative-review-%d", a.CaseID)}}
}

func clipText(s string, n int) string {
	r := []rune(strings.TrimSpace(s))
	if len(r) <= n {
		return string(r)
	}
	return string(r[:n]) + "…"
}
