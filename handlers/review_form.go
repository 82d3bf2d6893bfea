package handlers

import (
	"bytes"
	"html/template"
	"net/http"
	"regexp"

	"github.com/labstack/echo/v4"

	"github.com/boomerang-app/boomerang/models/reviews"
)

// The review form a review-request email links to. It is plain HTML served through the app
// proxy: no JavaScript, no cookies (the proxy strips them), the signed token in a hidden field.

type reviewFormProduct struct {
	ID       int64
	Title    string
	Reviewed bool
}

type reviewFormPage struct {
	Title    string
	Message  string // an error to show above the forms
	Thanks   bool
	Action   string // the storefront path the forms post to
	BackURL  string // the form again, after a submission
	Token    string
	Products []reviewFormProduct
	// Values re-filled after an error.
	Failed               int64
	Rating               int
	ReviewTitle, Body    string
	MaxTitle, MaxBody    int
	Ratings              []int
	ShowForms, LinkValid bool
}

var reviewFormTmpl = template.Must(template.New("review").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{{.Title}}</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#202223;line-height:1.5}
form{border:1px solid #c9cccf;border-radius:8px;padding:1rem 1.25rem;margin:1.5rem 0}
fieldset{border:0;padding:0;margin:0 0 1rem}
legend,label{font-weight:600;display:block;margin-bottom:.25rem}
.stars label{display:inline-block;font-weight:400;margin-right:.75rem}
input[type=text],textarea{width:100%;box-sizing:border-box;padding:.5rem;border:1px solid #8c9196;border-radius:4px;font:inherit}
textarea{min-height:8rem}
button{background:#008060;color:#fff;border:0;border-radius:4px;padding:.6rem 1.2rem;font:inherit;font-weight:600;cursor:pointer}
.error{background:#fff4f4;border-left:4px solid #d72c0d;padding:.75rem 1rem}
.done{color:#008060}
</style>
</head>
<body>
<main>
<h1>{{.Title}}</h1>
{{if .Message}}<p class="error" role="alert">{{.Message}}</p>{{end}}
{{if .Thanks}}<p>Thank you! Your review was received.</p>{{if .BackURL}}<p><a href="{{.BackURL}}">Review another product from this order</a></p>{{end}}{{end}}
{{if .ShowForms}}{{$p := .}}
{{range .Products}}
{{if .Reviewed}}<p class="done">{{.Title}}: reviewed, thank you.</p>{{else}}
<form method="post" action="{{$p.Action}}">
<h2>{{.Title}}</h2>
<input type="hidden" name="t" value="{{$p.Token}}">
<input type="hidden" name="product_id" value="{{.ID}}">
<fieldset class="stars">
<legend>Your rating</legend>
{{$id := .ID}}{{range $p.Ratings}}<label><input type="radio" name="rating" value="{{.}}" required{{if and (eq $p.Failed $id) (eq $p.Rating .)}} checked{{end}}> {{.}} star{{if ne . 1}}s{{end}}</label>{{end}}
</fieldset>
<label for="title-{{.ID}}">Title (optional)</label>
<input type="text" id="title-{{.ID}}" name="title" maxlength="{{$p.MaxTitle}}"{{if eq $p.Failed .ID}} value="{{$p.ReviewTitle}}"{{end}}>
<p></p>
<label for="body-{{.ID}}">Your review</label>
<textarea id="body-{{.ID}}" name="body" maxlength="{{$p.MaxBody}}">{{if eq $p.Failed .ID}}{{$p.Body}}{{end}}</textarea>
<p><button type="submit">Submit review</button></p>
</form>
{{end}}{{end}}{{end}}
</main>
</body>
</html>
`))

var proxyPrefixPattern = regexp.MustCompile(`^/(apps|a|community|tools)/[A-Za-z0-9_-]{1,64}$`)

// proxyPrefix is the storefront path the proxy is mounted at (signed path_prefix), so forms
// post back through the proxy; anything unexpected falls back to the app's default.
func proxyPrefix(c echo.Context) string {
	if p := c.QueryParam("path_prefix"); proxyPrefixPattern.MatchString(p) {
		return p
	}
	return "/apps/boomerang"
}

func (s *Server) renderReviewPage(c echo.Context, status int, p reviewFormPage) error {
	if p.Title == "" {
		p.Title = "Write a review"
	}
	p.MaxTitle, p.MaxBody, p.Ratings = reviews.MaxReviewTitle, reviews.MaxReviewBody, []int{5, 4, 3, 2, 1}
	var buf bytes.Buffer
	if err := reviewFormTmpl.Execute(&buf, p); err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	c.Response().Header().Set("Referrer-Policy", "no-referrer") // the token stays out of other sites' logs
	return c.HTMLBlob(status, buf.Bytes())
}

func reviewPageError(status int) string {
	switch status {
	case http.StatusUnauthorized:
		return "This review link is not valid or has expired."
	case http.StatusRequestEntityTooLarge:
		return "Your review is too long: please keep it under 5,000 characters."
	case http.StatusTooManyRequests:
		return "Too many reviews were sent just now. Please try again later."
	case http.StatusConflict:
		return "You have already reviewed this product. Thank you!"
	}
	return "Something went wrong. Please try again."
}
