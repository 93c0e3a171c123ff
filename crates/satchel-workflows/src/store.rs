//! The local store as shared state: where the database file lives, the lock around it, and
//! how its errors reach a front end.
//!
//! `satchel_store::Store` wraps one SQLite connection and is not `Sync`, so the app keeps it
//! behind a `Mutex`; every call takes the lock for one short call (the CSV import holds it
//! for the whole file, on a blocking thread). It is an `Arc` so that background workers
//! (outbox, sync) hold the same store as the commands without borrowing from them.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use satchel_ipc::CommandError;
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
    let app_data_dir = || app_data_dir().map_err(Into::into);
    let path = match env.filter(|p| !p.is_empty()) {
        Some(p) => PathBuf::from(p),
        None => app_data_dir()?.join(DB_FILE),
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    Ok(path)
}

/// A store failure as a refusal the UI can show. Validation problems are normally returned
/// as data (`save_contact`); here they become one message naming the first field.
pub fn store_error(e: Error) -> CommandError {
    match e {
        Error::Invalid(problems) => {
            let field = problems
                .first()
                .map(|p| p.field.clone())
                .unwrap_or_default();
            let join = |l| {
                problems
                    .iter()
                    .map(|p| format!("{} ({}): {}", p.field, p.rule, p.message(l)))
                    .collect::<Vec<_>>()
                    .join("; ")
            };
            CommandError {
                field,
                message_en: join(satchel_core::validate::Locale::En),
                message_zh_hk: join(satchel_core::validate::Locale::ZhHk),
            }
        }
        Error::NotFound { entity, .. } => {
            let zh = if entity == "contact" {
                "聯絡人"
            } else {
                "郵件"
            };
            CommandError {
                field: "id".into(),
                message_en: format!("This {entity} no longer exists (deleted?)."),
                message_zh_hk: format!("找不到此{zh}（可能已刪除）。"),
            }
        }
        Error::Transition { from, to } if from.ends_with("with errors") => CommandError {
            field: "state".into(),
            message_en: format!("Fix the errors before marking it {to}; warnings may stay."),
            message_zh_hk: format!(
                "請先更正錯誤，才可標示為「{}」；警告可保留。",
                state_zh(&to)
            ),
        },
        Error::Transition { from, to } => CommandError {
            field: "state".into(),
            message_en: format!("A shipment that is {from} cannot be {to}."),
            message_zh_hk: format!(
                "「{}」的郵件不能改為「{}」。",
                state_zh(&from),
                state_zh(&to)
            ),
        },
        Error::Rule {
            field,
            rule,
            message,
        } => CommandError {
            field: field.into(),
            message_en: format!("{field} ({rule}): {message}"),
            message_zh_hk: format!("{field}（{rule}）：{message}"),
        },
        Error::Csv(why) => CommandError {
            field: "file".into(),
            message_en: format!("The CSV file could not be read: {why}"),
            message_zh_hk: format!("無法讀取 CSV 檔案：{why}"),
        },
        other => CommandError {
            field: "store".into(),
            message_en: format!("The local database failed: {other}"),
            message_zh_hk: format!("本機資料庫出錯：{other}"),
        },
    }
}

/// A lifecycle word in Chinese; `edited` and `deleted` are the store's pseudo-states.
fn state_zh(s: &str) -> &'static str {
    match s {
        "draft" => "草稿",
        "ready" => "準備寄出",
        "submitted" => "已提交",
        "numbered" => "已編號",
        "printed" => "已列印",
        "posted" => "已寄出",
        "delivered" => "已派遞",
        "returned" => "已退回",
        "expired" => "已過期",
        "cancelled" => "已取消",
        "edited" => "修改",
        "deleted" => "刪除",
        _ => "其他",
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
        let e = store_error(Error::Transition {
            from: "draft with errors".into(),
            to: "ready".into(),
        });
        assert_eq!(e.field, "state");
        assert!(e.message_en.starts_with("Fix the errors"), "{e:?}");
        assert!(e.message_zh_hk.contains("準備寄出"), "{e:?}");
    }
}
