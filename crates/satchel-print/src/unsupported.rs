//! Stand-ins for the spooler functions where this crate does not drive a spooler: Windows
//! (its spooler API is not built here: no Windows toolchain on the build machines) and phones
//! (the app hands the PDF to the OS share sheet instead). Same signatures as the CUPS module,
//! so the shell compiles everywhere and shows a clear message instead of failing to build.

use std::time::Duration;

use crate::{JobId, JobState, PrintError, PrintOptions, Printer};

const PLATFORM: &str = if cfg!(windows) {
    "Windows (the Windows spooler is not built here)"
} else {
    "this platform (phones print through the OS share sheet)"
};

pub fn list_printers() -> Result<Vec<Printer>, PrintError> {
    Err(PrintError::Unsupported(PLATFORM))
}

pub fn print_pdf(_: &str, _: &[u8], _: &PrintOptions) -> Result<JobId, PrintError> {
    Err(PrintError::Unsupported(PLATFORM))
}

pub fn print_pdf_to_uri(_: &str, _: &[u8], _: &PrintOptions) -> Result<JobId, PrintError> {
    Err(PrintError::Unsupported(PLATFORM))
}

pub fn print_raw(_: &str, _: &[u8], _: &str) -> Result<JobId, PrintError> {
    Err(PrintError::Unsupported(PLATFORM))
}

pub fn job_state(_: &JobId) -> Result<JobState, PrintError> {
    Err(PrintError::Unsupported(PLATFORM))
}

pub fn wait_for_job(_: &JobId, _: Duration) -> Result<JobState, PrintError> {
    Err(PrintError::Unsupported(PLATFORM))
}
