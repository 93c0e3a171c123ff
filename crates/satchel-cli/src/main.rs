//! `satchel`: Satchel's domain engine on the command line.
//!
//! Merchants script their shipping (price a spreadsheet of orders, check a batch before
//! upload), and we need to check the engine against the operator's own figures without
//! starting the desktop app. The binary is a thin shell on purpose: it parses arguments,
//! reads files and the clock, and prints. Every price and rule comes from `satchel-core`, every
//! label from `satchel-labels`, every print job goes through `satchel-print` and every EC-Ship
//! request through `satchel-net`'s outbox and clients, so the CLI can never disagree with the
//! app.
//!
//! Exit codes are part of the interface, because scripts branch on them:
//! 0 = done, nothing wrong; 1 = the input was checked and has problems (an invalid item
//! number, validation errors, no service can carry the item); 2 = bad usage or unreadable
//! input (clap's own usage errors already exit with 2).
#![forbid(unsafe_code)]

mod args;
mod commands;
mod load;
mod parse;
mod render;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

/// What a command produced: the requested output and whether the input had problems.
#[derive(Debug)]
pub struct Output {
    /// Everything for stdout, already formatted (table or JSON).
    pub text: String,
    pub status: Status,
}

/// The verdict on the input, mapped to the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Ok,
    /// Checked, and something is wrong with it (exit 1).
    Problems,
}

impl Output {
    pub fn new(text: String, status: Status) -> Self {
        Output { text, status }
    }
}
/// Today in Hong Kong, the merchant's day: read where the app reads it.
pub use satchel_workflows::clock::today_in_hong_kong;

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    let output = match commands::run(cli) {
        Ok(output) => output,
        Err(e) => {
            // `{:#}` keeps the context chain on one line: "--rates x.json: cannot read: ...".
            eprintln!("error: {e:#}");
            return ExitCode::from(2);
        }
    };
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout
        .write_all(output.text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        // `satchel compare ... | head` closes the pipe early; that is not a failure of ours.
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("error: cannot write the output: {e}");
            return ExitCode::from(2);
        }
    }
    match output.status {
        Status::Ok => ExitCode::SUCCESS,
        Status::Problems => ExitCode::from(1),
    }
}
