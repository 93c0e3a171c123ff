//! The app lock: after a chosen idle time the window hides everything until the PIN is typed
//! (seed 002 asks users to log out when they step away; at a market stall the laptop is on
//! the counter).
//!
//! Why the lock lives here and not in the UI: hiding the screen is not enough, since a script
//! in the page could still call every command (issue #18). So the locked state is held here,
//! and the shell asks [`LockState::guard`] before every command: while locked, everything but
//! the lock's own commands is refused. A device with a lock starts locked, and one whose
//! keychain cannot be read while a lock is set stays locked (fails closed). The PIN's Argon2id
//! hash stays in the OS keychain (`satchel_crypto::pin`); wrong PINs are counted in the store,
//! so a restart does not reset the wait. The idle time is a device-local `meta` setting.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use satchel_ipc::{cmd, CommandError, LockSettingsDto, Refused, SetLockRequest};
use satchel_keychain::{Secret, SecretStore};

use crate::Secrets;
use satchel_store::Store;
use satchel_store::StoreAccess;

/// The `meta` key of the idle time, in minutes.
pub const LOCK_IDLE_KEY: &str = "lock_idle_minutes";
/// The `meta` key of the wrong-PIN count: `"<count> <unix ms of the last one>"`.
pub const LOCK_FAILURES_KEY: &str = "lock_failures";
/// The keychain name of the PIN's hash.
pub const LOCK_PIN: &str = "app.lock_pin";
/// Wrong PINs allowed before each further try must wait.
const FREE_TRIES: u32 = 5;
/// The longest wait between tries, in milliseconds.
const MAX_WAIT_MS: i64 = 5 * 60 * 1000;

/// The lock's app state.
#[derive(Debug)]
pub struct LockState {
    keychain: Secrets,
    locked: AtomicBool,
    /// One PIN check at a time: two tries in parallel must not both slip through one wait.
    trying: Mutex<()>,
}

fn keychain_refusal(why: &str) -> CommandError {
    CommandError::new(
        "pin",
        Refused::PinNotKept {
            detail: format!("the system keychain cannot be used: {why}"),
        },
    )
}

/// Wrong PINs in a row and when the last one was typed, as kept in the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Failures {
    count: u32,
    last_ms: i64,
}

impl Failures {
    fn read(store: &Store) -> Failures {
        // A row that cannot be read counts like one that cannot be parsed (below).
        let kept = store
            .meta(LOCK_FAILURES_KEY)
            .unwrap_or_else(|_| Some(String::new()));
        let parsed = kept.as_deref().and_then(|v| {
            let (n, at) = v.split_once(' ')?;
            Some(Failures {
                count: n.parse().ok()?,
                last_ms: at.parse().ok()?,
            })
        });
        // Unreadable counts as the worst case a valid value could be, not as a clean slate:
        // editing the row must not buy more tries.
        match (kept, parsed) {
            (None, _) => Failures::default(),
            (Some(_), Some(f)) => f,
            (Some(_), None) => Failures {
                count: FREE_TRIES + 7,
                last_ms: 0,
            },
        }
    }

    fn write(self, store: &mut Store) -> Result<(), CommandError> {
        store
            .set_meta(
                LOCK_FAILURES_KEY,
                &format!("{} {}", self.count, self.last_ms),
            )
            .map_err(|e| {
                let detail = e.to_string();
                CommandError::new("pin", Refused::SettingsNotSaved { detail })
            })
    }

    /// How long the next try must still wait at `now_ms`, in milliseconds. After
    /// [`FREE_TRIES`] wrong PINs each further try waits twice as long as the one before (2 s,
    /// 4 s, … up to 5 minutes), counted from the last wrong PIN. A clock set back before the
    /// last wrong PIN waits the whole pause (and [`LockState::unlock`] moves the last wrong
    /// PIN to the new time).
    fn wait_ms(self, now_ms: i64) -> i64 {
        if self.count < FREE_TRIES {
            return 0;
        }
        let wait = (2_000i64 << (self.count - FREE_TRIES).min(8)).min(MAX_WAIT_MS);
        let since = (now_ms - self.last_ms).max(0);
        (wait - since).max(0)
    }
}

