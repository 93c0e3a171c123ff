//! The sync engine, device side: moves this device's change log to the hub and everyone
//! else's changes back, encrypted end to end (issue #6).
//!
//! Why it is shaped like this:
//! - **The hub must have nothing readable to steal** (seed notice 003). Every change leaves as
//!   one [`satchel_crypto::seal`]ed record bound to its entity, id and version (the change's
//!   HLC), and the account key lives only in the OS keychain. A ciphertext is made
//!   deterministically from the key and the change (the RNG that picks its nonces is seeded
//!   by a keyed hash of both, a synthetic-IV construction), so a retried upload is byte for
//!   byte the first one.
//! - **A retried upload is a no-op.** A batch's upload id is derived from the device and the
//!   change-log range it carries, so an upload whose answer was lost (or whose process died)
//!   is replayed by the hub instead of stored twice; the hub also keeps each
//!   (entity, id, version) once. Only after the hub's answer does the store move
//!   [`Store::mark_pushed`].
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
//!
//! What is kept where: the account key, the device credential and the tokens in the keychain
//! (never in SQLite, logs or errors); the non-secret link (hub URL, account and device ids) and
//! the status (last synced, last error) in the store's `meta` table; the push marker and pull
//! cursor are the store's own.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;
use reqwest::{Method, StatusCode};
use satchel_crypto::pairing::{self, PairingParams};
use satchel_crypto::phrase;
use satchel_crypto::recovery;
use satchel_crypto::{
    AccountKey, CryptoError, PairingCode, PhraseError, RecordMeta, RecoveryPhrase,
};
use satchel_keychain::{Keychain, Secret};
use satchel_store::{Change, Hlc, RemoteChange, Store};
use satchel_sync_proto::{self as proto, codes, paths};
use serde::{de::DeserializeOwned, Deserialize, Serialize};
use tokio::sync::{Mutex, Notify};
use uuid::Uuid;

use crate::outbox::StoreAccess;

pub use satchel_keychain::HUB_DEVICE_CREDENTIAL;

/// A throttled request waits at most this long per answer, this many times, before the round
/// gives up (the background loop then backs off).
const MAX_THROTTLE_WAIT_SECS: u64 = 30;
const MAX_THROTTLED_WAITS: u32 = 5;

/// The `meta` key under which the link and status are kept (JSON, nothing secret).
const STATE_KEY: &str = "sync_state";

/// How the engine talks to the hub.
#[derive(Debug, Clone)]
pub struct SyncConfig {
    /// `https://hub.example` (no trailing slash needed).
    pub hub_url: String,
    /// Changes per upload (the hub caps it, 500 by default).
    pub push_batch: usize,
    /// Records per download page (the hub caps it, 500 by default).
    pub page_size: u32,
    /// Bounds each whole request.
    pub timeout: Duration,
    /// Argon2id costs for pairing codes; both devices must agree (tests use the cheap ones).
    pub pairing_params: PairingParams,
    /// How long a pairing code stays valid on the hub (the hub caps it at 10 minutes).
    pub pairing_ttl_secs: u32,
}

impl SyncConfig {
    pub fn new(hub_url: impl Into<String>) -> SyncConfig {
        SyncConfig {
            hub_url: hub_url.into().trim_end_matches('/').to_owned(),
            push_batch: 500,
            page_size: 500,
            timeout: Duration::from_secs(30),
            pairing_params: PairingParams::DEFAULT,
            pairing_ttl_secs: 600,
        }
    }
}

