package jobs

import (
	"errors"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"

	"github.com/boomerang-app/boomerang/models"
)

// webhookFailures counts deliveries given up on or dropped by the worker, by topic and reason
// (permanent, retries_exhausted, shop_uninstalled). The ones waiting for an operator are also
// counted from the database on /metrics (boomerang_webhook_events_failed).
var webhookFailures = promauto.NewCounterVec(prometheus.CounterOpts{
	Name: "boomerang_webhook_failures_total", Help: "Webhook deliveries the worker gave up on or dropped, by topic and reason.",
}, []string{"topic", "reason"})

// isPermanent reports whether applying a delivery failed in a way no retry can change: the body
// does not parse or lacks what the topic needs, or Postgres refused a value itself (class 22,
// data exception: a numeric overflow from a huge price, an invalid date; 23502/23514: a value a
// constraint forbids). Connection errors, deadlocks, serialization failures and unique or
// foreign-key races are temporary.
func isPermanent(err error) bool {
	if errors.Is(err, errBadPayload) || models.ErrorCode(err) == models.EInvalid {
		return true // the body lacks what the topic needs, or a rule refused a value in it
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return strings.HasPrefix(pgErr.Code, "22") || pgErr.Code == "23502" || pgErr.Code == "23514"
	}
	return false
}
