-- +goose Up
-- The billing interval of each selling plan, read from the Admin API where the scopes allow
-- (read_products): a subscription recognised from orders then expects its renewal on the plan's
-- schedule instead of the cadence its orders show (issue 12).
CREATE TABLE selling_plans (
    shop_id         BIGINT NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    selling_plan_id BIGINT NOT NULL,
    interval_days   INT NOT NULL CHECK (interval_days >= 0), -- 0: Shopify has no recurring interval for it
    fetched_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (shop_id, selling_plan_id)
);

-- +goose Down
DROP TABLE selling_plans;
