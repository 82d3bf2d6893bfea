-- +goose Up
-- Subscriptions recognised from orders (issue 12): a paid line on a selling plan makes its
-- customer a subscriber to the product, whatever app sells the subscription. Such a subscription
-- is a row here with source 'orders' (one per customer and product), renewed by each plan order
-- and lapsed when none comes by lapse_at: the last renewal plus the expected interval plus the
-- grace period.
ALTER TABLE subscription_contracts
    ADD COLUMN source          TEXT NOT NULL DEFAULT 'contract' CHECK (source IN ('contract', 'orders', 'flow')),
    ADD COLUMN last_renewal_at TIMESTAMPTZ,
    ADD COLUMN lapse_at        TIMESTAMPTZ;
CREATE INDEX subscription_contracts_lapse ON subscription_contracts (shop_id, lapse_at)
    WHERE source = 'orders' AND status = 'active';

-- +goose Down
DROP INDEX subscription_contracts_lapse;
ALTER TABLE subscription_contracts DROP COLUMN source, DROP COLUMN last_renewal_at, DROP COLUMN lapse_at;
