//! The crate's integration tests as one binary: linking one test executable instead of one
//! per file saves minutes on two cores. Each module is one concern.

#[cfg(feature = "system-tests")]
mod common;
mod layouts;
mod posting;
mod render;
