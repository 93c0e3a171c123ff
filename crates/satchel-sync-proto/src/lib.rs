//! The v0 wire protocol between a Satchel device and the sync hub.
//!
//! Old clients meet new servers, so this crate only ever grows: fields are added with
//! `#[serde(default)]`, never renamed or removed, and a breaking change would be a new `v1`
//! module with its own routes. Every path carries its version (`/v0/...`, see [`paths`]).
//!
//! The hub is a blind store: what a device uploads is ciphertext it encrypted itself, plus the
//! least metadata the hub needs to page it out again (record id, entity, version). The account's
//! encryption key never appears in any message here; a device proves who it is with its own
//! device credential, which is unrelated to that key.

#![forbid(unsafe_code)]

use std::fmt;

use base64::Engine as _;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use uuid::Uuid;

/// The version prefix every route of this module lives under.
pub const VERSION: &str = "v0";

/// Route templates, in axum's `{param}` syntax. Clients format them with the parameters.
pub mod paths {
    pub const ACCOUNTS: &str = "/v0/accounts";
    pub const LOGIN: &str = "/v0/auth/login";
    pub const REFRESH: &str = "/v0/auth/refresh";
    pub const DEVICES: &str = "/v0/devices";
    pub const DEVICE: &str = "/v0/devices/{device_id}";
    pub const RECORDS: &str = "/v0/records";
    pub const RECORD: &str = "/v0/records/{entity}/{record_id}";
    pub const USAGE: &str = "/v0/usage";
    pub const AUDIT: &str = "/v0/audit";
    pub const PAIRING: &str = "/v0/pairing";
    /// `GET`, unauthenticated: the blob, once (never a typed code's offer). `DELETE`, by the
    /// account that parked it: the slot goes.
    pub const PAIRING_SLOT: &str = "/v0/pairing/{lookup_id}";
    /// A typed code's SPAKE2 exchange (issue #18). `POST`, unauthenticated: the new device
    /// leaves its [`super::PairingAnswer`] in a live slot that has none yet and gets the slot's
    /// blob back ([`super::PairingGetResponse`]). `GET`, by the account that parked the slot:
    /// the answer, once there is one.
    pub const PAIRING_ANSWER: &str = "/v0/pairing/{lookup_id}/answer";
    /// Unauthenticated: a device holding only the recovery phrase signs back in.
    pub const RECOVER: &str = "/v0/accounts/recover";
    /// A signed-in device registers (or replaces) its account's recovery verifier.
    pub const RECOVERY: &str = "/v0/accounts/recovery";
    /// Key rotation (issue #18). `GET`: the account's key state as the caller sees it
    /// ([`super::KeyStateResponse`]). `POST`: a move to a new key ([`super::RotateKeyRequest`]):
    /// 204, or 409 `conflict` when another device rotated first.
    pub const KEYS: &str = "/v0/keys";
    /// `POST` ([`super::AddGrantsRequest`]): grants of the current key for devices that have
    /// none yet; answers [`super::AddGrantsResponse`].
    pub const KEY_GRANTS: &str = "/v0/keys/grants";
    /// `PUT` ([`super::DeviceKeyDto`]): the calling device's own public key (a new one drops
    /// its grants); 204.
    pub const DEVICE_KEY: &str = "/v0/devices/key";
}

/// Bytes that travel as standard base64 (with padding) inside JSON.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Bytes(pub Vec<u8>);

impl fmt::Debug for Bytes {
    // Ciphertext is opaque and may be large; its length is all a log ever needs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Bytes({} bytes)", self.0.len())
    }
}

impl Serialize for Bytes {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(&self.0))
    }
}

impl<'de> Deserialize<'de> for Bytes {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        base64::engine::general_purpose::STANDARD
            .decode(s.as_bytes())
            .map(Bytes)
            .map_err(|_| serde::de::Error::custom("not valid base64"))
    }
}

/// A device credential: 32 or more random bytes the device made and keeps in its keychain. The
/// hub stores only a hash of it, so a stolen hub database cannot log in as anyone.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DeviceSecret(pub Bytes);

impl fmt::Debug for DeviceSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DeviceSecret([redacted])")
    }
}

/// A bearer token as text. Debug never shows it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Token(pub String);

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token([redacted])")
    }
}

/// `POST /v0/accounts`: makes an account and its first device, and signs that device in.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CreateAccountRequest {
    /// A label the merchant recognises ("shop laptop"); Satchel sends it sealed under the
    /// account key (`satchel_crypto::label`), so the hub cannot read it. At most 256 chars.
    pub device_label: String,
    pub device_secret: DeviceSecret,
    /// Lets the phrase recover the account later ([`paths::RECOVER`]). Absent from older
    /// clients, whose accounts can add it with [`paths::RECOVERY`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recovery: Option<RecoveryRegistration>,
}

