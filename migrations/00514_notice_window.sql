-- +goose Up
-- Notices about the same thing within this many minutes collapse into one with the latest state
-- (issue 14): one "points earned" mail with the final balance, not one per order. 0 turns it off.
ALTER TABLE message_policies ADD COLUMN notice_window_minutes INT NOT NULL DEFAULT 10;

-- +goose Down
ALTER TABLE message_policies DROP COLUMN notice_window_minutes;
