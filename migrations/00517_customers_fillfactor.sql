-- +goose Up
-- Every order rewrites its customer's row (the upsert, then the order count, spend and stage),
-- and none of those columns is indexed. With pages packed full, each rewrite lands on another
-- page and inserts into all of the table's indexes, the two trigram indexes of the customer
-- search included; a fifth of each page left free lets Postgres keep the new version on the
-- same page and skip the indexes (a HOT update). Only pages written from now on keep the space.
ALTER TABLE customers SET (fillfactor = 80);

-- +goose Down
ALTER TABLE customers RESET (fillfactor);
