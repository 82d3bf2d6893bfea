-- +goose Up
-- Review sentiment per day joins the daily rollup (the live weekly query read every scored
-- review of the period: 50,000 rows for a year of a large shop), and customers keep their last
-- order day so most of them are classified for a period without looking at their order days.
ALTER TABLE metrics_daily
    ADD COLUMN sentiment_sum    DOUBLE PRECISION NOT NULL DEFAULT 0,  -- sum of the day's review scores (−1..+1)
    ADD COLUMN sentiment_count  INT NOT NULL DEFAULT 0;                -- scored reviews written that day
ALTER TABLE metrics_customers ADD COLUMN last_day DATE;
UPDATE metrics_customers SET last_day = upper(order_days) - 1;
ALTER TABLE metrics_customers ALTER COLUMN last_day SET NOT NULL;
-- Forces a rebuild, so the new columns are filled.
DELETE FROM metrics_state;

CREATE INDEX reviews_changed ON reviews (shop_id, updated_at);

-- +goose Down
DROP INDEX reviews_changed;
ALTER TABLE metrics_customers DROP COLUMN last_day;
ALTER TABLE metrics_daily DROP COLUMN sentiment_count, DROP COLUMN sentiment_sum;
