-- +goose Up
-- Photo reviews (issue 13): up to three images a review, kept in the shop's own Shopify Files.
-- A photo's bytes wait here until the upload job hands them to Shopify, then are dropped; a
-- deleted review leaves its photos with no review (ON DELETE SET NULL) and a redacted customer's
-- are marked: the job deletes both from Shopify, then the rows.
CREATE TABLE review_photos (
    id          BIGSERIAL PRIMARY KEY,
    shop_id     BIGINT NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    review_id   BIGINT REFERENCES reviews(id) ON DELETE SET NULL,
    position    INT NOT NULL CHECK (position BETWEEN 1 AND 3),
    data        BYTEA,
    file_id     TEXT NOT NULL DEFAULT '',
    url         TEXT NOT NULL DEFAULT '',
    width       INT NOT NULL DEFAULT 0,
    height      INT NOT NULL DEFAULT 0,
    status      TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'uploaded', 'ready', 'failed', 'deleting')),
    attempts    INT NOT NULL DEFAULT 0,
    error       TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX review_photos_position ON review_photos (shop_id, review_id, position) WHERE review_id IS NOT NULL;
CREATE INDEX review_photos_work ON review_photos (shop_id) WHERE status IN ('pending', 'uploaded', 'deleting') OR review_id IS NULL;

-- +goose Down
DROP TABLE review_photos;
