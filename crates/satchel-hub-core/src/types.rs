//! The hub's records as the storage layer sees them. Secrets appear only as SHA-256 hashes
//! (device credentials and refresh tokens are high-entropy random values, so a plain hash is
//! enough to make a stolen database useless for logging in).

use std::fmt;

use chrono::{DateTime, TimeZone, Utc};
use uuid::Uuid;

/// A SHA-256 digest.
pub type Hash = [u8; 32];

/// A device as it is registered.
#[derive(Clone, PartialEq, Eq)]
pub struct NewDevice {
    pub device_id: Uuid,
    pub label: String,
    pub secret_hash: Hash,
    pub created_at: DateTime<Utc>,
}

/// A device as stored.
#[derive(Clone, PartialEq, Eq)]
pub struct Device {
    pub device_id: Uuid,
    pub account_id: Uuid,
    pub label: String,
    pub secret_hash: Hash,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

// The label may be whatever the merchant typed, and the hash is credential material: neither
// belongs in a log line.
impl fmt::Debug for Device {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Device")
            .field("device_id", &self.device_id)
            .field("account_id", &self.account_id)
            .field("revoked_at", &self.revoked_at)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for NewDevice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewDevice")
            .field("device_id", &self.device_id)
            .finish_non_exhaustive()
    }
}

/// What the hub keeps to recognise an account's recovery phrase: the lookup the device
/// derives from the account key, and a hash of the proof it will present. Neither is the key
/// nor gives it back; the proof itself is never stored.
#[derive(Clone, PartialEq, Eq)]
pub struct RecoveryVerifier {
    pub lookup: String,
    pub verifier: Hash,
}

// The lookup names the account for as long as its key lives, so logs get neither value.
impl fmt::Debug for RecoveryVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RecoveryVerifier(<redacted>)")
    }
}

/// One refresh token. Every login starts a family; each refresh marks the presented token used
/// and adds its successor to the same family.
#[derive(Clone, PartialEq, Eq)]
pub struct RefreshToken {
    pub hash: Hash,
    pub family_id: Uuid,
    pub account_id: Uuid,
    pub device_id: Uuid,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

impl fmt::Debug for RefreshToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RefreshToken")
            .field("family_id", &self.family_id)
            .field("device_id", &self.device_id)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

/// What happened when a refresh token was presented.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RotateOutcome {
    /// The token was valid; it is now used and its successor is stored.
    Rotated {
        account_id: Uuid,
        device_id: Uuid,
        family_id: Uuid,
    },
    /// No such token.
    Unknown,
    Expired,
    /// The family or the device was revoked earlier.
    Revoked,
    /// The token had already been used: someone holds a copy. The whole family is now revoked.
    Reused,
}

/// Whether an access token's login is still good. Checked on every request, which is what
/// makes a revocation take effect at once rather than when the access token expires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionState {
    Active,
    DeviceRevoked,
    FamilyRevoked,
    /// The device or family does not exist for this account.
    Unknown,
}

/// Per-account limits, checked inside the upload's transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quota {
    pub max_records: u64,
    pub max_bytes: u64,
}

/// One encrypted change to store.
#[derive(Clone, PartialEq, Eq)]
pub struct NewRecord {
    pub record_id: String,
    pub entity: String,
    pub version: String,
    pub ciphertext: Vec<u8>,
}

impl fmt::Debug for NewRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewRecord")
            .field("entity", &self.entity)
            .field("version", &self.version)
            .field("ciphertext_len", &self.ciphertext.len())
            .finish_non_exhaustive()
    }
}

