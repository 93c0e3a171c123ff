//! The app lock: after a chosen idle time the window hides everything until the PIN is typed
//! (seed 002 asks users to log out when they step away; at a market stall the laptop is on
//! the counter).
//!
//! Why the PIN check lives here and not in the UI: the PIN's Argon2id hash stays in the OS
//! keychain (`satchel_crypto::pin`), and repeated wrong PINs are slowed down here, where a
//! script in the page cannot reset the counter. The idle time itself is an ordinary,
//! device-local setting in the store's `meta` table.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use satchel_ipc::{CommandError, LockSettingsDto, Refused, SetLockRequest};
use satchel_keychain::{Secret, SecretStore};

use crate::Secrets;
use satchel_store::Store;
use satchel_store::StoreAccess;

/// The `meta` key of the idle time, in minutes.
pub const LOCK_IDLE_KEY: &str = "lock_idle_minutes";
/// The keychain name of the PIN's hash.
pub const LOCK_PIN: &str = "app.lock_pin";
/// Wrong PINs allowed before each further try must wait.
const FREE_TRIES: u32 = 5;

/// The lock's app state.
#[derive(Debug)]
pub struct LockState {
    keychain: Secrets,
    /// Wrong PINs in a row, and when the last one was typed.
    failures: Mutex<(u32, Option<Instant>)>,
}

fn keychain_refusal(why: &str) -> CommandError {
    CommandError::new(
        "pin",
        Refused::PinNotKept {
            detail: format!("the system keychain cannot be used: {why}"),
        },
    )
}

impl LockState {
    pub fn new(keychain: Secrets) -> LockState {
        LockState {
            keychain,
            failures: Mutex::new((0, None)),
        }
    }

    fn idle_minutes(store: &mut Store) -> u32 {
        store
            .meta(LOCK_IDLE_KEY)
            .ok()
            .flatten()
            .and_then(|m| m.parse().ok())
            .unwrap_or(0)
    }

    fn stored_pin(&self) -> Option<Secret> {
        self.keychain.as_ref().ok()?.get(LOCK_PIN).ok().flatten()
    }

    pub fn settings(&self, store: &impl StoreAccess) -> LockSettingsDto {
        let has_pin = self.stored_pin().is_some();
        LockSettingsDto {
            // Without a PIN there is nothing to unlock with, so the lock is off.
            idle_minutes: if has_pin {
                store.with_store(Self::idle_minutes)
            } else {
                0
            },
            has_pin,
        }
    }

