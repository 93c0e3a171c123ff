-- EC-Ship submission (issue #7).
--
-- 1. Shipments gain the `cancelled` state (an order cancelled at EC-Ship: its item number is
--    void and its refNo is spent, so the shipment can never be submitted again; "copy as new"
--    makes a fresh one) and an `ecship` column with what EC-Ship answered (order number, its
--    postage), which syncs like any other field. SQLite cannot change a CHECK constraint in
--    place, so the table is rebuilt; nothing references it yet.
CREATE TABLE shipments_v2 (
    rowid         INTEGER PRIMARY KEY,
    id            TEXT NOT NULL UNIQUE,
    state         TEXT NOT NULL CHECK (state IN ('draft', 'ready', 'submitted',
                      'numbered', 'printed', 'posted', 'delivered', 'returned', 'expired',
                      'cancelled')),
    recipient_id  TEXT REFERENCES contacts (id),
    sender_id     TEXT REFERENCES contacts (id),
    reference     TEXT NOT NULL DEFAULT '',
    destination   TEXT NOT NULL,
    service       TEXT NOT NULL,
    item_number   TEXT,
    body          TEXT NOT NULL CHECK (json_valid(body)),
    history       TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(history)),
    problems      TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(problems)),
    quote         TEXT CHECK (quote IS NULL OR json_valid(quote)),
    created_ms    INTEGER NOT NULL,
    updated_ms    INTEGER NOT NULL,
    hlc           TEXT NOT NULL,
    clocks        TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(clocks)),
    deleted       INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
    -- What EC-Ship answered when the order was created (satchel_store::outbox::EcshipOrder).
    ecship        TEXT CHECK (ecship IS NULL OR json_valid(ecship))
) STRICT;

INSERT INTO shipments_v2 (rowid, id, state, recipient_id, sender_id, reference, destination,
    service, item_number, body, history, problems, quote, created_ms, updated_ms, hlc, clocks,
    deleted)
SELECT rowid, id, state, recipient_id, sender_id, reference, destination, service,
    item_number, body, history, problems, quote, created_ms, updated_ms, hlc, clocks, deleted
FROM shipments;

DROP TABLE shipments;
ALTER TABLE shipments_v2 RENAME TO shipments;

CREATE INDEX shipments_by_state ON shipments (deleted, state, created_ms);
CREATE INDEX shipments_by_destination ON shipments (deleted, destination);
CREATE INDEX shipments_by_reference ON shipments (reference) WHERE reference <> '' AND deleted = 0;
-- One live shipment per item number: a pre-printed barcode label (R-047) or an EC-Ship number
-- is stuck on exactly one parcel.
CREATE UNIQUE INDEX shipments_by_item_number ON shipments (item_number)
    WHERE item_number IS NOT NULL AND deleted = 0 AND state <> 'cancelled';

-- 2. The outbox: this device's queue of EC-Ship work. Device-local, never synced: a job is
--    "what this device still has to do", not a fact about the shipment.
CREATE TABLE outbox (
    rowid           INTEGER PRIMARY KEY,
    id              TEXT NOT NULL UNIQUE,
    shipment_id     TEXT NOT NULL REFERENCES shipments (id),
    kind            TEXT NOT NULL CHECK (kind IN ('submit', 'cancel')),
    state           TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed',
                        'withdrawn')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    -- When a queued job may run, or when a running job's lease runs out (a worker that died
    -- mid-request leaves its job to be picked up again after this).
    due_ms          INTEGER NOT NULL,
    -- EC-Ship's own errMessage, or what went wrong on the way there.
    last_error      TEXT,
    error_kind      TEXT CHECK (error_kind IS NULL OR error_kind IN ('ecship', 'transport',
                        'setup')),
    created_ms      INTEGER NOT NULL,
    updated_ms      INTEGER NOT NULL
) STRICT;

-- A double click, or two windows, cannot queue a second job for the same shipment.
CREATE UNIQUE INDEX outbox_one_open_job ON outbox (shipment_id, kind)
    WHERE state IN ('queued', 'running');
CREATE INDEX outbox_due ON outbox (state, due_ms);
CREATE INDEX outbox_by_shipment ON outbox (shipment_id, rowid);

-- 3. Tracking events fetched from EC-Ship, per shipment. A cache: any device can fetch them
--    again, so they do not sync.
CREATE TABLE tracking_events (
    shipment_id TEXT NOT NULL REFERENCES shipments (id),
    at          TEXT NOT NULL,
    code        TEXT NOT NULL,
    description TEXT NOT NULL,
    location    TEXT NOT NULL,
    fetched_ms  INTEGER NOT NULL,
    PRIMARY KEY (shipment_id, at, code, description)
) STRICT, WITHOUT ROWID;

-- 4. Documents EC-Ship made for a shipment (its address-pack label PDF), kept as downloaded.
CREATE TABLE ecship_documents (
    shipment_id TEXT NOT NULL REFERENCES shipments (id),
    kind        TEXT NOT NULL CHECK (kind IN ('address_pack')),
    bytes       BLOB NOT NULL,
    fetched_ms  INTEGER NOT NULL,
    PRIMARY KEY (shipment_id, kind)
) STRICT, WITHOUT ROWID;
