//! The sync engine, device side: moves this device's change log to the hub and everyone
//! else's changes back, encrypted end to end (issue #6).
//!
//! Why it is shaped like this:
//! - **The hub must have nothing readable to steal** (seed notice 003). Every change leaves as
//!   one [`satchel_crypto::seal`]ed record, and the account key lives only in the OS keychain.
//!   Since issue #18 (record format 2, [`satchel_crypto::opaque`]) not even its metadata is
//!   readable: the hub sees the entity `sealed`, a keyed digest for the record id and another
//!   for the version, and an envelope of one of four sizes; the real entity, id, HLC and
//!   fields are inside. Device labels go to the hub sealed too
//!   ([`satchel_crypto::seal_label`]). A ciphertext is made deterministically from the key
//!   and the change (the RNG that picks its nonces is seeded by a keyed hash of both, a
//!   synthetic-IV construction), so a retried upload is byte for byte the first one.
//! - **A retried upload is a no-op.** A batch's upload id is derived from the device and the
//!   change-log range it carries, so an upload whose answer was lost (or whose process died)
//!   is replayed by the hub instead of stored twice; the hub also keeps each
//!   (entity, id, version) once (the opaque ids are deterministic, so that still holds).
//!   Only after the hub's answer does the store move [`Store::mark_pushed`].
//! - **An interrupted pull resumes.** Each page is decrypted and handed to
//!   [`Store::apply_remote_page`], which merges it and saves the hub's cursor in one
//!   transaction; the next pull starts after the last page merged.
//! - **The store lock is never held across a network call** (read, unlock, ask, lock, write),
//!   so the app stays usable while a slow hub answers.
//! - **Tokens rotate.** Access tokens are short-lived; a refresh token works once and the new
//!   pair replaces the old in the keychain before it is used. If a refresh is refused (its
//!   answer was lost and the old token already spent, say), the device signs in again with
//!   its own credential, which is also kept only in the keychain.
//! - **Offline is normal.** [`Syncer::run`] retries with a capped exponential backoff while
//!   the hub cannot be reached, and [`Syncer::nudge`] wakes it after a local edit.
//! - **Only a safe address, only a bounded reply** (issue #18). Every request checks the hub
//!   address first ([`is_allowed_hub_url`]: https, or plain http to this computer), so the
//!   credential and tokens never cross the network in clear, and every reply is read up to
//!   [`MAX_HUB_REPLY`] only.
//!
//! - **A removed device reads nothing written after** (issue #18, [`keys`]): every round
//!   starts by following the account's key rotations, and a removal rotates the key.
//!
//! What is kept where: the account keys (every one the account had), this device's own X25519
//! secret, the device credential and the tokens in the keychain (never in SQLite, logs or
//! errors); the non-secret link (hub URL, account and device ids) and
//! the status (last synced, last error) in the store's `meta` table; the push marker and pull
//! cursor are the store's own.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;
use reqwest::{Method, StatusCode};
use satchel_crypto::pairing;
use satchel_crypto::phrase;
use satchel_crypto::recovery;
use satchel_crypto::{
    AccountKey, CryptoError, PairingCode, PhraseError, RecordMeta, RecoveryPhrase,
};
use satchel_keychain::{Secret, SecretStore};
use satchel_store::{Change, Hlc, RemoteChange, Store};
use satchel_sync_proto::{self as proto, codes, paths};
use serde::{de::DeserializeOwned, Deserialize, Serialize};
use tokio::sync::{Mutex, Notify};
use uuid::Uuid;

use satchel_store::StoreAccess;

pub use satchel_keychain::HUB_DEVICE_CREDENTIAL;

/// A throttled request waits at most this long per answer, this many times, before the round
/// gives up (the background loop then backs off).
const MAX_THROTTLE_WAIT_SECS: u64 = 30;
const MAX_THROTTLED_WAITS: u32 = 5;

/// The `meta` key under which the link and status are kept (JSON, nothing secret).
const STATE_KEY: &str = "sync_state";