    pub fn set(
        &self,
        store: &impl StoreAccess,
        r: &SetLockRequest,
    ) -> Result<LockSettingsDto, CommandError> {
        if r.idle_minutes > 24 * 60 {
            return Err(CommandError::new("idle_minutes", Refused::IdleTooLong));
        }
        let keychain = self
            .keychain
            .as_ref()
            .map_err(|why| keychain_refusal(why))?;
        match r.pin.as_deref().map(str::trim) {
            Some(pin) if !pin.is_empty() => {
                if !(4..=8).contains(&pin.len()) || !pin.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(CommandError::new("pin", Refused::PinFormat));
                }
                let mut salt = [0u8; 16];
                getrandom::fill(&mut salt).map_err(|e| {
                    let detail = format!("no randomness for the PIN: {e}");
                    CommandError::new("pin", Refused::PinNotKept { detail })
                })?;
                let hash = satchel_crypto::pin::hash_pin(pin, salt).map_err(|e| {
                    let detail = e.to_string();
                    CommandError::new("pin", Refused::PinNotKept { detail })
                })?;
                keychain
                    .set(LOCK_PIN, &Secret::new(hash))
                    .map_err(|e| keychain_refusal(&e.to_string()))?;
            }
            _ if r.idle_minutes > 0 && self.stored_pin().is_none() => {
                return Err(CommandError::new("pin", Refused::PinNeeded));
            }
            _ => {}
        }
        store
            .with_store(|s| s.set_meta(LOCK_IDLE_KEY, &r.idle_minutes.to_string()))
            .map_err(|e| {
                let detail = e.to_string();
                CommandError::new("idle_minutes", Refused::SettingsNotSaved { detail })
            })?;
        Ok(self.settings(store))
    }

    /// Checks the PIN. After [`FREE_TRIES`] wrong ones, each further try waits twice as long
    /// as the one before (2 s, 4 s, … up to 5 minutes), counted from the last wrong PIN.
    pub fn unlock(
        &self,
        store: &impl StoreAccess,
        pin: &str,
    ) -> Result<LockSettingsDto, CommandError> {
        let mut failures = self
            .failures
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let (n, Some(last)) = *failures {
            if n >= FREE_TRIES {
                let wait = Duration::from_secs(2u64 << (n - FREE_TRIES).min(7))
                    .min(Duration::from_secs(300));
                if last.elapsed() < wait {
                    let secs = (wait - last.elapsed()).as_secs() + 1;
                    return Err(CommandError::new(
                        "pin",
                        Refused::TooManyPins { wait_secs: secs },
                    ));
                }
            }
        }
        let ok = self
            .stored_pin()
            .is_some_and(|stored| satchel_crypto::pin::verify_pin(pin.trim(), stored.expose()));
        if !ok {
            *failures = (failures.0 + 1, Some(Instant::now()));
            return Err(CommandError::new("pin", Refused::WrongPin));
        }
        *failures = (0, None);
        drop(failures);
        Ok(self.settings(store))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use satchel_keychain::MemorySecrets;

    /// A lock whose PIN hash is kept in memory: the policy is the same whatever keeps it
    /// (the app's real keychain is exercised by the E2E lock test).
    fn lock(dir: &tempfile::TempDir, _profile: &str) -> (LockState, std::sync::Mutex<Store>) {
        let store = Store::open(dir.path().join("satchel.db")).unwrap();
        let secrets: std::sync::Arc<dyn SecretStore> =
            std::sync::Arc::new(MemorySecrets::default());
        (LockState::new(Ok(secrets)), std::sync::Mutex::new(store))
    }

    #[test]
    fn a_lock_needs_a_pin_of_four_to_eight_digits() {
        let dir = tempfile::tempdir().unwrap();
        let (l, store) = lock(&dir, "test-lock-a");
        let set = |minutes, pin: Option<&str>| {
            l.set(
                &store,
                &SetLockRequest {
                    idle_minutes: minutes,
                    pin: pin.map(str::to_owned),
                },
            )
        };
        assert_eq!(set(5, None).unwrap_err().field, "pin");
        assert_eq!(set(5, Some("12a4")).unwrap_err().field, "pin");
        assert_eq!(set(5, Some("123")).unwrap_err().field, "pin");
        let on = set(5, Some("482913")).unwrap();
        assert_eq!((on.idle_minutes, on.has_pin), (5, true));
        // The PIN is in the keychain as a hash; the database holds only the minutes.
        let meta = store.with_store(|s| s.meta(LOCK_IDLE_KEY)).unwrap();
        assert_eq!(meta.as_deref(), Some("5"));
        // Changing the minutes keeps the PIN.
        assert_eq!(set(15, None).unwrap().idle_minutes, 15);
        assert!(l.unlock(&store, "482913").is_ok());
    }

    #[test]
    fn wrong_pins_are_refused_and_slowed_down() {
        let dir = tempfile::tempdir().unwrap();
        let (l, store) = lock(&dir, "test-lock-b");
        l.set(
            &store,
            &SetLockRequest {
                idle_minutes: 1,
                pin: Some("2468".into()),
            },
        )
        .unwrap();
        for _ in 0..FREE_TRIES {
            let e = l.unlock(&store, "1357").unwrap_err();
            assert_eq!(e.reason, Refused::WrongPin, "{e:?}");
        }
        // Now even the right PIN must wait for the pause after the last wrong one.
        let e = l.unlock(&store, "2468").unwrap_err();
        assert!(matches!(e.reason, Refused::TooManyPins { .. }), "{e:?}");
    }
}
