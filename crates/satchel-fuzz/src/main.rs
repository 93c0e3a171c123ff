//! `satchel-fuzz`: every parser that reads outside input, fed mutated fixtures for a set time
//! each (issue #18): rate files, shop exports and CSV imports, EC-Ship's SOAP and REST
//! replies, sync pages and peer changes, pairing codes and blobs. `cargo xtask fuzz` builds it
//! in release mode and runs it; `cargo xtask test` runs every target for 30 s.
//!
//! Why this exists instead of cargo-fuzz: libFuzzer needs a nightly compiler for its coverage
//! instrumentation, and Satchel builds on the pinned stable toolchain only. So this is a
//! **coverage-less** mutation fuzzer. It cannot see which branches an input reached, so it
//! cannot breed inputs that go deeper step by step the way libFuzzer does; a branch behind a
//! checksum or a MAC (a pairing code's check character, an envelope's tag) it reaches only
//! from seeds that already pass it. It makes up for part of that with seeds that are already
//! valid (the repository's real fixtures and what a real store writes) and with mutations aimed
//! at how parsers break (long runs, deep nesting, numbers at the edges of their types, broken
//! UTF-8, the words of each format). A clean run means "no crash in N executions", no more.
//!
//! How a run goes: for each target it starts itself as a worker process, which runs every
//! seed once and then mutated inputs until the time is up. A panic is caught
//! (`catch_unwind`, with a panic hook keeping the message), its input written to
//! `target/fuzz-crashes/<target>-<n>.bin` (`n`: the input's number), and the run goes on. What
//! cannot be caught (a stack overflow, an allocation failure) or an input that never returns
//! ends the worker; the supervisor then replays from the worker's last checkpoint to find the
//! input, which it can make again because input `n` is a pure function of the seed corpus,
//! `--seed` and `n`. Targets run on a 2 MiB stack, as on the async runtime's threads where the
//! app reads replies. The exit status is 1 when anything crashed.
//!
//! ```text
//! satchel-fuzz [--secs N] [--seed S] [TARGET...]   every target (or those named), N s each
//! satchel-fuzz --list                              the targets and what each one reads
//! satchel-fuzz --input FILE TARGET                 one input, panics not caught (to debug)
//! ```
//!
//! A target's seeds are made from fixtures (`seeds.rs`) plus the files of
//! `crates/satchel-fuzz/corpus/<target>/`; a crash worth keeping as a regression goes there.
#![forbid(unsafe_code)]

mod mutate;
mod seeds;
mod supervise;
mod targets;
mod worker;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{bail, Context, Result};

use crate::targets::Target;

/// Seconds per target when `--secs` is not given: what CI runs.
const DEFAULT_SECS: u64 = 30;
/// The run's seed when `--seed` is not given: fixed, so a run can be repeated exactly.
const DEFAULT_SEED: u64 = 0x5a7c_4e11;

/// Crashes listed per target and in the summary; the rest are counted.
const SHOWN: usize = 20;

const USAGE: &str = "usage: satchel-fuzz [--secs N] [--seed S] [TARGET...]
       satchel-fuzz --list
       satchel-fuzz --input FILE TARGET";

