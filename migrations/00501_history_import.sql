-- +goose Up
-- A shop's history import (issue 11): the bulk operation it reads and how far it got. position
-- is the result line of the last order stored, so a worker killed mid-import resumes after it.
CREATE TABLE history_imports (
    shop_id       BIGINT PRIMARY KEY REFERENCES shops(id) ON DELETE CASCADE,
    state         TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'running', 'done', 'failed')),
    operation_id  TEXT NOT NULL DEFAULT '',
    position      BIGINT NOT NULL DEFAULT 0,
    customers     BIGINT NOT NULL DEFAULT 0,
    orders        BIGINT NOT NULL DEFAULT 0,
    error_count   INT NOT NULL DEFAULT 0,
    line_errors   JSONB NOT NULL DEFAULT '[]',  -- the first 100 malformed lines: {"line", "reason"}
    attempts      INT NOT NULL DEFAULT 0,
    last_error    TEXT NOT NULL DEFAULT '',
    started_at    TIMESTAMPTZ,
    finished_at   TIMESTAMPTZ,
    updated_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE history_imports;
