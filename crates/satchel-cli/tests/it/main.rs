//! The crate's integration tests as one binary: linking one test executable instead of one
//! per file saves minutes on two cores. Each module is one concern.

mod cli;
#[cfg(feature = "system-tests")]
mod common;
mod ecship_cli;
mod import_crash;
mod labels_cli;
mod rates_cli;
mod store_cli;
mod sync_cli;
