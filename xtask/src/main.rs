//! `cargo xtask run | test | bench | soak | fuzz | bundle`: the two README commands and the benchmarks, in Rust so
//! that a developer's machine and CI run exactly the same steps.
//!
//! Every step is idempotent: tools are installed only when the exact pinned version is
//! missing, so a warm machine goes straight to building and testing.
#![forbid(unsafe_code)]

#[cfg(test)]
mod callers;
mod fuzz;
mod installer;
#[cfg(test)]
mod lint;
mod postgres;
mod setup;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{bail, Context, Result};

/// One feature set for every native build and test, so cargo never rebuilds the shell just
/// because a different command unified features differently (toolchain.md P9). `e2e` and
/// `system-tests` turn on the tests that need the window or outside services, which plain
/// `cargo test` leaves out; this run starts those services.
const NATIVE_FEATURES: &str = "satchel-app/custom-protocol,satchel-tests/e2e,\
    satchel-hub/system-tests,satchel-hub-postgres/system-tests,satchel-keychain/system-tests,\
    satchel-labels/system-tests,satchel-print/system-tests,\
    satchel-cli/system-tests,satchel-workflows/system-tests,satchel-sync/system-tests";
const WASM: &str = "wasm32-unknown-unknown";
/// Crates that do no IO; checked one by one for wasm32.
const PURE_CRATES: &[&str] = &[
    "satchel-core",
    "satchel-ecship",
    "satchel-crypto",
    "satchel-sync-proto",
];

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = workspace_root();
    std::env::set_current_dir(&root)?;
    match args.first().map(String::as_str) {
        Some("run") => run(&root),
        Some("test") => test(&root),
        Some("bench") => bench(&root),
        Some("soak") => soak(&args[1..]),
        Some("setup") => setup::ensure_app_tools(),
        Some("bundle") => installer::bundle(&root, &args[1..]).map(drop),
        Some("fuzz") => fuzz::run(&args[1..]),
        Some("load") => load(),
        _ => {
            eprintln!("usage: cargo xtask <run|test|bench|soak|fuzz|load|setup|bundle>");
            eprintln!(
                "  run    install what is missing, build, open the app (headless: screenshot)"
            );
            eprintln!(
                "  test   install what is missing, then fmt, clippy, wasm32 core, all tests, E2E"
            );
            eprintln!("  bundle [deb|rpm]...: release installers (target/release/bundle/...)");
            eprintln!(
                "  soak   [SEEDS] [SHIPMENTS]: the whole-system simulation of issue #17 at scale \
                 (default 2000 seeds x 500 shipments); prints how many ran"
            );
            eprintln!(
                "  fuzz   [--secs N] [--seed S] [TARGET...]: every parser of outside input, \
                 N s each (default 30); prints executions per target, fails on a crash"
            );
            eprintln!(
                "  load   the hub under attack while a device syncs (as `test` runs it); \
                 prints p99, peak memory, sign-ups per /64"
            );
            eprintln!(
                "  bench  print figures: quotes/s, search p99, import rows/s, 500-label PDF, \
                 hub p99, sync records/s, hub under load, installed app start-up and memory"
            );
            std::process::exit(2)
        }
    }
}

fn run(root: &Path) -> Result<()> {
    setup::ensure_app_tools()?;
    build_ui()?;
    build_native()?;
    let app = app_binary(root);
    if std::env::var_os("DISPLAY").is_some() {
        return sh(&mut Command::new(&app));
    }
    // No display: show the window on a virtual one and keep a picture of it.
    let shot = target_dir(root).join("satchel-screenshot.png");
    let script = format!(
        "'{app}' & pid=$!; sleep 8; import -window root '{shot}'; kill $pid; wait $pid 2>/dev/null; true",
        app = app.display(),
        shot = shot.display()
    );
    sh(Command::new("xvfb-run").args(["-a", "-s", "-screen 0 1280x800x24", "sh", "-c", &script]))?;
    if !shot.exists() {
        bail!(
            "the app ran but no screenshot was written to {}",
            shot.display()
        );
    }
    println!(
        "No display: ran the app under Xvfb. Screenshot: {}",
        shot.display()
    );
    Ok(())
}

