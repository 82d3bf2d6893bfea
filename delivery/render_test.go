package delivery

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// testCtx gives renders in tests a deadline far beyond DefaultRenderTimeout: these tests are
// about output and the deterministic limits, and a busy test machine must not turn them into
// timeouts. TestRenderStopsAtDeadline covers the deadline itself.
func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func mustRender(t *testing.T, tpl Templates, vars map[string]any) Rendered {
	t.Helper()
	r, err := Render(testCtx(t), tpl, vars)
	if err != nil {
		t.Fatalf("Render: %v", err)
	}
	return r
}

func templateError(t *testing.T, err error) *TemplateError {
	t.Helper()
	var te *TemplateError
	if !errors.As(err, &te) {
		t.Fatalf("want *TemplateError, got %T: %v", err, err)
	}
	return te
}

func TestRenderEscapesHTMLOnly(t *testing.T) {
	vars := map[string]any{"name": `Tom & "Jerry" <b>`}
	r := mustRender(t, Templates{
		Subject: "Hi {{ name }}",
		HTML:    "<p>Hi {{ name }}</p>",
		Text:    "Hi {{ name }}",
		SMS:     "Hi {{ name }}",
	}, vars)
	if want := `<p>Hi Tom &amp; &#34;Jerry&#34; &lt;b&gt;</p>`; r.HTML != want {
		t.Errorf("HTML = %q, want %q", r.HTML, want)
	}
	for field, got := range map[string]string{"subject": r.Subject, "text": r.Text, "sms": r.SMS} {
		if want := `Hi Tom & "Jerry" <b>`; got != want {
			t.Errorf("%s = %q, want %q", field, got, want)
		}
	}
}

func TestRenderHTMLEscapeFilterAndSafe(t *testing.T) {
	vars := map[string]any{"name": "A & B", "snippet": "<em>hi</em>"}
	r := mustRender(t, Templates{
		HTML: "{{ name | escape }}|{{ name | escape | upcase }}|{{ snippet | safe }}|{{ snippet | upcase }}",
		Text: "{{ snippet | safe }}",
	}, vars)
	// escape is not escaped twice; safe output stays raw; unmarked output is escaped.
	if want := "A &amp; B|A &AMP; B|<em>hi</em>|&lt;EM&gt;HI&lt;/EM&gt;"; r.HTML != want {
		t.Errorf("HTML = %q, want %q", r.HTML, want)
	}
	if r.Text != "<em>hi</em>" {
		t.Errorf("Text = %q: safe must be a no-op outside HTML", r.Text)
	}
}

func TestRenderStrictVariablesNameTheVariable(t *testing.T) {
	vars := SampleVars()
	cases := []struct {
		tpl  Templates
		want string
		line int
	}{
		{Templates{HTML: "<p>Hi</p>\n<p>{{ customer.frist_name }}</p>"}, `"customer.frist_name"`, 2},
		{Templates{Subject: "{{ missing_thing | upcase }}"}, `"missing_thing"`, 1},
		{Templates{Text: "a\n{% if tier.nxt == 'Gold' %}x{% endif %}"}, `"tier.nxt"`, 2},
		{Templates{SMS: "{{ offer.code | append: shop.nam }}"}, `"shop.nam"`, 1},
		// a loop variable's properties cannot be checked statically: liquid's text names the tag
		{Templates{HTML: "{% for p in featured_products %}\n{{ p.titel }}{% endfor %}"}, "{{ p.titel }}", 2},
	}
	for _, c := range cases {
		_, err := Render(testCtx(t), c.tpl, vars)
		if err == nil {
			t.Errorf("%+v: no error", c.tpl)
			continue
		}
		te := templateError(t, err)
		if !strings.Contains(te.Reason, c.want) || !strings.Contains(te.Reason, "undefined variable") {
			t.Errorf("%+v: reason %q does not name %s", c.tpl, te.Reason, c.want)
		}
		if te.Line != c.line {
			t.Errorf("%+v: line %d, want %d (%v)", c.tpl, te.Line, c.line, err)
		}
	}
}

