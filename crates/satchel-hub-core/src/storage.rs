//! The storage trait. Each method is one transaction in the backend, and every method that
//! touches account data takes the account id, so a handler cannot forget the scope.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::types::*;

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// A unique id was taken (a device id registered twice).
    #[error("{0} already exists")]
    Conflict(&'static str),
    #[error("the account does not exist")]
    NoAccount,
    /// The database failed; the message is the driver's and carries no request data.
    #[error("storage backend: {0}")]
    Backend(String),
}

#[async_trait]
pub trait HubStorage: Send + Sync + 'static {
    /// A short name for logs and benches (`sqlite`, `postgres`).
    fn backend_name(&self) -> &'static str;

    /// Creates an account with its first device.
    async fn create_account(
        &self,
        account_id: Uuid,
        device: &NewDevice,
        now: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        self.create_account_with_recovery(account_id, device, None, now)
            .await
    }

    /// Creates an account with its first device and, when given, its recovery verifier, in
    /// one transaction: an account is never left half made. A lookup another account uses is
    /// a `Conflict`.
    async fn create_account_with_recovery(
        &self,
        account_id: Uuid,
        device: &NewDevice,
        recovery: Option<&RecoveryVerifier>,
        now: DateTime<Utc>,
    ) -> Result<(), StorageError>;

    /// Registers or replaces the account's recovery verifier (one per account; the old lookup
    /// stops working at once). `NoAccount` when the account is missing, `Conflict` when
    /// another account uses the lookup.
    async fn set_recovery(
        &self,
        account_id: Uuid,
        recovery: &RecoveryVerifier,
        now: DateTime<Utc>,
    ) -> Result<(), StorageError>;

    /// The account filed under a recovery lookup, with its verifier. The caller compares the
    /// verifier itself, in constant time.
    async fn recovery(&self, lookup: &str) -> Result<Option<(Uuid, Hash)>, StorageError>;

    /// Looks a device up by id alone (login does not know the account yet).
    async fn device(&self, device_id: Uuid) -> Result<Option<Device>, StorageError>;

    async fn list_devices(&self, account_id: Uuid) -> Result<Vec<Device>, StorageError>;

    async fn add_device(&self, account_id: Uuid, device: &NewDevice) -> Result<(), StorageError>;

    /// Revokes a device of this account and every token family it holds. Returns false when
    /// the account has no such device (another account's device looks exactly like a missing
    /// one). Revoking twice keeps the first time.
    async fn revoke_device(
        &self,
        account_id: Uuid,
        device_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<bool, StorageError>;

    /// Registers or replaces a device's own public key (issue #18; only the device itself
    /// calls it, with its own token). A different key drops the device's grants, which were
    /// sealed to the old one. False when the device is revoked or not this account's.
    async fn set_device_key(
        &self,
        account_id: Uuid,
        device_id: Uuid,
        key: &DeviceKey,
    ) -> Result<bool, StorageError>;

    /// The account's key epoch, keyring, `device_id`'s grant for that epoch and the live
    /// devices with their keys. `NoAccount` when the account is missing.
    async fn key_state(&self, account_id: Uuid, device_id: Uuid) -> Result<KeyState, StorageError>;

    /// Moves the account to a new key in one transaction: epoch, keyring, the grants (to
    /// live devices of this account only; others are skipped) and, when given, the recovery
    /// verifier. False, and nothing written, when `rotation.epoch` is not the current epoch
    /// plus one (another device rotated first), or when no device was removed since the last
    /// rotation (`rotation_due` is false). `Conflict` when another account uses the
    /// recovery lookup.
    async fn rotate_key(
        &self,
        account_id: Uuid,
        rotation: &KeyRotation,
        now: DateTime<Utc>,
    ) -> Result<bool, StorageError>;

    /// Adds grants of the current epoch for live devices of this account that have none (a
    /// device that registered its key after the rotation). A grant for another epoch, a
    /// revoked or foreign device, or one already granted is skipped. Returns how many were
    /// stored.
    async fn add_grants(
        &self,
        account_id: Uuid,
        epoch: i64,
        grants: &[KeyGrant],
        now: DateTime<Utc>,
    ) -> Result<u64, StorageError>;

    /// Holds the removal of a live device of this account until `effective_at`, asked by
    /// `asked_by`. A removal already pending keeps its first time. Returns the time that
    /// stands, or `None` when the account has no such live device.
    async fn defer_revocation(
        &self,
        account_id: Uuid,
        device_id: Uuid,
        asked_by: Uuid,
        effective_at: DateTime<Utc>,
    ) -> Result<Option<DateTime<Utc>>, StorageError>;

    /// The account's pending removals whose target and asker are both still live.
    async fn pending_removals(&self, account_id: Uuid)
        -> Result<Vec<PendingRemoval>, StorageError>;

    /// Carries out the account's pending removals that are due, as `revoke_device` does, when
    /// their asker is still live (a removal asked by a device since removed is dropped).
    /// Returns how many devices were revoked.
    async fn apply_due_revocations(
        &self,
        account_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<u64, StorageError>;

    /// Stores the first refresh token of a new family.
    async fn insert_refresh(&self, token: &RefreshToken) -> Result<(), StorageError>;

    /// Presents the refresh token with `old_hash`; on success `next` (same family, account and
    /// device as the old one; the backend overwrites those fields) is stored.
    async fn rotate_refresh(
        &self,
        old_hash: &Hash,
        next: &RefreshToken,
        now: DateTime<Utc>,
    ) -> Result<RotateOutcome, StorageError>;

    async fn session_state(
        &self,
        account_id: Uuid,
        device_id: Uuid,
        family_id: Uuid,
    ) -> Result<SessionState, StorageError>;

    /// Stores a batch atomically: all of it, or (over quota, or a reused id) none of it.
    async fn upload(
        &self,
        account_id: Uuid,
        device_id: Uuid,
        batch: &UploadBatch,
        quota: Quota,
        now: DateTime<Utc>,
    ) -> Result<UploadOutcome, StorageError>;

    /// Records with `seq > after`, in seq order, at most `limit`.
    async fn download(
        &self,
        account_id: Uuid,
        after: i64,
        limit: u32,
    ) -> Result<Vec<StoredRecord>, StorageError>;

    /// Removes every version of one record; returns how many rows went.
    async fn purge_record(
        &self,
        account_id: Uuid,
        entity: &str,
        record_id: &str,
    ) -> Result<u64, StorageError>;

    async fn usage(&self, account_id: Uuid) -> Result<Usage, StorageError>;

    /// Records and ciphertext bytes of every account together, from the per-account tallies
    /// (one pass over the accounts, never over the records), for the hub's storage budget.
    async fn total_usage(&self) -> Result<Usage, StorageError>;

    /// Parks a pairing blob. Returns false when a live slot already has this lookup id (an
    /// expired one is replaced).
    async fn put_pairing(
        &self,
        slot: &PairingSlot,
        now: DateTime<Utc>,
    ) -> Result<bool, StorageError>;

    /// Takes a live pairing blob out, with the account that parked it (for that account's
    /// audit log); it is gone afterwards, whoever asked. An answerable slot is never taken.
    async fn take_pairing(
        &self,
        lookup_id: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<(Uuid, Vec<u8>)>, StorageError>;

    /// Leaves `answer` in a live answerable slot that has none yet, and returns the slot's
    /// account and blob; `None` (nothing stored) when there is no such slot.
    async fn answer_pairing(
        &self,
        lookup_id: &str,
        answer: &[u8],
        now: DateTime<Utc>,
    ) -> Result<Option<(Uuid, Vec<u8>)>, StorageError>;

    /// Drops a slot `account_id` parked (a typed code's offer once the new device is in by the
    /// QR code). False when it has no such slot.
    async fn drop_pairing(&self, account_id: Uuid, lookup_id: &str) -> Result<bool, StorageError>;

    /// The answer left in a live slot `account_id` parked, if there is one yet.
    async fn pairing_answer(
        &self,
        account_id: Uuid,
        lookup_id: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<Vec<u8>>, StorageError>;

    async fn append_audit(&self, entry: &AuditEntry) -> Result<(), StorageError>;

    /// Forgets what only matters for a while: upload answers older than `uploads_before` (a
    /// retry after that stores nothing anyway, its records being duplicates by version),
    /// audit entries older than `audit_before`, and expired pairing slots.
    async fn prune(
        &self,
        uploads_before: DateTime<Utc>,
        audit_before: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Pruned, StorageError>;

    /// This account's audit entries with `id > after`, oldest first.
    async fn list_audit(
        &self,
        account_id: Uuid,
        after: i64,
        limit: u32,
    ) -> Result<Vec<AuditEntry>, StorageError>;
}
