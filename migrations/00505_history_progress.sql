-- +goose Up
-- Progress of a history import for the setup guide: the lines of the bulk result (Shopify's
-- objectCount) and when storing them began, so percent done and time left can be told.
ALTER TABLE history_imports
    ADD COLUMN total_lines BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN storing_at  TIMESTAMPTZ;

-- +goose Down
ALTER TABLE history_imports DROP COLUMN total_lines, DROP COLUMN storing_at;
