-- +goose Up
-- Each shopper gets messages in their own language: the customer's locale as Shopify knows it
-- (from their orders and customer record), else the shop's primary locale; a message keeps its
-- copy per language beside its default copy.
ALTER TABLE customers ADD COLUMN locale text NOT NULL DEFAULT '';
ALTER TABLE shops ADD COLUMN primary_locale text NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN translations jsonb NOT NULL DEFAULT '{}';

-- +goose Down
ALTER TABLE messages DROP COLUMN translations;
ALTER TABLE shops DROP COLUMN primary_locale;
ALTER TABLE customers DROP COLUMN locale;
