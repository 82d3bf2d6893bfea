-- +goose Up
-- The shop's plan, as Shopify bills it: one row per app subscription Boomerang asked for,
-- keyed by Shopify's id, its status kept current from app_subscriptions/update (a stale
-- delivery, older than the status held, changes nothing). The plan in force is the latest
-- ACTIVE row's; without one the shop is on the free plan.
CREATE TABLE app_subscriptions (
    shop_id         bigint NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    subscription_id text NOT NULL,
    plan            text NOT NULL,
    status          text NOT NULL,
    test            boolean NOT NULL DEFAULT false,
    status_at       timestamptz NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (shop_id, subscription_id)
);
CREATE INDEX app_subscriptions_active ON app_subscriptions (shop_id, status_at DESC) WHERE status = 'ACTIVE';

-- +goose Down
DROP TABLE app_subscriptions;
