-- +goose Up
-- A tier carried over from another loyalty app is kept as a floor until tier_floor_until: the
-- customer does not lose the status they had the day the merchant switched apps, whatever
-- Boomerang's own measure says in the meantime.
ALTER TABLE loyalty_accounts
    ADD COLUMN tier_floor       TEXT NOT NULL DEFAULT '',
    ADD COLUMN tier_floor_until TIMESTAMPTZ;

-- +goose Down
ALTER TABLE loyalty_accounts DROP COLUMN tier_floor, DROP COLUMN tier_floor_until;
