-- +goose Up
-- Retention messages a merchant configures: one row per message, seeded with a ready set.
-- `preset` names a seeded default so seeding stays idempotent; merchant-made messages have ''.
CREATE TABLE messages (
    id                    BIGSERIAL PRIMARY KEY,
    shop_id               BIGINT NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    preset                TEXT NOT NULL DEFAULT '',
    name                  TEXT NOT NULL,
    trigger               TEXT NOT NULL,
    kind                  TEXT NOT NULL CHECK (kind IN ('promotional', 'transactional')),
    channel               TEXT NOT NULL CHECK (channel IN ('email', 'sms', 'both')),
    audience              JSONB NOT NULL DEFAULT '{}',
    delay_minutes         INT NOT NULL DEFAULT 0 CHECK (delay_minutes >= 0),
    subject               TEXT NOT NULL DEFAULT '',
    html                  TEXT NOT NULL DEFAULT '',
    text                  TEXT NOT NULL DEFAULT '',
    sms                   TEXT NOT NULL DEFAULT '',
    featured_product_ids  JSONB NOT NULL DEFAULT '[]',
    enabled               BOOLEAN NOT NULL DEFAULT true,
    created_at            TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at            TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX messages_preset ON messages (shop_id, preset) WHERE preset <> '';
CREATE INDEX messages_trigger ON messages (shop_id, trigger) WHERE enabled;

-- The sending policy of a shop (one row, created with defaults on first read or seed).
CREATE TABLE message_policies (
    shop_id                     BIGINT PRIMARY KEY REFERENCES shops(id) ON DELETE CASCADE,
    frequency_cap_count         INT NOT NULL DEFAULT 1,
    frequency_cap_hours         INT NOT NULL DEFAULT 16,
    quiet_start                 TEXT NOT NULL DEFAULT '21:00',
    quiet_end                   TEXT NOT NULL DEFAULT '08:00',
    negative_review_hold_days   INT NOT NULL DEFAULT 14,
    cancellation_cooldown_days  INT NOT NULL DEFAULT 14,
    sender_name                 TEXT NOT NULL DEFAULT '',
    reply_to                    TEXT NOT NULL DEFAULT '',
    updated_at                  TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Per-shop SMS provider (Twilio or compatible). The auth token is sealed with the app's key.
CREATE TABLE sms_settings (
    shop_id      BIGINT PRIMARY KEY REFERENCES shops(id) ON DELETE CASCADE,
    account_sid  TEXT NOT NULL DEFAULT '',
    auth_token   BYTEA,
    from_number  TEXT NOT NULL DEFAULT '',
    base_url     TEXT NOT NULL DEFAULT '',
    updated_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- One-off promotional sends. `cursor` is the last customer id decided, so a send interrupted
-- half way resumes where it stopped.
CREATE TABLE campaigns (
    id                    BIGSERIAL PRIMARY KEY,
    shop_id               BIGINT NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    name                  TEXT NOT NULL,
    channel               TEXT NOT NULL CHECK (channel IN ('email', 'sms', 'both')),
    subject               TEXT NOT NULL DEFAULT '',
    body                  TEXT NOT NULL DEFAULT '',
    sms                   TEXT NOT NULL DEFAULT '',
    featured_product_ids  JSONB NOT NULL DEFAULT '[]',
    audience              JSONB NOT NULL DEFAULT '{}',
    status                TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'sending', 'sent')),
    cursor                BIGINT NOT NULL DEFAULT 0,
    recipients            INT NOT NULL DEFAULT 0,
    created_at            TIMESTAMPTZ NOT NULL DEFAULT now(),
    started_at            TIMESTAMPTZ,
    finished_at           TIMESTAMPTZ
);
CREATE INDEX campaigns_sending ON campaigns (shop_id) WHERE status = 'sending';

-- The decision log: one row per (message or campaign, customer, trigger entity), whatever was
-- decided, so the same trigger is answered once. message_id / campaign_id are 0 when absent.
-- 'queued' (decided to send, delivery pending) and 'sending' (the provider is being called)
-- are internal states: a row left in 'sending' by a crash is never sent again.
CREATE TABLE message_decisions (
    id           BIGSERIAL PRIMARY KEY,
    shop_id      BIGINT NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    message_id   BIGINT NOT NULL DEFAULT 0,
    campaign_id  BIGINT NOT NULL DEFAULT 0,
    customer_id  BIGINT NOT NULL,
    event_id     BIGINT,
    trigger      TEXT NOT NULL,
    entity_key   TEXT NOT NULL,
    dedupe_key   TEXT NOT NULL,
    kind         TEXT NOT NULL,
    channel      TEXT NOT NULL,
    decision     TEXT NOT NULL CHECK (decision IN ('queued', 'sending', 'sent', 'deferred', 'held', 'skipped', 'failed')),
    reason       TEXT NOT NULL DEFAULT '',
    detail       TEXT NOT NULL DEFAULT '',
    not_before   TIMESTAMPTZ NOT NULL,
    due_at       TIMESTAMPTZ,
    attempts     INT NOT NULL DEFAULT 0,
    provider_id  TEXT NOT NULL DEFAULT '',
    payload      JSONB NOT NULL DEFAULT '{}',
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    sent_at      TIMESTAMPTZ,
    UNIQUE (shop_id, message_id, campaign_id, customer_id, entity_key)
);
CREATE INDEX message_decisions_customer ON message_decisions (shop_id, customer_id, id DESC);
CREATE INDEX message_decisions_promo ON message_decisions (shop_id, customer_id, sent_at)
    WHERE kind = 'promotional' AND decision IN ('sending', 'sent');
CREATE INDEX message_decisions_due ON message_decisions (due_at) WHERE decision = 'deferred';
CREATE INDEX message_decisions_inflight ON message_decisions (updated_at) WHERE decision IN ('queued', 'sending');
CREATE INDEX message_decisions_campaign ON message_decisions (shop_id, campaign_id) WHERE campaign_id <> 0;
CREATE INDEX message_decisions_shop ON message_decisions (shop_id, id DESC);

-- Opt-outs received by Boomerang itself (unsubscribe link, SMS STOP). They win over whatever
-- consent Shopify reports later, until the shopper opts in again through the same channel.
CREATE TABLE message_suppressions (
    shop_id      BIGINT NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    customer_id  BIGINT NOT NULL,
    channel      TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
    source       TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (shop_id, customer_id, channel)
);

-- +goose Down
DROP TABLE message_suppressions, message_decisions, campaigns, sms_settings, message_policies, messages;
