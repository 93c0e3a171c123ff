-- Key rotation (issue #18): revoking a device moves the account to a new key, so the revoked
-- device cannot read what is written after. The hub keeps only public keys, the tags that
-- vouch for them, and sealed keys: the older keys under the current one (`keyring`) and each
-- epoch's key under each device's public key (`key_grants`). None of it opens a record.
ALTER TABLE accounts ADD COLUMN key_epoch INTEGER NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN keyring BLOB;
-- Set by every revocation, cleared by a rotation: the next device to see it rotates the key.
ALTER TABLE accounts ADD COLUMN rotation_due INTEGER NOT NULL DEFAULT 0;

ALTER TABLE devices ADD COLUMN public_key BLOB;
ALTER TABLE devices ADD COLUMN key_tag BLOB;
-- A removal a newer device asked for, held until `removal_at` so that one stolen device
-- cannot shut out the owner's older ones at once. Dropped when the asker is revoked first.
ALTER TABLE devices ADD COLUMN removal_asked_by BLOB;
ALTER TABLE devices ADD COLUMN removal_at INTEGER;
-- Every sync round asks for due removals; this keeps the usual answer (none) one probe.
CREATE INDEX devices_removal_pending ON devices (account_id) WHERE removal_at IS NOT NULL;

CREATE TABLE key_grants (
    account_id BLOB NOT NULL REFERENCES accounts (account_id),
    device_id  BLOB NOT NULL REFERENCES devices (device_id),
    epoch      INTEGER NOT NULL,
    blob       BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (device_id, epoch)
);