func TestRenderNilVariableIsDefined(t *testing.T) {
	vars := SampleVars()
	vars["offer"] = nil
	r := mustRender(t, Templates{Text: "[{{ offer }}]{% if offer %}code {{ offer.code }}{% endif %}"}, vars)
	if r.Text != "[]" {
		t.Errorf("Text = %q", r.Text)
	}
}

func TestValidateReportsFieldAndLine(t *testing.T) {
	cases := []struct {
		tpl   Templates
		field string
		line  int
	}{
		{Templates{HTML: "<p>\n\n{% if customer %}\nhello"}, FieldHTML, 3},
		{Templates{Subject: "ok", Text: "one\ntwo {{ customer.first_name\nthree"}, FieldText, 2},
		{Templates{SMS: "line\n{% endfor %}"}, FieldSMS, 2},
		{Templates{HTML: "fine", Subject: "{% for %}{% endfor %}"}, FieldSubject, 1},
		{Templates{Text: "a\nb\n{{ x | no_such_filter }}"}, FieldText, 3},
	}
	for _, c := range cases {
		err := Validate(c.tpl)
		if c.field == FieldText && strings.Contains(c.tpl.Text, "no_such_filter") {
			// liquid resolves filters at render time; Validate cannot see it
			if err != nil {
				t.Fatalf("Validate: %v", err)
			}
			_, err = Render(testCtx(t), c.tpl, map[string]any{"x": 1})
		}
		if err == nil {
			t.Errorf("%+v: no error", c.tpl)
			continue
		}
		te := templateError(t, err)
		if te.Field != c.field || te.Line != c.line {
			t.Errorf("%+v: got field %q line %d (%v), want %q line %d", c.tpl, te.Field, te.Line, err, c.field, c.line)
		}
		if want := fmt.Sprintf("%s: line %d: ", c.field, c.line); !strings.HasPrefix(err.Error(), want) {
			t.Errorf("Error() = %q, want prefix %q", err.Error(), want)
		}
		if te.Reason == "" || strings.HasPrefix(te.Reason, "Liquid error") {
			t.Errorf("Reason = %q", te.Reason)
		}
	}
	if err := Validate(Templates{Subject: "Hi {{ customer.first_name }}", HTML: "{% raw %}{{{% endraw %}<p>{% for p in featured_products %}{{ p.title }}{% endfor %}</p>"}); err != nil {
		t.Errorf("valid templates: %v", err)
	}
}

func TestRenderLimits(t *testing.T) {
	big := strings.Repeat("x", 1000)
	cases := map[string]string{
		"output bomb":       "{% for i in (1..1000000) %}0123456789{% endfor %}",
		"silent loop":       "{% for i in (1..1000000000) %}{% endfor %}",
		"nested loops":      "{% for i in (1..100000) %}{% for j in (1..100000) %}{% endfor %}{% endfor %}",
		"tablerow":          "{% tablerow i in (1..1000000000) %}{% endtablerow %}",
		"doubling assign":   "{% assign s = 'ab' %}" + strings.Repeat("{% assign s = s | append: s %}", 40) + "{{ s | size }}",
		"replace squares":   "{% assign s = big | replace: 'x', big %}{{ s | size }}",
		"capture bomb":      "{% capture s %}{% for i in (1..1000000) %}{{ big }}{% endfor %}{% endcapture %}{{ s | size }}",
		"join of a range":   "{% assign r = (1..1000000000) %}{{ r | join: ',' | size }}",
		"split then join":   "{% assign parts = big | split: '' %}{% assign s = parts | join: big %}{{ s | size }}",
		"template too long": strings.Repeat("a", MaxTemplateBytes+1),
	}
	for name, src := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := Render(testCtx(t), Templates{HTML: src}, map[string]any{"big": big})
			if !errors.Is(err, ErrRenderLimit) {
				t.Fatalf("want ErrRenderLimit, got %v", err)
			}
			if te := templateError(t, err); te.Field != FieldHTML {
				t.Errorf("field %q", te.Field)
			}
		})
	}
	// Within the limits the same constructs work.
	r := mustRender(t, Templates{Text: "{% for i in (1..3) %}{% for j in (1..2) %}{{ i }}{{ j }} {% endfor %}{% endfor %}"}, nil)
	if r.Text != "11 12 21 22 31 32 " {
		t.Errorf("Text = %q", r.Text)
	}
}

