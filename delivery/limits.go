package delivery

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// osteele/liquid puts no bound on loop iterations, value growth, output size or time (its
// SECURITY.md says so), and its own cancellation is cooperative: it only notices a deadline when
// the template writes. A merchant's `{% for %}` with an empty body, or a string doubled in an
// `assign` chain, would pin a worker or exhaust its memory without ever writing. So every way a
// template can spend CPU or memory goes through one of these checks:
//
//   - output: each template writes through a writer capped at MaxOutputBytes that also checks
//     the context on every write;
//   - loops: a guard node is spliced into the body of every for/tablerow loop at parse time; it
//     counts iterations (MaxLoopIterations per template) and checks the context each time round;
//   - values: every filter is wrapped so no string above MaxValueBytes or collection above
//     MaxCollectionItems goes in or comes out, and filters that can multiply their input
//     (append, replace, join, ...) are checked before they run, not after;
//   - capture blocks write through the same capped writer as output;
//   - include/render tags are refused (there is no file system to read templates from).
//
// With those, a single render step is bounded and the context is checked between steps, so
// Render returns within about DefaultRenderTimeout of its start.
//
// The time limit is only a backstop, and it is wall-clock time: a render that needs 150 µs of
// CPU can still miss a deadline when the worker runs far more goroutines than cores (with 64
// concurrent renders on 2 busy cores, about 1 in 300 took longer than 1 s). So a deadline is
// reported as ErrRenderTimeout, which callers should retry, never as ErrRenderLimit, which means
// the template itself is at fault and fails the same way every time.

// Limits on rendering one template (see above for how each is enforced).
const (
	// MaxTemplateBytes bounds the source of one template.
	MaxTemplateBytes = 64 << 10
	// MaxOutputBytes bounds the rendered output of one template.
	MaxOutputBytes = 64 << 10
	// MaxValueBytes bounds any string a template builds (assign, capture, filter results).
	MaxValueBytes = 64 << 10
	// MaxCollectionItems bounds any array a filter receives or returns (ranges included).
	MaxCollectionItems = 10_000
	// MaxLoopIterations bounds the total loop iterations in one template render.
	MaxLoopIterations = 100_000
	// DefaultRenderTimeout applies when the caller's context has no deadline. It is generous
	// because it is wall-clock time (see above); templates that loop or grow values without
	// bound hit the deterministic limits long before it.
	DefaultRenderTimeout = time.Second
)

var (
	// ErrRenderLimit is wrapped by errors caused by a template exceeding a size or iteration
	// limit above. The template is at fault: it will fail the same way on every render.
	ErrRenderLimit = errors.New("template exceeds a render limit")
	// ErrRenderTimeout is wrapped (with context.DeadlineExceeded) when a render runs past its
	// deadline. That may be load rather than the template: retry later.
	ErrRenderTimeout = errors.New("template render timed out")
)

// guardKey is the binding under which a render's guard travels through liquid. It cannot be
// written as a Liquid identifier, so templates can neither read nor overwrite it.
const guardKey = "\x00boomerang.guard"

// guard carries per-render limits into liquid's tag and writer callbacks.
type guard struct {
	ctx context.Context
	// ownDeadline is true when the deadline is our default rather than the caller's, which
	// decides whether a deadline is reported as a template problem or as the caller's.
	ownDeadline bool
	iterations  int
}

func (g *guard) alive() error {
	err := g.ctx.Err()
	if err == nil {
		return nil
	}
	if errors.Is(err, context.DeadlineExceeded) {
		if g.ownDeadline {
			return fmt.Errorf("%w after %s: %w", ErrRenderTimeout, DefaultRenderTimeout, err)
		}
		return fmt.Errorf("%w: %w", ErrRenderTimeout, err)
	}
	return fmt.Errorf("render canceled: %w", err)
}

// loopIteration is called once per iteration of every loop in the template.
func (g *guard) loopIteration() error {
	g.iterations++
	if g.iterations > MaxLoopIterations {
		return fmt.Errorf("%w: more than %d loop iterations", ErrRenderLimit, MaxLoopIterations)
	}
	return g.alive()
}

// cappedWriter collects output up to max bytes and checks the guard's context on every write.
type cappedWriter struct {
	g    *guard
	buf  []byte
	max  int
	what string
}

func (w *cappedWriter) Write(p []byte) (int, error) {
	if err := w.g.alive(); err != nil {
		return 0, err
	}
	if len(w.buf)+len(p) > w.max {
		return 0, fmt.Errorf("%w: %s larger than %d bytes", ErrRenderLimit, w.what, w.max)
	}
	w.buf = append(w.buf, p...)
	return len(p), nil
}
