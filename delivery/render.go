package delivery

import (
	"context"
	"fmt"
	"maps"
	"strings"

	"github.com/osteele/liquid/render"
)

// Render renders every non-empty template of t with vars, for one shopper.
//
// Variables are strict: a name the template uses that vars lacks is an error naming it. Pass
// documented-but-absent values as nil rather than leaving them out (see SampleVars for the set).
// The HTML body is HTML-escaped; subject, text and SMS are not. The subject is folded onto one
// line. When t.Text is empty, Text is derived from the rendered HTML (PlainText).
//
// Render is bounded (see limits.go): when ctx has no deadline, DefaultRenderTimeout applies.
// errors.Is(err, ErrRenderLimit) means the template is at fault; ErrRenderTimeout means retry.
// Parsed templates are cached by source, so rendering one message for many shoppers parses once.
// Errors are *TemplateError.
func Render(ctx context.Context, t Templates, vars map[string]any) (Rendered, error) {
	g := &guard{ctx: ctx}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		g.ctx, cancel = context.WithTimeout(ctx, DefaultRenderTimeout)
		defer cancel()
		g.ownDeadline = true
	}
	// liquid copies the bindings per render, so one copy with the guard serves all four.
	bindings := make(map[string]any, len(vars)+1)
	maps.Copy(bindings, vars)
	bindings[guardKey] = g

	var out Rendered
	dst := map[string]*string{FieldSubject: &out.Subject, FieldHTML: &out.HTML, FieldText: &out.Text, FieldSMS: &out.SMS}
	for _, f := range t.fields() {
		if f.src == "" {
			continue
		}
		g.iterations = 0 // the loop budget is per template
		s, err := renderField(g, f, bindings, vars)
		if err != nil {
			return Rendered{}, err
		}
		*dst[f.name] = s
	}
	out.Subject = oneLine(out.Subject)
	out.SMS = strings.TrimSpace(out.SMS)
	if t.Text == "" && out.HTML != "" {
		out.Text = PlainText(out.HTML)
	}
	return out, nil
}

func renderField(g *guard, f templateField, bindings, vars map[string]any) (s string, err error) {
	p := f.engine.parse(f.src)
	if p.err != nil {
		return "", p.err.(*TemplateError).withField(f.name)
	}
	// liquid panics on some malformed input; a template must never take a worker down.
	defer func() {
		if r := recover(); r != nil {
			err = &TemplateError{Field: f.name, Reason: fmt.Sprintf("template failed: %v", r)}
		}
	}()
	w := &cappedWriter{g: g, max: MaxOutputBytes, what: "output"}
	if rerr := render.Render(p.root, w, bindings, f.engine.cfg); rerr != nil {
		te := templateErrorFrom(rerr).withField(f.name)
		te.Reason = nameUndefined(te.Reason, te.Line, vars, f.src)
		return "", te
	}
	return string(w.buf), nil
}

// oneLine folds a rendered subject onto one line: a template's line breaks must not reach a
// mail header.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
