//! The worker: one target's seeds and then mutated inputs until its time is up, in a process
//! of its own so that whatever kills it does not end the run.
//!
//! It reports on stdout, one line each, and prints nothing else there:
//!
//! - `at N` before input `N`, every [`CHECKPOINT_EVERY`] inputs or [`CHECKPOINT_INTERVAL`]
//!   (before every input in a replay), so an input that kills the worker is among the few
//!   after the last one;
//! - `crash N SAVED PLACE: MESSAGE` for a panic it caught (`SAVED` is 1 when the input was
//!   written to the crash folder, 0 when the place had been seen often enough);
//! - `done EXECUTIONS MILLISECONDS CRASHES` at the end.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::io::Write;
use std::panic::{self, AssertUnwindSafe};
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{anyhow, Context, Result};

use crate::mutate;
use crate::targets::Target;

/// The stack the targets run on: what the async runtime gives its worker threads, where the
/// app reads EC-Ship's and the hub's replies. A parser that recurses too deep for it fails
/// here as it would there.
pub const STACK_BYTES: usize = 2 * 1024 * 1024;
/// How often, at least, a worker says where it is.
pub const CHECKPOINT_INTERVAL: Duration = Duration::from_millis(100);
/// Every this many inputs a worker says where it is, however fast they run.
pub const CHECKPOINT_EVERY: u64 = 256;
/// A replay runs at most this many inputs past its checkpoint.
const REPLAY_SPAN: u64 = 100_000;
/// Inputs written per target at most, besides the first one of each place that panicked.
const MAX_SAVED: usize = 20;

thread_local! {
    /// The last panic's place and message, left by the panic hook.
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// What a worker runs.
#[derive(Debug)]
pub struct Job<'a> {
    pub target: &'static Target,
    pub seeds: &'a [Vec<u8>],
    pub seed: u64,
    pub secs: u64,
    /// The first input to run: 0, or a checkpoint when replaying.
    pub from: u64,
    /// A replay: say `at N` before every input, save nothing.
    pub trace: bool,
    /// Where the target may keep files (a store).
    pub scratch: &'a Path,
    /// Where crashing inputs are written.
    pub crashes: &'a Path,
}

/// Keeps each panic's place and message for the loop (instead of printing it: a target may
/// panic thousands of times).
fn record_panics() {
    panic::set_hook(Box::new(|info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic without a message".to_owned());
        let place = info.location().map_or_else(
            || "an unknown place".to_owned(),
            |l| format!("{}:{}:{}", l.file(), l.line(), l.column()),
        );
        LAST_PANIC.with(|last| *last.borrow_mut() = Some(format!("{place}: {message}")));
    }));
}

/// Runs `job` on a thread with a [`STACK_BYTES`] stack.
pub fn work(job: &Job<'_>) -> Result<()> {
    record_panics();
    std::thread::scope(|scope| -> Result<()> {
        let thread = std::thread::Builder::new()
            .name(format!("fuzz {}", job.target.name))
            .stack_size(STACK_BYTES)
            .spawn_scoped(scope, || run(job))
            .context("could not start the fuzzing thread")?;
        thread
            .join()
            .map_err(|_| anyhow!("the fuzzing thread panicked outside the target"))?
    })
}

fn run(job: &Job<'_>) -> Result<()> {
    let mut target = (job.target.setup)(job.scratch)
        .with_context(|| format!("setting up {}", job.target.name))?;
    let mut out = std::io::stdout().lock();
    let started = Instant::now();
    let budget = Duration::from_secs(job.secs);
    let seed_count = u64::try_from(job.seeds.len()).unwrap_or(u64::MAX);
    let mut said = Instant::now();
    let mut places: BTreeSet<String> = BTreeSet::new();
    let (mut executions, mut crashes, mut saved) = (0u64, 0u64, 0usize);
    let mut n = job.from;
    loop {
        let over = started.elapsed() >= budget;
        // Every seed runs once, whatever the budget; a replay stops at its span.
        if (over && (job.trace || n >= seed_count)) || (job.trace && n - job.from >= REPLAY_SPAN) {
            break;
        }
        if job.trace || n.is_multiple_of(CHECKPOINT_EVERY) || said.elapsed() >= CHECKPOINT_INTERVAL
        {
            writeln!(out, "at {n}")?;
            out.flush()?;
            said = Instant::now();
        }
        let input = mutate::input(job.seeds, job.target.tokens, job.seed, n);
        let outcome = panic::catch_unwind(AssertUnwindSafe(|| target(&input)));
        executions += 1;
        if outcome.is_err() {
            crashes += 1;
            let what = LAST_PANIC
                .with(|last| last.borrow_mut().take())
                .unwrap_or_else(|| "an unknown place: no message".to_owned());
            let place = what.split_once(": ").map_or(what.as_str(), |(p, _)| p);
            let first = places.insert(place.to_owned());
            let save = !job.trace && (first || saved < MAX_SAVED);
            if save {
                let file = job.crashes.join(format!("{}-{n}.bin", job.target.name));
                std::fs::write(&file, input.as_slice())
                    .with_context(|| format!("could not write {}", file.display()))?;
                saved += 1;
            }
            let what = what.replace(['\n', '\r'], " ");
            writeln!(out, "crash {n} {} {what}", u8::from(save))?;
            out.flush()?;
        }
        n += 1;
    }
    let millis = started.elapsed().as_millis();
    writeln!(out, "done {executions} {millis} {crashes}")?;
    out.flush()?;
    Ok(())
}

/// Writes a corpus for a worker: each seed as its length (8 bytes, little-endian), then its
/// bytes.
pub fn save_corpus(path: &Path, seeds: &[Vec<u8>]) -> Result<()> {
    let mut bytes = Vec::new();
    for seed in seeds {
        bytes.extend_from_slice(&u64::try_from(seed.len())?.to_le_bytes());
        bytes.extend_from_slice(seed);
    }
    std::fs::write(path, bytes).with_context(|| format!("could not write {}", path.display()))
}

/// Reads a corpus written by [`save_corpus`].
pub fn load_corpus(path: &Path) -> Result<Vec<Vec<u8>>> {
    let bytes =
        std::fs::read(path).with_context(|| format!("could not read {}", path.display()))?;
    let mut rest = bytes.as_slice();
    let mut seeds = Vec::new();
    while !rest.is_empty() {
        let (len, tail) = rest
            .split_first_chunk::<8>()
            .context("the corpus file is cut short")?;
        let len = usize::try_from(u64::from_le_bytes(*len))?;
        let seed = tail.get(..len).context("the corpus file is cut short")?;
        seeds.push(seed.to_vec());
        rest = &tail[len..];
    }
    Ok(seeds)
}
