package models

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// quietLogger passes to GORM's slog logger only the statements it will print (errors and slow
// queries). GORM's slog logger renders every statement with its values before deciding, which
// on the webhook path cost more than the insert itself.
type quietLogger struct {
	logger.Interface
	slow time.Duration
}

func (q quietLogger) LogMode(l logger.LogLevel) logger.Interface {
	return quietLogger{Interface: q.Interface.LogMode(l), slow: q.slow}
}

// ParamsFilter hands on the wrapped logger's filter (ParameterizedQueries): GORM looks for it
// on the logger it holds, and without it renders every failed statement with its values.
func (q quietLogger) ParamsFilter(ctx context.Context, sql string, params ...any) (string, []any) {
	if f, ok := q.Interface.(gorm.ParamsFilter); ok {
		return f.ParamsFilter(ctx, sql, params...)
	}
	return sql, params
}

func (q quietLogger) Trace(ctx context.Context, begin time.Time, fc func() (string, int64), err error) {
	failed := err != nil && !errors.Is(err, gorm.ErrRecordNotFound)
	if failed || time.Since(begin) > q.slow {
		q.Interface.Trace(ctx, begin, fc, err)
	}
}

// GORM's Raw(...).Scan records its statement through a trace recorder of its own, which renders
// the statement with every value whether or not anything is logged, and whose text is what the
// logger above prints on an error: customer data and all. The recorder keeps the statement
// without its values instead. The hot paths read with Raw(...).Find, which goes through the
// logger above and renders nothing unless it prints.
func init() {
	logger.RecorderParamsFilter = func(_ context.Context, sql string, _ ...any) (string, []any) { return sql, nil }
}
