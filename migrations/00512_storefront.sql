-- +goose Up
-- The storefront (issue 13): the merchant's public reply under a review, and the products whose
-- rating metafields (reviews.rating, reviews.rating_count, the app's top reviews) must be written
-- again in Shopify. A trigger marks a product on every change to its reviews, whatever code path
-- made it, in the change's own transaction; a job writes the metafields and settles the mark
-- only if nothing changed meanwhile.
ALTER TABLE reviews ADD COLUMN reply TEXT NOT NULL DEFAULT '', ADD COLUMN replied_at TIMESTAMPTZ;

CREATE TABLE product_rating_sync (
    shop_id    BIGINT NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    product_id BIGINT NOT NULL,
    changed_at TIMESTAMPTZ NOT NULL,
    synced_at  TIMESTAMPTZ,
    failed     TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (shop_id, product_id)
);
CREATE INDEX product_rating_sync_due ON product_rating_sync (shop_id) WHERE synced_at IS NULL OR synced_at < changed_at;

-- +goose StatementBegin
CREATE FUNCTION mark_product_rating() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Only what the storefront shows: a change to a published review, or one being published.
    IF TG_OP <> 'INSERT' AND OLD.product_id IS NOT NULL AND (OLD.status = 'published' OR (TG_OP = 'UPDATE' AND NEW.status = 'published')) THEN
        INSERT INTO product_rating_sync (shop_id, product_id, changed_at) VALUES (OLD.shop_id, OLD.product_id, clock_timestamp())
        ON CONFLICT (shop_id, product_id) DO UPDATE SET changed_at = EXCLUDED.changed_at;
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.product_id IS NOT NULL AND NEW.status = 'published'
       AND (TG_OP = 'INSERT' OR NEW.product_id IS DISTINCT FROM OLD.product_id) THEN
        INSERT INTO product_rating_sync (shop_id, product_id, changed_at) VALUES (NEW.shop_id, NEW.product_id, clock_timestamp())
        ON CONFLICT (shop_id, product_id) DO UPDATE SET changed_at = EXCLUDED.changed_at;
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- Only changes the storefront shows mark the product (not scoring, sentiment or timestamps).
CREATE TRIGGER reviews_mark_product_rating
    AFTER INSERT OR DELETE OR UPDATE OF status, rating, title, body, reply, reviewer_name, product_id, verified_buyer ON reviews
    FOR EACH ROW EXECUTE FUNCTION mark_product_rating();

-- +goose Down
DROP TRIGGER reviews_mark_product_rating ON reviews;
DROP FUNCTION mark_product_rating();
DROP TABLE product_rating_sync;
ALTER TABLE reviews DROP COLUMN reply, DROP COLUMN replied_at;
