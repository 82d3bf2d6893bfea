-- +goose Up
-- Shopify Flow action runs (issue 12): Flow resends an action until it gets 200, with the same
-- action_run_id; the first receipt's time is the facts' time, so a resend repeats them exactly.
CREATE TABLE flow_action_runs (
    shop_id       BIGINT NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    action_run_id TEXT NOT NULL,
    action        TEXT NOT NULL,
    received_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (shop_id, action_run_id)
);

-- +goose Down
DROP TABLE flow_action_runs;