func TestRenderStopsAtDeadline(t *testing.T) {
	// A loop well inside the iteration budget still stops when the caller's deadline passes.
	ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	_, err := Render(ctx, Templates{HTML: "{% for i in (1..50000) %}{% endfor %}"}, nil)
	if !errors.Is(err, ErrRenderTimeout) || !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, ErrRenderLimit) {
		t.Fatalf("want a timeout (retryable), not a limit: got %v", err)
	}
	ctx, cancel = context.WithCancel(context.Background())
	cancel()
	_, err = Render(ctx, Templates{Text: "hello"}, nil)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("want canceled, got %v", err)
	}
}

func TestRenderLoopGuardKeepsWhitespaceControl(t *testing.T) {
	r := mustRender(t, Templates{Text: "[{%- for i in (1..3) -%}\n  {{ i }}\n{%- endfor -%}]", HTML: "{% for i in (1..2) %}  {%- if true %}x{% endif %}{% endfor %}"}, nil)
	if r.Text != "[123]" {
		t.Errorf("Text = %q", r.Text)
	}
	if r.HTML != "xx" {
		t.Errorf("HTML = %q", r.HTML)
	}
}

func TestRenderRefusesInclude(t *testing.T) {
	_, err := Render(testCtx(t), Templates{HTML: "{% include 'go.mod' %}"}, nil)
	if err == nil || !strings.Contains(err.Error(), "not available") {
		t.Fatalf("include: %v", err)
	}
}

func TestRenderSubjectOneLineAndDerivedText(t *testing.T) {
	r := mustRender(t, Templates{
		Subject: "  Your points\n are {{ points.balance }}\r\n",
		HTML:    "<html><head><style>p{color:red}</style></head><body><h1>Hi {{ customer.first_name }}</h1><p>You have <b>{{ points.balance }}</b> points.</p><p><a href=\"{{ unsubscribe_link }}\">Unsubscribe</a></p></body></html>",
	}, SampleVars())
	if r.Subject != "Your points are 1250" {
		t.Errorf("Subject = %q", r.Subject)
	}
	want := "Hi Chrissy\n\nYou have 1250 points.\n\nUnsubscribe (https://juniper-oak.myshopify.com/apps/boomerang/unsubscribe?t=sample)"
	if r.Text != want {
		t.Errorf("Text = %q, want %q", r.Text, want)
	}
}

func TestSampleVarsCoverDocumentedNames(t *testing.T) {
	src := `{{ customer.first_name }} {{ customer.last_name }} {{ customer.email }} {{ customer.stage }}
{{ shop.name }} {{ shop.domain }} {{ shop.url }}
{{ points.balance }} {{ points.earned }} {{ points.expiring }} {{ points.expiring_at | date: "%B %-d, %Y" }}
{{ tier.name }} {{ tier.next }} {{ tier.progress_percent }} {{ tier.points_to_next }}
{{ referral_link }} {{ review_link }} {{ unsubscribe_link }} {{ offer.code }} {{ offer.value }}
{% for p in featured_products %}{{ p.title }} {{ p.url }}{% endfor %}`
	r := mustRender(t, Templates{Text: src}, SampleVars())
	if !strings.Contains(r.Text, "March 31, 2027") || !strings.Contains(r.Text, "Cedar Candle") {
		t.Errorf("Text = %q", r.Text)
	}
	a, b := SampleVars(), SampleVars()
	a["customer"].(map[string]any)["first_name"] = "changed"
	if b["customer"].(map[string]any)["first_name"] != "Chrissy" {
		t.Error("SampleVars shares state between calls")
	}
}

