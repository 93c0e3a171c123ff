-- Key rotation (issue #18); the same model as the SQLite backend's 0003_key_rotation.sql.
-- Revoking a device moves the account to a new key, so the revoked device cannot read what is
-- written after. The hub keeps only public keys, the tags that vouch for them, and sealed
-- keys: the older keys under the current one (`keyring`) and each epoch's key under each
-- device's public key (`key_grants`). None of it opens a record.
-- `rotation_due` is set by every revocation and cleared by a rotation.
ALTER TABLE accounts
    ADD COLUMN key_epoch    BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN keyring      BYTEA,
    ADD COLUMN rotation_due BOOLEAN NOT NULL DEFAULT FALSE;

-- `removal_at`: a removal a newer device asked for, held until then so that one stolen device
-- cannot shut out the owner's older ones at once. Dropped when the asker is revoked first.
ALTER TABLE devices
    ADD COLUMN public_key       BYTEA,
    ADD COLUMN key_tag          BYTEA,
    ADD COLUMN removal_asked_by UUID,
    ADD COLUMN removal_at       BIGINT;
-- Every sync round asks for due removals; this keeps the usual answer (none) one probe.
CREATE INDEX devices_removal_pending ON devices (account_id) WHERE removal_at IS NOT NULL;

CREATE TABLE key_grants (
    account_id UUID NOT NULL REFERENCES accounts (account_id),
    device_id  UUID NOT NULL REFERENCES devices (device_id),
    epoch      BIGINT NOT NULL,
    blob       BYTEA NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (device_id, epoch)
);