fn test(root: &Path) -> Result<()> {
    let started = Instant::now();
    setup::ensure_app_tools()?;
    step("rustfmt", || cargo(&["fmt", "--all", "--", "--check"]))?;
    // The shell embeds the UI at compile time, so the UI comes first (toolchain.md P2).
    step("UI (trunk, wasm32)", build_ui)?;
    // The pure crates must stay free of IO: each builds on its own for wasm32 (a clock read,
    // a socket or a file would not compile there).
    for pure in PURE_CRATES {
        step(&format!("{pure} builds for wasm32"), || {
            cargo(&["check", "-p", pure, "--target", WASM])
        })?;
    }
    // Each heavy dependency stays inside the crate that wraps it, and every licence is one
    // Satchel may ship (deny.toml).
    step("dependency bans and licences (cargo deny)", || {
        cargo(&["deny", "--workspace", "check", "bans", "licenses"])
    })?;
    step("security advisories (cargo deny)", advisories)?;
    // Clippy also reads the installed-package test, which only the installer step runs (its
    // feature changes nothing but the test crate, so the shell is not checked twice).
    let lint_features = format!("{NATIVE_FEATURES},satchel-tests/installed");
    step("clippy (native)", || {
        cargo(&[
            "clippy",
            "--workspace",
            "--exclude",
            "satchel-ui",
            "--all-targets",
            "--features",
            &lint_features,
            "--",
            "-D",
            "warnings",
        ])
    })?;
    step("clippy (UI, wasm32)", || {
        cargo(&[
            "clippy",
            "-p",
            "satchel-ui",
            "--target",
            WASM,
            "--",
            "-D",
            "warnings",
        ])
    })?;
    // The UI's pure logic (where a problem is shown) is unit-tested natively.
    step("UI unit tests (native)", || {
        cargo(&["test", "-p", "satchel-ui"])
    })?;
    step("build", build_native)?;
    // The hub's PostgreSQL backend is tested against a real, throwaway cluster; this sets
    // SATCHEL_TEST_PG_URL / SATCHEL_TEST_PG_CA for the test step (toolchain.md §8.1).
    step("PostgreSQL for the hub", || {
        postgres::ensure_postgres(&target_dir(root).join("tmp")).map(drop)
    })?;
    step("tests (unit, integration, end-to-end)", || {
        let mut args = vec!["test", "--workspace", "--exclude", "satchel-ui"];
        args.extend(["--features", NATIVE_FEATURES]);
        // Every test, the app under E2E included, runs with a real keychain: a throwaway
        // gnome-keyring on a private session bus inside a fresh kernel session keyring.
        // The E2E test drives the real window on a virtual X display (the wrapper hides any
        // real one, so a desktop session's keyring and screen are never touched).
        let mut cmd = Command::new(root.join("crates/satchel-keychain/tests/with-keyring.sh"));
        cmd.args(["xvfb-run", "-a", "-s", "-screen 0 1280x800x24", "cargo"])
            .args(&args)
            .env("SATCHEL_APP_BIN", app_binary(root));
        sh(&mut cmd)
    })?;
    // Issue #18's acceptance: the hub binary under 2,000 slowloris sockets, 100 concurrent
    // large bodies and sign-ups from one /64, while a device syncs 1,000 records (about 25 s,
    // at most a minute). Fails past p99 2 s, 512 MiB or the sign-up cap. The debug build the
    // tests already made is used: a release build of the hub would cost CI minutes, and an
    // unoptimised hub meeting the limits is the stronger result.
    step("hub under load (loopback, bounded)", || {
        hub_under_load("dev")
    })?;
    // Every parser that reads outside input, fed mutated fixtures (issue #18; satchel-fuzz).
    step("fuzz (every parser, 30 s each)", || fuzz::run(&[]))?;
    // The package a merchant installs: built, installed with apt, first run, upgraded with
    // the data kept, removed (issue #15).
    step(
        "installer (.deb: install, first run, upgrade, remove)",
        || installer::check_installed(root),
    )?;
    println!("xtask test: all steps passed in {:.0?}", started.elapsed());
    Ok(())
}

fn bench(root: &Path) -> Result<()> {
    cargo(&["bench", "-p", "satchel-core", "--bench", "quotes"])?;
    // Search p99 at 100,000 contacts and import rows/s (issue #4).
    cargo(&["bench", "-p", "satchel-store", "--bench", "store"])?;
    // 5,000 shop orders to validated, priced drafts, next to a raw insert (issue #14).
    cargo(&["bench", "-p", "satchel-workflows", "--bench", "orders"])?;
    // 500 labels to one PDF: time and peak memory (issue #5).
    cargo(&["bench", "-p", "satchel-labels", "--bench", "render"])?;
    // Hub latency with 1,000 concurrent simulated devices on SQLite (issue #6).
    cargo(&["bench", "-p", "satchel-hub", "--bench", "hub_latency"])?;
    // Initial sync of 100,000 records on loopback, records/s (issue #6).
    cargo(&["bench", "-p", "satchel-sync", "--bench", "sync"])?;
    // The hub under attack while a device syncs: device p99, hub RSS, sign-ups per /64 (#18).
    hub_under_load("release")?;
    // The installed app's cold start and idle memory next to an empty window (issue #15).
    installer::bench_startup(root)
}

