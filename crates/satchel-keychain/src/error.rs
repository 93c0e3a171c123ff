//! What can go wrong with the OS keychain, worded so the merchant knows what to do next.
//!
//! The platform error types of `keyring-core` can carry the stored bytes (`BadEncoding`,
//! `BadDataFormat`), so they never cross this crate's boundary: every one is turned into text
//! here, and the variants that hold bytes are wiped and replaced by a fixed message. A value of
//! this `Error` is therefore safe to log, show and put in a crash report.

use zeroize::Zeroize;

use crate::Backend;

/// A keychain failure. Messages name the backend and the next step; none contains a secret.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The backend cannot be reached or cannot hold keys in this session at all.
    #[error("the {backend} is not available: {reason}")]
    Unavailable { backend: Backend, reason: String },
    /// The backend is there but locked, and unlocking needs the user.
    #[error(
        "the {backend} is locked: unlock your keyring (log in to your desktop session, or open \
         your passwords app and unlock the \"login\" keyring), then try again"
    )]
    Locked { backend: Backend },
    /// Anything else the platform reported; `message` is the platform's own wording.
    #[error("the {backend} failed: {message}")]
    Platform { backend: Backend, message: String },
    /// A credential name outside the small alphabet we allow (see [`crate::Keychain::set`]).
    #[error(
        "`{name}` is not a valid credential name: use 1 to 64 characters from a-z, 0-9, '.', \
         '_' and '-'"
    )]
    InvalidName { name: String },
    /// A profile name outside the allowed alphabet (see [`crate::Keychain::open`]).
    #[error(
        "`{profile}` is not a valid profile name: use 1 to 32 characters from a-z, A-Z, 0-9, \
         '_' and '-'"
    )]
    InvalidProfile { profile: String },
    /// An empty value, which is always a mistake in a form rather than a credential.
    #[error("refusing to store an empty value for `{name}`: enter the credential and save again")]
    EmptySecret { name: String },
}

/// `keyring-core`'s result, seen through this crate's error.
pub type Result<T> = std::result::Result<T, Error>;

/// Turns a platform error into ours. `NoEntry` is not an error for `get` and `delete`, so the
/// callers match it before coming here.
pub(crate) fn from_platform(backend: Backend, err: keyring_core::Error) -> Error {
    use keyring_core::Error as K;
    let platform = |message: String| Error::Platform { backend, message };
    match err {
        K::NoStorageAccess(inner) => no_access(backend, inner.to_string()),
        K::PlatformFailure(inner) => {
            // The Secret Service store reports a locked collection on create as a plain
            // failure, not as "no access"; the user's fix is the same, so the error is too.
            if is_secret_service_lock(backend, inner.as_ref()) {
                Error::Locked { backend }
            } else {
                platform(inner.to_string())
            }
        }
        K::BadEncoding(mut bytes) => {
            bytes.zeroize();
            platform(
                "the stored value is not text; delete the credential and enter it again".into(),
            )
        }
        K::BadDataFormat(mut bytes, _) => {
            bytes.zeroize();
            platform("the stored value is damaged; delete the credential and enter it again".into())
        }
        K::BadStoreFormat(reason) => platform(format!("the keychain itself is damaged: {reason}")),
        K::TooLong(what, limit) => platform(format!(
            "the {what} is longer than the platform allows ({limit} characters)"
        )),
        K::Invalid(what, reason) => platform(format!("the {what} was refused: {reason}")),
        K::Ambiguous(entries) => platform(format!(
            "{} entries match one credential; remove the duplicates with your keyring manager",
            entries.len()
        )),
        K::NoEntry => platform("the credential disappeared while it was being used".into()),
        K::NoDefaultStore | K::NotSupportedByStore(_) => {
            platform("this keychain does not support the operation".into())
        }
        // `keyring_core::Error` is non-exhaustive and a new variant might carry bytes, so its
        // text is not trusted.
        _ => platform("unexpected keychain error".into()),
    }
}

fn no_access(backend: Backend, detail: String) -> Error {
    match backend {
        // No session keyring: the key would land in the per-user fallback and linking it to
        // the persistent keyring is denied (toolchain.md §6.2).
        Backend::KernelKeyring => Error::Unavailable {
            backend,
            reason: format!(
                "this process has no session keyring to keep keys in ({detail}); run Satchel \
                 inside a login session, or start it under `keyctl session -`"
            ),
        },
        _ => Error::Locked { backend },
    }
}

#[cfg(target_os = "linux")]
fn is_secret_service_lock(backend: Backend, err: &(dyn std::error::Error + 'static)) -> bool {
    use secret_service::Error as Ss;
    backend == Backend::SecretService
        && matches!(
            err.downcast_ref::<Ss>(),
            Some(Ss::Locked | Ss::Prompt | Ss::PromptDisconnected)
        )
}

#[cfg(not(target_os = "linux"))]
fn is_secret_service_lock(_: Backend, _: &(dyn std::error::Error + 'static)) -> bool {
    false
}
