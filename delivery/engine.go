package delivery

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/osteele/liquid/filters"
	"github.com/osteele/liquid/parser"
	"github.com/osteele/liquid/render"
	"github.com/osteele/liquid/tags"
)

// The engine is built from liquid's render package rather than liquid.Engine because the loop
// guard must be a tag that writes nothing: liquid.Engine.RegisterTag always writes its result,
// and even an empty write flushes liquid's whitespace-trim buffer, changing `{%-` semantics.

// templatePath is the path every template is parsed under. liquid keeps the innermost error
// location only for errors that carry a path; without one, an error inside a block is re-wrapped
// at the block's line, so a mistake on line 9 of a loop body would be reported at line 2.
const templatePath = "template"

const (
	loopGuardTag     = "boomerang_loop_guard"
	cappedCaptureTag = "boomerang_capture"
)

// engine is one liquid configuration plus a cache of parsed templates.
type engine struct {
	cfg   render.Config
	cache parseCache
}

var (
	htmlEngine  = newEngine(true)
	plainEngine = newEngine(false)
)

func newEngine(html bool) *engine {
	cfg := render.NewConfig()
	cfg.StrictVariables = true
	cfg.TemplateStore = noTemplateStore{}
	filters.AddStandardFilters(guardedFilters{cfg: &cfg, html: html})
	tags.AddStandardTags(&cfg)
	// capture blocks are swapped for this one at parse time (see instrument) so the captured
	// text is capped like output; liquid's own grows without bound.
	cfg.AddBlock(cappedCaptureTag).Compiler(captureCompiler)
	cfg.AddTag(loopGuardTag, func(string) (func(io.Writer, render.Context) error, error) {
		return func(_ io.Writer, ctx render.Context) error {
			if g, ok := ctx.Get(guardKey).(*guard); ok {
				return g.loopIteration()
			}
			return nil
		}, nil
	})
	if html {
		cfg.SetAutoEscapeReplacer(render.HtmlEscaper)
	} else {
		// Accept `| safe` everywhere so one snippet works in subject, text and HTML alike.
		cfg.AddFilter("safe", func(in any) any { return in })
	}
	return &engine{cfg: cfg, cache: parseCache{entries: map[[32]byte]*parsed{}}}
}

// noTemplateStore refuses {% include %} and {% render %}: messages are self-contained, and the
// default store would read files from the worker's working directory.
type noTemplateStore struct{}

func (noTemplateStore) ReadTemplate(name string) ([]byte, error) {
	return nil, errors.New("include and render tags are not available in messages")
}

func captureCompiler(node render.BlockNode) (func(io.Writer, render.Context) error, error) {
	name := strings.TrimSpace(node.Args)
	if name == "" || strings.ContainsAny(name, " \t\r\n") {
		return nil, fmt.Errorf("syntax error: capture needs exactly one variable name, got %q", node.Args)
	}
	return func(_ io.Writer, ctx render.Context) error {
		g, ok := ctx.Get(guardKey).(*guard)
		if !ok {
			return errors.New("capture outside a guarded render")
		}
		w := &cappedWriter{g: g, max: MaxValueBytes, what: "captured text"}
		if err := ctx.RenderChildren(w); err != nil {
			return err
		}
		ctx.Set(name, string(w.buf))
		return nil
	}, nil
}

// parsed is a cached parse result: a template tree, or the error its source produced.
type parsed struct {
	root render.Node
	err  error // *TemplateError without Field (the field is the caller's)
}

// parse returns the template tree for src, from the cache when it has been parsed before.
// The tree is never mutated after parse, so one tree serves concurrent renders.
func (e *engine) parse(src string) *parsed {
	key := sha256.Sum256([]byte(src))
	if p := e.cache.get(key); p != nil {
		return p
	}
	p := e.compile(src)
	e.cache.put(key, p)
	return p
}

func (e *engine) compile(src string) (p *parsed) {
	// liquid's expression lexer panics on some input (found by FuzzRender: a non-ASCII letter
	// in a for tag); a merchant's typo must come back as an error, not take the process down.
	defer func() {
		if r := recover(); r != nil {
			p = &parsed{err: &TemplateError{Reason: fmt.Sprintf("%v", r)}}
		}
	}()
	if len(src) > MaxTemplateBytes {
		return &parsed{err: &TemplateError{Line: 0, Reason: fmt.Sprintf("template longer than %d bytes", MaxTemplateBytes), cause: ErrRenderLimit}}
	}
	root, err := e.cfg.Compile(src, parser.SourceLoc{Pathname: templatePath, LineNo: 1})
	if err != nil {
		// Parse again without a path: then liquid quotes the offending tag instead.
		if _, quoted := e.cfg.Compile(src, parser.SourceLoc{LineNo: 1}); quoted != nil {
			err = quoted
		}
		return &parsed{err: templateErrorFrom(err)}
	}
	if terr := findUnterminated(root); terr != nil {
		return &parsed{err: terr}
	}
	if err := e.instrument(root); err != nil {
		return &parsed{err: &TemplateError{Reason: "internal: " + err.Error()}}
	}
	return &parsed{root: root}
}