/// What the hub keeps to recognise the recovery phrase: both values are one-way functions of
/// the account key (`satchel_crypto::recovery`), so they open nothing and cannot be replayed.
/// Also the body of `PUT /v0/accounts/recovery`, which answers 204 (409 when another account
/// already uses the lookup).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecoveryRegistration {
    /// 64 lowercase hex characters.
    pub lookup: String,
    /// 32 bytes: the hash of the proof a recovering device will present.
    pub verifier: Bytes,
}

// The lookup names an account for as long as its key lives: no log needs it.
impl fmt::Debug for RecoveryRegistration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RecoveryRegistration([redacted])")
    }
}

/// The 32-byte proof derived from the account key. Whoever holds it can add a device to the
/// account, so Debug never shows it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RecoveryProof(pub Bytes);

impl fmt::Debug for RecoveryProof {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RecoveryProof([redacted])")
    }
}

/// `POST /v0/accounts/recover`: a new device that knows only the recovery phrase registers
/// itself. Answers like account creation ([`CreateAccountResponse`], 201). An unknown lookup
/// and a wrong proof get the same 404 `not_found`, so the route cannot tell a prober which
/// lookups exist.
#[derive(Clone, Serialize, Deserialize)]
pub struct RecoverRequest {
    pub lookup: String,
    pub proof: RecoveryProof,
    pub device_label: String,
    pub device_secret: DeviceSecret,
}

impl fmt::Debug for RecoverRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RecoverRequest")
            .field("proof", &self.proof)
            .field("device_secret", &self.device_secret)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CreateAccountResponse {
    pub account_id: Uuid,
    pub device_id: Uuid,
    pub tokens: TokenPair,
}

/// `POST /v0/auth/login`: a device proves itself with its credential.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LoginRequest {
    pub device_id: Uuid,
    pub device_secret: DeviceSecret,
}

/// `POST /v0/auth/refresh`: trades a refresh token for a new pair. Each refresh token works
/// once; presenting a used one again revokes every token descended from the same login.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RefreshRequest {
    pub refresh_token: Token,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TokenPair {
    pub account_id: Uuid,
    pub device_id: Uuid,
    /// Sent as `Authorization: Bearer <token>`; short-lived.
    pub access_token: Token,
    pub access_expires_at: DateTime<Utc>,
    pub refresh_token: Token,
    pub refresh_expires_at: DateTime<Utc>,
}

/// `POST /v0/devices`: a signed-in device registers another one (the new device's credential
/// then travels to it inside the encrypted pairing blob).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RegisterDeviceRequest {
    pub device_label: String,
    pub device_secret: DeviceSecret,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceInfo {
    pub device_id: Uuid,
    pub label: String,
    pub created_at: DateTime<Utc>,
    #[serde(default)]
    pub revoked_at: Option<DateTime<Utc>>,
    /// True for the device that made the request.
    #[serde(default)]
    pub current: bool,
    /// A removal asked for by a newer device, waiting until this time (issue #18); every
    /// device shows it, so the owner can remove the asker first if it was not them.
    #[serde(default)]
    pub removal_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub removal_asked_by: Option<Uuid>,
}

/// A device's X25519 public key (32 bytes) and the tag (32 bytes, a keyed digest under an
/// account key) by which the other devices know a device of the account registered it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceKeyDto {
    pub public_key: Bytes,
    pub tag: Bytes,
}

/// One live device as key rotation needs it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DeviceKeyEntry {
    pub device_id: Uuid,
    #[serde(default)]
    pub key: Option<DeviceKeyDto>,
    /// Whether it already holds a grant of the current key.
    #[serde(default)]
    pub granted: bool,
}

/// `GET /v0/keys`: the account's key epoch (0 until the first rotation), the older keys sealed
/// under the current one, the caller's own grant of the current key, and the live devices.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KeyStateResponse {
    pub epoch: i64,
    #[serde(default)]
    pub keyring: Option<Bytes>,
    #[serde(default)]
    pub grant: Option<Bytes>,
    #[serde(default)]
    pub devices: Vec<DeviceKeyEntry>,
    /// A device was removed since the last rotation: the next device to see this rotates.
    #[serde(default)]
    pub rotation_due: bool,
}

/// The answer to `DELETE /v0/devices/{id}`: 204 with no body when the device is removed at
/// once; 202 with this when the removal waits (the device is older than the one asking).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RevokeResponse {
    #[serde(default)]
    pub effective_at: Option<DateTime<Utc>>,
}

