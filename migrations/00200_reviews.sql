-- +goose Up
-- Reviews: storefront submissions, signed-link submissions and imports from other review apps.
-- Per-shop settings for moderation, review requests and the negative-review policy.
CREATE TABLE review_settings (
    shop_id                   BIGINT PRIMARY KEY REFERENCES shops(id) ON DELETE CASCADE,
    auto_publish              BOOLEAN NOT NULL DEFAULT true,
    auto_publish_min_rating   SMALLINT NOT NULL DEFAULT 4 CHECK (auto_publish_min_rating BETWEEN 1 AND 5),
    pending_publish_days      INT NOT NULL DEFAULT 14 CHECK (pending_publish_days BETWEEN 0 AND 365),
    requests_enabled          BOOLEAN NOT NULL DEFAULT true,
    request_delay_days        INT NOT NULL DEFAULT 14 CHECK (request_delay_days BETWEEN 0 AND 60),
    delivery_delay_days       INT NOT NULL DEFAULT 7 CHECK (delivery_delay_days BETWEEN 0 AND 60),
    reminder_enabled          BOOLEAN NOT NULL DEFAULT true,
    reminder_delay_days       INT NOT NULL DEFAULT 7 CHECK (reminder_delay_days BETWEEN 1 AND 60),
    emails_per_30_days        INT NOT NULL DEFAULT 5 CHECK (emails_per_30_days BETWEEN 1 AND 30),
    product_repeat_months     INT NOT NULL DEFAULT 12 CHECK (product_repeat_months BETWEEN 0 AND 60),
    products_per_request      INT NOT NULL DEFAULT 3 CHECK (products_per_request BETWEEN 1 AND 10),
    link_valid_days           INT NOT NULL DEFAULT 180 CHECK (link_valid_days BETWEEN 1 AND 730),
    updated_at                TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE reviews (
    id                       BIGSERIAL PRIMARY KEY,
    shop_id                  BIGINT NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    product_id               BIGINT,                      -- NULL when an import named only a handle
    product_handle           TEXT NOT NULL DEFAULT '',
    customer_id              BIGINT,
    order_id                 BIGINT,
    request_id               BIGINT,
    rating                   SMALLINT NOT NULL CHECK (rating BETWEEN 1 AND 5),
    title                    TEXT NOT NULL DEFAULT '',
    body                     TEXT NOT NULL DEFAULT '',
    reviewer_name            TEXT NOT NULL DEFAULT '',
    reviewer_email           TEXT NOT NULL DEFAULT '',
    status                   TEXT NOT NULL CHECK (status IN ('pending', 'published', 'hidden')),
    verified_buyer           BOOLEAN NOT NULL DEFAULT false,
    source                   TEXT NOT NULL CHECK (source IN ('storefront', 'link', 'import')),
    source_key               TEXT,                        -- imports: hash of the row, makes re-import a no-op
    sentiment_score          DOUBLE PRECISION,
    sentiment_label          TEXT,
    sentiment_language       TEXT,
    sentiment_confidence     DOUBLE PRECISION,
    sentiment_contradiction  BOOLEAN NOT NULL DEFAULT false,
    scorer_version           TEXT,
    scored_at                TIMESTAMPTZ,
    published_at             TIMESTAMPTZ,
    created_at               TIMESTAMPTZ NOT NULL DEFAULT now(),  -- when written (imports: the original date)
    received_at              TIMESTAMPTZ NOT NULL DEFAULT now(),  -- when Boomerang stored it
    updated_at               TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX reviews_source_key ON reviews (shop_id, source_key) WHERE source_key IS NOT NULL;
-- One live review per customer and product; imported history may hold older ones.
CREATE UNIQUE INDEX reviews_customer_product ON reviews (shop_id, customer_id, product_id)
    WHERE source <> 'import' AND customer_id IS NOT NULL AND product_id IS NOT NULL;
CREATE INDEX reviews_newest ON reviews (shop_id, created_at DESC, id DESC);
CREATE INDEX reviews_product ON reviews (shop_id, product_id, created_at DESC, id DESC) WHERE status = 'published';
CREATE INDEX reviews_handle ON reviews (shop_id, product_handle) WHERE product_handle <> '' AND status = 'published';
CREATE INDEX reviews_customer ON reviews (shop_id, customer_id, received_at);
-- Reviews waiting for the scorer: new ones, and all of them when sentiment.Version changes.
CREATE INDEX reviews_unscored ON reviews (shop_id, id) WHERE scored_at IS NULL;
CREATE INDEX reviews_scorer ON reviews (scorer_version, shop_id, id);
CREATE INDEX reviews_pending ON reviews (shop_id, received_at) WHERE status = 'pending';

-- Make-it-right cases: one per negative review.
CREATE TABLE cases (
    id           BIGSERIAL PRIMARY KEY,
    shop_id      BIGINT NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    customer_id  BIGINT NOT NULL,
    review_id    BIGINT NOT NULL REFERENCES reviews(id) ON DELETE CASCADE,
    order_id     BIGINT,
    status       TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved')),
    note         TEXT NOT NULL DEFAULT '',
    assignee     TEXT NOT NULL DEFAULT '',
    opened_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    resolved_at  TIMESTAMPTZ,
    resolved_by  TEXT NOT NULL DEFAULT '',
    updated_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (shop_id, review_id)
);
CREATE INDEX cases_list ON cases (shop_id, status, id DESC);
CREATE INDEX cases_customer_open ON cases (shop_id, customer_id) WHERE status = 'open';

-- Alerts to the merchant's contact address, delivered by the reviews:alert task.
CREATE TABLE merchant_alerts (
    id          BIGSERIAL PRIMARY KEY,
    shop_id     BIGINT NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,
    source_id   BIGINT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    sent_at     TIMESTAMPTZ,
    attempts    INT NOT NULL DEFAULT 0,
    last_error  TEXT NOT NULL DEFAULT '',
    UNIQUE (shop_id, kind, source_id)
);
CREATE INDEX merchant_alerts_unsent ON merchant_alerts (created_at) WHERE sent_at IS NULL;

-- Complaints (negative reviews; later cancellation reasons) and the themes and phrases found in
-- them. Written when a complaint is scored, so theme counts never need a rescan.
CREATE TABLE complaints (
    id           BIGSERIAL PRIMARY KEY,
    shop_id      BIGINT NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    source_type  TEXT NOT NULL,                 -- review | cancellation
    source_id    BIGINT NOT NULL,
    customer_id  BIGINT,
    quote        TEXT NOT NULL DEFAULT '',
    language     TEXT NOT NULL DEFAULT '',
    occurred_at  TIMESTAMPTZ NOT NULL,
    UNIQUE (shop_id, source_type, source_id)
);
CREATE TABLE complaint_terms (
    complaint_id  BIGINT NOT NULL REFERENCES complaints(id) ON DELETE CASCADE,
    shop_id       BIGINT NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    kind          TEXT NOT NULL CHECK (kind IN ('theme', 'phrase')),
    term          TEXT NOT NULL,
    week          DATE NOT NULL,
    PRIMARY KEY (complaint_id, kind, term)
);
CREATE INDEX complaint_terms_week ON complaint_terms (shop_id, kind, week, term);

-- Review requests: one per order, scheduled from its fulfillment (or delivery), sent and
-- reminded by the reviews:requests task as events for messaging.
CREATE TABLE review_requests (
    id               BIGSERIAL PRIMARY KEY,
    shop_id          BIGINT NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    customer_id      BIGINT,
    order_id         BIGINT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('scheduled', 'sent', 'completed', 'skipped')),
    skip_reason      TEXT NOT NULL DEFAULT '',
    wait_reason      TEXT NOT NULL DEFAULT '',   -- why the last due check put it off
    product_ids      BIGINT[] NOT NULL DEFAULT '{}',
    fulfilled_at     TIMESTAMPTZ,
    delivered_at     TIMESTAMPTZ,
    first_due_at     TIMESTAMPTZ NOT NULL,
    due_at           TIMESTAMPTZ NOT NULL,
    sent_at          TIMESTAMPTZ,
    reminder_due_at  TIMESTAMPTZ,
    reminded_at      TIMESTAMPTZ,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (shop_id, order_id)
);
CREATE INDEX review_requests_due ON review_requests (due_at) WHERE status = 'scheduled';
CREATE INDEX review_requests_reminder ON review_requests (reminder_due_at) WHERE status = 'sent' AND reminder_due_at IS NOT NULL;
CREATE INDEX review_requests_customer ON review_requests (shop_id, customer_id);

-- +goose Down
DROP TABLE review_requests, complaint_terms, complaints, merchant_alerts, cases, reviews, review_settings;