/// Why a sync step failed. Messages name no record content and no credential.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// No complete answer from the hub: offline, refused, reset, timed out. Retry later.
    #[error("the sync hub could not be reached: {0}")]
    Offline(String),
    /// The hub answered with a refusal.
    #[error("the sync hub refused the request ({status} {code}): {message}")]
    Hub {
        status: u16,
        code: String,
        message: String,
        field: Option<String>,
        /// Seconds the hub asked to wait (rate limited).
        retry_after: Option<u64>,
    },
    /// This device has no account yet (create one, or join with a pairing code).
    #[error(
        "this device is not linked to a sync account; create one or link it to another device"
    )]
    NotLinked,
    /// The device is linked but the account key is missing from the keychain.
    #[error("the account key is missing from this device's keychain; enter the recovery phrase")]
    NoAccountKey,
    /// The device is already linked; unlink it first.
    #[error("this device is already linked to a sync account")]
    AlreadyLinked,
    #[error("the keychain failed: {0}")]
    Keychain(#[from] satchel_keychain::Error),
    #[error("the local database failed: {0}")]
    Store(#[from] satchel_store::Error),
    /// A record could not be opened for a reason that skipping it would hide (the wrong key,
    /// or a format from a newer Satchel): the pull stops before it.
    #[error("a synced {entity} record could not be opened: {source}")]
    Crypto {
        entity: String,
        #[source]
        source: CryptoError,
    },
    #[error("the pairing code did not work: {0}")]
    Pairing(CryptoError),
    #[error("the recovery phrase was not accepted: {0}")]
    Phrase(#[from] PhraseError),
    /// The recovery phrase is valid but is not this account's key.
    #[error("the recovery phrase belongs to another account, or to none this hub knows")]
    WrongPhrase,
    /// The hub sent something this version cannot read.
    #[error("the sync hub sent an unexpected answer: {0}")]
    Protocol(String),
}

impl SyncError {
    /// True when trying again later may work without the merchant doing anything.
    pub fn is_transient(&self) -> bool {
        match self {
            SyncError::Offline(_) => true,
            SyncError::Hub { status, code, .. } => {
                *status >= 500 || code == codes::RATE_LIMITED || code == codes::INTERNAL
            }
            _ => false,
        }
    }

    fn hub_code(&self) -> Option<&str> {
        match self {
            SyncError::Hub { code, .. } => Some(code),
            _ => None,
        }
    }
}

pub type Result<T, E = SyncError> = std::result::Result<T, E>;

/// The link and status kept in the store's `meta` (nothing secret).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
struct SyncState {
    #[serde(default)]
    hub_url: Option<String>,
    #[serde(default)]
    account_id: Option<Uuid>,
    #[serde(default)]
    device_id: Option<Uuid>,
    #[serde(default)]
    last_synced_at: Option<DateTime<Utc>>,
    #[serde(default)]
    last_attempt_at: Option<DateTime<Utc>>,
    #[serde(default)]
    last_error: Option<String>,
}

/// What the sync screen and `satchel sync status` show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncStatus {
    pub linked: bool,
    pub hub_url: Option<String>,
    pub account_id: Option<Uuid>,
    pub device_id: Option<Uuid>,
    /// When a sync last finished without error.
    pub last_synced_at: Option<DateTime<Utc>>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    /// Why the last attempt failed; `None` after a success.
    pub last_error: Option<String>,
    /// Local changes the hub does not have yet.
    pub pending: u64,
}

/// What one [`Syncer::sync_now`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncReport {
    /// Local changes uploaded (stored or already held by the hub).
    pub pushed: usize,
    /// Of those, changes the hub already had (a retried upload).
    pub duplicates: usize,
    /// Other devices' changes merged (this device's own, coming back, are not counted).
    pub pulled: usize,
    pub pages: usize,
    /// Records skipped because they failed authentication (altered on the hub).
    pub rejected: usize,
    /// Records this device changed while merging to keep an invariant (pushed next time).
    pub resolved: usize,
    /// Live shipments whose body changed: their stored assessment should be re-checked.
    pub reassess: Vec<String>,
}

/// Progress of a running sync, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// `done` local changes uploaded so far.
    Pushed { done: usize },
    /// `done` remote records merged so far; `more` while the hub has further pages.
    Pulled { done: usize, more: bool },
}

/// What the first device shows while a second one links.
#[derive(Debug)]
pub struct PairingOffer {
    /// Shown as text ([`PairingCode::display`]) and as a QR code ([`PairingCode::qr_payload`]).
    pub code: PairingCode,
    /// The device registered for the newcomer (revocable from the device list).
    pub device_id: Uuid,
    pub expires_at: DateTime<Utc>,
}

/// The pace of the background loop.
#[derive(Debug, Clone)]
pub struct LoopPolicy {
    /// Between successful syncs.
    pub interval: Duration,
    /// First wait after a failure; doubles per consecutive failure up to `max_backoff`.
    pub backoff: Duration,
    pub max_backoff: Duration,
}

impl Default for LoopPolicy {
    fn default() -> Self {
        LoopPolicy {
            interval: Duration::from_secs(60),
            backoff: Duration::from_secs(2),
            max_backoff: Duration::from_secs(600),
        }
    }
}

impl LoopPolicy {
    /// The wait after a sync that ended in `outcome`, the `failures`-th failure in a row.
    /// A failure the merchant has to fix (signed out, key missing) waits the longest: trying
    /// sooner would only repeat it.
    pub fn delay_after(&self, outcome: Result<(), &SyncError>, failures: u32) -> Duration {
        match outcome {
            Ok(()) => self.interval,
            Err(e) if e.is_transient() => {
                let doublings = failures.saturating_sub(1).min(20);
                self.backoff
                    .saturating_mul(1u32 << doublings)
                    .min(self.max_backoff)
            }
            Err(_) => self.max_backoff,
        }
    }
}

/// The access token in memory, and its expiry as the hub stated it.
#[derive(Default)]
struct Session {
    access: Option<Secret>,
    expires_at: Option<DateTime<Utc>>,
    key: Option<AccountKey>,
}

