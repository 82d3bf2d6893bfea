-- +goose Up
CREATE TABLE shops (
    id                        BIGSERIAL PRIMARY KEY,
    domain                    TEXT NOT NULL UNIQUE,
    name                      TEXT NOT NULL DEFAULT '',
    email                     TEXT NOT NULL DEFAULT '',
    currency                  TEXT NOT NULL DEFAULT 'USD',
    timezone                  TEXT NOT NULL DEFAULT 'UTC',
    status                    TEXT NOT NULL DEFAULT 'installed' CHECK (status IN ('installed', 'uninstalled')),
    scopes                    TEXT NOT NULL DEFAULT '',
    access_token              BYTEA,
    access_token_expires_at   TIMESTAMPTZ,
    refresh_token             BYTEA,
    refresh_token_expires_at  TIMESTAMPTZ,
    installed_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    uninstalled_at            TIMESTAMPTZ,
    seeded_at                 TIMESTAMPTZ,
    created_at                TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at                TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- The inbox: every verified delivery, stored before it is acknowledged. Jobs replay from here.
CREATE TABLE webhook_events (
    id            BIGSERIAL PRIMARY KEY,
    shop_id       BIGINT NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    topic         TEXT NOT NULL,
    webhook_id    TEXT NOT NULL,
    event_id      TEXT NOT NULL DEFAULT '',
    triggered_at  TIMESTAMPTZ,
    api_version   TEXT NOT NULL DEFAULT '',
    body          BYTEA NOT NULL,
    received_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    processed_at  TIMESTAMPTZ,
    attempts      INT NOT NULL DEFAULT 0,
    last_error    TEXT NOT NULL DEFAULT '',
    UNIQUE (shop_id, webhook_id)
);
CREATE INDEX webhook_events_pending ON webhook_events (received_at) WHERE processed_at IS NULL;

-- Facts from Shopify. customer_id columns everywhere hold the Shopify customer id.
CREATE TABLE customers (
    id                   BIGSERIAL PRIMARY KEY,
    shop_id              BIGINT NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    customer_id          BIGINT NOT NULL,
    email                TEXT NOT NULL DEFAULT '',
    phone                TEXT NOT NULL DEFAULT '',
    first_name           TEXT NOT NULL DEFAULT '',
    last_name            TEXT NOT NULL DEFAULT '',
    state                TEXT NOT NULL DEFAULT '',
    tags                 TEXT NOT NULL DEFAULT '',
    email_consent        TEXT NOT NULL DEFAULT '',
    sms_consent          TEXT NOT NULL DEFAULT '',
    timezone             TEXT NOT NULL DEFAULT '',
    birthday             DATE,
    stage                TEXT NOT NULL DEFAULT 'none',
    orders_count         INT NOT NULL DEFAULT 0,
    total_spent          NUMERIC(20, 2) NOT NULL DEFAULT 0,
    first_order_at       TIMESTAMPTZ,
    last_order_at        TIMESTAMPTZ,
    shopify_updated_at   TIMESTAMPTZ,
    redacted_at          TIMESTAMPTZ,
    created_at           TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at           TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (shop_id, customer_id)
);
CREATE INDEX customers_email ON customers (shop_id, lower(email));

CREATE TABLE orders (
    id                   BIGSERIAL PRIMARY KEY,
    shop_id              BIGINT NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    order_id             BIGINT NOT NULL,
    customer_id          BIGINT,
    name                 TEXT NOT NULL DEFAULT '',
    email                TEXT NOT NULL DEFAULT '',
    currency             TEXT NOT NULL DEFAULT '',
    subtotal             NUMERIC(20, 2) NOT NULL DEFAULT 0,  -- after discounts, before shipping and tax
    total                NUMERIC(20, 2) NOT NULL DEFAULT 0,
    financial_status     TEXT NOT NULL DEFAULT '',
    test                 BOOLEAN NOT NULL DEFAULT false,
    discount_codes       TEXT NOT NULL DEFAULT '',
    landing_site         TEXT NOT NULL DEFAULT '',
    cancel_reason        TEXT NOT NULL DEFAULT '',
    cancelled_at         TIMESTAMPTZ,
    paid_at              TIMESTAMPTZ,
    processed_at         TIMESTAMPTZ,
    shopify_created_at   TIMESTAMPTZ,
    shopify_updated_at   TIMESTAMPTZ,
    created_at           TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at           TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (shop_id, order_id)
);
CREATE INDEX orders_customer ON orders (shop_id, customer_id, processed_at);

CREATE TABLE order_lines (
    shop_id       BIGINT NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    order_id      BIGINT NOT NULL,
    line_item_id  BIGINT NOT NULL,
    product_id    BIGINT,
    variant_id    BIGINT,
    title         TEXT NOT NULL DEFAULT '',
    quantity      INT NOT NULL DEFAULT 0,
    price         NUMERIC(20, 2) NOT NULL DEFAULT 0,
    PRIMARY KEY (shop_id, order_id, line_item_id)
);
CREATE INDEX order_lines_product ON order_lines (shop_id, product_id);

CREATE TABLE refunds (
    id                  BIGSERIAL PRIMARY KEY,
    shop_id             BIGINT NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    refund_id           BIGINT NOT NULL,
    order_id            BIGINT NOT NULL,
    subtotal            NUMERIC(20, 2) NOT NULL DEFAULT 0,  -- refunded line subtotal, no shipping or tax
    note                TEXT NOT NULL DEFAULT '',
    shopify_created_at  TIMESTAMPTZ,
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (shop_id, refund_id)
);
CREATE INDEX refunds_order ON refunds (shop_id, order_id);

CREATE TABLE fulfillments (
    id                  BIGSERIAL PRIMARY KEY,
    shop_id             BIGINT NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    fulfillment_id      BIGINT NOT NULL,
    order_id            BIGINT NOT NULL,
    status              TEXT NOT NULL DEFAULT '',
    shipment_status     TEXT NOT NULL DEFAULT '',
    delivered_at        TIMESTAMPTZ,
    shopify_created_at  TIMESTAMPTZ,
    shopify_updated_at  TIMESTAMPTZ,
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (shop_id, fulfillment_id)
);

-- The outbox of domain events that messaging reacts to. (shop, kind, key) makes every event
-- happen once, however often the fact behind it is delivered.
CREATE TABLE events (
    id             BIGSERIAL PRIMARY KEY,
    shop_id        BIGINT NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    customer_id    BIGINT,
    kind           TEXT NOT NULL,
    key            TEXT NOT NULL,
    payload        JSONB NOT NULL DEFAULT '{}',
    occurred_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    dispatched_at  TIMESTAMPTZ,
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (shop_id, kind, key)
);
CREATE INDEX events_pending ON events (shop_id, id) WHERE dispatched_at IS NULL;
CREATE INDEX events_customer ON events (shop_id, customer_id, occurred_at);

-- Compliance: customers/data_request exports kept for the merchant.
CREATE TABLE data_requests (
    id                 BIGSERIAL PRIMARY KEY,
    shop_id            BIGINT NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    request_id         BIGINT NOT NULL,
    customer_id        BIGINT NOT NULL,
    status             TEXT NOT NULL DEFAULT 'pending',
    export             JSONB,
    requested_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    completed_at       TIMESTAMPTZ,
    UNIQUE (shop_id, request_id)
);

-- +goose Down
DROP TABLE data_requests, events, fulfillments, refunds, order_lines, orders, customers, webhook_events, shops;
