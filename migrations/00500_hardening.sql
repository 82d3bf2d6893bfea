-- +goose Up
-- A delivery that can never succeed (a body that does not parse, a value out of range) is
-- recorded as failed with its reason and leaves the sweeper's way: the sweeper reads only rows
-- that are neither processed nor failed, in id order, so no number of failed rows can hide a
-- newer one. `boomerang replay-webhooks` clears failed_at to try again.
ALTER TABLE webhook_events ADD COLUMN failed_at TIMESTAMPTZ;
DROP INDEX webhook_events_pending;
CREATE INDEX webhook_events_pending ON webhook_events (id) WHERE processed_at IS NULL AND failed_at IS NULL;
CREATE INDEX webhook_events_failed ON webhook_events (failed_at) WHERE failed_at IS NOT NULL;

-- A shop erased by shop/redact leaves only this: its domain and when. Deliveries for it are
-- acknowledged and dropped, and nothing re-creates the shop until a real reinstall (a new
-- offline token), which deletes the tombstone and starts a fresh record.
CREATE TABLE shop_tombstones (
    domain      TEXT PRIMARY KEY,
    redacted_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- A message whose provider may or may not have accepted it (a timeout after the whole message
-- was handed over) is 'unknown': it is never re-sent automatically, only by the merchant's hand.
-- It counts against the frequency cap as a send would: better one promotion too few than two.
ALTER TABLE message_decisions DROP CONSTRAINT message_decisions_decision_check;
ALTER TABLE message_decisions ADD CONSTRAINT message_decisions_decision_check
    CHECK (decision IN ('queued', 'sending', 'sent', 'unknown', 'deferred', 'held', 'skipped', 'failed'));
DROP INDEX message_decisions_promo;
CREATE INDEX message_decisions_promo ON message_decisions (shop_id, customer_id, sent_at)
    WHERE kind = 'promotional' AND decision IN ('sending', 'sent', 'unknown');

-- Which lots a redemption's points came from, so that points given back (Shopify refused the
-- discount, or the order that used the reward was refunded in full) return to those same lots
-- with their own expiry, not as a fresh batch.
CREATE TABLE ledger_spends (
    shop_id   BIGINT NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    debit_id  BIGINT NOT NULL,
    lot_id    BIGINT NOT NULL,
    points    BIGINT NOT NULL CHECK (points > 0),
    PRIMARY KEY (shop_id, debit_id, lot_id)
);
-- 'returned': the reward was used on an order that was then refunded in full or cancelled,
-- and its points came back.
ALTER TABLE loyalty_redemptions DROP CONSTRAINT loyalty_redemptions_status_check;
ALTER TABLE loyalty_redemptions ADD CONSTRAINT loyalty_redemptions_status_check
    CHECK (status IN ('pending', 'issued', 'failed', 'returned'));
ALTER TABLE loyalty_redemptions ADD COLUMN order_id BIGINT;

-- +goose Down
UPDATE loyalty_redemptions SET status = 'issued' WHERE status = 'returned';
ALTER TABLE loyalty_redemptions DROP COLUMN order_id;
ALTER TABLE loyalty_redemptions DROP CONSTRAINT loyalty_redemptions_status_check;
ALTER TABLE loyalty_redemptions ADD CONSTRAINT loyalty_redemptions_status_check
    CHECK (status IN ('pending', 'issued', 'failed'));
DROP TABLE ledger_spends;
DROP INDEX message_decisions_promo;
CREATE INDEX message_decisions_promo ON message_decisions (shop_id, customer_id, sent_at)
    WHERE kind = 'promotional' AND decision IN ('sending', 'sent');
UPDATE message_decisions SET decision = 'failed' WHERE decision = 'unknown';
ALTER TABLE message_decisions DROP CONSTRAINT message_decisions_decision_check;
ALTER TABLE message_decisions ADD CONSTRAINT message_decisions_decision_check
    CHECK (decision IN ('queued', 'sending', 'sent', 'deferred', 'held', 'skipped', 'failed'));
DROP TABLE shop_tombstones;
DROP INDEX webhook_events_failed;
DROP INDEX webhook_events_pending;
ALTER TABLE webhook_events DROP COLUMN failed_at;
CREATE INDEX webhook_events_pending ON webhook_events (received_at) WHERE processed_at IS NULL;
