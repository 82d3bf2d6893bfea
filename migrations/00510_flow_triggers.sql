-- +goose Up
-- Shopify Flow triggers (issue 12). Flow's lifecycle callback says whether a shop has an
-- enabled workflow that starts with one of Boomerang's triggers; a newer callback wins.
CREATE TABLE flow_trigger_usage (
    shop_id       BIGINT NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    definition_id TEXT NOT NULL,
    enabled       BOOLEAN NOT NULL,
    changed_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (shop_id, definition_id)
);

-- The triggers to send, written with their cause and sent by a job: once per (handle, key)
-- however often the cause is seen again.
CREATE TABLE flow_trigger_sends (
    id          BIGSERIAL PRIMARY KEY,
    shop_id     BIGINT NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    handle      TEXT NOT NULL,
    key         TEXT NOT NULL,
    customer_id BIGINT NOT NULL,
    payload     JSONB NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    sent_at     TIMESTAMPTZ,
    failed      TEXT NOT NULL DEFAULT '',
    UNIQUE (shop_id, handle, key)
);
CREATE INDEX flow_trigger_sends_pending ON flow_trigger_sends (shop_id, id) WHERE sent_at IS NULL;

-- +goose Down
DROP TABLE flow_trigger_sends;
DROP TABLE flow_trigger_usage;
