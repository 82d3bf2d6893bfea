// Package delivery renders retention messages, hands them to the channels that carry them, and
// signs the links they hold (unsubscribe, review).
//
// It holds no state about shoppers and touches no database: messaging's policy decides whether
// a message may go out, then calls Render and a channel (Mailer for email, SMSClient for SMS),
// and records the outcome itself. Errors from the channels say whether a retry can help
// (IsPermanent), so the caller can back off or record the message as failed.
//
// Templates are Liquid (github.com/osteele/liquid), the language merchants already write in
// their Shopify themes. Merchant templates are semi-trusted input, so rendering is fenced in:
// see limits.go for what is bounded and why.
package delivery
