package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/hibiken/asynq"

	"github.com/boomerang-app/boomerang/delivery"
	"github.com/boomerang-app/boomerang/models/reviews"
	"github.com/boomerang-app/boomerang/sentiment"
)

// Review task types.
const (
	TypeReviewScore    = "reviews:score"    // {"shop_id","review_id"}: score one new review
	TypeReviewRescore  = "reviews:rescore"  // {"id": shop}: score what the current scorer has not
	TypeReviewRequests = "reviews:requests" // {"id": shop}: send due review requests and reminders
	TypeReviewAlert    = "reviews:alert"    // {"id": alert}: email the merchant about a negative review
	TypeReviewSweep    = "reviews:sweep"    // periodic fan-out of the three above
)

const (
	rescoreBudget    = 50 * time.Second // one rescore run; the next sweep continues
	rescoreBatch     = 200
	requestBatch     = 500
	alertSweepAge    = time.Minute
	reviewSweepEvery = "@every 1m"
)

type reviewScorePayload struct {
	ShopID   int64 `json:"shop_id"`
	ReviewID int64 `json:"review_id"`
}

// EnqueueReviewScore scores a review on arrival. The task id carries the scorer version, so a
// review is scored once per version however often this is called.
func (q *Queue) EnqueueReviewScore(ctx context.Context, shopID, reviewID int64) error {
	b, _ := json.Marshal(reviewScorePayload{shopID, reviewID})
	return q.enqueue(ctx, asynq.NewTask(TypeReviewScore, b),
		asynq.TaskID("reviews:score:"+strconv.FormatInt(reviewID, 10)+":"+sentiment.Version),
		asynq.Queue(QueueDefault), asynq.MaxRetry(10), asynq.Timeout(time.Minute))
}

// EnqueueReviewRescore asks for a shop's unscored or outdated reviews to be scored (after an
// import, by the sweep).
func (q *Queue) EnqueueReviewRescore(ctx context.Context, shopID int64) error {
	b, _ := json.Marshal(idPayload{shopID})
	return q.enqueue(ctx, asynq.NewTask(TypeReviewRescore, b), asynq.TaskID("reviews:rescore:"+strconv.FormatInt(shopID, 10)),
		asynq.Queue(QueueLow), asynq.MaxRetry(5), asynq.Timeout(2*rescoreBudget))
}

// EnqueueReviewRequests asks for a shop's due review requests to be decided.
func (q *Queue) EnqueueReviewRequests(ctx context.Context, shopID int64) error {
	b, _ := json.Marshal(idPayload{shopID})
	return q.enqueue(ctx, asynq.NewTask(TypeReviewRequests, b), asynq.TaskID("reviews:requests:"+strconv.FormatInt(shopID, 10)),
		asynq.Queue(QueueDefault), asynq.MaxRetry(5), asynq.Timeout(5*time.Minute))
}

// EnqueueReviewAlert delivers one merchant alert.
func (q *Queue) EnqueueReviewAlert(ctx context.Context, alertID int64) error {
	b, _ := json.Marshal(idPayload{alertID})
	return q.enqueue(ctx, asynq.NewTask(TypeReviewAlert, b), asynq.TaskID("reviews:alert:"+strconv.FormatInt(alertID, 10)),
		asynq.Queue(QueueDefault), asynq.MaxRetry(8), asynq.Timeout(time.Minute))
}

func (w *Worker) registerReviews(mux *asynq.ServeMux) {
	mux.HandleFunc(TypeReviewScore, w.handleReviewScore)
	mux.HandleFunc(TypeReviewRescore, w.handleReviewRescore)
	mux.HandleFunc(TypeReviewRequests, w.handleReviewRequests)
	mux.HandleFunc(TypeReviewAlert, w.handleReviewAlert)
	mux.HandleFunc(TypeReviewSweep, w.handleReviewSweep)
	mux.HandleFunc(TypeRatingMetafields, perShop(w.publishRatings))
	mux.HandleFunc(TypeReviewPhotos, perShop(w.syncPhotos))
}

func (w *Worker) scheduleReviews(s *asynq.Scheduler) error {
	if _, err := s.Register(reviewSweepEvery, asynq.NewTask(TypeReviewSweep, nil), asynq.TaskID(TypeReviewSweep),
		asynq.Queue(QueueLow)); err != nil {
		return fmt.Errorf("schedule review sweep: %w", err)
	}
	return nil
}

