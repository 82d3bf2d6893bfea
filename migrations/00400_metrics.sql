-- +goose Up
-- Scorecard rollups (models/metrics_refresh.go). Raw-table analytics on a large shop take
-- seconds (1M orders: cohorts alone scan every order), so the scorecard reads these small
-- tables instead. They hold no personal data and are rebuilt from the facts at any time:
-- a refresh recomputes exactly the customers and days whose facts changed since the last one.
-- Days and months are calendar days in the shop's time zone (metrics_state.timezone).

-- One row per shop: when and in which time zone the rollups were last brought up to date.
-- `watermark` is the time up to which changes were folded in.
CREATE TABLE metrics_state (
    shop_id       BIGINT PRIMARY KEY REFERENCES shops(id) ON DELETE CASCADE,
    timezone      TEXT NOT NULL,
    watermark     TIMESTAMPTZ NOT NULL,
    refreshed_at  TIMESTAMPTZ NOT NULL,
    rebuilt_at    TIMESTAMPTZ NOT NULL
);

-- Every customer with at least one kept order: the days they ordered on, as a multirange, so
-- "ordered in [from, to)" is one && per customer whatever the period.
CREATE TABLE metrics_customers (
    shop_id      BIGINT NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    customer_id  BIGINT NOT NULL,
    first_day    DATE NOT NULL,
    second_day   DATE,               -- day of the second kept order: a repeat buyer from then on
    order_days   datemultirange NOT NULL,
    orders       INT NOT NULL,
    PRIMARY KEY (shop_id, customer_id)
);

-- Additive figures per day.
CREATE TABLE metrics_daily (
    shop_id               BIGINT NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    day                   DATE NOT NULL,
    orders                INT NOT NULL DEFAULT 0,             -- kept orders placed that day
    revenue               NUMERIC(20, 2) NOT NULL DEFAULT 0,  -- their subtotal net of refunds
    customer_revenue      NUMERIC(20, 2) NOT NULL DEFAULT 0,  -- the part from orders with a customer (not guests)
    orders_after_message  INT NOT NULL DEFAULT 0,             -- of those, placed within 7 days after a sent message
    points_earned         BIGINT NOT NULL DEFAULT 0,
    points_redeemed       BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (shop_id, day)
);

-- Message decisions per day (by when they were decided), state and reason.
CREATE TABLE metrics_decisions_daily (
    shop_id   BIGINT NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    day       DATE NOT NULL,
    decision  TEXT NOT NULL,
    reason    TEXT NOT NULL,
    n         INT NOT NULL,
    PRIMARY KEY (shop_id, day, decision, reason)
);

-- Cohort matrix: customers of a first-order month who ordered in a later (or the same) month.
CREATE TABLE metrics_cohorts (
    shop_id    BIGINT NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    cohort     DATE NOT NULL,   -- first day of the first-order month
    month      DATE NOT NULL,   -- first day of the month counted
    customers  INT NOT NULL,
    PRIMARY KEY (shop_id, cohort, month)
);

-- Indexes on the facts for the refresh: what changed since the watermark, and the facts of
-- one day. The expression is the order's placement time everywhere in metrics.
CREATE INDEX orders_changed ON orders (shop_id, updated_at);
CREATE INDEX orders_placed ON orders (shop_id, (COALESCE(processed_at, shopify_created_at)));
CREATE INDEX refunds_changed ON refunds (shop_id, created_at);
CREATE INDEX ledger_entries_changed ON ledger_entries (shop_id, created_at);
CREATE INDEX ledger_entries_occurred ON ledger_entries (shop_id, occurred_at) INCLUDE (kind, points, source_type);
CREATE INDEX message_decisions_changed ON message_decisions (shop_id, updated_at);
CREATE INDEX message_decisions_created ON message_decisions (shop_id, created_at) INCLUDE (decision, reason);
CREATE INDEX message_decisions_sent ON message_decisions (shop_id, customer_id, sent_at) WHERE decision = 'sent';

-- Read paths: the activity filters, the sentiment trend, the points liability, the timeline.
CREATE INDEX message_decisions_by_decision ON message_decisions (shop_id, decision, reason, id DESC);
CREATE INDEX message_decisions_by_reason ON message_decisions (shop_id, reason, id DESC);
CREATE INDEX reviews_sentiment ON reviews (shop_id, created_at) INCLUDE (sentiment_score) WHERE sentiment_score IS NOT NULL;
CREATE INDEX loyalty_accounts_liability ON loyalty_accounts (shop_id, balance) WHERE balance > 0;
CREATE INDEX cases_customer ON cases (shop_id, customer_id, opened_at);
CREATE INDEX subscription_status_history_customer ON subscription_status_history (shop_id, customer_id, occurred_at) WHERE applied;

-- +goose Down
DROP INDEX subscription_status_history_customer, cases_customer, loyalty_accounts_liability, reviews_sentiment,
    message_decisions_by_reason, message_decisions_by_decision, message_decisions_sent, message_decisions_created,
    message_decisions_changed, ledger_entries_occurred, ledger_entries_changed, refunds_changed, orders_placed,
    orders_changed;
DROP TABLE metrics_cohorts, metrics_decisions_daily, metrics_daily, metrics_customers, metrics_state;