/// The new key sealed to one device.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KeyGrantDto {
    pub device_id: Uuid,
    pub grant: Bytes,
}

/// `POST /v0/keys`: move the account to key `epoch` (the current one plus one).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RotateKeyRequest {
    pub epoch: i64,
    pub keyring: Bytes,
    pub grants: Vec<KeyGrantDto>,
    /// The recovery verifier of the new key (the old one is derived from a key the revoked
    /// device holds).
    #[serde(default)]
    pub recovery: Option<RecoveryRegistration>,
}

/// `POST /v0/keys/grants`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AddGrantsRequest {
    pub epoch: i64,
    pub grants: Vec<KeyGrantDto>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AddGrantsResponse {
    pub stored: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DeviceList {
    pub devices: Vec<DeviceInfo>,
}

/// One encrypted change as a device uploads it. Since record format 2 (issue #18) Satchel
/// sends opaque values here: `entity` is always `sealed`, `record_id` and `version` are keyed
/// digests (64 hex characters) and the ciphertext is padded to one of a few sizes; the real
/// entity, id and HLC are inside the ciphertext (`satchel_crypto::opaque`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordUpload {
    /// The record's id on the device (a UUIDv7 in Satchel); at most 64 chars.
    pub record_id: String,
    /// What kind of record (`contact`, `shipment`); lowercase ASCII and `_`, at most 32 chars.
    pub entity: String,
    /// The change's version, normally its HLC string; at most 128 chars. The hub keeps each
    /// (entity, record_id, version) once.
    pub version: String,
    pub ciphertext: Bytes,
}

/// `POST /v0/records`. Repeating a request with the same `upload_id` is a no-op that returns
/// the first answer again, so a client that lost the response can simply retry.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UploadRequest {
    pub upload_id: Uuid,
    pub records: Vec<RecordUpload>,
    /// The account key epoch the records are sealed under (issue #18). The hub answers 409
    /// [`codes::KEY_CHANGED`] when it is not the account's, or while a removal waits for its
    /// rotation, so nothing is uploaded under a key a removed device holds.
    #[serde(default)]
    pub key_epoch: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadResponse {
    pub upload_id: Uuid,
    /// Records stored by this upload.
    pub stored: u32,
    /// Records the hub already had (same entity, record id and version).
    pub duplicates: u32,
    /// The account's highest sequence number after this upload.
    pub last_seq: i64,
    /// True when this answer is the replay of an earlier request with the same upload id.
    #[serde(default)]
    pub replayed: bool,
}

/// A stored record as the hub hands it out; `seq` is the account's cursor position.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordDownload {
    pub seq: i64,
    pub record_id: String,
    pub entity: String,
    pub version: String,
    pub ciphertext: Bytes,
}

/// `GET /v0/records?after=<seq>&limit=<n>` (query string).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct DownloadQuery {
    #[serde(default)]
    pub after: i64,
    #[serde(default)]
    pub limit: Option<u32>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DownloadResponse {
    pub records: Vec<RecordDownload>,
    /// Pass as `after` for the next page.
    pub next_cursor: i64,
    pub has_more: bool,
    /// The page size the hub used (requests above the cap are cut to it).
    pub limit: u32,
}

/// `DELETE /v0/records/{entity}/{record_id}`: drops every stored version of one record, to
/// give quota back once every device has it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PurgeResponse {
    pub removed: u64,
}

/// `GET /v0/usage`: what the account holds against its quota.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsageResponse {
    pub records: u64,
    pub bytes: u64,
    pub max_records: u64,
    pub max_bytes: u64,
}

/// One entry of the audit log of reads (who, what, when).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntryDto {
    pub id: i64,
    pub device_id: Option<Uuid>,
    pub action: String,
    pub detail: String,
    pub at: DateTime<Utc>,
}

/// `GET /v0/audit?after=<id>&limit=<n>`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AuditResponse {
    pub entries: Vec<AuditEntryDto>,
    pub next_cursor: i64,
    pub has_more: bool,
}

/// `POST /v0/pairing`: the signed-in device parks a blob (the account key and the new device's
/// credential, encrypted with a key derived from the short code) under a lookup id also derived
/// from that code. The hub cannot read it; the new device fetches it once.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PairingPut {
    /// 16 to 128 chars of `[A-Za-z0-9_-]`, derived from the code by the client.
    pub lookup_id: String,
    pub blob: Bytes,
    /// Seconds until the slot expires; capped by the hub.
    #[serde(default)]
    pub ttl_secs: Option<u32>,
    /// A typed code's SPAKE2 offer (issue #18): the slot takes one answer
    /// ([`paths::PAIRING_ANSWER`]) and is never handed out by `GET`, whose lookup id (the
    /// code's public nameplate) anyone may know.
    #[serde(default)]
    pub answerable: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PairingPutResponse {
    pub expires_at: DateTime<Utc>,
}

