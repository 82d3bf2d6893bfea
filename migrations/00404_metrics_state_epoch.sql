-- +goose Up
-- 00403 marked every shop's rollups stale with '-infinity', which the driver cannot read into a
-- time: use the epoch (just as stale, and an ordinary time).
UPDATE metrics_state SET refreshed_at = 'epoch' WHERE refreshed_at = '-infinity';

-- +goose Down
SELECT 1;
