package handlers

import (
	"context"
	"html/template"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"gorm.io/gorm"

	"github.com/boomerang-app/boomerang/models"
)

// failedWebhooksPage lists deliveries the worker gave up on, newest first, with the command that
// sends them again. JSON with ?format=json.
func (s *Server) failedWebhooksPage(c echo.Context) error {
	list, err := models.FailedEvents(c.Request().Context(), s.DB, 500)
	if err != nil {
		return err
	}
	if c.QueryParam("format") == "json" {
		return c.JSON(http.StatusOK, map[string]any{"failed": list})
	}
	c.Response().Header().Set(echo.HeaderContentType, echo.MIMETextHTMLCharsetUTF8)
	c.Response().WriteHeader(http.StatusOK)
	return failedPage.Execute(c.Response(), list)
}

var failedPage = template.Must(template.New("failed").Parse(`<!doctype html>
<html lang="en"><meta charset="utf-8"><title>Failed webhooks · Boomerang ops</title>
<style>body{font:14px system-ui,sans-serif;margin:2rem;color:#202223}table{border-collapse:collapse}
td,th{border-bottom:1px solid #ddd;padding:.3rem .6rem;text-align:left;vertical-align:top}code{background:#f4f6f8;padding:0 .2rem}</style>
<h1>Failed webhook deliveries</h1>
<p>Deliveries that cannot be applied as they are: a body that does not parse, a value out of range, or retries
exhausted. They no longer block anything. Fix the cause, then send them to the workers again with
<code>boomerang replay-webhooks -id ID[,ID…]</code>, <code>-shop DOMAIN</code> or <code>-all</code>.</p>
{{if not .}}<p>None.</p>{{else}}
<table><thead><tr><th>id</th><th>shop</th><th>topic</th><th>webhook id</th><th>received</th><th>failed</th><th>attempts</th><th>reason</th></tr></thead><tbody>
{{range .}}<tr><td>{{.ID}}</td><td>{{.Shop}}</td><td>{{.Topic}}</td><td>{{.WebhookID}}</td><td>{{.ReceivedAt.UTC.Format "2006-01-02 15:04:05"}}</td><td>{{.FailedAt.UTC.Format "2006-01-02 15:04:05"}}</td><td>{{.Attempts}}</td><td>{{.LastError}}</td></tr>
{{end}}</tbody></table>{{end}}
</html>`))

// FailedWebhooksCollector exports boomerang_webhook_events_failed{topic}: deliveries waiting for
// an operator, counted in Postgres at scrape time, so every process reports the same truth.
func FailedWebhooksCollector(db *gorm.DB) prometheus.Collector { return failedCollector{db} }

type failedCollector struct{ db *gorm.DB }

var failedDesc = prometheus.NewDesc("boomerang_webhook_events_failed",
	"Webhook deliveries recorded as failed and waiting for an operator (boomerang replay-webhooks), by topic.", []string{"topic"}, nil)

func (failedCollector) Describe(ch chan<- *prometheus.Desc) { ch <- failedDesc }

func (f failedCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	counts, err := models.CountFailedEvents(ctx, f.db)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(failedDesc, err)
		return
	}
	for _, c := range counts {
		ch <- prometheus.MustNewConstMetric(failedDesc, prometheus.GaugeValue, float64(c.N), c.Topic)
	}
}
