-- The hub's first PostgreSQL schema; the same model as the SQLite backend's 0001_hub.sql.
-- Migrations are append-only: never edit a shipped file, add the next.
-- Times are BIGINT milliseconds since the epoch, exactly as in SQLite.
CREATE TABLE accounts (
    account_id   UUID PRIMARY KEY,
    created_at   BIGINT NOT NULL,
    -- Per-account cursor, advanced under this row's lock so that seqs commit in order and a
    -- reader can never skip past a record whose transaction is still open.
    last_seq     BIGINT NOT NULL DEFAULT 0,
    record_count BIGINT NOT NULL DEFAULT 0,
    byte_count   BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE devices (
    device_id   UUID PRIMARY KEY,
    account_id  UUID NOT NULL REFERENCES accounts (account_id),
    label       TEXT NOT NULL,
    secret_hash BYTEA NOT NULL,
    created_at  BIGINT NOT NULL,
    revoked_at  BIGINT
);
CREATE INDEX devices_by_account ON devices (account_id);

CREATE TABLE token_families (
    family_id  UUID PRIMARY KEY,
    account_id UUID NOT NULL REFERENCES accounts (account_id),
    device_id  UUID NOT NULL REFERENCES devices (device_id),
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX token_families_by_device ON token_families (device_id);

CREATE TABLE refresh_tokens (
    token_hash BYTEA PRIMARY KEY,
    family_id  UUID NOT NULL REFERENCES token_families (family_id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT
);

CREATE TABLE records (
    account_id  UUID NOT NULL REFERENCES accounts (account_id),
    seq         BIGINT NOT NULL,
    entity      TEXT NOT NULL,
    record_id   TEXT NOT NULL,
    version     TEXT NOT NULL,
    ciphertext  BYTEA NOT NULL,
    received_at BIGINT NOT NULL,
    PRIMARY KEY (account_id, seq),
    UNIQUE (account_id, entity, record_id, version)
);

CREATE TABLE uploads (
    account_id UUID NOT NULL REFERENCES accounts (account_id),
    upload_id  UUID NOT NULL,
    digest     BYTEA NOT NULL,
    stored     BIGINT NOT NULL,
    duplicates BIGINT NOT NULL,
    last_seq   BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (account_id, upload_id)
);
CREATE INDEX uploads_by_time ON uploads (created_at);

CREATE TABLE pairing_slots (
    lookup_id  TEXT PRIMARY KEY,
    account_id UUID NOT NULL REFERENCES accounts (account_id),
    blob       BYTEA NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);

CREATE TABLE audit_log (
    id         BIGSERIAL PRIMARY KEY,
    account_id UUID NOT NULL,
    device_id  UUID,
    action     TEXT NOT NULL,
    detail     TEXT NOT NULL,
    at         BIGINT NOT NULL
);
CREATE INDEX audit_log_by_account ON audit_log (account_id, id);
CREATE INDEX audit_log_by_time ON audit_log (at);
