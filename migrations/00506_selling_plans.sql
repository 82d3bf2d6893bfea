-- +goose Up
-- The selling plan a line was bought on (a subscription), from the order webhooks' line_items[].
-- selling_plan_id (API 2026-10) and the history's LineItem.sellingPlan; NULL for a one-time line.
-- Subscribers are recognised from their orders by it (issue 12).
ALTER TABLE order_lines ADD COLUMN selling_plan_id BIGINT;

-- +goose Down
ALTER TABLE order_lines DROP COLUMN selling_plan_id;
