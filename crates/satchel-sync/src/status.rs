//! What the device knows about its link and its last syncs: the state kept in the store's
//! `meta` (nothing secret) and the status and reports the screens show.

use super::*;

/// The link and status kept in the store's `meta` (nothing secret).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct SyncState {
    #[serde(default)]
    pub(crate) hub_url: Option<String>,
    #[serde(default)]
    pub(crate) account_id: Option<Uuid>,
    #[serde(default)]
    pub(crate) device_id: Option<Uuid>,
    #[serde(default)]
    pub(crate) last_synced_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub(crate) last_attempt_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub(crate) last_error: Option<String>,
    /// The newest record format this device has pulled with ([`RECORD_FORMAT`]); 0 in a state
    /// saved by a Satchel from before record format 2, which skipped such records as
    /// unreadable and moved its cursor past them (see [`Syncer::pull`]).
    #[serde(default)]
    pub(crate) reads_format: u8,
    /// The account's key changed under this device (a device was removed, issue #18) since it
    /// last showed the recovery phrase: the phrase changed with it, and the merchant must be
    /// told. Not set by linking to an account that rotated before: nothing changed then.
    #[serde(default)]
    pub(crate) phrase_changed: bool,
    /// Joined with a typed code and not approved yet: this device's fingerprint, to show.
    #[serde(default)]
    pub(crate) approval_fingerprint: Option<String>,
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
    /// The account moved to a new key (a device was removed) since this device last showed
    /// the recovery phrase, so the one written down no longer works ([`Syncer::recovery_phrase`]).
    pub phrase_changed: bool,
    /// Joined with a typed code and waiting for the other device's approval: the fingerprint
    /// this device shows, which the merchant compares with the one shown there.
    pub awaiting_approval: Option<String>,
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
pub struct PairingOffer {
    /// Shown as text ([`PairingCode::display`]).
    pub code: PairingCode,
    /// The text of the QR code: the code and a 256-bit secret of its own (issue #18), so a
    /// device that scans does not rest on the code's 45 bits. Secret: never logged.
    pub qr_payload: String,
    /// The device registered for the newcomer (revocable from the device list).
    pub device_id: Uuid,
    pub expires_at: DateTime<Utc>,
}

impl std::fmt::Debug for PairingOffer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PairingOffer")
            .field("code", &self.code)
            .field("qr_payload", &"<redacted>")
            .field("device_id", &self.device_id)
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

// The link and status are one JSON value under `STATE_KEY` in the store's device-local `meta`.
pub(crate) fn load_state(s: &Store) -> Result<SyncState> {
    Ok(s.meta(STATE_KEY)?
        .and_then(|r| serde_json::from_str(&r).ok())
        .unwrap_or_default())
}

pub(crate) fn save_state(s: &mut Store, state: &SyncState) -> Result<()> {
    let json = serde_json::to_string(state).expect("the state serializes");
    Ok(s.set_meta(STATE_KEY, &json)?)
}

/// The hub this device was linked to, if any: how the CLI and the app find it again
/// without asking the merchant.
pub fn saved_hub_url(store: &Store) -> Result<Option<String>> {
    Ok(load_state(store)?.hub_url)
}

pub(crate) fn pending_count(s: &Store) -> Result<u64> {
    Ok(s.pending_count()?)
}