mod config;
mod error;
mod keys;
mod limits;
mod link;
mod records;
mod session;
mod status;
mod transfer;

pub use config::{LoopPolicy, SyncConfig};
pub use error::{Result, SyncError};
pub use keys::{JoinRequest, Revoked, SYNC_DEVICE_KEY};
use limits::{check_hub_url, read_capped};
pub use limits::{is_allowed_hub_url, MAX_HUB_REPLY};
pub use records::upload_id;
use records::{open_record, seal_change, Opened, RECORD_FORMAT};
use status::{load_state, pending_count, save_state, SyncState};
pub use status::{saved_hub_url, PairingOffer, Progress, SyncReport, SyncStatus};

/// The access token in memory, and its expiry as the hub stated it.
#[derive(Default)]
struct Session {
    access: Option<Secret>,
    expires_at: Option<DateTime<Utc>>,
    keys: Option<keys::Keyring>,
}

/// The sync engine of one device: one per store.
pub struct Syncer<S: StoreAccess> {
    store: Arc<S>,
    keychain: Arc<dyn SecretStore>,
    config: SyncConfig,
    http: reqwest::Client,
    // A tokio mutex, held across the refresh request on purpose: two concurrent refreshes
    // would present the same single-use refresh token, and the hub would end the sign-in.
    session: Mutex<Session>,
    // One sync at a time (the background loop and a "sync now" click may overlap): two pulls
    // at once are harmless but could move the cursor back and fetch pages twice.
    running: Mutex<()>,
    wake: Notify,
}

impl<S: StoreAccess> std::fmt::Debug for Syncer<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Syncer")
            .field("hub_url", &self.config.hub_url)
            .field("keychain", &self.keychain)
            .finish_non_exhaustive()
    }
}

/// The wall clock, for token expiry and the status's times; the one place this crate reads it.
#[allow(clippy::disallowed_methods)] // the sync engine's clock adapter
pub(crate) fn wall_now() -> DateTime<Utc> {
    Utc::now()
}

/// A CSPRNG seeded from the OS.
fn os_rng() -> ChaCha20Rng {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).expect("the OS random source is available");
    ChaCha20Rng::from_seed(seed)
}

use satchel_crypto::hex::encode as hex;

fn unhex<const N: usize>(s: &str) -> Option<[u8; N]> {
    unhex_vec(s)?.try_into().ok()
}

/// A 404 for a pairing code's slot: the code is wrong, or was used, or expired.
fn no_such_code(e: SyncError) -> SyncError {
    match e.hub_code() {
        Some(c) if c == codes::NOT_FOUND => SyncError::Pairing(CryptoError::WrongPairingCode),
        _ => e,
    }
}

fn unhex_vec(s: &str) -> Option<Vec<u8>> {
    satchel_crypto::hex::decode(s.trim())
}

/// The pairing container: the crypto crate's key blob, then the new device's credential
/// sealed under the key that blob gives (the account key for a scanned code, the join key for
/// an approval). The hub sees one opaque blob.
const CONTAINER_V1: u8 = 1;

#[derive(Serialize, Deserialize)]
struct PairedCredential {
    account_id: Uuid,
    device_id: Uuid,
    secret: String,
}

/// What the hub keeps to recognise the phrase: a lookup and a verifier, neither of which
/// reveals the key.
fn recovery_registration(key: &AccountKey) -> proto::RecoveryRegistration {
    let (lookup, verifier) = recovery::registration(key);
    proto::RecoveryRegistration {
        lookup,
        verifier: proto::Bytes(verifier.to_vec()),
    }
}

/// One pairing slot's blob: the key blob, then the new device's credential sealed under `key`
/// for that slot.
fn container(
    key: &AccountKey,
    lookup_id: &str,
    key_blob: &[u8],
    cred: &PairedCredential,
    rng: &mut ChaCha20Rng,
) -> Vec<u8> {
    let plaintext = serde_json::to_vec(cred).expect("serializes");
    let sealed = satchel_crypto::seal(key, &credential_meta(lookup_id), &plaintext, rng);
    let len = u16::try_from(key_blob.len()).expect("a key blob is about 100 bytes");
    let mut blob = vec![CONTAINER_V1];
    blob.extend_from_slice(&len.to_be_bytes());
    blob.extend_from_slice(key_blob);
    blob.extend_from_slice(&sealed);
    blob
}

