package jobs

import "github.com/hibiken/asynq"

// registerParts adds the task handlers of loyalty, reviews, messaging and metrics.
func (w *Worker) registerParts(mux *asynq.ServeMux) {
	w.registerLoyalty(mux)
	w.registerMessaging(mux)
	w.registerReviews(mux)
	w.registerMetrics(mux)
	w.registerHistory(mux)
}

// scheduleParts adds their periodic tasks.
func (w *Worker) scheduleParts(s *asynq.Scheduler) error {
	if err := w.scheduleLoyalty(s); err != nil {
		return err
	}
	if err := w.scheduleMessaging(s); err != nil {
		return err
	}
	if err := w.scheduleReviews(s); err != nil {
		return err
	}
	if err := w.scheduleMetrics(s); err != nil {
		return err
	}
	return nil
}
