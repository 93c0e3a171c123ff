-- Satchel local store, schema 1: address book, shipments and the sync change log.
-- Shipped migrations are never edited (crates/satchel-store/tests/migrations.rs pins their
-- hashes); change the schema by adding the next numbered file.

-- One row per setting; holds this device's id and the hybrid logical clock high-water mark.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

-- Recipients and sender profiles. `id` is a UUIDv7 made on the device; the integer rowid
-- only keys the search index. Deleted records stay as tombstones (`deleted = 1`) so that a
-- delete can be synced.
CREATE TABLE contacts (
    rowid      INTEGER PRIMARY KEY,
    id         TEXT NOT NULL UNIQUE,
    kind       TEXT NOT NULL CHECK (kind IN ('recipient', 'sender')),
    name       TEXT NOT NULL,
    company    TEXT NOT NULL DEFAULT '',
    lines      TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(lines)),
    city       TEXT NOT NULL DEFAULT '',
    state      TEXT NOT NULL DEFAULT '',
    postcode   TEXT NOT NULL DEFAULT '',
    country    TEXT NOT NULL,
    phone      TEXT NOT NULL DEFAULT '',
    email      TEXT NOT NULL DEFAULT '',
    notes      TEXT NOT NULL DEFAULT '',
    tags       TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(tags)),
    is_default INTEGER NOT NULL DEFAULT 0 CHECK (is_default IN (0, 1)),
    -- Normalised name + first line + postcode + country: what "the same person" means to
    -- the importer's duplicate policy.
    dedupe_key TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    updated_ms INTEGER NOT NULL,
    hlc        TEXT NOT NULL,
    -- {field: hybrid logical clock of its last change}: per-field last-writer-wins on merge.
    clocks     TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(clocks)),
    deleted    INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1))
) STRICT;

CREATE INDEX contacts_by_kind_name ON contacts (kind, deleted, name COLLATE NOCASE);
CREATE INDEX contacts_by_dedupe ON contacts (kind, dedupe_key) WHERE deleted = 0;
-- At most one default sender profile.
CREATE UNIQUE INDEX contacts_one_default ON contacts (kind) WHERE is_default = 1 AND deleted = 0;

-- Search as you type. Two indexes over the same text, both without a copy of it:
-- `contact_grams` (trigram) finds any substring of three or more characters, in any script;
-- `contact_words` (unicode61) finds word prefixes for one- and two-character queries. The
-- text put in `contact_words` has a space after every Han character, because unicode61
-- would otherwise make a whole Chinese run one token (toolchain.md §7.2).
CREATE VIRTUAL TABLE contact_grams USING fts5 (
    body, tokenize = 'trigram', content = '', contentless_delete = 1
);
CREATE VIRTUAL TABLE contact_words USING fts5 (
    body, tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2',
    content = '', contentless_delete = 1
);

-- Shipments. `body` is the domain shipment (satchel_core::model::Shipment) as JSON: sender
-- and recipient are copies, so editing a contact never rewrites what was posted.
CREATE TABLE shipments (
    rowid         INTEGER PRIMARY KEY,
    id            TEXT NOT NULL UNIQUE,
    state         TEXT NOT NULL CHECK (state IN ('draft', 'ready', 'submitted',
                      'numbered', 'printed', 'posted', 'delivered', 'returned', 'expired')),
    recipient_id  TEXT REFERENCES contacts (id),
    sender_id     TEXT REFERENCES contacts (id),
    reference     TEXT NOT NULL DEFAULT '',
    destination   TEXT NOT NULL,
    service       TEXT NOT NULL,
    item_number   TEXT,
    body          TEXT NOT NULL CHECK (json_valid(body)),
    -- {state: RFC 3339 time} for every state the shipment has been in.
    history       TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(history)),
    -- The last validation result and quote, with the rate-file date the quote used.
    problems      TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(problems)),
    quote         TEXT CHECK (quote IS NULL OR json_valid(quote)),
    created_ms    INTEGER NOT NULL,
    updated_ms    INTEGER NOT NULL,
    hlc           TEXT NOT NULL,
    clocks        TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(clocks)),
    deleted       INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1))
) STRICT;

CREATE INDEX shipments_by_state ON shipments (deleted, state, created_ms);
CREATE INDEX shipments_by_destination ON shipments (deleted, destination);
CREATE INDEX shipments_by_reference ON shipments (reference) WHERE reference <> '' AND deleted = 0;

-- Every local change, in order, for the sync engine to ship (issue #6). One row per changed
-- record: `fields` maps each changed field to its new value; a delete is `{"deleted": true}`.
CREATE TABLE change_log (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    entity    TEXT NOT NULL CHECK (entity IN ('contact', 'shipment')),
    record_id TEXT NOT NULL,
    hlc       TEXT NOT NULL,
    fields    TEXT NOT NULL CHECK (json_valid(fields))
) STRICT;