/// The command line.
#[derive(Debug)]
struct Options {
    secs: u64,
    seed: u64,
    names: Vec<String>,
    list: bool,
    input: Option<PathBuf>,
    /// Internal: run as a worker of the supervisor on this corpus file.
    worker: bool,
    corpus: Option<PathBuf>,
    from: u64,
    trace: bool,
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("satchel-fuzz: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run(args: &[String]) -> Result<ExitCode> {
    let o = parse(args)?;
    if o.list {
        for t in targets::ALL {
            println!("{:<14} {}", t.name, t.about);
        }
        return Ok(ExitCode::SUCCESS);
    }
    let chosen: Vec<&'static Target> = if o.names.is_empty() {
        targets::ALL.iter().collect()
    } else {
        o.names
            .iter()
            .map(|name| {
                targets::find(name).with_context(|| {
                    let all: Vec<&str> = targets::ALL.iter().map(|t| t.name).collect();
                    format!("no target {name:?}; the targets are {}", all.join(", "))
                })
            })
            .collect::<Result<_>>()?
    };
    if o.worker {
        let [target] = chosen.as_slice() else {
            bail!("a worker runs exactly one target");
        };
        let corpus = o.corpus.as_deref().context("a worker needs --corpus")?;
        return work(&o, target, corpus).map(|()| ExitCode::SUCCESS);
    }
    if let Some(file) = &o.input {
        let [target] = chosen.as_slice() else {
            bail!("--input runs exactly one target: name it");
        };
        return replay_file(target, file).map(|()| ExitCode::SUCCESS);
    }
    supervise(&o, &chosen)
}

fn parse(args: &[String]) -> Result<Options> {
    let mut o = Options {
        secs: DEFAULT_SECS,
        seed: DEFAULT_SEED,
        names: Vec::new(),
        list: false,
        input: None,
        worker: false,
        corpus: None,
        from: 0,
        trace: false,
    };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--secs" => o.secs = number(value(&mut it, arg)?, arg)?,
            "--seed" => o.seed = number(value(&mut it, arg)?, arg)?,
            "--list" => o.list = true,
            "--input" => o.input = Some(PathBuf::from(value(&mut it, arg)?)),
            "--worker" => o.worker = true,
            "--corpus" => o.corpus = Some(PathBuf::from(value(&mut it, arg)?)),
            "--from" => o.from = number(value(&mut it, arg)?, arg)?,
            "--trace" => o.trace = true,
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            flag if flag.starts_with('-') => bail!("unknown option {flag}\n{USAGE}"),
            name => o.names.push(name.to_owned()),
        }
    }
    Ok(o)
}

/// The value after `flag`.
fn value<'a>(it: &mut std::slice::Iter<'a, String>, flag: &str) -> Result<&'a str> {
    it.next()
        .map(String::as_str)
        .with_context(|| format!("{flag} needs a value"))
}

fn number(text: &str, flag: &str) -> Result<u64> {
    text.parse()
        .with_context(|| format!("{flag} takes a whole number, not {text:?}"))
}

/// The workspace's `target` folder (or `$CARGO_TARGET_DIR`): crashes are kept there, and
/// scratch files under its `tmp`.
fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(
        || {
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .ancestors()
                .nth(2)
                .unwrap_or(Path::new("."))
                .join("target")
        },
        PathBuf::from,
    )
}

/// A folder emptied (or made) for this process.
fn fresh_dir(path: &Path) -> Result<()> {
    let _ = std::fs::remove_dir_all(path);
    std::fs::create_dir_all(path).with_context(|| format!("could not create {}", path.display()))
}

/// A target's seeds: those made from the fixtures, then the files of its corpus folder (in
/// name order, so the numbering of inputs is stable).
fn corpus(target: &Target, scratch: &Path) -> Result<Vec<Vec<u8>>> {
    let mut seeds =
        (target.seeds)(scratch).with_context(|| format!("making the seeds of {}", target.name))?;
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("corpus")
        .join(target.name);
    if let Ok(entries) = std::fs::read_dir(dir) {
        let mut files: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file())
            .collect();
        files.sort();
        for file in files {
            seeds.push(
                std::fs::read(&file)
                    .with_context(|| format!("could not read {}", file.display()))?,
            );
        }
    }
    Ok(seeds)
}

