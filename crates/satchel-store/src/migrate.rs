//! Schema migrations: the numbered SQL files in the top-level `migrations/`, embedded at
//! build time and applied in order on open. `PRAGMA user_version` records how many have run.
//! Shipped files are never edited (their hashes are pinned by `tests/migrations.rs`); a new
//! schema is a new file at the end of [`MIGRATIONS`].

use rusqlite::{Connection, TransactionBehavior};

use crate::{Error, Result};

/// `(file name, SQL)`, in order. Version N means the first N have been applied.
pub const MIGRATIONS: &[(&str, &str)] = &[
    (
        "0001_local_store.sql",
        include_str!("../../../migrations/0001_local_store.sql"),
    ),
    (
        "0002_ecship_outbox.sql",
        include_str!("../../../migrations/0002_ecship_outbox.sql"),
    ),
    (
        "0003_label_prints.sql",
        include_str!("../../../migrations/0003_label_prints.sql"),
    ),
    (
        "0004_outbox_look_up.sql",
        include_str!("../../../migrations/0004_outbox_look_up.sql"),
    ),
    (
        "0005_tariffs.sql",
        include_str!("../../../migrations/0005_tariffs.sql"),
    ),
    (
        "0006_synced_tariffs_orders.sql",
        include_str!("../../../migrations/0006_synced_tariffs_orders.sql"),
    ),
];

/// The schema version this build writes.
pub fn latest_version() -> i64 {
    MIGRATIONS.len() as i64
}

pub(crate) fn to_latest(conn: &mut Connection) -> Result<()> {
    to_version(conn, latest_version())
}

/// Applies migrations up to `target`, each in its own transaction with its version bump, so
/// a crash between two leaves a database at a well-defined version.
pub fn to_version(conn: &mut Connection, target: i64) -> Result<()> {
    let current: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if current > latest_version() {
        return Err(Error::SchemaTooNew {
            found: current,
            known: latest_version(),
        });
    }
    for (i, (_, sql)) in MIGRATIONS.iter().enumerate() {
        let version = i as i64 + 1;
        if version <= current || version > target {
            continue;
        }
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", version)?;
        tx.commit()?;
    }
    Ok(())
}
