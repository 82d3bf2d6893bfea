-- +goose NO TRANSACTION
-- +goose Up
-- The order deliveries the batched drain may claim (models/webhook_inbox.go, `drainable`), by shop
-- in arrival order. Built concurrently: webhooks keep arriving while it builds.
CREATE INDEX CONCURRENTLY IF NOT EXISTS webhook_events_drain ON webhook_events (shop_id, id)
    WHERE processed_at IS NULL AND failed_at IS NULL AND attempts = 0 AND last_error = '' AND topic LIKE 'orders/%';

-- +goose Down
DROP INDEX CONCURRENTLY IF EXISTS webhook_events_drain;