func TestRenderConcurrentShoppers(t *testing.T) {
	tpl := Templates{Subject: "Hi {{ customer.first_name }}", HTML: "{% for p in featured_products %}<a href=\"{{ p.url }}\">{{ p.title }}</a>{% endfor %}{{ customer.first_name }}"}
	ctx := testCtx(t)
	var wg sync.WaitGroup
	errs := make(chan error, 32)
	for i := range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			vars := SampleVars()
			name := fmt.Sprintf("shopper-%d", i)
			vars["customer"].(map[string]any)["first_name"] = name
			r, err := Render(ctx, tpl, vars)
			if err != nil {
				errs <- err
				return
			}
			if r.Subject != "Hi "+name || !strings.HasSuffix(r.HTML, name) {
				errs <- fmt.Errorf("shopper %d got %q / %q", i, r.Subject, r.HTML)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestPlainText(t *testing.T) {
	cases := map[string]string{
		"<p>One &amp; two</p><p>Three</p>":                                "One & two\n\nThree",
		"<ul><li>a</li><li>b <i>c</i></li></ul>":                          "- a\n- b c",
		"Line<br>break<br/>again":                                         "Line\nbreak\nagain",
		`<a href="https://x.test/a">Shop now</a>`:                         "Shop now (https://x.test/a)",
		`<a href="https://x.test/a">https://x.test/a</a>`:                 "https://x.test/a",
		`<a href="https://x.test/a"><img src="b.png"></a>`:                "https://x.test/a",
		`<img alt="Juniper &amp; Oak" src="logo.png"> welcome`:            "Juniper & Oak welcome",
		"<script>alert(1)</script><title>T</title>  spaced \n\n  words":   "spaced words",
		"<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>": "a b\nc",
		"<pre>  keep\n  this</pre>":                                       "keep\n  this",
	}
	for in, want := range cases {
		if got := PlainText(in); got != want {
			t.Errorf("PlainText(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzRender renders arbitrary template sources. Merchant templates are semi-trusted input:
// whatever they hold, Render must come back (the limits hold), with output within bounds or a
// *TemplateError.
func FuzzRender(f *testing.F) {
	for _, s := range []string{
		"Hi {{ customer.first_name | upcase }}",
		"{% for p in featured_products %}{{ p.title | truncate: 5 }}{% endfor %}",
		"{% assign s = shop.name | append: '!' | replace: 'a', 'bb' %}{{ s }}",
		"{% capture x %}{{ points.balance | times: 2 }}{% endcapture %}{{ x | split: '' | join: '-' }}",
		"{% if tier.next %}{{ tier.points_to_next }}{% else %}top{% endif %}",
		"{% for i in (1..3) %}{% cycle 'a', 'b' %}{% endfor %}{{ (1..4) | join }}",
		"{{ offer | json }}{% raw %}{{{% endraw %}{% comment %}{{{% endcomment %}",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		r, err := Render(testCtx(t), Templates{HTML: src, Text: src}, SampleVars())
		if err != nil {
			var te *TemplateError
			if !errors.As(err, &te) {
				t.Fatalf("error is %T: %v", err, err)
			}
			if strings.HasPrefix(te.Reason, "template failed") {
				t.Fatalf("render panicked: %v", err)
			}
			return
		}
		if len(r.HTML) > MaxOutputBytes || len(r.Text) > MaxOutputBytes {
			t.Fatalf("output %d/%d bytes", len(r.HTML), len(r.Text))
		}
	})
}

func TestValidateSurvivesLiquidPanics(t *testing.T) {
	// liquid's lexer panics on this (see FuzzRender's corpus); it must be a TemplateError.
	err := Validate(Templates{SMS: "{%for \u0342%}{%endfor%}"})
	if te := templateError(t, err); te.Field != FieldSMS || !strings.Contains(te.Reason, "syntax error") {
		t.Errorf("got %v", err)
	}
}
