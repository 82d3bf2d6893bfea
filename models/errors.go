package models

import (
	"errors"
	"fmt"
)

// Error codes, mapped to HTTP statuses in one place (handlers/errors.go).
const (
	EInvalid      = "invalid"
	ENotFound     = "not_found"
	EConflict     = "conflict"
	EUnauthorized = "unauthorized"
	EInternal     = "internal"
)

// Error is the one domain error type. Field names the offending input for EInvalid.
type Error struct {
	Code    string
	Message string
	Field   string
	Line    int // for template errors: the line in the offending field
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s: %s: %s", e.Code, e.Field, e.Message)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Invalid reports a bad value of one field.
func Invalid(field, format string, args ...any) *Error {
	return &Error{Code: EInvalid, Field: field, Message: fmt.Sprintf(format, args...)}
}

// NotFound reports a missing record of the given kind.
func NotFound(kind string) *Error { return &Error{Code: ENotFound, Message: kind + " not found"} }

// Conflict reports a request that contradicts current state.
func Conflict(format string, args ...any) *Error {
	return &Error{Code: EConflict, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of a domain error anywhere in err's chain, or EInternal.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}
