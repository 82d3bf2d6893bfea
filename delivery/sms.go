package delivery

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"
)

// SMSConfig is a Twilio account, or anything speaking Twilio's Messages API.
type SMSConfig struct {
	BaseURL    string // "https://api.twilio.com" when empty; a fake's URL in tests
	AccountSID string
	AuthToken  string
	From       string // the sending number, E.164
}

// SMSClient sends text messages through the Messages API. It is safe for concurrent use.
type SMSClient struct {
	endpoint   string
	sid, token string
	from       string
	http       *http.Client
}

const (
	channelSMS = "sms"
	// MaxSMSChars is the longest body the Messages API accepts (it splits into segments).
	MaxSMSChars = 1600
)

var e164 = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)

// IsE164 reports whether s is a phone number in E.164 form (+15005550006).
func IsE164(s string) bool { return e164.MatchString(s) }

// NewSMSClient checks cfg and returns a client. hc may be nil for a client with a 30 s timeout.
func NewSMSClient(cfg SMSConfig, hc *http.Client) (*SMSClient, error) {
	base := cfg.BaseURL
	if base == "" {
		base = "https://api.twilio.com"
	}
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("SMS base URL %q: want an absolute http(s) URL", base)
	}
	if cfg.AccountSID == "" || cfg.AuthToken == "" {
		return nil, errors.New("SMS: account SID and auth token are required")
	}
	if !e164.MatchString(cfg.From) {
		return nil, fmt.Errorf("SMS from number %q: want E.164, e.g. +15005550006", cfg.From)
	}
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	// A redirected POST would be replayed as a GET; the API never redirects, so refuse.
	c := *hc
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &SMSClient{
		endpoint: strings.TrimRight(base, "/") + "/2010-04-01/Accounts/" + url.PathEscape(cfg.AccountSID) + "/Messages.json",
		sid:      cfg.AccountSID,
		token:    cfg.AuthToken,
		from:     cfg.From,
		http:     &c,
	}, nil
}

// Send queues body for to (E.164) and returns the provider's message SID. Errors are
// *SendError: an invalid number or body and HTTP 4xx replies are permanent, except 408 and
// 429 which, like 5xx replies and failures before the request was written, are temporary.
//
// A failure after the whole request was written (no reply, a reply cut short) may still have
// queued the message, and the API has no idempotency key: that outcome is unknown, never
// temporary, so no automatic retry can send it twice.
func (c *SMSClient) Send(ctx context.Context, to, body string) (string, error) {
	if !e164.MatchString(to) {
		return "", permanent(channelSMS, 0, fmt.Errorf("recipient %q is not an E.164 number", to))
	}
	if strings.TrimSpace(body) == "" {
		return "", permanent(channelSMS, 0, errors.New("empty body"))
	}
	if n := utf8.RuneCountInString(body); n > MaxSMSChars {
		return "", permanent(channelSMS, 0, fmt.Errorf("body is %d characters, limit %d", n, MaxSMSChars))
	}
	form := url.Values{"To": {to}, "From": {c.from}, "Body": {body}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return "", permanent(channelSMS, 0, fmt.Errorf("build request: %w", err))
	}
	req.SetBasicAuth(c.sid, c.token)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")

	var wrote atomic.Bool
	req = req.WithContext(httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		WroteRequest: func(i httptrace.WroteRequestInfo) { wrote.Store(i.Err == nil) },
	}))
	resp, err := c.http.Do(req)
	if err != nil {
		if wrote.Load() {
			return "", unknown(channelSMS, 0, fmt.Errorf("post message: no reply after the request was sent: %w", err))
		}
		return "", temporary(channelSMS, 0, fmt.Errorf("post message: %w", err))
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		if resp.StatusCode >= 200 && resp.StatusCode < 300 {
			return "", unknown(channelSMS, resp.StatusCode, fmt.Errorf("read reply: %w", err))
		}
		return "", temporary(channelSMS, resp.StatusCode, fmt.Errorf("read reply: %w", err))
	}
	var reply struct {
		SID     string `json:"sid"`
		Code    int    `json:"code"`
		Message string `json:"message"`
	}
	jsonErr := json.Unmarshal(raw, &reply)

	switch code := resp.StatusCode; {
	case code >= 200 && code < 300:
		if jsonErr != nil || reply.SID == "" {
			// Accepted but unidentifiable: a retry could send it twice, so do not invite one.
			return "", permanent(channelSMS, code, fmt.Errorf("reply has no message sid: %.200q", raw))
		}
		return reply.SID, nil
	case code == http.StatusRequestTimeout || code == http.StatusTooManyRequests || code >= 500:
		return "", temporary(channelSMS, code, providerError(code, reply.Code, reply.Message, raw))
	case code >= 400:
		return "", permanent(channelSMS, code, providerError(code, reply.Code, reply.Message, raw))
	default:
		return "", temporary(channelSMS, code, providerError(code, reply.Code, reply.Message, raw))
	}
}

func providerError(status, code int, msg string, raw []byte) error {
	if msg == "" {
		return fmt.Errorf("HTTP %d: %.200q", status, raw)
	}
	if code != 0 {
		return fmt.Errorf("error %d: %s", code, msg)
	}
	return errors.New(msg)
}

// Inbound keywords, as carriers and Twilio's Advanced Opt-Out treat them. YES is left out of
// the opt-in set on purpose: a shopper answering "yes" to a question must not re-subscribe.
var (
	stopKeywords  = map[string]bool{"STOP": true, "STOPALL": true, "UNSUBSCRIBE": true, "CANCEL": true, "END": true, "QUIT": true}
	startKeywords = map[string]bool{"START": true, "UNSTOP": true}
)

// IsStopKeyword reports whether an inbound SMS body is an opt-out (STOP, STOPALL, UNSUBSCRIBE,
// CANCEL, END, QUIT), ignoring case, surrounding space and trailing punctuation ("Stop.").
func IsStopKeyword(body string) bool { return stopKeywords[normalizeKeyword(body)] }

// IsStartKeyword reports whether an inbound SMS body re-subscribes (START, UNSTOP).
func IsStartKeyword(body string) bool { return startKeywords[normalizeKeyword(body)] }

func normalizeKeyword(body string) string {
	return strings.ToUpper(strings.Trim(body, " \t\r\n.!"))
}
