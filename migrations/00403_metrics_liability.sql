-- +goose Up
-- The points liability (sum of positive balances) is taken at each refresh, with the other
-- figures, instead of summing every account on every scorecard request.
ALTER TABLE metrics_state ADD COLUMN points_liability BIGINT NOT NULL DEFAULT 0;
-- Forces a refresh that fills it.
UPDATE metrics_state SET refreshed_at = '-infinity';

-- +goose Down
ALTER TABLE metrics_state DROP COLUMN points_liability;
