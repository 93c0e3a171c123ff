//! The crate's integration tests as one binary: linking one test executable instead of one
//! per file saves minutes on two cores. Each module is one concern.

mod catalogue;
mod common;
mod contacts;
mod import_export;
mod merge;
mod merge_fuzz;
mod migrations;
mod outbox;
mod shipments;
mod tariff_sync;