/// An upload: a client-chosen id (for idempotency), a digest of its content (so a reused id
/// with different content is caught), and the records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadBatch {
    pub upload_id: Uuid,
    pub digest: Hash,
    pub records: Vec<NewRecord>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UploadResult {
    pub stored: u32,
    pub duplicates: u32,
    pub last_seq: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuotaKind {
    Records,
    Bytes,
}

impl QuotaKind {
    pub fn as_str(self) -> &'static str {
        match self {
            QuotaKind::Records => "records",
            QuotaKind::Bytes => "bytes",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UploadOutcome {
    Stored(UploadResult),
    /// The same upload id and content arrived before; nothing changed.
    Replayed(UploadResult),
    /// The upload id was used before for different records.
    DigestMismatch,
    /// Nothing was stored: the upload would take the account past its quota.
    QuotaExceeded {
        kind: QuotaKind,
        limit: u64,
        would_be: u64,
    },
}

/// A stored record; `seq` increases per account in commit order.
#[derive(Clone, PartialEq, Eq)]
pub struct StoredRecord {
    pub seq: i64,
    pub record_id: String,
    pub entity: String,
    pub version: String,
    pub ciphertext: Vec<u8>,
}

impl fmt::Debug for StoredRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoredRecord")
            .field("seq", &self.seq)
            .field("entity", &self.entity)
            .field("version", &self.version)
            .field("ciphertext_len", &self.ciphertext.len())
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Usage {
    pub records: u64,
    pub bytes: u64,
}

/// A parked pairing blob.
#[derive(Clone, PartialEq, Eq)]
pub struct PairingSlot {
    pub lookup_id: String,
    pub account_id: Uuid,
    pub blob: Vec<u8>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// A typed code's offer: answered once, never taken.
    pub answerable: bool,
}

impl fmt::Debug for PairingSlot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PairingSlot")
            .field("account_id", &self.account_id)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

/// One line of the audit log: who read what, when. `detail` holds counts and cursors, never
/// record contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// Assigned by the storage; ignored on append.
    pub id: i64,
    pub account_id: Uuid,
    pub device_id: Option<Uuid>,
    pub action: String,
    pub detail: String,
    pub at: DateTime<Utc>,
}

/// What [`HubStorage::prune`](crate::HubStorage::prune) removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pruned {
    pub uploads: u64,
    pub audit_entries: u64,
    pub pairing_slots: u64,
}

/// Both backends keep times as integer milliseconds since the epoch: exact, sortable, and the
/// same in SQLite and PostgreSQL.
pub fn to_millis(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

pub fn from_millis(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms)
        .single()
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// A device's public key for key rotation (issue #18): an X25519 key the device made itself,
/// and a tag by which the other devices check it came from a holder of the account key (the
/// hub cannot make one, so it cannot slip its own key in).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceKey {
    pub public_key: Vec<u8>,
    pub tag: Vec<u8>,
}

/// The account key of one epoch sealed to one device's public key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyGrant {
    pub device_id: Uuid,
    pub blob: Vec<u8>,
}

/// A move to a new account key: `epoch` must be the account's current epoch plus one.
/// `keyring` is the account's older keys sealed under the new one (so the new key, or the
/// phrase made from it, still opens every older record); `grants` give the new key to the
/// devices that stay; `recovery` replaces the recovery verifier, since the old one is derived
/// from a key the revoked device holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyRotation {
    pub epoch: i64,
    pub keyring: Vec<u8>,
    pub grants: Vec<KeyGrant>,
    pub recovery: Option<RecoveryVerifier>,
}

/// One live device as key rotation sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceKeyInfo {
    pub device_id: Uuid,
    pub key: Option<DeviceKey>,
    /// Whether it holds a grant for the account's current epoch.
    pub granted: bool,
}

/// The account's key state, as one device asks for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyState {
    /// 0 until the first rotation: the key made with the account.
    pub epoch: i64,
    /// The older keys sealed under the current one (none before the first rotation).
    pub keyring: Option<Vec<u8>>,
    /// The asking device's grant for the current epoch, if it has one.
    pub grant: Option<Vec<u8>>,
    /// The account's devices that are not revoked, oldest first.
    pub devices: Vec<DeviceKeyInfo>,
    /// A device was revoked since the last rotation (set by every revocation, cleared by
    /// `rotate_key`): the next device to see it rotates the key.
    pub rotation_due: bool,
    /// Whether the account has a recovery verifier.
    pub recovery_set: bool,
}

/// A removal a newer device asked for, held until `effective_at` (issue #18).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingRemoval {
    pub device_id: Uuid,
    pub asked_by: Uuid,
    pub effective_at: DateTime<Utc>,
}
