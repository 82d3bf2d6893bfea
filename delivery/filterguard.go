package delivery

import (
	"fmt"
	"reflect"
	"strings"
	"unicode/utf8"

	"github.com/osteele/liquid/render"
	"github.com/osteele/liquid/values"
)

// guardedFilters receives liquid's standard filters (filters.AddStandardFilters accepts any
// FilterDictionary) and registers each one wrapped in size checks, see limits.go.
type guardedFilters struct {
	cfg *render.Config
	// html marks the HTML engine, where escape/escape_once must not be escaped a second time.
	html bool
}

func (d guardedFilters) AddFilter(name string, fn any) {
	d.cfg.AddFilter(name, guardFilter(name, fn, d.html))
}

// safePreserving are filters that only reshape their receiver, so HTML the merchant already
// marked safe (or escaped with `escape`) stays safe through them. Filters that take content
// arguments (append, replace, ...) are left out: their argument may be shopper data.
var safePreserving = map[string]bool{
	"truncate": true, "truncatewords": true, "upcase": true, "downcase": true, "capitalize": true,
	"strip": true, "lstrip": true, "rstrip": true, "strip_newlines": true, "newline_to_br": true,
}

// guardFilter wraps a liquid filter function. The wrapper takes `any` arguments so liquid hands
// it values unconverted; it checks them, then converts and calls the original with values.Call
// exactly as liquid would have. That ordering matters for ranges: liquid turns (1..n) into an
// n-element array while converting arguments, so the size check must come before conversion.
func guardFilter(name string, fn any, html bool) func(in any, args ...any) (any, error) {
	orig := reflect.ValueOf(fn)
	return func(in any, args ...any) (any, error) {
		safeIn := false
		if sv, ok := in.(values.SafeValue); ok {
			in, safeIn = sv.Value, true
		}
		all := make([]any, 0, 1+len(args))
		all = append(all, in)
		for _, a := range args {
			if sv, ok := a.(values.SafeValue); ok {
				a = sv.Value
			}
			all = append(all, a)
		}
		for _, a := range all {
			if err := checkValue(a); err != nil {
				return nil, fmt.Errorf("input: %w", err)
			}
		}
		if err := checkGrowth(name, all); err != nil {
			return nil, err
		}
		out, err := values.Call(orig, all)
		if err != nil {
			// The wrapper adds no parameters, so liquid's own parity message stays accurate
			// only if we shift it the way liquid does for the receiver.
			if pe, ok := err.(*values.CallParityError); ok {
				return nil, &values.CallParityError{NumArgs: pe.NumArgs - 1, NumParams: pe.NumParams - 1}
			}
			return nil, err
		}
		if b, ok := out.([]byte); ok {
			out = string(b)
		}
		if err := checkValue(out); err != nil {
			return nil, fmt.Errorf("result: %w", err)
		}
		if html && (name == "escape" || name == "escape_once" || (safeIn && safePreserving[name])) {
			return values.SafeValue{Value: out}, nil
		}
		return out, nil
	}
}

// checkValue bounds one value's size without walking nested structures: nested collections
// can only be built from checked values, one bounded step at a time.
func checkValue(v any) error {
	switch v := v.(type) {
	case nil:
		return nil
	case string:
		if len(v) > MaxValueBytes {
			return fmt.Errorf("%w: string longer than %d bytes", ErrRenderLimit, MaxValueBytes)
		}
		return nil
	case interface{ Len() int }: // liquid ranges and iterables
		if v.Len() > MaxCollectionItems {
			return fmt.Errorf("%w: more than %d items", ErrRenderLimit, MaxCollectionItems)
		}
		return nil
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Slice, reflect.Array, reflect.Map:
		if rv.Len() > MaxCollectionItems {
			return fmt.Errorf("%w: more than %d items", ErrRenderLimit, MaxCollectionItems)
		}
	}
	return nil
}

// checkGrowth estimates, before running it, the result size of a filter that can make its
// output much larger than any input (replace can square it; join multiplies by item count).
func checkGrowth(name string, args []any) error {
	str := func(i int) string {
		if i >= len(args) || args[i] == nil {
			return ""
		}
		if s, ok := args[i].(string); ok {
			return s
		}
		return fmt.Sprint(args[i])
	}
	var size int
	switch name {
	case "append", "prepend":
		size = len(str(0)) + len(str(1))
	case "replace":
		s, old, repl := str(0), str(1), str(2)
		n := utf8.RuneCountInString(s) + 1 // an empty `old` matches between every rune
		if old != "" {
			n = strings.Count(s, old)
		}
		size = len(s) + n*max(0, len(repl)-len(old))
	case "replace_first", "replace_last":
		size = len(str(0)) + len(str(2))
	case "join":
		size = joinedSize(args)
	case "concat":
		n := 0
		for _, a := range args[:min(2, len(args))] {
			if a == nil {
				continue
			}
			if rv := reflect.ValueOf(a); rv.Kind() == reflect.Slice || rv.Kind() == reflect.Array {
				n += rv.Len()
			} else {
				n++
			}
		}
		if n > MaxCollectionItems {
			return fmt.Errorf("%w: more than %d items", ErrRenderLimit, MaxCollectionItems)
		}
		return nil
	default:
		return nil
	}
	if size > MaxValueBytes {
		return fmt.Errorf("%w: result would be longer than %d bytes", ErrRenderLimit, MaxValueBytes)
	}
	return nil
}

// joinedSize adds up what join would produce, stopping as soon as it is known to be too big.
func joinedSize(args []any) int {
	if len(args) == 0 || args[0] == nil {
		return 0
	}
	sep := " " // liquid's default separator
	if len(args) > 1 && args[1] != nil {
		sep = fmt.Sprint(args[1])
	}
	rv := reflect.ValueOf(args[0])
	if rv.Kind() != reflect.Slice && rv.Kind() != reflect.Array {
		if it, ok := args[0].(interface {
			Len() int
			Index(int) any
		}); ok {
			size := 0
			for i := 0; i < it.Len() && size <= MaxValueBytes; i++ {
				size += len(fmt.Sprint(it.Index(i))) + len(sep)
			}
			return size
		}
		return len(fmt.Sprint(args[0]))
	}
	size := 0
	for i := 0; i < rv.Len() && size <= MaxValueBytes; i++ {
		e := rv.Index(i).Interface()
		if s, ok := e.(string); ok {
			size += len(s) + len(sep)
		} else {
			size += len(fmt.Sprint(e)) + len(sep)
		}
	}
	return size
}
