//! The sync hub's domain: what an account, a device, a token family and a stored record are,
//! and the one storage trait ([`HubStorage`]) that the SQLite and PostgreSQL backends implement.
//!
//! This crate knows no database and no HTTP, so the rules that matter for correctness
//! (idempotent uploads, per-account cursors, quotas checked in the same transaction as the
//! write, refresh-token reuse detection) are stated once here and proven against every backend
//! by the conformance suite (`satchel-hub-conformance`, a dev-dependency of each backend).

#![forbid(unsafe_code)]

mod migrations;
mod rules;
mod storage;
mod types;

pub use migrations::{check_schema_version, migration_fingerprints};
pub use rules::*;
pub use storage::{HubStorage, StorageError};
pub use types::*;
