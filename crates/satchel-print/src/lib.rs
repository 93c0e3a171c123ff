//! Satchel's printing, and the only crate that talks to printers.
//!
//! Labels are laid out by `satchel-labels` and rendered elsewhere; this crate only moves the
//! finished bytes (PDF or ZPL) to a printer, without a print dialog, and reports what became of
//! the job. Keeping every printer conversation here means one place knows about spoolers,
//! sockets and their failure modes, and the rest of the app sees a [`PrintError`].
//!
//! # Platforms (the design)
//!
//! - **Linux and macOS** use CUPS, with the same code: macOS ships CUPS as its spooler, so
//!   `lpstat`, `lp` and IPP on `localhost:631` behave alike. Queues are listed with `lpstat`
//!   ([`list_printers`]), PDFs are submitted with IPP Print-Job to
//!   `ipp://localhost:631/printers/NAME` ([`print_pdf`]), falling back to `lp` when the
//!   scheduler only listens on its local socket, and jobs are polled with Get-Job-Attributes
//!   ([`job_state`]). Driverless IPP Everywhere printers can also be addressed directly by URI
//!   ([`print_pdf_to_uri`]).
//! - **Thermal printers** speaking ZPL take raw bytes on TCP port 9100 ([`send_raw_zpl`]),
//!   which works on every platform, or through a raw CUPS queue ([`print_raw`], `lp -o raw`).
//! - **Windows** would use the Windows spooler. It is **not built here** (no Windows machine
//!   or cross toolchain is available), so every spooler function returns
//!   [`PrintError::Unsupported`] there rather than pretending to print.
//! - **Android and iOS** have no spooler an app may drive silently. On phones the app hands
//!   the label PDF to the OS share sheet (which offers the system print service, AirPrint or
//!   Mopria, and "save to files"); that lives in the shell, not here. The spooler functions
//!   return [`PrintError::Unsupported`] on phones too. Not buildable on this machine.
//!
//! Printer profiles ([`profiles`]) say which printer prints which label format, with its
//! media, resolution and offset; the app stores them as JSON.
//!
//! Nothing here logs: job titles are chosen by the caller and should not carry names or
//! addresses, because CUPS keeps them in its job history.

mod error;
pub mod profiles;
mod raw;

#[cfg(all(unix, not(any(target_os = "android", target_os = "ios"))))]
mod cups;
#[cfg(all(unix, not(any(target_os = "android", target_os = "ios"))))]
pub use cups::{job_state, list_printers, print_pdf, print_pdf_to_uri, print_raw, wait_for_job};

#[cfg(not(all(unix, not(any(target_os = "android", target_os = "ios")))))]
mod unsupported;
#[cfg(not(all(unix, not(any(target_os = "android", target_os = "ios")))))]
pub use unsupported::{
    job_state, list_printers, print_pdf, print_pdf_to_uri, print_raw, wait_for_job,
};

pub use error::PrintError;
pub use profiles::{LabelProfile, PrinterProfiles, PrinterTarget, ProfileError};
pub use raw::send_raw_zpl;

/// A print queue as the spooler reports it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Printer {
    /// Queue name, as `lp -d` and the IPP URI use it.
    pub name: String,
    /// Where the spooler sends the job (`socket://…:9100`, `ipp://…`, `cups-pdf:/`, `usb://…`).
    pub device_uri: String,
    /// Whether this is the system default destination.
    pub is_default: bool,
    pub state: PrinterState,
}

/// What the spooler says a queue is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum PrinterState {
    Idle,
    Printing,
    /// Stopped or not accepting jobs: the merchant must re-enable it in the system settings.
    Disabled,
    /// The spooler listed the queue but not its state.
    Unknown,
}

/// How to print a document. The defaults print one copy on the printer's default media.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrintOptions {
    /// 1 to [`MAX_COPIES`].
    pub copies: u16,
    /// An IPP media keyword such as `iso_a4_210x297mm` or `oe_4x6-label_4x6in`; `None` keeps
    /// the printer's default. Worth setting: IPP printers often default to US Letter.
    pub media: Option<String>,
    /// Shown in the spooler's job list. Keep personal data out of it: CUPS keeps job history.
    pub title: String,
    /// Print at the document's own size (`print-scaling=none`): the operator's labels must
    /// not be resized.
    pub actual_size: bool,
}

/// Beyond this a request is much more likely a typo than a wish (a label run is one copy).
pub const MAX_COPIES: u16 = 999;

impl Default for PrintOptions {
    fn default() -> Self {
        PrintOptions {
            copies: 1,
            media: None,
            title: "Satchel label".to_owned(),
            actual_size: false,
        }
    }
}

/// A submitted job: the printer (or CUPS queue) URI it was submitted to and its id there.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct JobId {
    pub printer_uri: String,
    /// The CUPS queue name when the job went through CUPS; lets [`job_state`] fall back to
    /// `lpstat` when IPP over TCP is not available.
    pub queue: Option<String>,
    pub id: i32,
}

/// The IPP job states (RFC 8011 §5.3.7), which CUPS reports too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum JobState {
    Pending,
    Held,
    Processing,
    Stopped,
    Canceled,
    Aborted,
    Completed,
}

impl JobState {
    /// Whether the job will not change any more.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            JobState::Canceled | JobState::Aborted | JobState::Completed
        )
    }
}

/// Checks options before anything reaches a printer, so a bad value is named, not printed.
pub(crate) fn check_options(options: &PrintOptions) -> Result<(), PrintError> {
    if options.copies == 0 || options.copies > MAX_COPIES {
        return Err(PrintError::InvalidOption {
            field: "copies",
            reason: format!("must be 1 to {MAX_COPIES}"),
        });
    }
    if let Some(media) = &options.media {
        profiles::check_media_keyword(media).map_err(|reason| PrintError::InvalidOption {
            field: "media",
            reason,
        })?;
    }
    if options.title.chars().any(char::is_control) || options.title.len() > 255 {
        return Err(PrintError::InvalidOption {
            field: "title",
            reason: "must be at most 255 bytes without control characters".to_owned(),
        });
    }
    Ok(())
}

/// CUPS queue names go into URIs and command lines; refuse what could change their meaning.
pub(crate) fn check_queue_name(name: &str) -> Result<(), PrintError> {
    let bad = name.is_empty()
        || name.len() > 127
        || name.starts_with('-')
        || name
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "/#?%\\\"'".contains(c));
    if bad {
        return Err(PrintError::InvalidOption {
            field: "printer",
            reason: "is not a CUPS queue name (no spaces, '/', '#', '?', quotes or leading '-')"
                .to_owned(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_are_checked_by_field() {
        let bad = PrintOptions {
            copies: 0,
            ..PrintOptions::default()
        };
        assert!(matches!(
            check_options(&bad),
            Err(PrintError::InvalidOption {
                field: "copies",
                ..
            })
        ));
        let bad = PrintOptions {
            media: Some("A4 paper".into()),
            ..PrintOptions::default()
        };
        assert!(matches!(
            check_options(&bad),
            Err(PrintError::InvalidOption { field: "media", .. })
        ));
        assert!(check_options(&PrintOptions::default()).is_ok());
    }

    #[test]
    fn queue_names_that_would_escape_the_uri_are_refused() {
        for name in ["", "a b", "a/b", "-o", "x#y", "q?x"] {
            assert!(check_queue_name(name).is_err(), "{name:?}");
        }
        for name in ["PDF", "Zebra_ZD421", "office-laser.2"] {
            assert!(check_queue_name(name).is_ok(), "{name:?}");
        }
    }
}
