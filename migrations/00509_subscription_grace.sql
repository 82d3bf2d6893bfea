-- +goose Up
-- How long after one missed renewal interval a subscription recognised from orders lapses
-- (issue 12): the grace is one interval plus these days.
ALTER TABLE message_policies ADD COLUMN subscription_grace_days INT NOT NULL DEFAULT 7;

-- +goose Down
ALTER TABLE message_policies DROP COLUMN subscription_grace_days;
