package delivery

import (
	"fmt"
	"reflect"
	"regexp"
	"strings"
)

// liquid's strict mode says "undefined variable" without saying which. nameUndefined finds it:
// it takes the tags starting on the error's line and resolves each variable path in them against
// the render's variables. Names the template defines itself (assign, capture, loop variables)
// cannot be resolved without running it; if only those remain, the tag is quoted instead.

var (
	tagRe     = regexp.MustCompile(`(?s)\{\{.*?\}\}|\{%.*?%\}`)
	quoted    = regexp.MustCompile(`"[^"]*"|'[^']*'`)
	pathRe    = regexp.MustCompile(`[A-Za-z_][\w-]*\??(?:\.[A-Za-z_][\w-]*\??|\[[^\]]*\])*(\s*:)?`)
	definedRe = regexp.MustCompile(`\{%-?\s*(?:assign|capture|increment|decrement)\s+([A-Za-z_][\w-]*)|\{%-?\s*(?:for|tablerow)\s+([A-Za-z_][\w-]*)\s+in\b`)
)

// notVariables are words that look like paths in a tag but are Liquid syntax.
var notVariables = map[string]bool{
	"and": true, "or": true, "contains": true, "in": true, "reversed": true, "true": true,
	"false": true, "nil": true, "null": true, "empty": true, "blank": true, "with": true, "as": true,
}

func nameUndefined(reason string, line int, vars map[string]any, src string) string {
	if reason != "undefined variable" || line < 1 {
		return reason
	}
	defined := map[string]bool{"forloop": true, "tablerowloop": true}
	for _, d := range definedRe.FindAllStringSubmatch(src, -1) {
		defined[d[1]+d[2]] = true
	}
	var onLine []string
	for _, loc := range tagRe.FindAllStringIndex(src, -1) {
		tag := src[loc[0]:loc[1]]
		if 1+strings.Count(src[:loc[0]], "\n") == line && len(variablePaths(tag)) > 0 {
			onLine = append(onLine, tag)
		}
	}
	for _, tag := range onLine {
		for _, path := range variablePaths(tag) {
			if name, ok := undefinedPrefix(path, vars, defined); ok {
				return fmt.Sprintf("undefined variable %q in %s", name, tag)
			}
		}
	}
	if len(onLine) == 1 {
		return reason + " in " + onLine[0]
	}
	return reason
}

// variablePaths lists the variable paths in a tag's source, in order: tag names, filter names
// and keyword-argument names are skipped.
func variablePaths(tag string) []string {
	body := strings.TrimSpace(tag)
	isTag := strings.HasPrefix(body, "{%")
	body = strings.TrimPrefix(strings.TrimPrefix(body, "{{"), "{%")
	body = strings.TrimSuffix(strings.TrimSuffix(body, "}}"), "%}")
	body = strings.Trim(body, "- \t\r\n")
	body = quoted.ReplaceAllString(body, `""`)
	if isTag {
		// drop the tag name, and the variable a for/assign/capture introduces
		fields := strings.Fields(body)
		if len(fields) == 0 {
			return nil
		}
		body = strings.TrimSpace(strings.TrimPrefix(body, fields[0]))
		switch fields[0] {
		case "for", "tablerow":
			if i := strings.Index(body, " in "); i >= 0 {
				body = body[i+4:]
			}
		case "assign":
			if i := strings.Index(body, "="); i >= 0 {
				body = body[i+1:]
			}
		}
	}
	var paths []string
	for i, seg := range strings.Split(body, "|") {
		if i > 0 { // a filter: its name is not a variable, its arguments may be
			seg = strings.TrimSpace(seg)
			name := pathRe.FindString(seg)
			seg = strings.TrimPrefix(seg, name)
		}
		for _, m := range pathRe.FindAllStringSubmatch(seg, -1) {
			if m[1] != "" { // `name:` is a keyword argument or loop option
				continue
			}
			p := m[0]
			if notVariables[p] {
				continue
			}
			paths = append(paths, p)
		}
	}
	return paths
}

// undefinedPrefix resolves path against vars and returns the shortest prefix that does not
// exist, if that can be known without running the template.
func undefinedPrefix(path string, vars map[string]any, defined map[string]bool) (string, bool) {
	parts := strings.Split(strings.NewReplacer("[", ".[").Replace(path), ".")
	root := parts[0]
	v, ok := vars[root]
	if !ok {
		if defined[root] {
			return "", false
		}
		return root, true
	}
	for i, part := range parts[1:] {
		if strings.HasPrefix(part, "[") || v == nil {
			return "", false
		}
		rv := reflect.ValueOf(v)
		if rv.Kind() != reflect.Map || rv.Type().Key().Kind() != reflect.String {
			return "", false // arrays and strings have size/first/last; structs are not used
		}
		e := rv.MapIndex(reflect.ValueOf(part).Convert(rv.Type().Key()))
		if !e.IsValid() {
			return strings.Join(parts[:i+2], "."), true
		}
		v = e.Interface()
	}
	return "", false
}
