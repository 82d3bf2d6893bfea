package handlers

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/boomerang-app/boomerang/delivery"
	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/models/messaging"
	"github.com/boomerang-app/boomerang/shopify"
)

// smsInbound: POST /sms/inbound/{shop} is the shop's Twilio messaging webhook. The request is
// checked with X-Twilio-Signature (HMAC-SHA1 under the shop's auth token over the URL the
// provider called plus the sorted form fields), then STOP-type keywords opt the sender out of
// SMS and START / UNSTOP opt them back in. Other texts are acknowledged and ignored.
func (s *Server) smsInbound(c echo.Context) error {
	ctx := c.Request().Context()
	domain, ok := shopify.NormalizeShop(c.Param("shop"))
	if !ok {
		return apiError(http.StatusNotFound, "unknown shop")
	}
	sh, err := models.FindShop(ctx, s.DB, domain)
	if err != nil {
		return apiError(http.StatusNotFound, "unknown shop")
	}
	creds, err := messaging.SMSCredentialsFor(ctx, s.DB, s.Cipher, sh.ID)
	if err != nil {
		if models.ErrorCode(err) == models.ENotFound {
			return apiError(http.StatusNotFound, "the shop has no SMS account")
		}
		return err
	}
	if err := c.Request().ParseForm(); err != nil {
		return models.Invalid("", "form body expected")
	}
	form := c.Request().PostForm
	callURL := strings.TrimRight(s.Cfg.AppURL, "/") + c.Request().URL.RequestURI()
	if !validTwilioSignature(creds.AuthToken, callURL, form, c.Request().Header.Get("X-Twilio-Signature")) {
		s.Log.Warn("inbound SMS rejected: bad signature", "shop", domain)
		return apiError(http.StatusUnauthorized, "invalid signature")
	}
	from, body := form.Get("From"), form.Get("Body")
	var change func(customerID int64) error
	switch {
	case delivery.IsStopKeyword(body):
		change = func(id int64) error {
			if err := messaging.Suppress(ctx, s.DB, sh.ID, id, messaging.ChannelSMS, "sms_stop"); err != nil {
				return err
			}
			s.pushConsent(ctx, sh.ID, id, messaging.ChannelSMS, messaging.ConsentUnsubscribed)
			return nil
		}
	case delivery.IsStartKeyword(body):
		change = func(id int64) error {
			if err := messaging.Unsuppress(ctx, s.DB, sh.ID, id, messaging.ChannelSMS); err != nil {
				return err
			}
			s.pushConsent(ctx, sh.ID, id, messaging.ChannelSMS, messaging.ConsentSubscribed)
			return nil
		}
	}
	if change != nil && delivery.IsE164(from) { // anything else names no shopper we could store
		ids, err := messaging.CustomersByPhone(ctx, s.DB, sh.ID, from)
		if err != nil {
			return err
		}
		for _, id := range ids {
			if err := change(id); err != nil {
				return err
			}
		}
		s.Log.Info("inbound SMS keyword", "shop", domain, "customers", len(ids), "stop", delivery.IsStopKeyword(body))
	}
	// An empty TwiML response: the provider's own opt-out handling sends any confirmation.
	return c.Blob(http.StatusOK, "text/xml; charset=utf-8", []byte(`<?xml version="1.0" encoding="UTF-8"?><Response></Response>`))
}

// validTwilioSignature checks Twilio's request signature: base64(HMAC-SHA1(token, url +
// concatenation of every POST field's name and value, sorted by name)).
func validTwilioSignature(token, callURL string, form url.Values, got string) bool {
	if token == "" || got == "" {
		return false
	}
	want, err := base64.StdEncoding.DecodeString(got)
	if err != nil { // a decoded prefix must not pass for the whole signature
		return false
	}
	return hmac.Equal(want, TwilioSignature(token, callURL, form))
}

// TwilioSignature computes the raw signature (tests and tools sign requests with it).
func TwilioSignature(token, callURL string, form url.Values) []byte {
	keys := make([]string, 0, len(form))
	for k := range form {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString(callURL)
	for _, k := range keys {
		vs := append([]string(nil), form[k]...)
		sort.Strings(vs)
		for _, v := range vs {
			b.WriteString(k)
			b.WriteString(v)
		}
	}
	m := hmac.New(sha1.New, []byte(token))
	m.Write([]byte(b.String()))
	return m.Sum(nil)
}
