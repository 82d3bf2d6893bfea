package delivery

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/osteele/liquid/expressions"
)

// Templates is one message's Liquid sources. Subject, HTML and Text are used for email, SMS
// for text messages; any of them may be empty. HTML output is HTML-escaped automatically
// (end a filter chain with `| safe` to output raw HTML); the others are not escaped.
type Templates struct {
	Subject, HTML, Text, SMS string
}

// Rendered is the output of Render for one shopper.
type Rendered struct {
	Subject, HTML, Text, SMS string
}

// Template field names, as reported in TemplateError.Field.
const (
	FieldSubject = "subject"
	FieldHTML    = "html"
	FieldText    = "text"
	FieldSMS     = "sms"
)

// TemplateError is a problem in one template, found while parsing (Validate, Render) or
// rendering (Render): a syntax error, an undefined variable, a failing filter, or a limit
// (then errors.Is(err, ErrRenderLimit) holds).
type TemplateError struct {
	Field  string // FieldSubject, FieldHTML, FieldText or FieldSMS
	Line   int    // 1-based line in that template; 0 when unknown
	Reason string // what is wrong, for the merchant
	cause  error
}

func (e *TemplateError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s: line %d: %s", e.Field, e.Line, e.Reason)
	}
	return fmt.Sprintf("%s: %s", e.Field, e.Reason)
}

func (e *TemplateError) Unwrap() error { return e.cause }

func (e *TemplateError) withField(field string) *TemplateError {
	c := *e
	c.Field = field
	return &c
}

// Validate parses every non-empty template and returns the first problem as a *TemplateError
// (in the order subject, html, text, sms). It does not render, so an undefined variable is only
// found by Render; the admin preview renders with SampleVars to catch those.
func Validate(t Templates) error {
	for _, f := range t.fields() {
		if f.src == "" {
			continue
		}
		if p := f.engine.parse(f.src); p.err != nil {
			return p.err.(*TemplateError).withField(f.name)
		}
	}
	return nil
}

type templateField struct {
	name   string
	src    string
	engine *engine
}

func (t Templates) fields() []templateField {
	return []templateField{
		{FieldSubject, t.Subject, plainEngine},
		{FieldHTML, t.HTML, htmlEngine},
		{FieldText, t.Text, plainEngine},
		{FieldSMS, t.SMS, plainEngine},
	}
}

// liquidError is what both liquid's parser and renderer return.
type liquidError interface {
	error
	LineNumber() int
	Cause() error
}

// liquid formats errors as "Liquid error (line 3): <reason> in <where>"; TemplateError carries
// the line itself, so the prefix goes, and so does "in template" (see templatePath).
var (
	liquidPrefix = regexp.MustCompile(`^Liquid error(?: \(line \d+\))?: `)
	liquidSuffix = " in " + templatePath
)

func templateErrorFrom(err liquidError) *TemplateError {
	te := &TemplateError{
		Line:   err.LineNumber(),
		Reason: strings.TrimSuffix(liquidPrefix.ReplaceAllString(err.Error(), ""), liquidSuffix),
		cause:  err.Cause(),
	}
	// liquid wraps filter failures in a type without Unwrap; unwrap it so errors.Is reaches
	// ErrRenderLimit, and say it plainly.
	var fe expressions.FilterError
	if errors.As(te.cause, &fe) {
		te.cause = fe.Err
		te.Reason = fmt.Sprintf("filter %q: %v", fe.FilterName, fe.Err)
	}
	return te
}
