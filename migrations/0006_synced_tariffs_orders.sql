-- Tariffs through sync (issue #16): a device that has never reached the operator gets the
-- tariffs another of the merchant's devices fetched or loaded. A file travels as numbered
-- parts (compressed, at most a few tens of KiB each, under the hub's per-record limit); parts
-- wait here until the whole file has arrived, then the app checks it with the same parser as
-- a fetched file and keeps it in `tariff_files` or refuses it.
CREATE TABLE tariff_parts (
    -- Content key of the whole file (hash of name, date and body), so parts of two versions
    -- never mix and the same file sent by two devices is one file.
    file_key    TEXT NOT NULL,
    idx         INTEGER NOT NULL,
    count       INTEGER NOT NULL,
    name        TEXT NOT NULL,
    last_update TEXT NOT NULL,
    data        TEXT NOT NULL,
    PRIMARY KEY (file_key, idx)
);

-- Files whose parts were settled (kept, already known, or refused), so a copy sent again by
-- another device, or this device's own parts coming back from the hub, are not staged again.
CREATE TABLE tariff_parts_done (
    file_key TEXT PRIMARY KEY,
    outcome  TEXT NOT NULL
);

-- The change log learns the new entity. SQLite cannot alter a CHECK, so the table is rebuilt
-- with every row and sequence number as it was (the sync engine's pushed mark refers to them).
CREATE TABLE change_log_new (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    entity    TEXT NOT NULL CHECK (entity IN ('contact', 'shipment', 'tariff_part', 'product')),
    record_id TEXT NOT NULL,
    hlc       TEXT NOT NULL,
    fields    TEXT NOT NULL CHECK (json_valid(fields))
) STRICT;
INSERT INTO change_log_new (seq, entity, record_id, hlc, fields)
    SELECT seq, entity, record_id, hlc, fields FROM change_log ORDER BY seq;
-- A sequence number once used is never reused, even when its row is gone.
DELETE FROM sqlite_sequence WHERE name = 'change_log_new';
INSERT INTO sqlite_sequence (name, seq)
    SELECT 'change_log_new', seq FROM sqlite_sequence WHERE name = 'change_log';
DROP TABLE change_log;
ALTER TABLE change_log_new RENAME TO change_log;

-- EC-Ship's price of record (issue #16): `getTotalPostage` asked just before a submission,
-- the figure the merchant accepted. Kept per shipment when asked, and copied onto the
-- submission job it was asked for, so the outbox says what EC-Ship quoted for each order.
CREATE TABLE prices_of_record (
    shipment_id TEXT PRIMARY KEY REFERENCES shipments (id),
    -- HK$ as decimal text ("88.40"), never a float.
    amount      TEXT NOT NULL,
    asked_ms    INTEGER NOT NULL
) STRICT;
ALTER TABLE outbox ADD COLUMN price_of_record TEXT;

-- The product catalogue (issue #14): what each SKU a shop sells is, for customs. Imported
-- order lines with a known SKU get their customs line and weight from it. It syncs like the
-- address book, field by field: `id` is derived from the SKU (the same SKU on two devices is
-- one record), `clocks` holds each field's last stamp. A row waiting for its creating change
-- has an empty description and is not listed.
CREATE TABLE products (
    sku            TEXT PRIMARY KEY,
    id             TEXT NOT NULL UNIQUE,
    hlc            TEXT NOT NULL DEFAULT '',
    clocks         TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(clocks)),
    description_en TEXT NOT NULL,
    description_zh TEXT NOT NULL DEFAULT '',
    hs_code        TEXT NOT NULL DEFAULT '',
    origin         TEXT NOT NULL DEFAULT '',
    unit_weight_g  INTEGER NOT NULL CHECK (unit_weight_g >= 0),
    -- Decimal text, never a float.
    unit_value     TEXT NOT NULL,
    currency       TEXT NOT NULL DEFAULT 'HKD',
    category       TEXT NOT NULL,
    eu_ok          INTEGER NOT NULL DEFAULT 1,
    updated_ms     INTEGER NOT NULL
) STRICT;

-- The shop order a shipment was drafted from (issue #14), as read from the export: its SKUs
-- let a product added later fill the lines it could not fill at import.
CREATE TABLE shop_orders (
    shipment_id TEXT PRIMARY KEY REFERENCES shipments (id),
    platform    TEXT NOT NULL,
    order_json  TEXT NOT NULL CHECK (json_valid(order_json))
) STRICT;
