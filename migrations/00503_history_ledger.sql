-- +goose Up
-- Two ledger kinds for a shop's past (issue 11):
--   history: a past order's money, 0 points, so tier windows measure spend from before install;
--   opening: points for a past order, credited once when the merchant grants opening balances,
--            or a balance carried over from another loyalty app.
ALTER TABLE ledger_entries DROP CONSTRAINT ledger_entries_kind_check;
ALTER TABLE ledger_entries ADD CONSTRAINT ledger_entries_kind_check
    CHECK (kind IN ('earn', 'bonus', 'redeem', 'clawback', 'reversal', 'expire', 'adjust', 'history', 'opening'));

-- The merchant's opening-balance choice and how granting it went.
ALTER TABLE history_imports
    ADD COLUMN opening_months INT NOT NULL DEFAULT 0,          -- 0: everyone starts at zero (the default)
    ADD COLUMN opening_state  TEXT NOT NULL DEFAULT '' CHECK (opening_state IN ('', 'running', 'done', 'failed')),
    ADD COLUMN opening_points BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN opening_at     TIMESTAMPTZ;

-- +goose Down
ALTER TABLE history_imports DROP COLUMN opening_months, DROP COLUMN opening_state, DROP COLUMN opening_points,
    DROP COLUMN opening_at;
-- Refused while such entries exist: removing them would change balances.
ALTER TABLE ledger_entries DROP CONSTRAINT ledger_entries_kind_check;
ALTER TABLE ledger_entries ADD CONSTRAINT ledger_entries_kind_check
    CHECK (kind IN ('earn', 'bonus', 'redeem', 'clawback', 'reversal', 'expire', 'adjust'));
