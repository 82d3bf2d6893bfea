package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/hibiken/asynq"

	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/models/loyalty"
)

// Loyalty's background work: the nightly run per shop (expiry, reminders, tier decay,
// referral payouts, birthdays) and issuing reward discount codes in Shopify.
const (
	TypeLoyaltyNightly     = "loyalty:nightly"      // fan-out: one shop task per installed shop and date
	TypeLoyaltyShopNightly = "loyalty:shop_nightly" // payload {"id": shopID, "date": "2006-01-02"}
	TypeRewardIssue        = "loyalty:issue_reward" // payload {"shop_id", "id"}
	TypeRewardSweep        = "loyalty:reward_sweep" // re-issues redemptions still pending
)

// rewardSweepAge is how long a redemption may wait for Shopify before the sweep retries it
// (the storefront request tries once itself).
const rewardSweepAge = 30 * time.Second

type shopDatePayload struct {
	ID   int64  `json:"id"`
	Date string `json:"date"`
}

type redemptionPayload struct {
	ShopID int64 `json:"shop_id"`
	ID     int64 `json:"id"`
}

func (w *Worker) registerLoyalty(mux *asynq.ServeMux) {
	mux.HandleFunc(TypeLoyaltyNightly, w.handleLoyaltyNightly)
	mux.HandleFunc(TypeLoyaltyShopNightly, w.handleLoyaltyShopNightly)
	mux.HandleFunc(TypeRewardIssue, w.handleRewardIssue)
	mux.HandleFunc(TypeRewardSweep, w.handleRewardSweep)
}

func (w *Worker) scheduleLoyalty(s *asynq.Scheduler) error {
	if _, err := s.Register("15 3 * * *", asynq.NewTask(TypeLoyaltyNightly, nil), asynq.TaskID(TypeLoyaltyNightly),
		asynq.Queue(QueueLow)); err != nil {
		return fmt.Errorf("schedule loyalty nightly: %w", err)
	}
	if _, err := s.Register("@every 1m", asynq.NewTask(TypeRewardSweep, nil), asynq.TaskID(TypeRewardSweep),
		asynq.Queue(QueueDefault)); err != nil {
		return fmt.Errorf("schedule reward sweep: %w", err)
	}
	return nil
}

// handleLoyaltyNightly enqueues one nightly task per installed shop for today's date; the
// task id makes a second fan-out the same day a no-op.
func (w *Worker) handleLoyaltyNightly(ctx context.Context, _ *asynq.Task) error {
	date := w.now().UTC().Format(time.DateOnly)
	return w.fanOut(ctx, func(id int64) error { return w.Queue.EnqueueLoyaltyNightly(ctx, id, date) })
}

// EnqueueLoyaltyNightly queues one shop's nightly loyalty run for a date, once.
func (q *Queue) EnqueueLoyaltyNightly(ctx context.Context, shopID int64, date string) error {
	b, _ := json.Marshal(shopDatePayload{ID: shopID, Date: date})
	return q.enqueue(ctx, asynq.NewTask(TypeLoyaltyShopNightly, b),
		asynq.TaskID("loyalty-nightly:"+strconv.FormatInt(shopID, 10)+":"+date), asynq.Retention(48*time.Hour),
		asynq.Queue(QueueLow), asynq.MaxRetry(10), asynq.Timeout(30*time.Minute))
}

func (w *Worker) handleLoyaltyShopNightly(ctx context.Context, t *asynq.Task) error {
	var p shopDatePayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil || p.ID == 0 {
		return fmt.Errorf("%s: bad payload: %w", t.Type(), asynq.SkipRetry)
	}
	rep, err := loyalty.RunLoyaltyNightly(ctx, w.DB, p.ID, w.now())
	if err != nil {
		return fmt.Errorf("loyalty nightly of shop %d: %w", p.ID, err)
	}
	w.Log.Info("loyalty nightly", "shop_id", p.ID, "date", p.Date, "expired", rep.Expired, "reminders", rep.Reminders,
		"tiers_checked", rep.TiersChecked, "referrals_checked", rep.ReferralsPaid, "birthdays", rep.Birthdays)
	return nil
}

// EnqueueRewardIssue asks a worker to (re)try creating a pending redemption's discount code.
// The attempt count is part of the task id, so a sweep can queue a new try after an old one
// gave up, while duplicates of one try collapse.
func (q *Queue) EnqueueRewardIssue(ctx context.Context, shopID, redemptionID int64, attempt int) error {
	b, _ := json.Marshal(redemptionPayload{ShopID: shopID, ID: redemptionID})
	return q.enqueue(ctx, asynq.NewTask(TypeRewardIssue, b),
		asynq.TaskID(fmt.Sprintf("reward:%d:%d", redemptionID, attempt)),
		asynq.Queue(QueueDefault), asynq.MaxRetry(3), asynq.Timeout(2*time.Minute))
}

func (w *Worker) handleRewardIssue(ctx context.Context, t *asynq.Task) error {
	var p redemptionPayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil || p.ID == 0 || p.ShopID == 0 {
		return fmt.Errorf("%s: bad payload: %w", t.Type(), asynq.SkipRetry)
	}
	sh, err := models.GetShop(ctx, w.DB, p.ShopID)
	if models.ErrorCode(err) == models.ENotFound {
		return nil
	}
	if err != nil {
		return err
	}
	if w.Admin == nil {
		return errors.New("issue reward: no Admin API client configured")
	}
	r, err := loyalty.IssueRedemption(ctx, w.DB, w.Admin, sh.Domain, p.ShopID, p.ID, w.now())
	if models.ErrorCode(err) == models.ENotFound {
		return nil
	}
	if err != nil {
		return err
	}
	w.Log.Info("reward issue attempt", "shop", sh.Domain, "redemption", r.ID, "status", r.Status)
	return nil
}

// handleRewardSweep retries redemptions that are still waiting for Shopify.
func (w *Worker) handleRewardSweep(ctx context.Context, _ *asynq.Task) error {
	rs, err := loyalty.PendingRedemptions(ctx, w.DB, w.now().Add(-rewardSweepAge), 500)
	if err != nil {
		return err
	}
	for _, r := range rs {
		if err := w.Queue.EnqueueRewardIssue(ctx, r.ShopID, r.ID, r.Attempts); err != nil {
			return err
		}
	}
	return nil
}
