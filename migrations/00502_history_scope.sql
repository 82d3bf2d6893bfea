-- +goose Up
-- Whether the import's bulk operation could read every order (read_all_orders granted) or, as
-- Shopify limits an app without that scope, only the last 60 days.
ALTER TABLE history_imports ADD COLUMN all_orders BOOLEAN NOT NULL DEFAULT false;

-- +goose Down
ALTER TABLE history_imports DROP COLUMN all_orders;
