//! The one error type of the crate, so the shell can tell the merchant what to fix: a missing
//! spooler, a refused option (named by field), a printer that said no, or a timeout.

use std::time::Duration;

/// Why a printer operation failed. Messages carry no document content or personal data.
#[derive(Debug, thiserror::Error)]
pub enum PrintError {
    /// This platform has no spooler this crate drives (Windows, phones): see the crate doc.
    #[error("printing through the system spooler is not supported on {0}")]
    Unsupported(&'static str),
    /// The spooler's tools or scheduler are not there (CUPS not installed or not running).
    #[error("the print system is not available: {0}")]
    SpoolerUnavailable(String),
    /// A spooler command ran and failed; `detail` is its first line of stderr.
    #[error("`{program}` failed ({status}): {detail}")]
    Command {
        program: &'static str,
        status: String,
        detail: String,
    },
    /// The IPP exchange itself failed (connection, HTTP, or an unreadable response).
    #[error("IPP request to the printer failed: {0}")]
    Ipp(String),
    /// The printer or scheduler answered and refused.
    #[error("the printer refused {operation}: {status}")]
    IppStatus {
        operation: &'static str,
        status: String,
    },
    /// An answer lacked what the protocol promises (for example a job id).
    #[error("unexpected answer from the printer: {0}")]
    Protocol(String),
    /// An option was refused before anything was sent; `field` names it.
    #[error("invalid {field}: {reason}")]
    InvalidOption { field: &'static str, reason: String },
    #[error("{what} did not finish within {after:?}")]
    Timeout { what: &'static str, after: Duration },
    #[error(transparent)]
    Io(#[from] std::io::Error),
}
