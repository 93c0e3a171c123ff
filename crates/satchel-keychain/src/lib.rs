//! Satchel's credentials in the operating system's keychain, and nowhere else.
//!
//! The EC-Ship integrator username and API key, the hub's tokens and the sync account key would
//! let anyone who reads them ship on the merchant's account or read their address book, so they
//! are never written to SQLite, config files, logs or crash output (issues #6 and #7). This
//! crate is the only way in and out: it speaks `keyring-core` to one store per platform and
//! hands values around only as a [`Secret`].
//!
//! Backends, chosen by target (toolchain.md §6):
//! - Linux desktop: the Secret Service (gnome-keyring, KWallet) over a pure-Rust D-Bus client;
//!   headless Linux with no session bus: the kernel keyring, whose keys live until reboot.
//! - macOS and iOS: the Apple keychain; Windows: Credential Manager; Android: the Keystore.
//!   These stores are declared under their own targets and have never been built here.
//!
//! Entries are built from the store object the [`Keychain`] holds rather than through
//! `keyring-core`'s process-wide default store, so two keychains on different backends (the
//! tests, or a fallback) never race over a global.
//!
//! What this crate holds is wiped on drop ([`Secret`]); the short-lived buffers inside the
//! store crates and the D-Bus library are not ours to wipe.
//!
//! Every call is blocking and may take a D-Bus round trip (about 0.1 s); async code should call
//! it from `spawn_blocking`.

mod error;
mod secret;
mod store;

use std::fmt;
use std::sync::Arc;

use keyring_core::{CredentialStore, Entry};

pub use error::{Error, Result};
pub use secret::Secret;
pub use store::{MemorySecrets, SecretStore};

/// The service every Satchel credential is filed under; a profile adds a suffix.
pub const SERVICE: &str = "satchel";

/// The integrator account name EC-Ship issued to the merchant (issue #7).
pub const ECSHIP_INTEGRATOR_USERNAME: &str = "ecship.integrator_username";
/// The EC-Ship API key that signs every WS-Security header (issue #7).
pub const ECSHIP_API_KEY: &str = "ecship.api_key";
/// The hub's rotating refresh token (issue #6).
pub const HUB_REFRESH_TOKEN: &str = "hub.refresh_token";
/// The hub's short-lived access token (issue #6).
pub const HUB_ACCESS_TOKEN: &str = "hub.access_token";
/// This device's credential at the sync hub (`<device id>:<hex secret>`), issue #6.
pub const HUB_DEVICE_CREDENTIAL: &str = "hub.device_credential";
/// The key that encrypts every synced record; losing it means using the recovery phrase.
pub const SYNC_ACCOUNT_KEY: &str = "sync.account_key";

/// Which credential store a [`Keychain`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Backend {
    /// freedesktop Secret Service on the session D-Bus (Linux desktops).
    SecretService,
    /// The Linux kernel's key retention service; in memory, gone after a reboot.
    KernelKeyring,
    /// The macOS or iOS keychain.
    AppleKeychain,
    /// Windows Credential Manager.
    WindowsCredentialManager,
    /// Android Keystore-backed storage.
    AndroidKeystore,
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Backend::SecretService => "Secret Service keyring",
            Backend::KernelKeyring => "kernel keyring",
            Backend::AppleKeychain => "Apple keychain",
            Backend::WindowsCredentialManager => "Windows Credential Manager",
            Backend::AndroidKeystore => "Android keystore",
        })
    }
}

/// A handle on the OS keychain under one service name.
///
/// Cloning is cheap (two `Arc`s), and the handle is `Send + Sync`, so the Tauri shell keeps one
/// in its managed state.
#[derive(Clone)]
pub struct Keychain {
    store: Arc<CredentialStore>,
    backend: Backend,
    service: Arc<str>,
}

impl fmt::Debug for Keychain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Keychain")
            .field("backend", &self.backend)
            .field("service", &self.service)
            .finish()
    }
}

impl Keychain {
    /// Opens `backend` for `profile`.
    ///
    /// `None` is the app's own profile (service `satchel`); `Some("dev")` files everything
    /// under `satchel.dev`, so a second app profile or a second simulated device on the same
    /// machine never sees the first one's credentials. A profile is 1 to 32 characters from
    /// `A-Z a-z 0-9 _ -`.
    ///
    /// Fails with [`Error::Unavailable`] when the backend is not built for this target, or
    /// (Secret Service) when no provider answers on the session bus.
    pub fn open(backend: Backend, profile: Option<&str>) -> Result<Self> {
        let service = service_name(profile)?;
        let store = platform::store(backend)?;
        Ok(Keychain {
            store,
            backend,
            service: service.into(),
        })
    }

    /// Opens the keychain this platform should use.
    ///
    /// On Linux that is the Secret Service when one answers on the session bus, and otherwise
    /// the kernel keyring (servers, CI, a terminal with no desktop session).
    pub fn open_default(profile: Option<&str>) -> Result<Self> {
        platform::open_default(profile)
    }