/// The two parts of a [`container`]: the key blob, and the credential sealed under the key
/// that blob gives.
fn open_container(blob: &[u8]) -> Result<(&[u8], &[u8])> {
    let bad = || SyncError::Pairing(CryptoError::Truncated { len: blob.len() });
    if blob.first() != Some(&CONTAINER_V1) || blob.len() < 3 {
        return Err(bad());
    }
    let len = usize::from(u16::from_be_bytes([blob[1], blob[2]]));
    let key_blob = blob.get(3..3 + len).ok_or_else(bad)?;
    Ok((key_blob, &blob[3 + len..]))
}

/// The credential a [`container`] carries, opened with `key`.
fn open_credential(key: &AccountKey, lookup_id: &str, sealed: &[u8]) -> Result<PairedCredential> {
    let plaintext = satchel_crypto::open(key, &credential_meta(lookup_id), sealed)
        .map_err(SyncError::Pairing)?;
    serde_json::from_slice(&plaintext).map_err(|e| SyncError::Protocol(e.to_string()))
}

fn credential_meta(lookup_id: &str) -> RecordMeta<'_> {
    RecordMeta {
        entity: "pairing",
        record_id: lookup_id,
        version: "v1",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upload_ids_repeat_for_the_same_range_only() {
        let a = upload_id("dev1", 1, 10, 10);
        assert_eq!(a, upload_id("dev1", 1, 10, 10));
        assert_ne!(a, upload_id("dev1", 1, 11, 11));
        assert_ne!(a, upload_id("dev2", 1, 10, 10));
    }

    #[test]
    fn a_change_seals_the_same_twice_and_opens_to_itself() {
        let key = AccountKey::from_bytes([7; 32]);
        let mut fields = serde_json::Map::new();
        fields.insert("name".into(), "Chan Tai Man".into());
        let c = Change {
            seq: 3,
            entity: "contact".into(),
            record_id: "r1".into(),
            hlc: "0000000000ff-000000-dev".parse().unwrap(),
            fields,
        };
        let a = seal_change(&key, &c);
        assert_eq!(
            a,
            seal_change(&key, &c),
            "a retry must upload the same bytes"
        );
        assert!(!String::from_utf8_lossy(&a.ciphertext.0).contains("Chan"));
        let down = proto::RecordDownload {
            seq: 1,
            record_id: a.record_id.clone(),
            entity: a.entity.clone(),
            version: a.version.clone(),
            ciphertext: a.ciphertext.clone(),
        };
        let Opened::Change(back) = open_record(&key, &down).unwrap() else {
            panic!("the record did not open");
        };
        assert_eq!(back, RemoteChange::from(c));
        // Moved onto another record: rejected, not merged.
        let moved = proto::RecordDownload {
            record_id: "r2".into(),
            ..down.clone()
        };
        assert!(matches!(
            open_record(&key, &moved).unwrap(),
            Opened::Rejected
        ));
        // Another account's key: the pull must stop, not skip.
        let other = AccountKey::from_bytes([8; 32]);
        assert!(matches!(
            open_record(&other, &down),
            Err(SyncError::Crypto {
                source: CryptoError::WrongKey,
                ..
            })
        ));
    }

    fn sample_change() -> Change {
        let mut fields = serde_json::Map::new();
        fields.insert("name".into(), "Chan Tai Man".into());
        Change {
            seq: 3,
            entity: "contact".into(),
            record_id: "0193a1b2-c3d4-7000-8000-000000000001".into(),
            hlc: "0193a1b2c3d4-000002-0193a1b2c3d470008000000000000abc"
                .parse()
                .unwrap(),
            fields,
        }
    }

    fn download(r: &proto::RecordUpload) -> proto::RecordDownload {
        proto::RecordDownload {
            seq: 1,
            record_id: r.record_id.clone(),
            entity: r.entity.clone(),
            version: r.version.clone(),
            ciphertext: r.ciphertext.clone(),
        }
    }

    #[test]
    fn a_change_goes_out_under_opaque_names_in_a_bucket_sized_envelope() {
        let key = AccountKey::from_bytes([7; 32]);
        let c = sample_change();
        let up = seal_change(&key, &c);
        assert_eq!(up.entity, satchel_crypto::opaque::OPAQUE_ENTITY);
        let hlc = c.hlc.to_string();
        for plain in ["contact", c.record_id.as_str(), hlc.as_str(), "0193a1b2"] {
            assert!(
                !up.entity.contains(plain)
                    && !up.record_id.contains(plain)
                    && !up.version.contains(plain),
                "{plain} is on the wire"
            );
        }
        // Within the hub's rules: entity a-z and _, ids printable and short enough.
        assert!(up
            .entity
            .chars()
            .all(|c| c.is_ascii_lowercase() || c == '_'));
        assert!(up.record_id.len() <= 64 && up.version.len() <= 128);
        assert!(satchel_crypto::opaque::BUCKETS.contains(&up.ciphertext.0.len()));
        // The next edit of the same record keeps its hub id under a new version.
        let next = Change {
            seq: 4,
            hlc: "0193a1b2c3d5-000000-0193a1b2c3d470008000000000000abc"
                .parse()
                .unwrap(),
            ..c.clone()
        };
        let up2 = seal_change(&key, &next);
        assert_eq!(up2.record_id, up.record_id);
        assert_ne!(up2.version, up.version);
        assert_eq!(
            up.record_id,
            satchel_crypto::opaque::hub_record_id(&key, "contact", &c.record_id)
        );
    }

    #[test]
    fn a_record_written_in_format_1_is_still_read() {
        let key = AccountKey::from_bytes([7; 32]);
        let c = sample_change();
        let old = records::seal_change_v1(&key, &c);
        assert_eq!(old.entity, "contact");
        let Opened::Change(back) = open_record(&key, &download(&old)).unwrap() else {
            panic!("a format-1 record did not open");
        };
        assert_eq!(back, RemoteChange::from(c.clone()));
        // And both formats of the same change open to the same thing.
        let Opened::Change(new) = open_record(&key, &download(&seal_change(&key, &c))).unwrap()
        else {
            panic!("a format-2 record did not open");
        };
        assert_eq!(new, back);
        // A format-1 record relabelled as format 2 (or the reverse) is refused, not misread.
        let relabelled = proto::RecordDownload {
            entity: satchel_crypto::opaque::OPAQUE_ENTITY.into(),
            ..download(&old)
        };
        assert!(matches!(
            open_record(&key, &relabelled).unwrap(),
            Opened::Rejected
        ));
        let relabelled = proto::RecordDownload {
            entity: "contact".into(),
            ..download(&seal_change(&key, &c))
        };
        assert!(matches!(
            open_record(&key, &relabelled).unwrap(),
            Opened::Rejected
        ));
    }

    #[test]
    fn the_loop_backs_off_while_offline_and_waits_longest_for_the_merchant() {
        let p = LoopPolicy {
            interval: Duration::from_secs(60),
            backoff: Duration::from_secs(2),
            max_backoff: Duration::from_secs(100),
        };
        let offline = SyncError::Offline("refused".into());
        let waits: Vec<u64> = (1..=8)
            .map(|n| p.delay_after(Err(&offline), n).as_secs())
            .collect();
        assert_eq!(waits, [2, 4, 8, 16, 32, 64, 100, 100]);
        assert_eq!(p.delay_after(Ok(()), 0).as_secs(), 60);
        assert_eq!(p.delay_after(Err(&SyncError::NotLinked), 1).as_secs(), 100);
        // Waiting for the other device's approval: steadily, not ever longer.
        let waiting = SyncError::AwaitingApproval("ABCD-EFGH".into());
        assert_eq!(p.delay_after(Err(&waiting), 9).as_secs(), 10);
    }
}
