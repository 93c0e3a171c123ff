//! The crate's integration tests as one binary: linking one test executable instead of one
//! per file saves minutes on two cores. Each module is one concern.

mod hub_metadata;
mod revocation;
mod sync;
mod sync_recovery;
