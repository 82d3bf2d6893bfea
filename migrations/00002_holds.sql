-- +goose Up
-- Promotional holds: while one is active, promotional messages to the customer are held.
-- Reviews (negative_review, open_case) and subscriptions (recent_cancellation) place them;
-- the policy engine reads them; the Shopify tag mirrors them for other tools.
CREATE TABLE holds (
    id             BIGSERIAL PRIMARY KEY,
    shop_id        BIGINT NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    customer_id    BIGINT NOT NULL,
    kind           TEXT NOT NULL DEFAULT 'promotional',
    reason         TEXT NOT NULL,
    source_type    TEXT NOT NULL,
    source_id      TEXT NOT NULL,
    until          TIMESTAMPTZ,
    released_at    TIMESTAMPTZ,
    tag_synced     BOOLEAN NOT NULL DEFAULT false,
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (shop_id, customer_id, reason, source_type, source_id)
);
CREATE INDEX holds_active ON holds (shop_id, customer_id) WHERE released_at IS NULL;
CREATE INDEX holds_unsynced ON holds (shop_id) WHERE NOT tag_synced;

-- +goose Down
DROP TABLE holds;
