//! The supervisor: each target in a worker process of its own, listened to, so that an abort
//! or a hang is reported as a crash with its input instead of ending the run.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use crate::mutate;
use crate::targets::Target;

/// A worker silent this long is stuck on one input. It says where it is every 100 ms
/// otherwise, and no input that is not a bug takes more than a second.
const HANG: Duration = Duration::from_secs(60);

/// How every target of a run is fuzzed.
#[derive(Debug)]
pub struct Plan<'a> {
    pub secs: u64,
    pub seed: u64,
    /// Where crashing inputs are written.
    pub crashes: &'a Path,
}

/// What fuzzing one target found.
#[derive(Debug)]
pub struct Outcome {
    pub executions: u64,
    pub elapsed: Duration,
    /// One line per crash: where its input is, and what happened.
    pub crashes: Vec<String>,
}

/// How a worker ended.
#[derive(Debug)]
enum End {
    Done,
    Died(ExitStatus),
    Hung,
}

impl End {
    fn describe(&self) -> String {
        match self {
            End::Done => "finished".to_owned(),
            End::Died(status) => format!("died ({status})"),
            End::Hung => format!("hung (silent for {} s)", HANG.as_secs()),
        }
    }
}

/// What a worker said.
#[derive(Debug, Default)]
struct Heard {
    /// The last input it said it was starting.
    at: Option<u64>,
    /// The panics it caught: input, whether the input was saved, place and message.
    crashes: Vec<(u64, bool, String)>,
    /// Its last word: executions and milliseconds.
    done: Option<(u64, u64)>,
}

impl Heard {
    fn hear(&mut self, line: &str) {
        let (word, rest) = line.split_once(' ').unwrap_or((line, ""));
        match word {
            "at" => {
                if let Ok(n) = rest.parse::<u64>() {
                    self.at = Some(n);
                }
            }
            "crash" => {
                let mut parts = rest.splitn(3, ' ');
                let n = parts.next().and_then(|p| p.parse::<u64>().ok());
                if let (Some(n), Some(saved), Some(what)) = (n, parts.next(), parts.next()) {
                    self.crashes.push((n, saved == "1", what.to_owned()));
                }
            }
            "done" => {
                let mut parts = rest.split(' ').map(|p| p.parse::<u64>().ok());
                if let (Some(Some(executions)), Some(Some(millis))) = (parts.next(), parts.next()) {
                    self.done = Some((executions, millis));
                }
            }
            _ => eprintln!("{line}"),
        }
    }
}

/// Fuzzes `target` for the plan's time in a worker process, then finds the input of an abort
/// or a hang by replaying from the worker's last checkpoint.
pub fn fuzz(target: &Target, plan: &Plan<'_>, seeds: &[Vec<u8>], corpus: &Path) -> Result<Outcome> {
    let started = Instant::now();
    let (heard, end) = listen(worker(target, plan, corpus, None)?)?;
    let elapsed = started.elapsed();
    let mut crashes: Vec<String> = heard
        .crashes
        .iter()
        .map(|(n, saved, what)| {
            let input = if *saved {
                crash_file(plan, target, *n).display().to_string()
            } else {
                format!("input #{n} (not saved: that place panicked before)")
            };
            format!("{input}: panicked at {what}")
        })
        .collect();
    let executions = heard.done.map_or(heard.at.unwrap_or(0), |(e, _)| e);
    if !matches!(end, End::Done) {
        let from = heard.at.unwrap_or(0);
        crashes.push(find_killer(target, plan, seeds, corpus, from, &end)?);
    }
    Ok(Outcome {
        executions,
        elapsed,
        crashes,
    })
}

fn crash_file(plan: &Plan<'_>, target: &Target, n: u64) -> PathBuf {
    plan.crashes.join(format!("{}-{n}.bin", target.name))
}

/// Replays from the checkpoint `from`, with a word before every input: the last input the
/// replaying worker started is the one that killed it (input `n` is the same every time),
/// which is made again here and saved.
fn find_killer(
    target: &Target,
    plan: &Plan<'_>,
    seeds: &[Vec<u8>],
    corpus: &Path,
    from: u64,
    end: &End,
) -> Result<String> {
    let how = end.describe();
    let (heard, replay_end) = listen(worker(target, plan, corpus, Some(from))?)?;
    Ok(match (replay_end, heard.at) {
        (End::Done, _) => format!(
            "the worker {how} at an input after #{from}, and a replay from there did not do it \
             again (it may depend on what earlier inputs left in the target's store)"
        ),
        (_, None) => format!("the worker {how} before its first input (its error is above)"),
        (again, Some(n)) => {
            let file = crash_file(plan, target, n);
            std::fs::write(&file, mutate::input(seeds, target.tokens, plan.seed, n))
                .with_context(|| format!("could not write {}", file.display()))?;
            format!(
                "{}: the worker {how}; replayed, it {} on this input",
                file.display(),
                again.describe()
            )
        }
    })
}

/// Starts a worker for `target` (a replay from `replay_from` when given).
fn worker(
    target: &Target,
    plan: &Plan<'_>,
    corpus: &Path,
    replay_from: Option<u64>,
) -> Result<Child> {
    let exe = std::env::current_exe().context("could not find this program's path")?;
    let mut cmd = Command::new(exe);
    cmd.arg("--worker")
        .arg(target.name)
        .arg("--corpus")
        .arg(corpus)
        .arg("--secs")
        .arg(plan.secs.to_string())
        .arg("--seed")
        .arg(plan.seed.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::piped());
    if let Some(from) = replay_from {
        cmd.arg("--from").arg(from.to_string()).arg("--trace");
    }
    cmd.spawn().context("could not start a worker")
}

/// Reads a worker's lines until it ends; a worker silent for [`HANG`] is killed.
fn listen(mut child: Child) -> Result<(Heard, End)> {
    let Some(stdout) = child.stdout.take() else {
        let _ = child.kill();
        let _ = child.wait();
        bail!("the worker's output was not captured");
    };
    let (lines, heard_lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(|line| line.ok()) {
            if lines.send(line).is_err() {
                break;
            }
        }
    });
    let mut heard = Heard::default();
    let end = loop {
        match heard_lines.recv_timeout(HANG) {
            Ok(line) => heard.hear(&line),
            Err(RecvTimeoutError::Timeout) => {
                let _ = child.kill();
                let _ = child.wait();
                break End::Hung;
            }
            Err(RecvTimeoutError::Disconnected) => {
                let status = child.wait().context("could not wait for a worker")?;
                break if status.success() && heard.done.is_some() {
                    End::Done
                } else {
                    End::Died(status)
                };
            }
        }
    };
    Ok((heard, end))
}
