// Package migrations holds the versioned SQL schema, applied by goose (see models.Migrate).
// Number ranges keep parallel work apart: 000xx foundation, 001xx loyalty, 002xx reviews,
// 003xx messaging and subscriptions, 004xx admin and metrics.
package migrations

import "embed"

//go:embed *.sql
var FS embed.FS