// instrument rewrites a parsed tree in place: it splices a loop-guard tag in front of the body
// of every for and tablerow block, so each iteration checks the render's budget even when the
// body writes nothing; and it swaps every capture block for our capped one.
func (e *engine) instrument(n render.Node) error {
	var kids *[]render.Node
	switch n := n.(type) {
	case *render.SeqNode:
		kids = &n.Children
	case *render.BlockNode:
		for _, c := range n.Clauses {
			if err := e.instrument(c); err != nil {
				return err
			}
		}
		if n.Name == "for" || n.Name == "tablerow" {
			// Compiled at the loop's own line so a limit error points at the loop.
			tick, err := e.cfg.Compile("{% "+loopGuardTag+" %}", n.SourceLoc)
			if err != nil {
				return err
			}
			n.Body = append([]render.Node{tick}, n.Body...)
		}
		kids = &n.Body
	default:
		return nil
	}
	for i, c := range *kids {
		if err := e.instrument(c); err != nil {
			return err
		}
		if b, ok := c.(*render.BlockNode); ok && b.Name == "capture" {
			capped, err := e.cappedCapture(b)
			if err != nil {
				return err
			}
			(*kids)[i] = capped
		}
	}
	return nil
}

// cappedCapture builds a cappedCaptureTag block with the body of a parsed capture block.
// (liquid panics on redefining capture, and a block's renderer cannot be set from outside.)
func (e *engine) cappedCapture(b *render.BlockNode) (*render.BlockNode, error) {
	root, err := e.cfg.Compile("{% "+cappedCaptureTag+" "+b.Args+" %}{% end"+cappedCaptureTag+" %}", b.SourceLoc)
	if err != nil {
		return nil, err
	}
	seq, ok := root.(*render.SeqNode)
	if !ok || len(seq.Children) != 1 {
		return nil, fmt.Errorf("unexpected capture stub %T", root)
	}
	stub, ok := seq.Children[0].(*render.BlockNode)
	if !ok {
		return nil, fmt.Errorf("unexpected capture stub node %T", seq.Children[0])
	}
	stub.Body = b.Body
	stub.Source = b.Source // errors quote the merchant's tag, not ours
	return stub, nil
}

// findUnterminated reports a `{{` or `{%` left in plain text. liquid passes an unclosed
// delimiter through as literal text, which would mail the merchant's typo to every shopper.
func findUnterminated(n render.Node) *TemplateError {
	switch n := n.(type) {
	case *render.SeqNode:
		for _, c := range n.Children {
			if e := findUnterminated(c); e != nil {
				return e
			}
		}
	case *render.BlockNode:
		if n.Name == "comment" || n.Name == "raw" {
			return nil
		}
		for _, c := range n.Body {
			if e := findUnterminated(c); e != nil {
				return e
			}
		}
		for _, c := range n.Clauses {
			if e := findUnterminated(c); e != nil {
				return e
			}
		}
	case *render.TextNode:
		for _, delim := range []string{"{{", "{%"} {
			if i := strings.Index(n.Source, delim); i >= 0 {
				closer := map[string]string{"{{": "}}", "{%": "%}"}[delim]
				line := n.SourceLoc.LineNo + strings.Count(n.Source[:i], "\n")
				return &TemplateError{Line: line, Reason: fmt.Sprintf("%q is not closed with %q", delim, closer)}
			}
		}
	}
	return nil
}

// parseCache maps a template's SHA-256 to its parse result. It is bounded because the admin
// preview parses a new source on every edit; when full it drops an arbitrary half, which is
// cheap and keeps the hot templates (they come straight back on their next render).
type parseCache struct {
	mu      sync.RWMutex
	entries map[[32]byte]*parsed
}

const parseCacheSize = 512

func (c *parseCache) get(k [32]byte) *parsed {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.entries[k]
}

func (c *parseCache) put(k [32]byte, p *parsed) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= parseCacheSize {
		n := 0
		for key := range c.entries {
			delete(c.entries, key)
			if n++; n >= parseCacheSize/2 {
				break
			}
		}
	}
	c.entries[k] = p
}
