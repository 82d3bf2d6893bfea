package main

import (
	"html/template"
	"net/http"
	"slices"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/boomerang-app/boomerang/delivery/mailsink"
)

// devMailKeep bounds the dev mail catcher's memory; a demo shop sends a few dozen messages.
const devMailKeep = 500

// devMailRoutes shows what `boomerang dev` would have mailed: /dev/mail for people,
// /dev/mail.json for the browser tests. Newest first.
func devMailRoutes(e *echo.Echo, sink *mailsink.Sink) {
	e.GET("/dev/mail.json", func(c echo.Context) error {
		return c.JSON(http.StatusOK, map[string]any{"messages": devMailList(sink)})
	})
	e.GET("/dev/mail", func(c echo.Context) error {
		c.Response().Header().Set(echo.HeaderContentType, echo.MIMETextHTMLCharsetUTF8)
		c.Response().Header().Set("Cache-Control", "no-store")
		return devMailPage.Execute(c.Response(), devMailList(sink))
	})
}

type devMail struct {
	ReceivedAt time.Time `json:"received_at"`
	From       string    `json:"from"`
	To         []string  `json:"to"`
	Subject    string    `json:"subject"`
	Text       string    `json:"text"`
	HTML       string    `json:"html"`
}

func devMailList(sink *mailsink.Sink) []devMail {
	msgs := sink.Messages()
	out := make([]devMail, 0, len(msgs))
	for _, m := range slices.Backward(msgs) {
		out = append(out, devMail{ReceivedAt: m.ReceivedAt, From: m.From, To: m.To, Subject: m.Subject, Text: m.Text, HTML: m.HTML})
	}
	return out
}

// The HTML part is shown in a sandboxed frame: merchant templates may hold anything.
var devMailPage = template.Must(template.New("mail").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Mail caught by boomerang dev</title>
<style>body{font:14px system-ui,sans-serif;margin:2rem;max-width:60rem}details{border:1px solid #ccc;border-radius:6px;margin:.5rem 0;padding:.5rem 1rem}
summary{cursor:pointer}iframe{width:100%;height:24rem;border:1px solid #eee}pre{white-space:pre-wrap}</style></head>
<body><h1>Mail caught by <code>boomerang dev</code></h1>
<p>Nothing here leaves this machine: without <code>SMTP_URL</code>, <code>boomerang dev</code> sends through a local SMTP sink. Newest first; reload to refresh.</p>
{{range .}}<details><summary>{{.ReceivedAt.Format "15:04:05"}} · to {{range $i, $t := .To}}{{if $i}}, {{end}}{{$t}}{{end}} · <strong>{{.Subject}}</strong></summary>
{{if .HTML}}<iframe sandbox title="{{.Subject}}" srcdoc="{{.HTML}}"></iframe>{{end}}
<pre>{{.Text}}</pre></details>
{{else}}<p>No mail yet.</p>{{end}}
</body></html>`))