/// Every chosen target in turn, each in a worker process; a summary line per target.
fn supervise(o: &Options, chosen: &[&'static Target]) -> Result<ExitCode> {
    let out = target_dir();
    let crashes = out.join("fuzz-crashes");
    std::fs::create_dir_all(&crashes)
        .with_context(|| format!("could not create {}", crashes.display()))?;
    let scratch = out
        .join("tmp")
        .join(format!("satchel-fuzz-{}", std::process::id()));
    fresh_dir(&scratch)?;
    println!(
        "satchel-fuzz: {} target(s), {} s each, seed {} (coverage-less mutation fuzzing; \
         crashing inputs go to {})",
        chosen.len(),
        o.secs,
        o.seed,
        crashes.display()
    );
    let plan = supervise::Plan {
        secs: o.secs,
        seed: o.seed,
        crashes: &crashes,
    };
    let started = Instant::now();
    let (mut total, mut found) = (0u64, Vec::new());
    for target in chosen {
        let seeds = corpus(target, &scratch)?;
        let corpus_file = scratch.join(format!("{}.corpus", target.name));
        worker::save_corpus(&corpus_file, &seeds)?;
        let outcome = supervise::fuzz(target, &plan, &seeds, &corpus_file)?;
        let secs = outcome.elapsed.as_secs_f64();
        let per_sec = outcome.executions as f64 / secs.max(0.001);
        println!(
            "{:<14} {:>11} executions in {secs:>5.1} s {per_sec:>10.0}/s {:>3} seeds {:>3} crash(es)",
            target.name,
            outcome.executions,
            seeds.len(),
            outcome.crashes.len()
        );
        for crash in outcome.crashes.iter().take(SHOWN) {
            println!("    {crash}");
        }
        if outcome.crashes.len() > SHOWN {
            println!("    and {} more", outcome.crashes.len() - SHOWN);
        }
        total += outcome.executions;
        found.extend(
            outcome
                .crashes
                .iter()
                .map(|c| format!("{}: {c}", target.name)),
        );
    }
    let _ = std::fs::remove_dir_all(scratch);
    println!(
        "satchel-fuzz: {total} executions over {} target(s) in {:.0?}, {} crash(es)",
        chosen.len(),
        started.elapsed(),
        found.len()
    );
    if found.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!(
            "satchel-fuzz: crashes found (run one again with `satchel-fuzz --input FILE TARGET`):"
        );
        for f in found.iter().take(SHOWN) {
            eprintln!("  {f}");
        }
        if found.len() > SHOWN {
            eprintln!("  and {} more", found.len() - SHOWN);
        }
        Ok(ExitCode::from(1))
    }
}

/// The worker side: the corpus the supervisor wrote, a scratch folder of its own.
fn work(o: &Options, target: &'static Target, corpus: &Path) -> Result<()> {
    let seeds = worker::load_corpus(corpus)?;
    let scratch = corpus.parent().unwrap_or(Path::new(".")).join(format!(
        "{}-{}",
        target.name,
        std::process::id()
    ));
    fresh_dir(&scratch)?;
    let crashes = target_dir().join("fuzz-crashes");
    let job = worker::Job {
        target,
        seeds: &seeds,
        seed: o.seed,
        secs: o.secs,
        from: o.from,
        trace: o.trace,
        scratch: &scratch,
        crashes: &crashes,
    };
    let done = worker::work(&job);
    let _ = std::fs::remove_dir_all(scratch);
    done
}

/// One input through one target, panics not caught: to see a crash again, with its message
/// and (with `RUST_BACKTRACE=1`) its backtrace.
fn replay_file(target: &Target, file: &Path) -> Result<()> {
    let input =
        std::fs::read(file).with_context(|| format!("could not read {}", file.display()))?;
    let scratch = target_dir()
        .join("tmp")
        .join(format!("satchel-fuzz-input-{}", std::process::id()));
    fresh_dir(&scratch)?;
    let mut run = (target.setup)(&scratch)?;
    run(&input);
    drop(run);
    let _ = std::fs::remove_dir_all(scratch);
    println!(
        "{}: {} ({} bytes) ran without a panic",
        target.name,
        file.display(),
        input.len()
    );
    Ok(())
}
