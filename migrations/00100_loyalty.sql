-- +goose Up
-- The loyalty program of each shop: one JSON settings document, validated by the app
-- (models.LoyaltySettings). expiry_since is when expiry was last switched on: nothing expires
-- before one full period after it, so turning expiry on for a live program is never a surprise.
CREATE TABLE loyalty_settings (
    shop_id       BIGINT PRIMARY KEY REFERENCES shops(id) ON DELETE CASCADE,
    doc           JSONB NOT NULL,
    expiry_since  TIMESTAMPTZ,
    updated_by    TEXT NOT NULL DEFAULT '',
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- One points account per customer. balance is maintained in the transaction that appends to
-- the ledger and always equals the sum of the account's entries (`boomerang verify` checks).
-- The row is also the lock every change of the account takes, so concurrent redemptions,
-- earns and clawbacks of one customer serialize on it.
CREATE TABLE loyalty_accounts (
    shop_id           BIGINT NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    customer_id       BIGINT NOT NULL,
    balance           BIGINT NOT NULL DEFAULT 0,
    tier              TEXT NOT NULL DEFAULT '',
    tier_since        TIMESTAMPTZ,
    tier_version      INT NOT NULL DEFAULT 0,
    last_activity_at  TIMESTAMPTZ,
    referral_code     TEXT,
    created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (shop_id, customer_id)
);
CREATE UNIQUE INDEX loyalty_accounts_referral_code ON loyalty_accounts (shop_id, referral_code) WHERE referral_code IS NOT NULL;
CREATE INDEX loyalty_accounts_tier ON loyalty_accounts (shop_id, tier);
CREATE INDEX loyalty_accounts_activity ON loyalty_accounts (shop_id, last_activity_at) WHERE balance > 0;

-- The points ledger: append-only. Each effect has one business key (shop, source_type,
-- source_id, kind), so a duplicate or replayed delivery can never post twice. A credit keeps
-- its unspent part in `remaining` (a lot); debits consume lots, oldest-expiring first, so the
-- points that expire and when are always exact. sum(remaining) = max(balance, 0).
CREATE TABLE ledger_entries (
    id             BIGSERIAL PRIMARY KEY,
    shop_id        BIGINT NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    customer_id    BIGINT NOT NULL,
    kind           TEXT NOT NULL CHECK (kind IN ('earn', 'bonus', 'redeem', 'clawback', 'reversal', 'expire', 'adjust')),
    points         BIGINT NOT NULL,
    balance_after  BIGINT NOT NULL,
    remaining      BIGINT NOT NULL DEFAULT 0 CHECK (remaining >= 0),
    amount         NUMERIC(20, 2) NOT NULL DEFAULT 0,  -- the order money behind earn/clawback/reversal (tier spend)
    order_id       BIGINT,
    source_type    TEXT NOT NULL,
    source_id      TEXT NOT NULL,
    reason         TEXT NOT NULL DEFAULT '',
    staff_user     TEXT NOT NULL DEFAULT '',
    occurred_at    TIMESTAMPTZ NOT NULL,   -- business time (order paid): tier windows count by it
    available_at   TIMESTAMPTZ NOT NULL,   -- a credit is pending until then
    expires_at     TIMESTAMPTZ,            -- per-batch expiry of a credit
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (shop_id, source_type, source_id, kind),
    CHECK (remaining <= GREATEST(points, 0))
);
CREATE INDEX ledger_entries_customer ON ledger_entries (shop_id, customer_id, id);
CREATE INDEX ledger_entries_lots ON ledger_entries (shop_id, customer_id) WHERE remaining > 0;
CREATE INDEX ledger_entries_expiring ON ledger_entries (shop_id, expires_at) WHERE remaining > 0 AND expires_at IS NOT NULL;
CREATE INDEX ledger_entries_order ON ledger_entries (shop_id, order_id) WHERE order_id IS NOT NULL;

-- Rewards redeemed for points. Points are reserved (a redeem entry) before Shopify is asked for
-- the discount code; the code is chosen here, so a retried call can only ever create that one
-- code. A refused mutation releases the points (a reversal entry).
CREATE TABLE loyalty_redemptions (
    id            BIGSERIAL PRIMARY KEY,
    shop_id       BIGINT NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    customer_id   BIGINT NOT NULL,
    reward_name   TEXT NOT NULL,
    reward_type   TEXT NOT NULL CHECK (reward_type IN ('fixed', 'percentage')),
    reward_value  NUMERIC(20, 2) NOT NULL,
    points        BIGINT NOT NULL CHECK (points > 0),
    code          TEXT NOT NULL,
    request_key   TEXT NOT NULL,
    status        TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'issued', 'failed')),
    discount_id   TEXT NOT NULL DEFAULT '',
    failure       TEXT NOT NULL DEFAULT '',
    attempts      INT NOT NULL DEFAULT 0,
    starts_at     TIMESTAMPTZ NOT NULL,
    ends_at       TIMESTAMPTZ NOT NULL,
    issued_at     TIMESTAMPTZ,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (shop_id, code),
    UNIQUE (shop_id, customer_id, request_key)
);
CREATE INDEX loyalty_redemptions_customer ON loyalty_redemptions (shop_id, customer_id, id);
CREATE INDEX loyalty_redemptions_pending ON loyalty_redemptions (created_at) WHERE status = 'pending';

-- Referrals: a friend is referred at most once (their first paid order carrying a code).
CREATE TABLE loyalty_referrals (
    id            BIGSERIAL PRIMARY KEY,
    shop_id       BIGINT NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    referrer_id   BIGINT NOT NULL,
    friend_id     BIGINT NOT NULL,
    order_id      BIGINT NOT NULL,
    code          TEXT NOT NULL,
    status        TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'rewarded', 'rejected', 'void')),
    reason        TEXT NOT NULL DEFAULT '',
    qualifies_at  TIMESTAMPTZ NOT NULL,
    rewarded_at   TIMESTAMPTZ,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (shop_id, friend_id)
);
CREATE INDEX loyalty_referrals_due ON loyalty_referrals (shop_id, qualifies_at) WHERE status = 'pending';
CREATE INDEX loyalty_referrals_referrer ON loyalty_referrals (shop_id, referrer_id, rewarded_at);

-- +goose Down
DROP TABLE loyalty_referrals, loyalty_redemptions, ledger_entries, loyalty_accounts, loyalty_settings;
