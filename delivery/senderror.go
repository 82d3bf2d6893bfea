package delivery

import (
	"errors"
	"fmt"
)

// SendError is a delivery failure from a channel, classified so the caller knows whether a
// retry can help. Errors that are not a *SendError (a canceled context, say) are temporary.
type SendError struct {
	Channel   string // "email" or "sms"
	Permanent bool   // retrying the same message will fail the same way
	// Unknown: the whole message reached the provider and then the answer never came (a timeout
	// waiting for the reply to SMTP's final dot, an SMS API that fell silent after the request
	// was written). It may have been accepted, so sending again risks a second copy.
	Unknown bool
	Code    int // SMTP reply code or HTTP status; 0 when the failure had none
	Err     error
}

func (e *SendError) Error() string {
	kind := "temporary"
	switch {
	case e.Permanent:
		kind = "permanent"
	case e.Unknown:
		kind = "unknown-outcome"
	}
	if e.Code != 0 {
		return fmt.Sprintf("%s: %s failure (%d): %v", e.Channel, kind, e.Code, e.Err)
	}
	return fmt.Sprintf("%s: %s failure: %v", e.Channel, kind, e.Err)
}

func (e *SendError) Unwrap() error { return e.Err }

// IsPermanent reports whether err means the message can never be delivered as it is (an SMTP
// 5xx reply, an invalid address, an HTTP 4xx from the SMS provider other than 408 and 429), so
// the caller should record it as failed instead of retrying. Everything else — 4xx SMTP replies,
// refused connections, timeouts, 5xx from the SMS provider — is temporary: retry with backoff.
func IsPermanent(err error) bool {
	var se *SendError
	return errors.As(err, &se) && se.Permanent
}

// IsUnknown reports whether err leaves the delivery's outcome unknown (see SendError.Unknown):
// the caller must not retry it automatically.
func IsUnknown(err error) bool {
	var se *SendError
	return errors.As(err, &se) && se.Unknown
}

func unknown(channel string, code int, err error) error {
	return &SendError{Channel: channel, Unknown: true, Code: code, Err: err}
}

func permanent(channel string, code int, err error) error {
	return &SendError{Channel: channel, Permanent: true, Code: code, Err: err}
}

func temporary(channel string, code int, err error) error {
	return &SendError{Channel: channel, Code: code, Err: err}
}
