//! The local store as shared state: where the database file lives, the lock around it, and
//! how its errors reach a front end.
//!
//! `satchel_store::Store` wraps one SQLite connection and is not `Sync`, so the app keeps it
//! behind a `Mutex`; every call takes the lock for one short call (the CSV import holds it
//! for the whole file, on a blocking thread). It is an `Arc` so that background workers
//! (outbox, sync) hold the same store as the commands without borrowing from them.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use satchel_ipc::{CommandError, Refused};
use satchel_store::{Error, Store};

/// The environment variable that overrides where the database lives. The E2E harness points
/// it at a fresh file per test so tests never see each other's (or a developer's) data.
pub const DB_ENV: &str = "SATCHEL_DB";

/// The database file's name inside the app data directory.
pub const DB_FILE: &str = "satchel.db";

/// The open store, shared by the commands and the background workers.
#[derive(Debug, Clone)]
pub struct SharedStore(Arc<Mutex<Store>>);

impl SharedStore {
    pub fn new(store: Store) -> SharedStore {
        SharedStore(Arc::new(Mutex::new(store)))
    }

    /// The store, for one call. A panic in an earlier command poisons the lock but cannot
    /// leave the database half-written (every write is one transaction), so carry on.
    pub fn lock(&self) -> MutexGuard<'_, Store> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The network workers (EC-Ship outbox, sync) reach the store through this, one short call
/// at a time, never across a network request.
impl satchel_store::StoreAccess for SharedStore {
    fn with_store<T>(&self, f: impl FnOnce(&mut Store) -> T) -> T {
        f(&mut self.lock())
    }
}

/// Where to open the store: `$SATCHEL_DB` if set, else `<app data dir>/satchel.db`. The parent
/// directory is created if missing.
pub fn db_path<E: Into<Box<dyn std::error::Error>>>(
    env: Option<std::ffi::OsString>,
    app_data_dir: impl FnOnce() -> Result<PathBuf, E>,
) -> Result<PathBuf, Box<dyn std::error::Error>> {
    let path = match env.filter(|p| !p.is_empty()) {
        Some(p) => PathBuf::from(p),
        None => app_data_dir().map_err(Into::into)?.join(DB_FILE),
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    Ok(path)
}

/// A store failure as a refusal a front end can word: its kind, its field and its values.
pub fn store_error(e: Error) -> CommandError {
    match e {
        Error::Invalid(problems) => {
            CommandError::invalid(problems.iter().map(crate::convert::problem).collect())
        }
        Error::NotFound { entity, .. } => CommandError::new(
            "id",
            Refused::NotFound {
                entity: entity.into(),
            },
        ),
        Error::HasErrors { to } => CommandError::new("state", Refused::FixErrorsFirst { to }),
        Error::Transition { from, to } => {
            CommandError::new("state", Refused::BadTransition { from, to })
        }
        Error::Rule {
            field,
            rule,
            message,
        } => CommandError::new(field, Refused::StoreRule { message }).with_rule(rule),
        Error::Csv(detail) => CommandError::new("file", Refused::CsvUnreadable { detail }),
        other => CommandError::new(
            "store",
            Refused::StoreFailed {
                detail: other.to_string(),
            },
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_environment_variable_wins_and_its_directory_is_created() {
        let dir = tempfile::tempdir().unwrap();
        let want = dir.path().join("nested").join("e2e.db");
        let got = db_path::<std::io::Error>(Some(want.clone().into()), || unreachable!()).unwrap();
        assert_eq!(got, want);
        assert!(want.parent().unwrap().is_dir());
    }

    #[test]
    fn without_the_variable_the_app_data_dir_is_used() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("app.satchel.desktop");
        let got = db_path::<std::io::Error>(None, || Ok(data.clone())).unwrap();
        assert_eq!(got, data.join(DB_FILE));
        assert!(data.is_dir());
    }

    #[test]
    fn a_ready_refusal_says_to_fix_the_errors() {
        use satchel_ipc::wording::{refusal, Lang};
        let e = store_error(Error::HasErrors { to: "ready".into() });
        assert_eq!(e.field, "state");
        assert!(refusal(&e, Lang::En).starts_with("Fix the errors"), "{e:?}");
        assert!(refusal(&e, Lang::ZhHk).contains("準備寄出"), "{e:?}");
    }
}