    /// The backend this handle talks to (the app shows it on the credentials screen).
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The service name credentials are filed under (`satchel` or `satchel.<profile>`).
    pub fn service(&self) -> &str {
        &self.service
    }

    /// Stores `secret` under `name`, replacing any earlier value.
    ///
    /// A name is 1 to 64 characters from `a-z 0-9 . _ -`; use the constants of this crate.
    pub fn set(&self, name: &str, secret: &Secret) -> Result<()> {
        let entry = self.entry(name)?;
        if secret.is_empty() {
            return Err(Error::EmptySecret { name: name.into() });
        }
        entry
            .set_password(secret.expose())
            .map_err(|err| error::from_platform(self.backend, err))
    }

    /// The value stored under `name`, or `None` if there is none.
    pub fn get(&self, name: &str) -> Result<Option<Secret>> {
        match self.entry(name)?.get_password() {
            Ok(value) => Ok(Some(Secret::new(value))),
            Err(keyring_core::Error::NoEntry) => Ok(None),
            Err(err) => Err(error::from_platform(self.backend, err)),
        }
    }

    /// Removes the value stored under `name`; removing one that is not there succeeds, so
    /// "sign out" can always run to the end.
    pub fn delete(&self, name: &str) -> Result<()> {
        match self.entry(name)?.delete_credential() {
            Ok(()) | Err(keyring_core::Error::NoEntry) => Ok(()),
            Err(err) => Err(error::from_platform(self.backend, err)),
        }
    }

    fn entry(&self, name: &str) -> Result<Entry> {
        if !valid_name(name) {
            return Err(Error::InvalidName { name: name.into() });
        }
        self.store
            .build(&self.service, name, None)
            .map_err(|err| error::from_platform(self.backend, err))
    }
}

/// Names end up in D-Bus attributes and kernel key descriptions (`keyring:<name>@<service>`),
/// so a small alphabet keeps them unambiguous on every backend.
fn valid_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
}

fn service_name(profile: Option<&str>) -> Result<String> {
    match profile {
        None => Ok(SERVICE.to_owned()),
        Some(p)
            if (1..=32).contains(&p.len())
                && p.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"_-".contains(&b)) =>
        {
            Ok(format!("{SERVICE}.{p}"))
        }
        Some(p) => Err(Error::InvalidProfile { profile: p.into() }),
    }
}

#[cfg(target_os = "linux")]
mod platform {
    //! Linux: Secret Service first, the kernel keyring when no desktop keyring answers.

    use std::sync::Arc;

    use keyring_core::CredentialStore;

    use crate::{not_built, Backend, Error, Keychain, Result};

    pub(crate) fn store(backend: Backend) -> Result<Arc<CredentialStore>> {
        match backend {
            Backend::SecretService => match zbus_secret_service_keyring_store::Store::new() {
                Ok(store) => Ok(store),
                Err(err) => Err(Error::Unavailable {
                    backend,
                    reason: format!(
                        "no Secret Service answered on the session D-Bus ({err}); start your \
                         desktop's keyring (gnome-keyring or KWallet), or run without a session \
                         bus to use the kernel keyring"
                    ),
                }),
            },
            Backend::KernelKeyring => {
                require_session_keyring()?;
                match linux_keyutils_keyring_store::Store::new() {
                    Ok(store) => Ok(store),
                    Err(err) => Err(crate::error::from_platform(backend, err)),
                }
            }
            other => Err(not_built(other)),
        }
    }

    /// Without a session keyring of its own, the process falls back to the per-user session
    /// keyring. There the store adds the key, is then refused the link to the persistent
    /// keyring, and cannot remove what it added (it searches by raw id, which a process that
    /// does not possess the keyring may not do): every failed `set` would leave the secret
    /// behind (toolchain.md §6.2). So that case is refused before anything is written.
    fn require_session_keyring() -> Result<()> {
        use linux_keyutils::{KeyRing, KeyRingIdentifier};
        let session = KeyRing::from_special_id(KeyRingIdentifier::Session, false);
        let user_session = KeyRing::from_special_id(KeyRingIdentifier::UserSession, false);
        match (session, user_session) {
            (Ok(session), Ok(user_session)) if session != user_session => Ok(()),
            (Ok(_), Ok(_)) => Err(Error::Unavailable {
                backend: Backend::KernelKeyring,
                reason: "this process has no session keyring of its own; run Satchel inside a \
                         login session, or start it under `keyctl session -`"
                    .into(),
            }),
            (Err(err), _) | (_, Err(err)) => Err(Error::Unavailable {
                backend: Backend::KernelKeyring,
                reason: format!("the kernel refused access to the keyrings ({err})"),
            }),
        }
    }

