package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
	"gorm.io/gorm"

	"github.com/boomerang-app/boomerang/config"
	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/shopify"
)

// Worker holds what task handlers need.
type Worker struct {
	Cfg   *config.Config
	DB    *gorm.DB
	Queue *Queue
	Admin *shopify.Admin
	Log   *slog.Logger
	// Now is the clock for rules that depend on time; tests move it.
	Now func() time.Time
	// OnUninstall lets the HTTP edge forget per-process caches (wired in cmd).
	OnUninstall func(shop string)
	// sweepCursor is the id the sweeper's next run continues after (0: from the oldest).
	sweepCursor atomic.Int64
	// importsDone holds the shops whose history import this process saw finished.
	importsDone sync.Map
}

func (w *Worker) now() time.Time {
	if w.Now != nil {
		return w.Now()
	}
	return time.Now()
}

// fanOut calls enqueue once per installed shop, in id order, and stops at the first error: the
// periodic task then fails and Asynq retries it, and the per-shop task ids make the shops
// already enqueued no-ops the second time.
func (w *Worker) fanOut(ctx context.Context, enqueue func(shopID int64) error) error {
	ids, err := models.InstalledShopIDs(ctx, w.DB)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if err := enqueue(id); err != nil {
			return err
		}
	}
	return nil
}

var tasksTotal = promauto.NewCounterVec(prometheus.CounterOpts{
	Name: "boomerang_jobs_total", Help: "Background tasks by type and outcome.",
}, []string{"type", "outcome"})

// Mux routes every task type to its handler.
func (w *Worker) Mux() *asynq.ServeMux {
	mux := asynq.NewServeMux()
	mux.Use(w.observe)
	mux.HandleFunc(TypeWebhook, w.handleWebhook)
	mux.HandleFunc(TypeInstall, w.handleInstall)
	mux.HandleFunc(TypeSweepWebhooks, w.handleSweep)
	w.registerParts(mux)
	return mux
}

func (w *Worker) observe(next asynq.Handler) asynq.Handler {
	return asynq.HandlerFunc(func(ctx context.Context, t *asynq.Task) error {
		err := next.ProcessTask(ctx, t)
		outcome := "ok"
		if err != nil {
			outcome = "error"
			w.Log.Warn("task failed", "type", t.Type(), "error", err)
		}
		tasksTotal.WithLabelValues(t.Type(), outcome).Inc()
		return err
	})
}

// NewServer builds the Asynq server with weighted queues and a graceful shutdown window.
func (w *Worker) NewServer(opt asynq.RedisConnOpt) *asynq.Server {
	return asynq.NewServer(opt, asynq.Config{
		Concurrency: w.Cfg.WorkerConcurrency,
		Queues:      map[string]int{QueueCritical: 6, QueueDefault: 3, QueueLow: 1},
		// Idle workers poll Redis; the default 1 s makes a webhook wait ~0.5–1.5 s before it is
		// picked up. 100 ms keeps order → points in the ~100 ms range for a few Lua calls a second.
		TaskCheckInterval: 100 * time.Millisecond,
		ShutdownTimeout:   w.Cfg.ShutdownTimeout,
		Logger:            slogAdapter{w.Log},
		LogLevel:          asynq.WarnLevel,
		ErrorHandler: asynq.ErrorHandlerFunc(func(ctx context.Context, t *asynq.Task, err error) {
			if n, last := lastAttempt(ctx); last {
				w.Log.Error("task gave up", "type", t.Type(), "retries", n, "error", err)
			}
		}),
	})
}

// NewScheduler registers periodic work. Static task ids keep at most one pending copy of each
// periodic task, so several worker processes may run schedulers without duplicating work.
func (w *Worker) NewScheduler(opt asynq.RedisConnOpt) (*asynq.Scheduler, error) {
	s := asynq.NewScheduler(opt, &asynq.SchedulerOpts{Location: time.UTC, Logger: slogAdapter{w.Log}, LogLevel: asynq.WarnLevel})
	if _, err := s.Register("@every 1m", asynq.NewTask(TypeSweepWebhooks, nil), asynq.TaskID("sweep:webhooks"), asynq.Queue(QueueLow)); err != nil {
		return nil, fmt.Errorf("schedule sweep: %w", err)
	}
	if err := w.scheduleParts(s); err != nil {
		return nil, err
	}
	return s, nil
}

type slogAdapter struct{ l *slog.Logger }

func (a slogAdapter) Debug(args ...any) { a.l.Debug(fmt.Sprint(args...)) }
func (a slogAdapter) Info(args ...any)  { a.l.Info(fmt.Sprint(args...)) }
func (a slogAdapter) Warn(args ...any)  { a.l.Warn(fmt.Sprint(args...)) }
func (a slogAdapter) Error(args ...any) { a.l.Error(fmt.Sprint(args...)) }
func (a slogAdapter) Fatal(args ...any) { a.l.Error(fmt.Sprint(args...)) }

// lastAttempt reports how many times the running task was retried and whether this attempt is
// its last: after it fails, Asynq archives the task.
func lastAttempt(ctx context.Context) (retried int, last bool) {
	n, _ := asynq.GetRetryCount(ctx)
	max, ok := asynq.GetMaxRetry(ctx)
	return n, ok && n >= max
}
