-- +goose Up
-- Usage charged above a paid plan's orders: one row per block of orders charged in a month, so a
-- block is charged once however often the charge runs (the usage record's idempotency key in
-- Shopify is the same business key).
CREATE TABLE app_usage_charges (
    shop_id         bigint NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    subscription_id text NOT NULL,
    month           date NOT NULL,
    block           int NOT NULL CHECK (block > 0),
    price           numeric(12, 2) NOT NULL,
    record_id       text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (shop_id, subscription_id, month, block)
);

-- +goose Down
DROP TABLE app_usage_charges;
