-- Recovery with the phrase on a new device (issue #6); the same model as the SQLite
-- backend's 0002_recovery.sql. `lookup` is derived from the account key by the device;
-- `verifier` is a hash of the proof the device will present. Neither reveals the key, and the
-- proof itself is never kept.
CREATE TABLE account_recovery (
    account_id UUID PRIMARY KEY REFERENCES accounts (account_id),
    lookup     TEXT NOT NULL UNIQUE,
    verifier   BYTEA NOT NULL,
    updated_at BIGINT NOT NULL
);
