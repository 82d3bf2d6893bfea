-- +goose Up
-- Shopify subscription contracts, one row per contract with its current status. Webhooks
-- arrive out of order: (revision_id, status_at) of the stored status decides whether a
-- delivery is newer. Lines come from the GraphQL API (the webhook carries none).
CREATE TABLE subscription_contracts (
    id                       BIGSERIAL PRIMARY KEY,
    shop_id                  BIGINT NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    contract_id              BIGINT NOT NULL,
    customer_id              BIGINT NOT NULL DEFAULT 0,
    status                   TEXT NOT NULL,
    revision_id              BIGINT NOT NULL DEFAULT 0,
    status_at                TIMESTAMPTZ NOT NULL,
    currency                 TEXT NOT NULL DEFAULT '',
    billing_interval         TEXT NOT NULL DEFAULT '',
    billing_interval_count   INT NOT NULL DEFAULT 0,
    delivery_interval        TEXT NOT NULL DEFAULT '',
    delivery_interval_count  INT NOT NULL DEFAULT 0,
    origin_order_id          BIGINT NOT NULL DEFAULT 0,
    cancellation_reason      TEXT NOT NULL DEFAULT '',
    started_at               TIMESTAMPTZ NOT NULL,
    ended_at                 TIMESTAMPTZ,
    lines_revision           BIGINT NOT NULL DEFAULT -1,
    lines_fetched_at         TIMESTAMPTZ,
    created_at               TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at               TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (shop_id, contract_id)
);
CREATE INDEX subscription_contracts_customer ON subscription_contracts (shop_id, customer_id);

CREATE TABLE subscription_lines (
    shop_id      BIGINT NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    contract_id  BIGINT NOT NULL,
    position     INT NOT NULL,
    product_id   BIGINT NOT NULL DEFAULT 0,
    variant_id   BIGINT NOT NULL DEFAULT 0,
    title        TEXT NOT NULL DEFAULT '',
    quantity     INT NOT NULL DEFAULT 0,
    PRIMARY KEY (shop_id, contract_id, position)
);
CREATE INDEX subscription_lines_product ON subscription_lines (shop_id, product_id);

-- Every status report, applied or not (an older one arriving late is kept with applied=false).
CREATE TABLE subscription_status_history (
    id                BIGSERIAL PRIMARY KEY,
    shop_id           BIGINT NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    contract_id       BIGINT NOT NULL,
    customer_id       BIGINT NOT NULL DEFAULT 0,
    topic             TEXT NOT NULL,
    status            TEXT NOT NULL,
    revision_id       BIGINT NOT NULL DEFAULT 0,
    reason            TEXT NOT NULL DEFAULT '',
    occurred_at       TIMESTAMPTZ NOT NULL,
    webhook_event_id  BIGINT NOT NULL,
    applied           BOOLEAN NOT NULL,
    created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (shop_id, webhook_event_id)
);
CREATE INDEX subscription_status_history_contract ON subscription_status_history (shop_id, contract_id, occurred_at);
CREATE INDEX subscription_status_history_status ON subscription_status_history (shop_id, status, occurred_at) WHERE applied;

-- +goose Down
DROP TABLE subscription_status_history, subscription_lines, subscription_contracts;
