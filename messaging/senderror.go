package messaging

import (
	"errors"
	"fmt"
)

// SendError is a delivery failure from a channel, classified so the caller knows whether a
// retry can help. Errors that are not a *SendError (a canceled context, say) are temporary.
type SendError struct {
	Channel   string // "email" or "sms"
	Permanent bool   // retrying the same message will fail the same way
	Code      int    // SMTP reply code or HTTP status; 0 when the failure had none
	Err       error
}

func (e *SendError) Error() string {
	kind := "temporary"
	if e.Permanent {
		kind = "permanent"
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

func permanent(channel string, code int, err error) error {
	return &SendError{Channel: channel, Permanent: true, Code: code, Err: err}
}

func temporary(channel string, code int, err error) error {
	return &SendError{Channel: channel, Code: code, Err: err}
}
