-- The hub's first schema. Migrations are append-only: never edit a shipped file, add the next.
-- Times are integer milliseconds since the epoch; ids are 16-byte UUID blobs.
CREATE TABLE accounts (
    account_id   BLOB PRIMARY KEY,
    created_at   INTEGER NOT NULL,
    -- The account's cursor: the seq of its newest record. Seqs are per account so that a
    -- reader's cursor can only be moved by its own account's commits.
    last_seq     INTEGER NOT NULL DEFAULT 0,
    record_count INTEGER NOT NULL DEFAULT 0,
    byte_count   INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE devices (
    device_id   BLOB PRIMARY KEY,
    account_id  BLOB NOT NULL REFERENCES accounts (account_id),
    label       TEXT NOT NULL,
    -- SHA-256 of the device's random credential; never the credential itself.
    secret_hash BLOB NOT NULL,
    created_at  INTEGER NOT NULL,
    revoked_at  INTEGER
);
CREATE INDEX devices_by_account ON devices (account_id);

-- One family per login; every refresh token descends from one.
CREATE TABLE token_families (
    family_id  BLOB PRIMARY KEY,
    account_id BLOB NOT NULL REFERENCES accounts (account_id),
    device_id  BLOB NOT NULL REFERENCES devices (device_id),
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
);
CREATE INDEX token_families_by_device ON token_families (device_id);

CREATE TABLE refresh_tokens (
    token_hash BLOB PRIMARY KEY,
    family_id  BLOB NOT NULL REFERENCES token_families (family_id),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER
);

-- Ciphertext and the least metadata sync needs: nothing here is readable without the
-- account key, which the hub never sees.
CREATE TABLE records (
    account_id  BLOB NOT NULL REFERENCES accounts (account_id),
    seq         INTEGER NOT NULL,
    entity      TEXT NOT NULL,
    record_id   TEXT NOT NULL,
    version     TEXT NOT NULL,
    ciphertext  BLOB NOT NULL,
    received_at INTEGER NOT NULL,
    PRIMARY KEY (account_id, seq),
    UNIQUE (account_id, entity, record_id, version)
);

-- Answers of past uploads, so a retry gets the same answer and stores nothing.
CREATE TABLE uploads (
    account_id BLOB NOT NULL REFERENCES accounts (account_id),
    upload_id  BLOB NOT NULL,
    digest     BLOB NOT NULL,
    stored     INTEGER NOT NULL,
    duplicates INTEGER NOT NULL,
    last_seq   INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (account_id, upload_id)
);
CREATE INDEX uploads_by_time ON uploads (created_at);

CREATE TABLE pairing_slots (
    lookup_id  TEXT PRIMARY KEY,
    account_id BLOB NOT NULL REFERENCES accounts (account_id),
    blob       BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);

CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id BLOB NOT NULL,
    device_id  BLOB,
    action     TEXT NOT NULL,
    detail     TEXT NOT NULL,
    at         INTEGER NOT NULL
);
CREATE INDEX audit_log_by_account ON audit_log (account_id, id);
CREATE INDEX audit_log_by_time ON audit_log (at);