impl LockState {
    /// An unlocked lock; [`LockState::lock_at_start`] decides how the app really starts.
    pub fn new(keychain: Secrets) -> LockState {
        LockState {
            keychain,
            locked: AtomicBool::new(false),
            trying: Mutex::new(()),
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

    /// The PIN's hash; an error when the keychain cannot say whether there is one.
    fn stored_pin(&self) -> Result<Option<Secret>, String> {
        let keychain = self.keychain.as_ref().map_err(Clone::clone)?;
        keychain.get(LOCK_PIN).map_err(|e| e.to_string())
    }

    /// Locks a device whose lock is on, since a closed window is the most "away" a merchant
    /// can be. A keychain that cannot be read while an idle time is set also locks: the PIN
    /// may well exist, and starting open would let anyone in by breaking the keychain.
    pub fn lock_at_start(&self, store: &impl StoreAccess) {
        let idle = store.with_store(Self::idle_minutes);
        let lock = idle > 0 && !matches!(self.stored_pin(), Ok(None));
        self.locked.store(lock, Ordering::SeqCst);
    }

    /// Refuses `command` while locked, unless it is one of the lock's own
    /// ([`cmd::WHILE_LOCKED`]). The shell calls this before every command.
    pub fn guard(&self, command: &str) -> Result<(), CommandError> {
        if self.locked.load(Ordering::SeqCst) && !cmd::WHILE_LOCKED.contains(&command) {
            return Err(CommandError::new("pin", Refused::Locked));
        }
        Ok(())
    }

    pub fn is_locked(&self) -> bool {
        self.locked.load(Ordering::SeqCst)
    }

    pub fn settings(&self, store: &impl StoreAccess) -> LockSettingsDto {
        let has_pin = matches!(self.stored_pin(), Ok(Some(_)));
        LockSettingsDto {
            // Without a PIN there is nothing to unlock with, so the lock is off.
            idle_minutes: if has_pin {
                store.with_store(Self::idle_minutes)
            } else {
                0
            },
            has_pin,
            locked: self.is_locked(),
        }
    }

    /// Locks now (the window's idle timer, or "Lock now"). Without a PIN there would be no
    /// way back, so it does not; a keychain that cannot say whether there is one locks, as at
    /// start (fails closed).
    pub fn lock_now(&self, store: &impl StoreAccess) -> LockSettingsDto {
        if !matches!(self.stored_pin(), Ok(None)) {
            self.locked.store(true, Ordering::SeqCst);
        }
        self.settings(store)
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
        let stored = self.stored_pin().map_err(|why| keychain_refusal(&why))?;
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
            _ if r.idle_minutes > 0 && stored.is_none() => {
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

    /// Checks the PIN at `now`; the right one unlocks. Wrong ones are counted in the store
    /// (see [`Failures::wait_ms`]), and a keychain that cannot be read keeps the app locked.
    pub fn unlock(
        &self,
        store: &impl StoreAccess,
        pin: &str,
        now: DateTime<Utc>,
    ) -> Result<LockSettingsDto, CommandError> {
        let _one_at_a_time = self
            .trying
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let now_ms = now.timestamp_millis();
        let mut failures = store.with_store(|s| Failures::read(s));
        if now_ms < failures.last_ms {
            // The clock was set back: the pause counts from the new time, so the merchant is
            // neither let in early nor shut out until the old time comes round again.
            failures.last_ms = now_ms;
            store.with_store(|s| failures.write(s))?;
        }
        let wait = failures.wait_ms(now_ms);
        if wait > 0 {
            let wait_secs = u64::try_from((wait + 999) / 1000).unwrap_or(1);
            return Err(CommandError::new("pin", Refused::TooManyPins { wait_secs }));
        }
        let stored = self.stored_pin().map_err(|why| keychain_refusal(&why))?;
        let ok = stored
            .is_some_and(|stored| satchel_crypto::pin::verify_pin(pin.trim(), stored.expose()));
        if !ok {
            let counted = Failures {
                count: failures.count.saturating_add(1),
                last_ms: now_ms,
            };
            store.with_store(|s| counted.write(s))?;
            return Err(CommandError::new("pin", Refused::WrongPin));
        }
        store.with_store(|s| Failures::default().write(s))?;
        self.locked.store(false, Ordering::SeqCst);
        Ok(self.settings(store))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use satchel_keychain::MemorySecrets;
    use std::sync::Arc;

    /// A lock whose PIN hash is kept in memory: the policy is the same whatever keeps it
    /// (the app's real keychain is exercised by the E2E lock test).
    fn lock(dir: &tempfile::TempDir) -> (LockState, Arc<MemorySecrets>, Mutex<Store>) {
        let store = Store::open(dir.path().join("satchel.db")).unwrap();
        let secrets = Arc::new(MemorySecrets::default());
        let shared: Arc<dyn SecretStore> = secrets.clone();
        (LockState::new(Ok(shared)), secrets, Mutex::new(store))
    }

    fn at(secs: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_796_000_000 + secs, 0).unwrap()
    }

    fn set(
        l: &LockState,
        store: &Mutex<Store>,
        minutes: u32,
        pin: Option<&str>,
    ) -> LockSettingsDto {
        l.set(
            store,
            &SetLockRequest {
                idle_minutes: minutes,
                pin: pin.map(str::to_owned),
            },
        )
        .unwrap()
    }

    #[test]
    fn a_lock_needs_a_pin_of_four_to_eight_digits() {
        let dir = tempfile::tempdir().unwrap();
        let (l, _, store) = lock(&dir);
        let try_set = |minutes, pin: Option<&str>| {
            l.set(
                &store,
                &SetLockRequest {
                    idle_minutes: minutes,
                    pin: pin.map(str::to_owned),
                },
            )
        };
        assert_eq!(try_set(5, None).unwrap_err().field, "pin");
        assert_eq!(try_set(5, Some("12a4")).unwrap_err().field, "pin");
        assert_eq!(try_set(5, Some("123")).unwrap_err().field, "pin");
        let on = try_set(5, Some("482913")).unwrap();
        assert_eq!((on.idle_minutes, on.has_pin), (5, true));
        // The PIN is in the keychain as a hash; the database holds only the minutes.
        let meta = store.with_store(|s| s.meta(LOCK_IDLE_KEY)).unwrap();
        assert_eq!(meta.as_deref(), Some("5"));
        // Changing the minutes keeps the PIN.
        assert_eq!(try_set(15, None).unwrap().idle_minutes, 15);
        assert!(l.unlock(&store, "482913", at(0)).is_ok());
    }

    #[test]
    fn while_locked_every_command_but_the_locks_own_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let (l, _, store) = lock(&dir);
        // Without a PIN there is no way back, so nothing locks.
        assert!(!l.lock_now(&store).locked);
        set(&l, &store, 5, Some("2468"));
        assert!(l.lock_now(&store).locked);
        for name in cmd::ALL {
            let answer = l.guard(name);
            if cmd::WHILE_LOCKED.contains(name) {
                assert!(answer.is_ok(), "{name} must answer while locked");
            } else {
                let e = answer.expect_err(name);
                assert_eq!(e.reason, Refused::Locked, "{name}");
            }
        }
        assert_eq!(
            l.unlock(&store, "1357", at(0)).unwrap_err().reason,
            Refused::WrongPin
        );
        assert!(
            l.guard(cmd::SEARCH_CONTACTS).is_err(),
            "a wrong PIN unlocks nothing"
        );
        assert!(!l.unlock(&store, "2468", at(1)).unwrap().locked);
        for name in cmd::ALL {
            assert!(l.guard(name).is_ok(), "{name} answers once unlocked");
        }
    }

    #[test]
    fn a_device_with_a_lock_starts_locked_and_one_without_does_not() {
        let dir = tempfile::tempdir().unwrap();
        let (l, secrets, store) = lock(&dir);
        l.lock_at_start(&store);
        assert!(!l.is_locked(), "no lock set: the app opens");
        set(&l, &store, 5, Some("2468"));
        let shared: Arc<dyn SecretStore> = secrets;
        let restarted = LockState::new(Ok(shared));
        restarted.lock_at_start(&store);
        assert!(restarted.is_locked());
    }

    #[test]
    fn a_keychain_that_cannot_be_read_keeps_a_locked_app_locked() {
        let dir = tempfile::tempdir().unwrap();
        let (l, _, store) = lock(&dir);
        set(&l, &store, 5, Some("2468"));
        // The next start finds the keyring daemon gone.
        let broken = LockState::new(Err("the Secret Service is not available".into()));
        broken.lock_at_start(&store);
        assert!(broken.is_locked(), "fails closed");
        let e = broken.unlock(&store, "2468", at(0)).unwrap_err();
        assert!(matches!(e.reason, Refused::PinNotKept { .. }), "{e:?}");
        assert_eq!(
            broken.guard(cmd::EXPORT_CONTACTS).unwrap_err().reason,
            Refused::Locked
        );
        // A keychain that stops answering during a session: "Lock now" still locks.
        let mid_session = LockState::new(Err("the keyring is locked".into()));
        assert!(!mid_session.is_locked());
        assert!(mid_session.lock_now(&store).locked);
        assert!(mid_session.guard(cmd::SEARCH_CONTACTS).is_err());
    }

    #[test]
    fn wrong_pins_are_slowed_down_and_a_restart_does_not_reset_the_count() {
        let dir = tempfile::tempdir().unwrap();
        let (l, secrets, store) = lock(&dir);
        set(&l, &store, 1, Some("2468"));
        for n in 0..FREE_TRIES {
            let e = l.unlock(&store, "1357", at(i64::from(n))).unwrap_err();
            assert_eq!(e.reason, Refused::WrongPin, "{e:?}");
        }
        // Now even the right PIN must wait for the pause after the last wrong one…
        let e = l.unlock(&store, "2468", at(5)).unwrap_err();
        assert!(matches!(e.reason, Refused::TooManyPins { .. }), "{e:?}");
        // …and so must a restarted app: the count is in the store, not in memory.
        let shared: Arc<dyn SecretStore> = secrets;
        let restarted = LockState::new(Ok(shared));
        restarted.lock_at_start(&store);
        let e = restarted.unlock(&store, "2468", at(5)).unwrap_err();
        assert_eq!(e.reason, Refused::TooManyPins { wait_secs: 1 }, "{e:?}");
        // Setting the clock back an hour does not skip the wait; it counts from the new time
        // rather than shutting the merchant out for the hour.
        let e = restarted.unlock(&store, "2468", at(-3_600)).unwrap_err();
        assert_eq!(e.reason, Refused::TooManyPins { wait_secs: 2 }, "{e:?}");
        // Once the wait is over the right PIN opens, and the count starts again.
        assert!(!restarted.unlock(&store, "2468", at(-3_597)).unwrap().locked);
        let kept = store.with_store(|s| s.meta(LOCK_FAILURES_KEY)).unwrap();
        assert_eq!(kept.as_deref(), Some("0 0"));
    }

    #[test]
    fn the_wait_doubles_up_to_five_minutes_and_counts_from_the_last_wrong_pin() {
        let f = |count, last_ms| Failures { count, last_ms };
        assert_eq!(f(4, 0).wait_ms(0), 0);
        assert_eq!(f(5, 0).wait_ms(0), 2_000);
        assert_eq!(f(6, 0).wait_ms(1_000), 3_000);
        assert_eq!(f(40, 0).wait_ms(0), MAX_WAIT_MS);
        // A clock set back before the last wrong PIN waits the full pause, no more.
        assert_eq!(f(5, 10_000).wait_ms(0), 2_000);
    }
}
