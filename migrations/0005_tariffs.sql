-- Tariff files received after the build (issue #16): fetched from the operator's open data,
-- loaded from a file, or received from another device. The bundled files are the floor and
-- are never stored. One row per (file, lastUpdateDate): a corrected file re-published under
-- the same date replaces the body; a newer date is a new version, and older ones stay for
-- pricing by posting date and for history.
CREATE TABLE tariff_files (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    last_update TEXT NOT NULL,
    -- satchel_core::rates::Source as JSON: where the file came from, shown with every price.
    source      TEXT NOT NULL,
    received_ms INTEGER NOT NULL,
    body        TEXT NOT NULL,
    UNIQUE (name, last_update)
);

-- What the operator's server said about the copy last kept (ETag / Last-Modified), sent back
-- on the next check so an unchanged file costs a 304. Written in the same transaction as the
-- file it describes, so a 304 always means "the stored copy is current".
CREATE TABLE tariff_validators (
    url           TEXT PRIMARY KEY,
    etag          TEXT,
    last_modified TEXT
);