/// `POST /v0/pairing/{lookup_id}/answer`: the new device's half of a typed code's exchange.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PairingAnswer {
    pub blob: Bytes,
}

/// `GET /v0/pairing/{lookup_id}`: the blob, once; a second fetch or an expired slot is a 404.
/// Also the answer to `POST` and `GET` of [`paths::PAIRING_ANSWER`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PairingGetResponse {
    pub blob: Bytes,
}

/// Every refusal carries this body; `code` is stable and machine-readable, `field` names the
/// request field at fault when there is one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub code: String,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// Stable error codes (the `code` of [`ErrorBody`]).
pub mod codes {
    pub const INVALID: &str = "invalid_request";
    pub const UNAUTHORIZED: &str = "unauthorized";
    pub const TOKEN_EXPIRED: &str = "token_expired";
    pub const REFRESH_REUSED: &str = "refresh_token_reused";
    pub const DEVICE_REVOKED: &str = "device_revoked";
    pub const NOT_FOUND: &str = "not_found";
    pub const CONFLICT: &str = "conflict";
    pub const QUOTA_EXCEEDED: &str = "quota_exceeded";
    pub const TOO_LARGE: &str = "too_large";
    pub const RATE_LIMITED: &str = "rate_limited";
    pub const INTERNAL: &str = "internal";
    /// 409 on upload: the account has (or is about to have) a newer key; fetch it
    /// (`GET /v0/keys`) and seal again.
    pub const KEY_CHANGED: &str = "key_changed";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_travel_as_base64_and_reject_garbage() {
        let r = RecordUpload {
            record_id: "r1".into(),
            entity: "contact".into(),
            version: "0000000000ff-000000-dev".into(),
            ciphertext: Bytes(vec![0, 1, 2, 255]),
        };
        let json = serde_json::to_string(&r).unwrap();
        assert!(json.contains("\"ciphertext\":\"AAEC/w==\""), "{json}");
        let back: RecordUpload = serde_json::from_str(&json).unwrap();
        assert_eq!(back, r);
        let bad = json.replace("AAEC/w==", "not base64!");
        assert!(serde_json::from_str::<RecordUpload>(&bad).is_err());
    }

    #[test]
    fn secrets_never_show_in_debug() {
        let s = DeviceSecret(Bytes(b"hunter2hunter2".to_vec()));
        let t = Token("abc.def".into());
        let dbg = format!("{s:?} {t:?}");
        assert!(
            !dbg.contains("hunter2") && !dbg.contains("abc.def"),
            "{dbg}"
        );
    }

    #[test]
    fn an_older_create_account_request_still_parses_and_a_new_one_round_trips() {
        let old = r#"{"device_label":"laptop","device_secret":"AAEC"}"#;
        let r: CreateAccountRequest = serde_json::from_str(old).unwrap();
        assert!(r.recovery.is_none());
        // A new client without recovery sends exactly what a v0 hub expects.
        assert!(!serde_json::to_string(&r).unwrap().contains("recovery"));
        let with = CreateAccountRequest {
            recovery: Some(RecoveryRegistration {
                lookup: "ab".repeat(32),
                verifier: Bytes(vec![7; 32]),
            }),
            ..r
        };
        let back: CreateAccountRequest =
            serde_json::from_str(&serde_json::to_string(&with).unwrap()).unwrap();
        assert_eq!(back.recovery, with.recovery);
    }

    #[test]
    fn recovery_values_never_show_in_debug() {
        let req = RecoverRequest {
            lookup: "cafe".repeat(16),
            proof: RecoveryProof(Bytes(b"proofproofproof".to_vec())),
            device_label: "new phone".into(),
            device_secret: DeviceSecret(Bytes(b"hunter2hunter2".to_vec())),
        };
        let reg = RecoveryRegistration {
            lookup: "cafe".repeat(16),
            verifier: Bytes(vec![1; 32]),
        };
        let dbg = format!("{req:?} {reg:?}");
        for secret in ["cafe", "proofproof", "hunter2", "new phone"] {
            assert!(!dbg.contains(secret), "{dbg}");
        }
    }

    #[test]
    fn an_older_response_without_new_fields_still_parses() {
        let json = r#"{"upload_id":"0190f5a4-3f2e-7c1a-9a1b-2c3d4e5f6a7b","stored":1,"duplicates":0,"last_seq":7}"#;
        let r: UploadResponse = serde_json::from_str(json).unwrap();
        assert!(!r.replayed);
    }
}
