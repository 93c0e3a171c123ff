-- Recovery with the phrase on a new device (issue #6). One row per account that registered
-- one. `lookup` is derived from the account key by the device; `verifier` is a hash of the
-- proof the device will present. Neither reveals the key, and the proof itself is never kept.
CREATE TABLE account_recovery (
    account_id BLOB PRIMARY KEY REFERENCES accounts (account_id),
    lookup     TEXT NOT NULL UNIQUE,
    verifier   BLOB NOT NULL,
    updated_at INTEGER NOT NULL
);