/// The sync engine of one device: one per store.
pub struct Syncer<S: StoreAccess> {
    store: Arc<S>,
    keychain: Keychain,
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

/// A CSPRNG seeded from the OS.
fn os_rng() -> ChaCha20Rng {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).expect("the OS random source is available");
    ChaCha20Rng::from_seed(seed)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex<const N: usize>(s: &str) -> Option<[u8; N]> {
    let s = s.trim();
    if s.len() != 2 * N || !s.is_ascii() {
        return None;
    }
    let mut out = [0u8; N];
    for (i, o) in out.iter_mut().enumerate() {
        *o = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(out)
}

/// A 32-byte BLAKE2b of length-prefixed parts.
fn digest(parts: &[&[u8]]) -> [u8; 32] {
    use blake2::digest::{Update, VariableOutput};
    let mut h = blake2::Blake2bVar::new(32).expect("32 is a valid BLAKE2b output length");
    for p in parts {
        h.update(&(p.len() as u64).to_be_bytes());
        h.update(p);
    }
    let mut out = [0u8; 32];
    h.finalize_variable(&mut out)
        .expect("the buffer has the requested length");
    out
}

/// The upload id of a batch: the same device and change-log range always give the same id,
/// so a retry after a lost answer is recognised by the hub.
pub fn upload_id(device: &str, first_seq: i64, last_seq: i64, count: usize) -> Uuid {
    let d = digest(&[
        b"satchel/sync/upload-id/v1",
        device.as_bytes(),
        &first_seq.to_be_bytes(),
        &last_seq.to_be_bytes(),
        &(count as u64).to_be_bytes(),
    ]);
    let mut b = [0u8; 16];
    b.copy_from_slice(&d[..16]);
    uuid::Builder::from_custom_bytes(b).into_uuid()
}

/// Seals one change: its fields as JSON, bound to entity, id and HLC. Deterministic for a
/// given key and change (see the module doc).
fn seal_change(key: &AccountKey, c: &Change) -> proto::RecordUpload {
    let version = c.hlc.to_string();
    let plaintext = serde_json::to_vec(&c.fields).expect("a JSON map serializes");
    let meta = RecordMeta {
        entity: &c.entity,
        record_id: &c.record_id,
        version: &version,
    };
    let seed = digest(&[
        b"satchel/sync/seal-seed/v1",
        key.expose_bytes(),
        c.entity.as_bytes(),
        c.record_id.as_bytes(),
        version.as_bytes(),
        &plaintext,
    ]);
    let mut rng = ChaCha20Rng::from_seed(seed);
    let ciphertext = satchel_crypto::seal(key, &meta, &plaintext, &mut rng);
    proto::RecordUpload {
        record_id: c.record_id.clone(),
        entity: c.entity.clone(),
        version,
        ciphertext: proto::Bytes(ciphertext),
    }
}

/// What opening a downloaded record gave.
enum Opened {
    Change(RemoteChange),
    /// Altered or moved on the hub, or not a change at all: skip it.
    Rejected,
}

fn open_record(key: &AccountKey, r: &proto::RecordDownload) -> Result<Opened> {
    let meta = RecordMeta {
        entity: &r.entity,
        record_id: &r.record_id,
        version: &r.version,
    };
    let plaintext = match satchel_crypto::open(key, &meta, &r.ciphertext.0) {
        Ok(p) => p,
        Err(CryptoError::Forged | CryptoError::Truncated { .. }) => return Ok(Opened::Rejected),
        Err(source) => {
            return Err(SyncError::Crypto {
                entity: r.entity.clone(),
                source,
            })
        }
    };
    let Ok(hlc) = r.version.parse::<Hlc>() else {
        return Ok(Opened::Rejected);
    };
    let Ok(fields) = serde_json::from_slice(&plaintext) else {
        return Ok(Opened::Rejected);
    };
    Ok(Opened::Change(RemoteChange {
        entity: r.entity.clone(),
        record_id: r.record_id.clone(),
        hlc,
        fields,
    }))
}

// The link and status are one JSON value under `STATE_KEY` in the store's device-local `meta`.
fn load_state(s: &Store) -> Result<SyncState> {
    Ok(s.meta(STATE_KEY)?
        .and_then(|r| serde_json::from_str(&r).ok())
        .unwrap_or_default())
}

fn save_state(s: &mut Store, state: &SyncState) -> Result<()> {
    let json = serde_json::to_string(state).expect("the state serializes");
    Ok(s.set_meta(STATE_KEY, &json)?)
}

/// The hub this device was linked to, if any: how the CLI and the app find it again
/// without asking the merchant.
pub fn saved_hub_url(store: &Store) -> Result<Option<String>> {
    Ok(load_state(store)?.hub_url)
}

fn pending_count(s: &Store) -> Result<u64> {
    Ok(s.pending_count()?)
}

/// The pairing container: the crypto crate's key blob, then the new device's credential
/// sealed under the account key. The hub sees one opaque blob.
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

fn credential_meta(lookup_id: &str) -> RecordMeta<'_> {
    RecordMeta {
        entity: "pairing",
        record_id: lookup_id,
        version: "v1",
    }
}

impl<S: StoreAccess> Syncer<S> {
    pub fn new(store: Arc<S>, keychain: Keychain, config: SyncConfig) -> Result<Syncer<S>> {
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.timeout)
            .build()
            .map_err(|e| SyncError::Offline(e.to_string()))?;
        Ok(Syncer {
            store,
            keychain,
            config,
            http,
            session: Mutex::new(Session::default()),
            running: Mutex::new(()),
            wake: Notify::new(),
        })
    }

    pub fn config(&self) -> &SyncConfig {
        &self.config
    }

    // ---- keychain (blocking calls, off the async threads) ------------------------------

    async fn kc_get(&self, name: &'static str) -> Result<Option<Secret>> {
        let kc = self.keychain.clone();
        tokio::task::spawn_blocking(move || kc.get(name))
            .await
            .map_err(|e| SyncError::Protocol(e.to_string()))?
            .map_err(SyncError::from)
    }

