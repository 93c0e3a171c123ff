//! `cargo xtask fuzz [--secs N] [--seed S] [TARGET...]` (issue #18): every parser that reads
//! outside input (rate files, shop exports and CSV imports, EC-Ship's SOAP and REST replies,
//! sync pages and peer changes, pairing codes) fed mutated fixtures for a set time each, by
//! `satchel-fuzz` built in release mode. `cargo xtask test` runs every target for the default
//! 30 s; `--secs` runs longer. It prints the executions per target and fails on any crash,
//! with the input kept under `target/fuzz-crashes/`.
//!
//! Why not cargo-fuzz: libFuzzer needs a nightly compiler and Satchel builds on the pinned
//! stable toolchain, so `crates/satchel-fuzz` is a small coverage-less mutation fuzzer of its
//! own; its module doc says what that costs.

use anyhow::Result;

use crate::cargo;

/// Builds `satchel-fuzz` in release mode and runs it with `args` (by default every target,
/// 30 s each).
pub fn run(args: &[String]) -> Result<()> {
    let mut cmd = vec!["run", "--release", "-p", "satchel-fuzz", "--"];
    cmd.extend(args.iter().map(String::as_str));
    cargo(&cmd)
}
