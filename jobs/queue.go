// Package jobs is Boomerang's background edge (Asynq on Redis): task types and their
// constructors, the handlers that turn stored webhooks into domain effects, the sweeper and
// the periodic schedule. A handler decodes its payload and calls a use case of a domain under
// models/, giving it the Shopify port it names (shopify.Admin). What stays here is what spans
// the domains: the order drain, the event bus and dispatch, delivery, and the history import
// (History, a plain use case that tests and cmd/seedshop call without a worker).
package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
)

// Task types, "domain:action".
const (
	TypeWebhook        = "webhook:process"
	TypeInstall        = "shop:install"
	TypeSweepWebhooks  = "sweep:webhooks"
	TypeDispatchEvents = "events:dispatch"
)

// Queues, weighted: webhooks first, messages next, nightly batches last.
const (
	QueueCritical = "critical"
	QueueDefault  = "default"
	QueueLow      = "low"
)

// Queue enqueues tasks. It satisfies handlers.Queue.
type Queue struct {
	Client *asynq.Client
	Redis  redis.UniversalClient
}

// NewQueue connects to Redis from a redis:// URL.
func NewQueue(redisURL string) (*Queue, asynq.RedisConnOpt, error) {
	opt, err := asynq.ParseRedisURI(redisURL)
	if err != nil {
		return nil, nil, fmt.Errorf("REDIS_URL: %w", err)
	}
	rc, ok := opt.MakeRedisClient().(redis.UniversalClient)
	if !ok {
		return nil, nil, errors.New("REDIS_URL: unsupported redis client")
	}
	return &Queue{Client: asynq.NewClientFromRedisClient(rc), Redis: rc}, opt, nil
}

func (q *Queue) Close() error { return q.Client.Close() }

func (q *Queue) Ping(ctx context.Context) error { return q.Redis.Ping(ctx).Err() }

type idPayload struct {
	ID int64 `json:"id"`
}

// enqueue treats "already queued" as success: the task ids make enqueueing idempotent.
func (q *Queue) enqueue(ctx context.Context, t *asynq.Task, opts ...asynq.Option) error {
	_, err := q.Client.EnqueueContext(ctx, t, opts...)
	if errors.Is(err, asynq.ErrTaskIDConflict) || errors.Is(err, asynq.ErrDuplicateTask) {
		return nil
	}
	return err
}

// webhookMaxRetry is how often a webhook task is retried after a temporary error (about a day
// and a half with Asynq's default backoff) before its event is recorded as failed.
const webhookMaxRetry = 12

// EnqueueWebhook hands a stored webhook to the workers, once per stored event.
func (q *Queue) EnqueueWebhook(ctx context.Context, eventID int64, webhookID string) error {
	return q.enqueue(ctx, NewWebhookTask(eventID), asynq.TaskID(WebhookTaskID(eventID)),
		asynq.Queue(QueueCritical), asynq.MaxRetry(webhookMaxRetry), asynq.Timeout(2*time.Minute))
}

// WebhookTaskID is the task id of a stored event's task: one task per event.
func WebhookTaskID(eventID int64) string { return "wh:" + strconv.FormatInt(eventID, 10) }

// NewWebhookTask carries only the stored event's id: the row is the source of truth.
func NewWebhookTask(eventID int64) *asynq.Task {
	b, _ := json.Marshal(idPayload{eventID})
	return asynq.NewTask(TypeWebhook, b)
}

// EnqueueInstall seeds a newly known shop's defaults and profile.
func (q *Queue) EnqueueInstall(ctx context.Context, shopID int64) error {
	b, _ := json.Marshal(idPayload{shopID})
	return q.enqueue(ctx, asynq.NewTask(TypeInstall, b), asynq.TaskID("install:"+strconv.FormatInt(shopID, 10)),
		asynq.Queue(QueueDefault), asynq.MaxRetry(10))
}

// EnqueueDispatch asks messaging to decide on a shop's pending events. Unique for a few
// seconds: a burst of webhooks for one shop becomes one dispatch run.
func (q *Queue) EnqueueDispatch(ctx context.Context, shopID int64) error {
	b, _ := json.Marshal(idPayload{shopID})
	return q.enqueue(ctx, asynq.NewTask(TypeDispatchEvents, b), asynq.Unique(5*time.Second),
		asynq.Queue(QueueDefault), asynq.MaxRetry(10))
}

// Enqueue is the general form other parts use with their own task ids.
func (q *Queue) Enqueue(ctx context.Context, t *asynq.Task, opts ...asynq.Option) error {
	return q.enqueue(ctx, t, opts...)
}

func decodeID(t *asynq.Task) (int64, error) {
	var p idPayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil || p.ID == 0 {
		return 0, fmt.Errorf("%s: bad payload: %w", t.Type(), asynq.SkipRetry)
	}
	return p.ID, nil
}

// shopTask is a task whose payload names one shop ({"id"}).
func shopTask(typ string, shopID int64) *asynq.Task {
	b, _ := json.Marshal(idPayload{shopID})
	return asynq.NewTask(typ, b)
}

// perShop makes a use case that runs for one shop an Asynq handler of shopTask payloads.
func perShop(run func(ctx context.Context, shopID int64) error) asynq.HandlerFunc {
	return func(ctx context.Context, t *asynq.Task) error {
		shopID, err := decodeID(t)
		if err != nil {
			return err
		}
		return run(ctx, shopID)
	}
}