/// `crates/satchel-sync/benches/hub_load.rs` in cargo profile `profile`: it starts the
/// `satchel-hub` binary as a process of its own (to read its memory from /proc) and finds it
/// next to itself in the profile's target directory, so the binary is built first, in the
/// same profile.
fn hub_under_load(profile: &str) -> Result<()> {
    let p = ["--profile", profile];
    cargo(
        &[
            &["build"][..],
            &p,
            &["-p", "satchel-hub", "--bin", "satchel-hub"],
        ]
        .concat(),
    )?;
    cargo(
        &[
            &["bench"][..],
            &p,
            &["-p", "satchel-sync", "--bench", "hub_load"],
        ]
        .concat(),
    )
}

/// `cargo xtask load`: the hub under load alone, as `cargo xtask test` runs it.
fn load() -> Result<()> {
    hub_under_load("dev")
}

/// The whole-system simulation (`crates/satchel-workflows/tests/it/simulation.rs`) with far
/// more seeds than CI runs. Same features as `test`, so nothing is rebuilt on a warm tree.
fn soak(args: &[String]) -> Result<()> {
    let seeds: u64 = args.first().map_or(Ok(2000), |a| a.parse())?;
    let shipments: u64 = args.get(1).map_or(Ok(500), |a| a.parse())?;
    let started = Instant::now();
    let mut child = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["test", "--workspace", "--exclude", "satchel-ui"])
        .args(["--features", NATIVE_FEATURES, "--test", "it"])
        .args(["simulation::", "--", "--nocapture"])
        .env("SATCHEL_SIM_SEEDS", seeds.to_string())
        .env("SATCHEL_SIM_SHIPMENTS", shipments.to_string())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .context("could not start cargo test")?;
    let stdout = child.stdout.take().context("cargo test's output")?;
    let (mut ran, mut orders) = (0u64, 0u64);
    for line in std::io::BufRead::lines(std::io::BufReader::new(stdout)) {
        let line = line?;
        println!("{line}");
        // "simulated N seeds x M shipments: K orders, ..." from each part.
        if let Some(rest) = line.strip_prefix("simulated ") {
            let mut words = rest.split_whitespace();
            ran += words
                .next()
                .and_then(|w| w.parse::<u64>().ok())
                .unwrap_or(0);
            orders += rest
                .split(": ")
                .nth(1)
                .and_then(|t| t.split_whitespace().next())
                .and_then(|w| w.parse::<u64>().ok())
                .unwrap_or(0);
        }
    }
    let status = child.wait()?;
    if !status.success() {
        bail!("the simulation failed (the failing seed and how to replay it are printed above)");
    }
    println!(
        "soak: {ran} seeds x {shipments} shipments simulated, {orders} orders, every invariant \
         held, in {:.0?}",
        started.elapsed()
    );
    Ok(())
}

pub(crate) fn build_ui() -> Result<()> {
    sh(Command::new("trunk")
        .args(["build", "--release"])
        .current_dir("src-ui"))
}

fn build_native() -> Result<()> {
    cargo(&[
        "build",
        "--workspace",
        "--exclude",
        "satchel-ui",
        "--features",
        NATIVE_FEATURES,
    ])
}

fn step(name: &str, f: impl FnOnce() -> Result<()>) -> Result<()> {
    let t = Instant::now();
    println!("==> {name}");
    f().with_context(|| format!("step failed: {name}"))?;
    println!("<== {name} ({:.1?})", t.elapsed());
    Ok(())
}

/// The RustSec advisory database cargo-deny reads.
const ADVISORY_DB: &str = "https://github.com/rustsec/advisory-db";

/// `cargo deny check advisories` when the advisory database can be fetched. Offline (the CI
/// machines here cannot reach GitHub) it is skipped, saying so: a stale copy would pass
/// silently, which is worse than a visible skip.
fn advisories() -> Result<()> {
    let reachable = Command::new("timeout")
        .args(["20", "git", "ls-remote", "--heads", ADVISORY_DB])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !reachable {
        println!("advisories: skipped, {ADVISORY_DB} cannot be reached from this machine");
        return Ok(());
    }
    cargo(&["deny", "--workspace", "check", "advisories"])
}

pub(crate) fn cargo(args: &[&str]) -> Result<()> {
    sh(Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())).args(args))
}

pub(crate) fn sh(cmd: &mut Command) -> Result<()> {
    let status = cmd
        .status()
        .with_context(|| format!("could not start {cmd:?}"))?;
    if !status.success() {
        bail!("{cmd:?} exited with {status}");
    }
    Ok(())
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .into()
}

pub(crate) fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"))
}

fn app_binary(root: &Path) -> PathBuf {
    target_dir(root).join("debug").join("satchel-app")
}
