-- +goose Up
-- Products as the admin names them: title, handle and image, read from Shopify the first time a
-- page needs them and kept current by products/update.
CREATE TABLE products (
    shop_id    bigint NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    product_id bigint NOT NULL,
    title      text NOT NULL,
    handle     text NOT NULL DEFAULT '',
    image_url  text NOT NULL DEFAULT '',
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (shop_id, product_id)
);

-- +goose Down
DROP TABLE products;