    async fn kc_set(&self, name: &'static str, value: Secret) -> Result<()> {
        let kc = self.keychain.clone();
        tokio::task::spawn_blocking(move || kc.set(name, &value))
            .await
            .map_err(|e| SyncError::Protocol(e.to_string()))?
            .map_err(SyncError::from)
    }

    async fn kc_delete(&self, name: &'static str) -> Result<()> {
        let kc = self.keychain.clone();
        tokio::task::spawn_blocking(move || kc.delete(name))
            .await
            .map_err(|e| SyncError::Protocol(e.to_string()))?
            .map_err(SyncError::from)
    }

    async fn save_tokens(&self, session: &mut Session, t: &proto::TokenPair) -> Result<()> {
        // The refresh token first: if the process dies between the two writes, the next start
        // still holds a refresh token that works.
        self.kc_set(
            satchel_keychain::HUB_REFRESH_TOKEN,
            Secret::new(t.refresh_token.0.clone()),
        )
        .await?;
        self.kc_set(
            satchel_keychain::HUB_ACCESS_TOKEN,
            Secret::new(t.access_token.0.clone()),
        )
        .await?;
        session.access = Some(Secret::new(t.access_token.0.clone()));
        session.expires_at = Some(t.access_expires_at);
        Ok(())
    }

    async fn account_key(&self) -> Result<AccountKey> {
        if let Some(k) = &self.session.lock().await.key {
            return Ok(k.clone());
        }
        let secret = self
            .kc_get(satchel_keychain::SYNC_ACCOUNT_KEY)
            .await?
            .ok_or(SyncError::NoAccountKey)?;
        let bytes = unhex::<32>(secret.expose()).ok_or(SyncError::NoAccountKey)?;
        let key = AccountKey::from_bytes(bytes);
        self.session.lock().await.key = Some(key.clone());
        Ok(key)
    }

    async fn store_key(&self, key: &AccountKey) -> Result<()> {
        self.kc_set(
            satchel_keychain::SYNC_ACCOUNT_KEY,
            Secret::new(hex(key.expose_bytes())),
        )
        .await?;
        self.session.lock().await.key = Some(key.clone());
        Ok(())
    }

    fn state(&self) -> Result<SyncState> {
        self.store.with_store(|s| load_state(s))
    }

    fn update_state(&self, f: impl FnOnce(&mut SyncState)) -> Result<()> {
        self.store.with_store(|s| {
            let mut st = load_state(s)?;
            f(&mut st);
            save_state(s, &st)
        })
    }

