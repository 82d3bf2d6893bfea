-- +goose Up
-- Customer search (GET /api/customers?q=) matches any part of the email or the name, or the
-- exact Shopify id. On a large shop that was a scan of every customer (150-200 ms for 100,000);
-- trigram indexes answer the substring arms and an expression index the id arm, so the planner
-- can combine all three (a bitmap OR needs every arm indexed).
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS btree_gin;
CREATE INDEX customers_email_search ON customers USING gin (shop_id, lower(email) gin_trgm_ops);
CREATE INDEX customers_name_search ON customers USING gin (shop_id, lower(first_name || ' ' || last_name) gin_trgm_ops);
CREATE INDEX customers_id_text ON customers (shop_id, (customer_id::text));

-- +goose Down
DROP INDEX customers_id_text, customers_name_search, customers_email_search;
