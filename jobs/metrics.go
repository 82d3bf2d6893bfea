package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/hibiken/asynq"

	"github.com/boomerang-app/boomerang/models/insights"
)

// The scorecard's rollups (insights.RefreshMetrics) are refreshed before every scorecard
// request; this keeps them warm so that request only ever folds in a few minutes of changes,
// and once a day rebuilds each shop from its facts as a safety net.
const (
	TypeMetricsSweep   = "metrics:sweep"   // fan-out: one refresh per installed shop and slot
	TypeMetricsRefresh = "metrics:refresh" // payload {"id": shopID}

	metricsEvery   = 15 * time.Minute
	metricsRebuild = 24 * time.Hour
)

func (w *Worker) registerMetrics(mux *asynq.ServeMux) {
	mux.HandleFunc(TypeMetricsSweep, w.handleMetricsSweep)
	mux.HandleFunc(TypeMetricsRefresh, w.handleMetricsRefresh)
}

func (w *Worker) scheduleMetrics(s *asynq.Scheduler) error {
	if _, err := s.Register("@every 15m", asynq.NewTask(TypeMetricsSweep, nil), asynq.TaskID(TypeMetricsSweep),
		asynq.Queue(QueueLow)); err != nil {
		return fmt.Errorf("schedule metrics sweep: %w", err)
	}
	return nil
}

// handleMetricsSweep enqueues one refresh per installed shop; the slot in the task id makes a
// second sweep in the same slot a no-op.
func (w *Worker) handleMetricsSweep(ctx context.Context, _ *asynq.Task) error {
	slot := w.now().UTC().Truncate(metricsEvery).Format("2006-01-02T15:04")
	return w.fanOut(ctx, func(id int64) error {
		b, _ := json.Marshal(map[string]int64{"id": id})
		return w.Queue.Enqueue(ctx, asynq.NewTask(TypeMetricsRefresh, b),
			asynq.TaskID("metrics:"+strconv.FormatInt(id, 10)+":"+slot), asynq.Retention(time.Hour),
			asynq.Queue(QueueLow), asynq.MaxRetry(3), asynq.Timeout(10*time.Minute))
	})
}

func (w *Worker) handleMetricsRefresh(ctx context.Context, t *asynq.Task) error {
	id, err := decodeID(t)
	if err != nil {
		return err
	}
	r, err := insights.RefreshMetrics(ctx, w.DB, id, insights.RefreshOptions{RebuildOlderThan: metricsRebuild})
	if err != nil {
		return err
	}
	if !r.Skipped {
		w.Log.Info("metrics refreshed", "shop_id", id, "rebuilt", r.Rebuilt, "customers", r.Customers, "days", r.Days, "took", r.Took)
	}
	return nil
}
