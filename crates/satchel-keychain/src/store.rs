//! [`SecretStore`]: what the rest of Satchel needs of a keychain (get, set, delete a named
//! secret), so that logic built on secrets (sync tokens, the app-lock PIN) can be tested with
//! [`MemorySecrets`] in plain `cargo test`, while the app and the CLI use the real [`Keychain`].
//!
//! [`Keychain`]: crate::Keychain

use std::collections::HashMap;
use std::fmt;
use std::sync::{Mutex, PoisonError};

use crate::{Error, Result, Secret};

/// A place to keep named secrets. Implementations block (a keychain may take a D-Bus round
/// trip); async code calls them from `spawn_blocking`.
pub trait SecretStore: Send + Sync + fmt::Debug {
    /// Stores `secret` under `name`, replacing any earlier value.
    fn set(&self, name: &str, secret: &Secret) -> Result<()>;
    /// The value stored under `name`, or `None`.
    fn get(&self, name: &str) -> Result<Option<Secret>>;
    /// Removes the value stored under `name`; removing one that is not there succeeds.
    fn delete(&self, name: &str) -> Result<()>;
    /// What the store is, for the settings screens ("Secret Service", "memory").
    fn describe(&self) -> String;
}

impl SecretStore for crate::Keychain {
    fn set(&self, name: &str, secret: &Secret) -> Result<()> {
        crate::Keychain::set(self, name, secret)
    }

    fn get(&self, name: &str) -> Result<Option<Secret>> {
        crate::Keychain::get(self, name)
    }

    fn delete(&self, name: &str) -> Result<()> {
        crate::Keychain::delete(self, name)
    }

    fn describe(&self) -> String {
        self.backend().to_string()
    }
}

/// A shared store is a store: the app hands one keychain to several engines, and a test keeps
/// a handle on the secrets of the engine it drives.
impl<T: SecretStore + ?Sized> SecretStore for std::sync::Arc<T> {
    fn set(&self, name: &str, secret: &Secret) -> Result<()> {
        (**self).set(name, secret)
    }

    fn get(&self, name: &str) -> Result<Option<Secret>> {
        (**self).get(name)
    }

    fn delete(&self, name: &str) -> Result<()> {
        (**self).delete(name)
    }

    fn describe(&self) -> String {
        (**self).describe()
    }
}

/// Secrets in this process's memory only, gone when it exits: for tests, never for a
/// merchant's credentials. Refuses empty values as the keychain does.
#[derive(Default)]
pub struct MemorySecrets(Mutex<HashMap<String, Secret>>);

impl fmt::Debug for MemorySecrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MemorySecrets(<redacted>)")
    }
}

impl SecretStore for MemorySecrets {
    fn set(&self, name: &str, secret: &Secret) -> Result<()> {
        if secret.is_empty() {
            return Err(Error::EmptySecret { name: name.into() });
        }
        let mut map = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        map.insert(name.to_owned(), secret.clone());
        Ok(())
    }

    fn get(&self, name: &str) -> Result<Option<Secret>> {
        let map = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        Ok(map.get(name).cloned())
    }

    fn delete(&self, name: &str) -> Result<()> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(name);
        Ok(())
    }

    fn describe(&self) -> String {
        "memory (tests only)".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_secrets_keep_replace_and_forget() {
        let m = MemorySecrets::default();
        assert!(m.get("a").unwrap().is_none());
        m.set("a", &Secret::new("one".into())).unwrap();
        m.set("a", &Secret::new("two".into())).unwrap();
        assert_eq!(m.get("a").unwrap().unwrap().expose(), "two");
        assert!(m.set("b", &Secret::new(String::new())).is_err());
        m.delete("a").unwrap();
        m.delete("a").unwrap();
        assert!(m.get("a").unwrap().is_none());
        assert!(!format!("{m:?}").contains("two"));
    }
}
