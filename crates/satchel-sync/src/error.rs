//! Why a sync step failed ([`SyncError`]), worded without record content or credentials.

use super::*;

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
    /// Joined with a typed code: the account key comes once the merchant approves this device
    /// on the device that showed the code (issue #18). Retried by the loop.
    #[error(
        "waiting for approval: on the device that showed the code, approve this device (it \
         shows {0})"
    )]
    AwaitingApproval(String),
    /// No device asks to join with this device's code (approved already, or the code expired).
    #[error("no device is asking to join with this device's code")]
    NoJoinRequest,
    /// The device asking to join no longer shows the fingerprint the merchant approved.
    #[error("the device asking to join shows another fingerprint now; compare both screens again")]
    FingerprintChanged,
    /// The account moved to a new key (a device was removed) and no device has shared it with
    /// this one yet; nothing is sent until one does (issue #18).
    #[error(
        "the account has a new key since a device was removed, and no other device has shared \
         it with this one yet; sync another device of the account, then try again"
    )]
    KeyNotGranted,
    /// The hub offered a new account key whose keyring does not carry the keys this device
    /// has: not made by a device of the account, so not taken (issue #18).
    #[error(
        "the sync hub offered a new account key that does not come from this account's devices; \
         it was not taken"
    )]
    KeyChangeRefused,
    /// A device's public key was not registered by a holder of the account key (the hub may
    /// have slipped it in): the new key is not sealed to it.
    #[error(
        "device {0} has a key no device of this account registered; remove that device, then \
         try again"
    )]
    UntrustedDeviceKey(Uuid),
    /// The hub address is not one the engine talks to (plain http to another computer, or not
    /// a URL); nothing was sent. The address itself is not quoted: it may hold a password.
    #[error("hub address: use https:// (plain http only to this computer)")]
    HubAddress,
}

impl SyncError {
    /// True when trying again later may work without the merchant doing anything.
    pub fn is_transient(&self) -> bool {
        match self {
            SyncError::Offline(_) | SyncError::KeyNotGranted | SyncError::AwaitingApproval(_) => {
                true
            }
            SyncError::Hub { status, code, .. } => {
                *status >= 500
                    || code == codes::RATE_LIMITED
                    || code == codes::INTERNAL
                    || code == codes::KEY_CHANGED
            }
            _ => false,
        }
    }

    pub(crate) fn hub_code(&self) -> Option<&str> {
        match self {
            SyncError::Hub { code, .. } => Some(code),
            _ => None,
        }
    }
}

pub type Result<T, E = SyncError> = std::result::Result<T, E>;
