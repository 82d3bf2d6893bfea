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

func (q quietLogger) Trace(ctx context.Context, begin time.Time, fc func() (string, int64), err error) {
	failed := err != nil && !errors.Is(err, gorm.ErrRecordNotFound)
	if failed || time.Since(begin) > q.slow {
		q.Interface.Trace(ctx, begin, fc, err)
	}
}