    // ---- HTTP ----------------------------------------------------------------------------

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.config.hub_url)
    }

    async fn send<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
        token: Option<&str>,
    ) -> Result<T> {
        let mut req = self.http.request(method, self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        let resp = req
            .send()
            .await
            .map_err(|e| SyncError::Offline(e.without_url().to_string()))?;
        let status = resp.status();
        let retry_after = (status == StatusCode::TOO_MANY_REQUESTS)
            .then(|| {
                resp.headers()
                    .get(reqwest::header::RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.trim().parse::<u64>().ok())
            })
            .flatten();
        let bytes = resp
            .bytes()
            .await
            .map_err(|e| SyncError::Offline(e.without_url().to_string()))?;
        if status.is_success() {
            // A 204 has no body; `null` lets callers that expect nothing ask for `()`.
            let body: &[u8] = if bytes.is_empty() { b"null" } else { &bytes };
            // Position only: serde's message may quote a value from the body.
            return serde_json::from_slice(body).map_err(|e| {
                SyncError::Protocol(format!(
                    "{:?} error at line {} column {}",
                    e.classify(),
                    e.line(),
                    e.column()
                ))
            });
        }
        let body: proto::ErrorBody =
            serde_json::from_slice(&bytes).unwrap_or_else(|_| proto::ErrorBody {
                code: if status == StatusCode::TOO_MANY_REQUESTS {
                    codes::RATE_LIMITED.into()
                } else {
                    codes::INTERNAL.into()
                },
                message: format!("HTTP {status}"),
                field: None,
            });
        Err(SyncError::Hub {
            status: status.as_u16(),
            code: body.code,
            message: body.message,
            field: body.field,
            retry_after,
        })
    }

    /// A request with the access token, refreshed (or signed in again) once if the hub says
    /// it has expired or is no longer valid.
    async fn call<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
    ) -> Result<T> {
        let mut renewed = false;
        let mut throttled = 0;
        loop {
            let token = self.access_token(renewed).await?;
            match self
                .send(method.clone(), path, body, Some(token.expose()))
                .await
            {
                Err(SyncError::Hub {
                    status: 401, code, ..
                }) if code != codes::DEVICE_REVOKED && !renewed => renewed = true,
                // A long initial sync can outrun the hub's per-device rate limit; waiting a
                // little beats failing the whole round. Each page is already saved, so giving
                // up after a few waits loses nothing either.
                Err(SyncError::Hub {
                    retry_after: Some(secs),
                    ..
                }) if throttled < MAX_THROTTLED_WAITS && secs <= MAX_THROTTLE_WAIT_SECS => {
                    throttled += 1;
                    tokio::time::sleep(Duration::from_secs(secs.max(1))).await;
                }
                other => return other,
            }
        }
    }

    async fn access_token(&self, force_renew: bool) -> Result<Secret> {
        let mut session = self.session.lock().await;
        if !force_renew {
            if let Some(t) = &session.access {
                // A minute's margin; a client clock that is off only costs one 401 and a
                // refresh, because the hub's answer decides.
                let fresh = session
                    .expires_at
                    .is_none_or(|exp| exp > Utc::now() + chrono::Duration::seconds(60));
                if fresh {
                    return Ok(t.clone());
                }
            } else if let Some(t) = self.kc_get(satchel_keychain::HUB_ACCESS_TOKEN).await? {
                session.access = Some(t.clone());
                session.expires_at = None;
                return Ok(t);
            }
        }
        if let Some(refresh) = self.kc_get(satchel_keychain::HUB_REFRESH_TOKEN).await? {
            let req = proto::RefreshRequest {
                refresh_token: proto::Token(refresh.expose().to_owned()),
            };
            match self
                .send::<_, proto::TokenPair>(Method::POST, paths::REFRESH, Some(&req), None)
                .await
            {
                Ok(pair) => {
                    self.save_tokens(&mut session, &pair).await?;
                    return Ok(Secret::new(pair.access_token.0));
                }
                // Spent, reused or expired: sign in again with the device credential.
                Err(SyncError::Hub {
                    status: 401, code, ..
                }) if code != codes::DEVICE_REVOKED => {}
                Err(e) => return Err(e),
            }
        }
        let pair = self.login().await?;
        self.save_tokens(&mut session, &pair).await?;
        Ok(Secret::new(pair.access_token.0))
    }

    async fn device_credential(&self) -> Result<(Uuid, [u8; 32])> {
        let cred = self
            .kc_get(HUB_DEVICE_CREDENTIAL)
            .await?
            .ok_or(SyncError::NotLinked)?;
        let (id, secret) = cred.expose().split_once(':').ok_or(SyncError::NotLinked)?;
        let id: Uuid = id.parse().map_err(|_| SyncError::NotLinked)?;
        let secret = unhex::<32>(secret).ok_or(SyncError::NotLinked)?;
        Ok((id, secret))
    }

    async fn login(&self) -> Result<proto::TokenPair> {
        let (device_id, secret) = self.device_credential().await?;
        let req = proto::LoginRequest {
            device_id,
            device_secret: proto::DeviceSecret(proto::Bytes(secret.to_vec())),
        };
        self.send(Method::POST, paths::LOGIN, Some(&req), None)
            .await
    }

    /// Signs this device in with its credential and keeps the new tokens.
    pub async fn sign_in(&self) -> Result<()> {
        let pair = self.login().await?;
        let mut session = self.session.lock().await;
        self.save_tokens(&mut session, &pair).await
    }

    // ---- linking --------------------------------------------------------------------------

    fn ensure_unlinked(&self) -> Result<()> {
        if self.state()?.account_id.is_some() {
            return Err(SyncError::AlreadyLinked);
        }
        Ok(())
    }

    async fn save_link(&self, account_id: Uuid, device_id: Uuid, secret: &[u8; 32]) -> Result<()> {
        self.kc_set(
            HUB_DEVICE_CREDENTIAL,
            Secret::new(format!("{device_id}:{}", hex(secret))),
        )
        .await?;
        let hub_url = self.config.hub_url.clone();
        self.update_state(|st| {
            st.hub_url = Some(hub_url);
            st.account_id = Some(account_id);
            st.device_id = Some(device_id);
        })
    }

    /// Makes a new sync account with this device as its first device. The account key is made
    /// here and kept in the keychain; the returned phrase is its only other copy, to be shown
    /// to the merchant once and written down.
    pub async fn create_account(&self, device_label: &str) -> Result<RecoveryPhrase> {
        self.ensure_unlinked()?;
        let mut rng = os_rng();
        let key = AccountKey::generate(&mut rng);
        let mut secret = [0u8; 32];
        rng.fill_bytes(&mut secret);
        // The key is in the keychain before the account exists, so an account is never made
        // whose key could be lost in between.
        self.store_key(&key).await?;
        let req = proto::CreateAccountRequest {
            device_label: device_label.to_owned(),
            device_secret: proto::DeviceSecret(proto::Bytes(secret.to_vec())),
            // So the phrase alone can bring the account back if every device is lost.
            recovery: Some(recovery_registration(&key)),
        };
        let resp: proto::CreateAccountResponse = self
            .send(Method::POST, paths::ACCOUNTS, Some(&req), None)
            .await?;
        self.save_link(resp.account_id, resp.device_id, &secret)
            .await?;
        let mut session = self.session.lock().await;
        self.save_tokens(&mut session, &resp.tokens).await?;
        Ok(phrase::to_phrase(&key))
    }

    /// On a linked device: registers a new device and parks the account key and its
    /// credential on the hub under a fresh pairing code, for [`Syncer::join_with_code`].
    pub async fn offer_pairing(&self, new_device_label: &str) -> Result<PairingOffer> {
        let key = self.account_key().await?;
        let account_id = self.state()?.account_id.ok_or(SyncError::NotLinked)?;
        let mut rng = os_rng();
        let mut secret = [0u8; 32];
        rng.fill_bytes(&mut secret);
        let req = proto::RegisterDeviceRequest {
            device_label: new_device_label.to_owned(),
            device_secret: proto::DeviceSecret(proto::Bytes(secret.to_vec())),
        };
        let device: proto::DeviceInfo = self.call(Method::POST, paths::DEVICES, Some(&req)).await?;
        let code = PairingCode::generate(&mut rng);
        let params = self.config.pairing_params;
        let cred = PairedCredential {
            account_id,
            device_id: device.device_id,
            secret: hex(&secret),
        };
        // Argon2id twice (lookup id and key blob): CPU work, off the async threads.
        let (lookup_id, blob) = {
            let code = code.clone();
            tokio::task::spawn_blocking(move || -> Result<(String, Vec<u8>)> {
                let lookup_id = code.lookup_id(&params).map_err(SyncError::Pairing)?;
                let key_blob =
                    pairing::offer(&key, &code, &params, &mut rng).map_err(SyncError::Pairing)?;
                let plaintext = serde_json::to_vec(&cred).expect("serializes");
                let sealed =
                    satchel_crypto::seal(&key, &credential_meta(&lookup_id), &plaintext, &mut rng);
                let len = u16::try_from(key_blob.len()).expect("a key blob is about 100 bytes");
                let mut blob = vec![CONTAINER_V1];
                blob.extend_from_slice(&len.to_be_bytes());
                blob.extend_from_slice(&key_blob);
                blob.extend_from_slice(&sealed);
                Ok((lookup_id, blob))
            })
            .await
            .map_err(|e| SyncError::Protocol(e.to_string()))??
        };
        let put = proto::PairingPut {
            lookup_id,
            blob: proto::Bytes(blob),
            ttl_secs: Some(self.config.pairing_ttl_secs),
        };
        let resp: proto::PairingPutResponse =
            self.call(Method::POST, paths::PAIRING, Some(&put)).await?;
        Ok(PairingOffer {
            code,
            device_id: device.device_id,
            expires_at: resp.expires_at,
        })
    }

    /// On a new device: links it to the account whose device shows `typed` (the code as
    /// typed, any case and spacing, or the scanned QR text). Run [`Syncer::sync_now`] next
    /// for the initial sync.
    pub async fn join_with_code(&self, typed: &str) -> Result<()> {
        self.ensure_unlinked()?;
        let code = PairingCode::from_qr(typed)
            .or_else(|_| PairingCode::parse(typed))
            .map_err(SyncError::Pairing)?;
        let params = self.config.pairing_params;
        let lookup_id = {
            let code = code.clone();
            tokio::task::spawn_blocking(move || code.lookup_id(&params))
                .await
                .map_err(|e| SyncError::Protocol(e.to_string()))?
                .map_err(SyncError::Pairing)?
        };
        let path = paths::PAIRING_SLOT.replace("{lookup_id}", &lookup_id);
        let slot: proto::PairingGetResponse = self
            .send::<(), _>(Method::GET, &path, None, None)
            .await
            .map_err(|e| match e.hub_code() {
                Some(c) if c == codes::NOT_FOUND => {
                    SyncError::Pairing(CryptoError::WrongPairingCode)
                }
                _ => e,
            })?;
        let (key, cred) = tokio::task::spawn_blocking(move || {
            let blob = slot.blob.0;
            let bad = || SyncError::Pairing(CryptoError::Truncated { len: blob.len() });
            if blob.first() != Some(&CONTAINER_V1) || blob.len() < 3 {
                return Err(bad());
            }
            let len = usize::from(u16::from_be_bytes([blob[1], blob[2]]));
            let key_blob = blob.get(3..3 + len).ok_or_else(bad)?;
            let key = pairing::accept(&code, key_blob).map_err(SyncError::Pairing)?;
            let plaintext =
                satchel_crypto::open(&key, &credential_meta(&lookup_id), &blob[3 + len..])
                    .map_err(SyncError::Pairing)?;
            let cred: PairedCredential = serde_json::from_slice(&plaintext)
                .map_err(|e| SyncError::Protocol(e.to_string()))?;
            Ok((key, cred))
        })
        .await
        .map_err(|e| SyncError::Protocol(e.to_string()))??;
        let secret = unhex::<32>(&cred.secret)
            .ok_or_else(|| SyncError::Protocol("malformed device credential".into()))?;
        self.store_key(&key).await?;
        self.save_link(cred.account_id, cred.device_id, &secret)
            .await?;
        self.sign_in().await
    }

    /// Puts the account key back from the recovery phrase on a device that is still linked
    /// (its keychain lost the key, or a new key store). The phrase is checked against a record
    /// on the hub when there is one, so a phrase of another account is refused.
    pub async fn restore_with_phrase(&self, typed: &str) -> Result<()> {
        let key = phrase::from_phrase(typed)?;
        self.state()?.account_id.ok_or(SyncError::NotLinked)?;
        let q = format!("{}?after=0&limit=1", paths::RECORDS);
        let page: proto::DownloadResponse = self.call::<(), _>(Method::GET, &q, None).await?;
        if let Some(r) = page.records.first() {
            if let Err(SyncError::Crypto {
                source: CryptoError::WrongKey,
                ..
            }) = open_record(&key, r)
            {
                return Err(SyncError::WrongPhrase);
            }
        }
        self.store_key(&key).await
    }

    /// On a new, unlinked device: signs back into the account whose recovery phrase is `typed`,
    /// when every linked device is lost. The phrase gives the account key; the hub is shown only
    /// a lookup and a proof derived from it (`satchel_crypto::recovery`), registers this device
    /// and signs it in. Run [`Syncer::sync_now`] next for the initial sync. A phrase the hub
    /// knows no account for is [`SyncError::WrongPhrase`].
    pub async fn recover_with_phrase(&self, typed: &str, device_label: &str) -> Result<()> {
        self.ensure_unlinked()?;
        let key = phrase::from_phrase(typed)?;
        let mut secret = [0u8; 32];
        os_rng().fill_bytes(&mut secret);
        let req = proto::RecoverRequest {
            lookup: recovery::lookup(&key),
            proof: proto::RecoveryProof(proto::Bytes(
                recovery::proof(&key).expose_bytes().to_vec(),
            )),
            device_label: device_label.to_owned(),
            device_secret: proto::DeviceSecret(proto::Bytes(secret.to_vec())),
        };
        let resp: proto::CreateAccountResponse = self
            .send(Method::POST, paths::RECOVER, Some(&req), None)
            .await
            .map_err(|e| match e.hub_code() {
                // The hub answers an unknown lookup and a wrong proof alike, on purpose.
                Some(c) if c == codes::NOT_FOUND => SyncError::WrongPhrase,
                _ => e,
            })?;
        // As after pairing: the key goes into the keychain only once the hub has accepted it.
        self.store_key(&key).await?;
        self.save_link(resp.account_id, resp.device_id, &secret)
            .await?;
        let mut session = self.session.lock().await;
        self.save_tokens(&mut session, &resp.tokens).await
    }

    /// On a linked device: registers the account's recovery verifier with the hub (again), so
    /// the phrase can bring the account back on a new device. Accounts made before recovery
    /// existed need this once; repeating it is harmless.
    pub async fn enable_recovery(&self) -> Result<()> {
        self.state()?.account_id.ok_or(SyncError::NotLinked)?;
        let key = self.account_key().await?;
        let reg = recovery_registration(&key);
        self.call::<_, ()>(Method::PUT, paths::RECOVERY, Some(&reg))
            .await
    }

    /// Forgets the link on this device: tokens, credential and key leave the keychain. The
    /// local data stays.
    pub async fn unlink(&self) -> Result<()> {
        for name in [
            satchel_keychain::HUB_ACCESS_TOKEN,
            satchel_keychain::HUB_REFRESH_TOKEN,
            HUB_DEVICE_CREDENTIAL,
            satchel_keychain::SYNC_ACCOUNT_KEY,
        ] {
            self.kc_delete(name).await?;
        }
        *self.session.lock().await = Session::default();
        self.store
            .with_store(|s| save_state(s, &SyncState::default()))
    }

    /// The account's devices, this one marked `current`.
    pub async fn devices(&self) -> Result<Vec<proto::DeviceInfo>> {
        let list: proto::DeviceList = self
            .call::<(), _>(Method::GET, paths::DEVICES, None)
            .await?;
        Ok(list.devices)
    }

    /// Removes a device from the account (a lost phone); its tokens stop working at once.
    pub async fn revoke_device(&self, device_id: Uuid) -> Result<()> {
        let path = paths::DEVICE.replace("{device_id}", &device_id.to_string());
        self.call::<(), ()>(Method::DELETE, &path, None).await
    }

    /// What the account holds against its quota.
    pub async fn usage(&self) -> Result<proto::UsageResponse> {
        self.call::<(), _>(Method::GET, paths::USAGE, None).await
    }

    // ---- sync -----------------------------------------------------------------------------

    /// Uploads every local change the hub does not have, in batches.
    pub async fn push(
        &self,
        progress: &mut (dyn FnMut(Progress) + Send),
    ) -> Result<(usize, usize)> {
        let key = self.account_key().await?;
        let (mut done, mut duplicates) = (0, 0);
        let mut batch = self.config.push_batch.max(1);
        loop {
            let (device, changes) = self.store.with_store(|s| {
                Ok::<_, SyncError>((s.device_id().to_owned(), s.outgoing(batch)?))
            })?;
            let (Some(first), Some(last)) = (changes.first(), changes.last()) else {
                break;
            };
            let (first, last) = (first.seq, last.seq);
            let records: Vec<proto::RecordUpload> =
                changes.iter().map(|c| seal_change(&key, c)).collect();
            let mut req = proto::UploadRequest {
                upload_id: upload_id(&device, first, last, records.len()),
                records,
            };
            let resp: proto::UploadResponse =
                match self.call(Method::POST, paths::RECORDS, Some(&req)).await {
                    // The id was used for other records: this store was copied or restored
                    // and its log reused sequence numbers. The hub still keeps each version
                    // once, so a fresh id cannot duplicate anything.
                    Err(SyncError::Hub { code, field, .. })
                        if code == codes::CONFLICT && field.as_deref() == Some("upload_id") =>
                    {
                        req.upload_id = Uuid::now_v7();
                        self.call(Method::POST, paths::RECORDS, Some(&req)).await?
                    }
                    // Too big for one request (large shipment bodies): halve the batch and
                    // try again. A single record the hub refuses is an error the status shows.
                    Err(SyncError::Hub { status: 413, .. }) if batch > 1 => {
                        batch /= 2;
                        continue;
                    }
                    other => other?,
                };
            self.store.with_store(|s| s.mark_pushed(last))?;
            done += req.records.len();
            duplicates += resp.duplicates as usize;
            progress(Progress::Pushed { done });
        }
        Ok((done, duplicates))
    }

    /// Downloads and merges every page after the saved cursor.
    pub async fn pull(
        &self,
        report: &mut SyncReport,
        progress: &mut (dyn FnMut(Progress) + Send),
    ) -> Result<()> {
        let key = self.account_key().await?;
        loop {
            let cursor = self.store.with_store(|s| s.pull_cursor())?;
            let after: i64 = cursor.and_then(|c| c.parse().ok()).unwrap_or(0);
            let q = format!(
                "{}?after={after}&limit={}",
                paths::RECORDS,
                self.config.page_size
            );
            let page: proto::DownloadResponse = self.call::<(), _>(Method::GET, &q, None).await?;
            let mut changes = Vec::with_capacity(page.records.len());
            for r in &page.records {
                // This device's own changes come back too and are merged as no-ops: a store
                // restored from a backup may lack some of them, and only the hub has them.
                match open_record(&key, r)? {
                    Opened::Change(c) => changes.push(c),
                    Opened::Rejected => report.rejected += 1,
                }
            }
            if page.next_cursor <= after && page.records.is_empty() {
                break;
            }
            let cursor = page.next_cursor.to_string();
            let applied = self
                .store
                .with_store(|s| s.apply_remote_page(&changes, &cursor))?;
            // "Received" means other devices' changes; this device's own echoes are not news.
            let own = self.store.with_store(|s| s.device_id().to_owned());
            report.pulled += changes.iter().filter(|c| c.hlc.device != own).count();
            report.pages += 1;
            report.resolved += applied.resolved.len();
            report.reassess.extend(applied.reassess);
            progress(Progress::Pulled {
                done: report.pulled,
                more: page.has_more,
            });
            if !page.has_more {
                break;
            }
        }
        Ok(())
    }

    /// Push, then pull, then push what the merge had to repair; records the outcome in the
    /// status either way.
    pub async fn sync_now(&self) -> Result<SyncReport> {
        self.sync_with_progress(&mut |_| {}).await
    }

    pub async fn sync_with_progress(
        &self,
        progress: &mut (dyn FnMut(Progress) + Send),
    ) -> Result<SyncReport> {
        if self.state()?.account_id.is_none() {
            return Err(SyncError::NotLinked);
        }
        let _one_at_a_time = self.running.lock().await;
        let started = Utc::now();
        let outcome = self.sync_inner(progress).await;
        let error = outcome.as_ref().err().map(ToString::to_string);
        self.update_state(|st| {
            st.last_attempt_at = Some(started);
            if error.is_none() {
                st.last_synced_at = Some(Utc::now());
            }
            st.last_error = error;
        })?;
        outcome
    }

    async fn sync_inner(&self, progress: &mut (dyn FnMut(Progress) + Send)) -> Result<SyncReport> {
        let mut report = SyncReport::default();
        let (pushed, duplicates) = self.push(progress).await?;
        self.pull(&mut report, progress).await?;
        // Repairs made while merging are ordinary local changes; send them now rather than
        // at the next round, so the other devices see the same fix sooner.
        let (more, dup_more) = if report.resolved > 0 {
            self.push(progress).await?
        } else {
            (0, 0)
        };
        report.pushed = pushed + more;
        report.duplicates = duplicates + dup_more;
        Ok(report)
    }

    /// The link and the last outcome, from the store (no network).
    pub fn status(&self) -> Result<SyncStatus> {
        self.store.with_store(|s| {
            let st = load_state(s)?;
            Ok(SyncStatus {
                linked: st.account_id.is_some(),
                hub_url: st.hub_url,
                account_id: st.account_id,
                device_id: st.device_id,
                last_synced_at: st.last_synced_at,
                last_attempt_at: st.last_attempt_at,
                last_error: st.last_error,
                pending: pending_count(s)?,
            })
        })
    }

    /// Wakes the background loop now (after a local edit, or "sync now" in the UI).
    pub fn nudge(&self) {
        self.wake.notify_one();
    }

    /// Syncs until `shutdown` completes: every `interval` when all is well, backing off while
    /// the hub cannot be reached. `on_round` sees each outcome (for the UI's status events).
    pub async fn run(
        &self,
        policy: &LoopPolicy,
        shutdown: impl Future<Output = ()>,
        mut on_round: impl FnMut(&Result<SyncReport>),
    ) {
        tokio::pin!(shutdown);
        let mut failures = 0u32;
        loop {
            let outcome = tokio::select! {
                _ = &mut shutdown => return,
                r = self.sync_now() => r,
            };
            on_round(&outcome);
            let wait = match &outcome {
                Ok(_) => {
                    failures = 0;
                    policy.delay_after(Ok(()), 0)
                }
                Err(e) => {
                    failures = failures.saturating_add(1);
                    policy.delay_after(Err(e), failures)
                }
            };
            tokio::select! {
                _ = &mut shutdown => return,
                _ = tokio::time::sleep(wait) => {}
                _ = self.wake.notified() => failures = 0,
            }
        }
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
    }
}