    pub(crate) fn open_default(profile: Option<&str>) -> Result<Keychain> {
        match Keychain::open(Backend::SecretService, profile) {
            Err(Error::Unavailable { .. }) => Keychain::open(Backend::KernelKeyring, profile),
            other => other,
        }
    }
}

#[cfg(any(target_os = "macos", target_os = "ios"))]
mod platform {
    //! Apple: the legacy keychain on (unsigned) macOS builds, Protected Data on iOS, which
    //! the store crate requires there. Not built in this repository's CI.

    use std::sync::Arc;

    use keyring_core::CredentialStore;

    use crate::{not_built, Backend, Keychain, Result};

    pub(crate) fn store(backend: Backend) -> Result<Arc<CredentialStore>> {
        match backend {
            #[cfg(target_os = "macos")]
            Backend::AppleKeychain => apple_native_keyring_store::keychain::Store::new()
                .map(|s| s as Arc<CredentialStore>)
                .map_err(|err| crate::error::from_platform(backend, err)),
            #[cfg(target_os = "ios")]
            Backend::AppleKeychain => apple_native_keyring_store::protected::Store::new()
                .map(|s| s as Arc<CredentialStore>)
                .map_err(|err| crate::error::from_platform(backend, err)),
            other => Err(not_built(other)),
        }
    }

    pub(crate) fn open_default(profile: Option<&str>) -> Result<Keychain> {
        Keychain::open(Backend::AppleKeychain, profile)
    }
}

#[cfg(target_os = "windows")]
mod platform {
    //! Windows: Credential Manager. Not built in this repository's CI.

    use std::sync::Arc;

    use keyring_core::CredentialStore;

    use crate::{not_built, Backend, Keychain, Result};

    pub(crate) fn store(backend: Backend) -> Result<Arc<CredentialStore>> {
        match backend {
            Backend::WindowsCredentialManager => windows_native_keyring_store::Store::new()
                .map(|s| s as Arc<CredentialStore>)
                .map_err(|err| crate::error::from_platform(backend, err)),
            other => Err(not_built(other)),
        }
    }

    pub(crate) fn open_default(profile: Option<&str>) -> Result<Keychain> {
        Keychain::open(Backend::WindowsCredentialManager, profile)
    }
}

#[cfg(target_os = "android")]
mod platform {
    //! Android: Keystore-wrapped storage over JNI; Tauri Mobile initialises the NDK context the
    //! store needs (toolchain.md §6.5). Not built in this repository's CI.

    use std::sync::Arc;

    use keyring_core::CredentialStore;

    use crate::{not_built, Backend, Keychain, Result};

    pub(crate) fn store(backend: Backend) -> Result<Arc<CredentialStore>> {
        match backend {
            Backend::AndroidKeystore => android_native_keyring_store::Store::new()
                .map(|s| s as Arc<CredentialStore>)
                .map_err(|err| crate::error::from_platform(backend, err)),
            other => Err(not_built(other)),
        }
    }

    pub(crate) fn open_default(profile: Option<&str>) -> Result<Keychain> {
        Keychain::open(Backend::AndroidKeystore, profile)
    }
}

#[cfg(not(any(
    target_os = "linux",
    target_os = "macos",
    target_os = "ios",
    target_os = "windows",
    target_os = "android"
)))]
mod platform {
    //! Everything else (the BSDs, wasm): no keychain, so credentials cannot be kept at all.

    use std::sync::Arc;

    use keyring_core::CredentialStore;

    use crate::{not_built, Backend, Keychain, Result};

    pub(crate) fn store(backend: Backend) -> Result<Arc<CredentialStore>> {
        Err(not_built(backend))
    }

    pub(crate) fn open_default(_: Option<&str>) -> Result<Keychain> {
        Err(not_built(Backend::SecretService))
    }
}

fn not_built(backend: Backend) -> Error {
    Error::Unavailable {
        backend,
        reason: "this build of Satchel has no support for it on this operating system".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_profiles_keep_to_a_small_alphabet() {
        for name in [
            ECSHIP_INTEGRATOR_USERNAME,
            ECSHIP_API_KEY,
            HUB_REFRESH_TOKEN,
            HUB_ACCESS_TOKEN,
            SYNC_ACCOUNT_KEY,
        ] {
            assert!(valid_name(name), "{name}");
        }
        for bad in ["", "Upper", "a@b", "a b", &"x".repeat(65)] {
            assert!(!valid_name(bad), "{bad:?}");
        }
        assert_eq!(service_name(None).unwrap(), "satchel");
        assert_eq!(service_name(Some("dev-2")).unwrap(), "satchel.dev-2");
        assert!(matches!(
            service_name(Some("a.b")),
            Err(Error::InvalidProfile { .. })
        ));
    }

    #[test]
    fn a_keychain_can_live_in_shared_state() {
        fn send_sync_clone<T: Send + Sync + Clone + 'static>() {}
        send_sync_clone::<Keychain>();
    }
}