func (w *Worker) handleReviewScore(ctx context.Context, t *asynq.Task) error {
	var p reviewScorePayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil || p.ShopID == 0 || p.ReviewID == 0 {
		return fmt.Errorf("%s: bad payload: %w", t.Type(), asynq.SkipRetry)
	}
	return w.scoreReview(ctx, p.ShopID, p.ReviewID)
}

// scoreReview scores one review. What it caused travels as events: the case's negative_review
// reaches messaging and the merchant alert through the bus (bus.go), as the review's own
// review_submitted reaches loyalty, so a dispatch follows every score.
func (w *Worker) scoreReview(ctx context.Context, shopID, reviewID int64) error {
	out, err := reviews.ScoreReview(ctx, w.DB, shopID, reviewID, w.now())
	if err != nil {
		return err
	}
	if out.CaseID != 0 {
		w.Log.Info("make-it-right case opened", "shop_id", shopID, "review_id", reviewID, "case_id", out.CaseID)
	}
	if w.Queue != nil {
		_ = w.Queue.EnqueueDispatch(ctx, shopID)         // the sweeper dispatches what a lost enqueue leaves
		_ = w.Queue.EnqueueRatingMetafields(ctx, shopID) // a published review moves the rating; the sweep catches a lost enqueue
	}
	return nil
}

// handleReviewRescore scores a shop's waiting reviews for up to rescoreBudget; the sweep
// enqueues it again while any remain.
func (w *Worker) handleReviewRescore(ctx context.Context, t *asynq.Task) error {
	shopID, err := decodeID(t)
	if err != nil {
		return err
	}
	deadline := time.Now().Add(rescoreBudget)
	for time.Now().Before(deadline) {
		ids, err := reviews.ReviewsToScore(ctx, w.DB, shopID, rescoreBatch)
		if err != nil {
			return err
		}
		if len(ids) == 0 {
			return nil
		}
		for _, id := range ids {
			if err := w.scoreReview(ctx, shopID, id); err != nil {
				return err
			}
		}
	}
	return nil
}

func (w *Worker) handleReviewRequests(ctx context.Context, t *asynq.Task) error {
	shopID, err := decodeID(t)
	if err != nil {
		return err
	}
	key := delivery.ReviewLinkKey(w.Cfg.ShopifyAPISecret)
	link := func(g reviews.ReviewGrant, exp time.Time) string {
		return reviews.ReviewLinkURL(g.Shop, delivery.Sign(key, delivery.PurposeReview, g.Fields(), exp))
	}
	run, err := reviews.ProcessDueReviewRequests(ctx, w.DB, shopID, w.now(), link, requestBatch)
	if err != nil {
		return err
	}
	if run.Sent+run.Reminded > 0 && w.Queue != nil {
		_ = w.Queue.EnqueueDispatch(ctx, shopID)
	}
	if run != (reviews.RequestRun{}) {
		w.Log.Info("review requests decided", "shop_id", shopID, "sent", run.Sent, "reminded", run.Reminded,
			"skipped", run.Skipped, "waiting", run.Waiting, "completed", run.Completed)
	}
	return nil
}

// handleReviewSweep is the periodic fan-out: due requests, waiting reviews, undelivered
// alerts, held reviews past their shop's publishing window, photos to upload or delete, and
// stale rating metafields.
func (w *Worker) handleReviewSweep(ctx context.Context, _ *asynq.Task) error {
	now := w.now()
	shops, err := reviews.ShopsWithDueReviewRequests(ctx, w.DB, now)
	if err != nil {
		return err
	}
	for _, id := range shops {
		if err := w.Queue.EnqueueReviewRequests(ctx, id); err != nil {
			return err
		}
	}
	shops, err = reviews.ShopsWithReviewsToScore(ctx, w.DB)
	if err != nil {
		return err
	}
	for _, id := range shops {
		if err := w.Queue.EnqueueReviewRescore(ctx, id); err != nil {
			return err
		}
	}
	alerts, err := reviews.UnsentAlerts(ctx, w.DB, now.Add(-alertSweepAge), 500)
	if err != nil {
		return err
	}
	for _, id := range alerts {
		if err := w.Queue.EnqueueReviewAlert(ctx, id); err != nil {
			return err
		}
	}
	if n, err := reviews.PublishHeldReviews(ctx, w.DB, now); err != nil {
		return err
	} else if n > 0 {
		w.Log.Info("held reviews published after the moderation window", "reviews", n)
	}
	if err := w.sweepReviewPhotos(ctx); err != nil {
		return err
	}
	return w.sweepRatingMetafields(ctx, now)
}
