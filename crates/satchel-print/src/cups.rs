//! CUPS, the spooler of Linux and macOS (same code on both): list queues, submit PDFs and raw
//! ZPL without a dialog, and follow jobs.
//!
//! Listing and the fallbacks use the CUPS command-line tools (`lpstat`, `lp`), which talk to
//! the scheduler over its local socket and so work even when it does not listen on TCP.
//! Submission and polling use IPP (the `ipp` crate, blocking, no TLS: the scheduler is on
//! localhost), because IPP returns the job id and job state as data rather than as text to
//! parse. Every command runs with `LC_ALL=C` because the parsers read English output.

use std::io::Write;
use std::net::{SocketAddr, TcpStream};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use ipp::prelude::{
    DelimiterTag, IppAttribute, IppClient, IppOperationBuilder, IppPayload, IppRequestResponse,
    IppValue, Uri,
};
use ipp::value::IppKeyword;

use crate::{
    check_options, check_queue_name, JobId, JobState, PrintError, PrintOptions, Printer,
    PrinterState,
};

/// Where the local scheduler listens for IPP (the CUPS default on Linux and macOS).
const CUPS_HOST: &str = "localhost:631";
/// A local scheduler answers in milliseconds; a long wait means it is wedged, and the app
/// should say so rather than freeze the label screen.
const IPP_TIMEOUT: Duration = Duration::from_secs(30);

/// The queues CUPS knows, with device URI, default flag and state.
///
/// An installed CUPS with no queues gives an empty list, not an error.
pub fn list_printers() -> Result<Vec<Printer>, PrintError> {
    let devices = lpstat(&["-v"])?;
    let states = lpstat(&["-p"])?;
    let default = lpstat(&["-d"])?;
    Ok(parse_printers(&devices, &states, &default))
}

/// Prints a PDF on the CUPS queue `printer` and returns the job to poll with [`job_state`].
///
/// Submits with IPP Print-Job to `ipp://localhost:631/printers/NAME`; when the scheduler does
/// not listen on TCP (some desktops configure only its local socket) it falls back to
/// `lp -d NAME`, which reaches the same scheduler through that socket.
pub fn print_pdf(printer: &str, pdf: &[u8], options: &PrintOptions) -> Result<JobId, PrintError> {
    check_queue_name(printer)?;
    check_options(options)?;
    if cups_listens_on_tcp() {
        let uri = queue_uri(printer);
        let id = ipp_print_job(&uri, pdf, options)?;
        Ok(JobId {
            printer_uri: uri,
            queue: Some(printer.to_owned()),
            id,
        })
    } else {
        let mut args = vec!["-d".to_owned(), printer.to_owned(), "-t".to_owned()];
        args.push(options.title.clone());
        args.push("-n".to_owned());
        args.push(options.copies.to_string());
        if let Some(media) = &options.media {
            args.push("-o".to_owned());
            args.push(format!("media={media}"));
        }
        if options.actual_size {
            args.push("-o".to_owned());
            args.push("print-scaling=none".to_owned());
        }
        lp(printer, &args, pdf)
    }
}

/// Prints a PDF directly on an IPP printer (a driverless IPP Everywhere printer's URI such as
/// `ipp://host:631/ipp/print`), bypassing CUPS queues.
pub fn print_pdf_to_uri(
    printer_uri: &str,
    pdf: &[u8],
    options: &PrintOptions,
) -> Result<JobId, PrintError> {
    check_options(options)?;
    let id = ipp_print_job(printer_uri, pdf, options)?;
    Ok(JobId {
        printer_uri: printer_uri.to_owned(),
        queue: None,
        id,
    })
}

/// Sends bytes unchanged (`lp -o raw`) through a raw CUPS queue, for example ZPL to a thermal
/// printer the merchant added as `socket://printer:9100` with no driver.
pub fn print_raw(printer: &str, bytes: &[u8], title: &str) -> Result<JobId, PrintError> {
    check_queue_name(printer)?;
    check_options(&PrintOptions {
        title: title.to_owned(),
        ..PrintOptions::default()
    })?;
    let args = ["-d", printer, "-o", "raw", "-t", title].map(str::to_owned);
    lp(printer, &args, bytes)
}

/// The current state of a job returned by one of the print functions.
pub fn job_state(job: &JobId) -> Result<JobState, PrintError> {
    match &job.queue {
        Some(queue) if !cups_listens_on_tcp() => lpstat_job_state(queue, job.id),
        _ => ipp_job_state(&job.printer_uri, job.id),
    }
}

/// Polls [`job_state`] until the job is completed, canceled or aborted, or `timeout` passes.
pub fn wait_for_job(job: &JobId, timeout: Duration) -> Result<JobState, PrintError> {
    let start = Instant::now();
    loop {
        let state = job_state(job)?;
        if state.is_final() {
            return Ok(state);
        }
        if start.elapsed() >= timeout {
            return Err(PrintError::Timeout {
                what: "the print job",
                after: timeout,
            });
        }
        // CUPS finishes a label in about half a second; 100 ms polls cost it nothing.
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn queue_uri(printer: &str) -> String {
    format!("ipp://{CUPS_HOST}/printers/{printer}")
}

fn cups_listens_on_tcp() -> bool {
    let addr = SocketAddr::from(([127, 0, 0, 1], 631));
    TcpStream::connect_timeout(&addr, Duration::from_millis(500)).is_ok()
}

/// The requesting user CUPS records. A local account name matters: cups-pdf writes into that
/// user's directory and CUPS lets users cancel their own jobs. Never logged.
fn user_name() -> String {
    ["USER", "LOGNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|s| !s.is_empty()))
        .or_else(|| {
            let out = Command::new("id").arg("-un").output().ok()?;
            let name = String::from_utf8(out.stdout).ok()?.trim().to_owned();
            (!name.is_empty()).then_some(name)
        })
        .unwrap_or_else(|| "satchel".to_owned())
}

fn client(uri: &Uri) -> IppClient {
    IppClient::builder(uri.clone())
        .request_timeout(IPP_TIMEOUT)
        .build()
}

fn parse_uri(printer_uri: &str) -> Result<Uri, PrintError> {
    printer_uri.parse().map_err(|_| PrintError::InvalidOption {
        field: "printer_uri",
        reason: "is not a URI like ipp://host:631/ipp/print".to_owned(),
    })
}

fn ipp_print_job(printer_uri: &str, pdf: &[u8], options: &PrintOptions) -> Result<i32, PrintError> {
    let uri = parse_uri(printer_uri)?;
    let mut attributes = vec![attr(
        "copies",
        IppValue::Integer(i32::from(options.copies)),
    )?];
    if let Some(media) = &options.media {
        let keyword = IppKeyword::new(media.as_str()).map_err(|e| PrintError::InvalidOption {
            field: "media",
            reason: e.to_string(),
        })?;
        attributes.push(attr("media", IppValue::Keyword(keyword))?);
    }
    if options.actual_size {
        let none = IppKeyword::new("none").map_err(|e| PrintError::InvalidOption {
            field: "print-scaling",
            reason: e.to_string(),
        })?;
        attributes.push(attr("print-scaling", IppValue::Keyword(none))?);
    }

    let operation = IppOperationBuilder::print_job(
        uri.clone(),
        IppPayload::new(std::io::Cursor::new(pdf.to_vec())),
    )
    .user_name(user_name())
    .job_title(options.title.as_str())
    .document_format("application/pdf")
    .attributes(attributes)
    .build()
    .map_err(|e| PrintError::Ipp(e.to_string()))?;
    let response = send(&uri, operation, "Print-Job")?;
    job_attribute(&response, "job-id")?
        .as_integer()
        .copied()
        .ok_or_else(|| PrintError::Protocol("job-id is not an integer".to_owned()))
}

fn ipp_job_state(printer_uri: &str, id: i32) -> Result<JobState, PrintError> {
    let uri = parse_uri(printer_uri)?;
    let operation = IppOperationBuilder::get_job_attributes(uri.clone(), id)
        .build()
        .map_err(|e| PrintError::Ipp(e.to_string()))?;
    let response = send(&uri, operation, "Get-Job-Attributes")?;
    let value = job_attribute(&response, "job-state")?;
    let code = value
        .as_enum()
        .or(value.as_integer())
        .copied()
        .ok_or_else(|| PrintError::Protocol("job-state is not an enum".to_owned()))?;
    job_state_from_ipp(code)
}

fn send(
    uri: &Uri,
    operation: impl ipp::operation::IppOperation,
    name: &'static str,
) -> Result<IppRequestResponse, PrintError> {
    let response = client(uri)
        .send(operation)
        .map_err(|e| PrintError::Ipp(e.to_string()))?;
    let status = response.header().status_code();
    if !status.is_success() {
        return Err(PrintError::IppStatus {
            operation: name,
            status: format!("{status:?}"),
        });
    }
    Ok(response)
}

fn attr(name: &str, value: IppValue) -> Result<IppAttribute, PrintError> {
    IppAttribute::with_name(name, value).map_err(|e| PrintError::Ipp(e.to_string()))
}

fn job_attribute<'a>(
    response: &'a IppRequestResponse,
    name: &str,
) -> Result<&'a IppValue, PrintError> {
    response
        .attributes()
        .groups_of(DelimiterTag::JobAttributes)
        .find_map(|g| g.get(name))
        .map(IppAttribute::value)
        .ok_or_else(|| PrintError::Protocol(format!("no {name} in the answer")))
}

fn job_state_from_ipp(code: i32) -> Result<JobState, PrintError> {
    Ok(match code {
        3 => JobState::Pending,
        4 => JobState::Held,
        5 => JobState::Processing,
        6 => JobState::Stopped,
        7 => JobState::Canceled,
        8 => JobState::Aborted,
        9 => JobState::Completed,
        other => return Err(PrintError::Protocol(format!("unknown job-state {other}"))),
    })
}

/// Without IPP over TCP, `lpstat` is the only view of a job: finished jobs are in the
/// "completed" list (it does not tell canceled from completed), the rest in the default one.
fn lpstat_job_state(queue: &str, id: i32) -> Result<JobState, PrintError> {
    let request = format!("{queue}-{id}");
    let listed = |text: &str| {
        text.lines()
            .any(|l| l.split_whitespace().next() == Some(&request))
    };
    if listed(&lpstat(&["-W", "completed", "-o", queue])?) {
        return Ok(JobState::Completed);
    }
    if listed(&lpstat(&["-o", queue])?) {
        return Ok(JobState::Pending);
    }
    Err(PrintError::Protocol(format!("CUPS does not know job {id}")))
}

/// Runs `lp` with the document on stdin (no temporary file holding a label on disk) and reads
/// the job id from "request id is QUEUE-ID (1 file(s))".
fn lp(printer: &str, args: &[String], document: &[u8]) -> Result<JobId, PrintError> {
    let mut child = Command::new("lp")
        .args(args)
        .arg("--")
        .arg("-")
        .env("LC_ALL", "C")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| missing_tool("lp", e))?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(document)?;
    }
    let out = child.wait_with_output()?;
    if !out.status.success() {
        return Err(command_failed("lp", &out));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let id = parse_request_id(&text, printer)
        .ok_or_else(|| PrintError::Protocol("lp printed no request id".to_owned()))?;
    Ok(JobId {
        printer_uri: queue_uri(printer),
        queue: Some(printer.to_owned()),
        id,
    })
}

fn lpstat(args: &[&str]) -> Result<String, PrintError> {
    let out = Command::new("lpstat")
        .args(args)
        .env("LC_ALL", "C")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| missing_tool("lpstat", e))?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        // "No destinations added." is an empty list, not a failure; a scheduler that is not
        // running is a failure the merchant can fix.
        if stderr.contains("No destinations added") {
            return Ok(String::new());
        }
        if stderr.contains("Scheduler is not running") || stderr.contains("Unable to connect") {
            return Err(PrintError::SpoolerUnavailable(
                "the CUPS scheduler is not running".into(),
            ));
        }
        return Err(command_failed("lpstat", &out));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn missing_tool(program: &str, e: std::io::Error) -> PrintError {
    if e.kind() == std::io::ErrorKind::NotFound {
        PrintError::SpoolerUnavailable(format!("`{program}` is not installed (CUPS client tools)"))
    } else {
        PrintError::Io(e)
    }
}

fn command_failed(program: &'static str, out: &std::process::Output) -> PrintError {
    PrintError::Command {
        program,
        status: out.status.to_string(),
        detail: String::from_utf8_lossy(&out.stderr)
            .lines()
            .next()
            .unwrap_or("")
            .to_owned(),
    }
}

fn parse_request_id(lp_stdout: &str, printer: &str) -> Option<i32> {
    // "request id is PDF-7 (1 file(s))"; the queue name may itself contain '-'.
    let request = lp_stdout.split_whitespace().nth(3)?;
    request
        .strip_prefix(printer)?
        .strip_prefix('-')?
        .parse()
        .ok()
}

fn parse_printers(devices: &str, states: &str, default: &str) -> Vec<Printer> {
    // "system default destination: PDF" or "no system default destination".
    let default = default
        .lines()
        .find_map(|l| l.strip_prefix("system default destination: "))
        .map(str::trim);
    devices
        .lines()
        .filter_map(|line| {
            // "device for PDF: cups-pdf:/"
            let rest = line.strip_prefix("device for ")?;
            let (name, uri) = rest.split_once(": ")?;
            Some(Printer {
                name: name.to_owned(),
                device_uri: uri.trim().to_owned(),
                is_default: default == Some(name),
                state: printer_state(states, name),
            })
        })
        .collect()
}

fn printer_state(states: &str, name: &str) -> PrinterState {
    // "printer PDF is idle.  enabled since …", "printer PDF now printing PDF-3.  enabled since …",
    // "printer PDF disabled since …"; continuation lines are indented.
    let prefix = format!("printer {name} ");
    let Some(line) = states.lines().find(|l| l.starts_with(&prefix)) else {
        return PrinterState::Unknown;
    };
    let rest = &line[prefix.len()..];
    if rest.starts_with("disabled") {
        PrinterState::Disabled
    } else if rest.starts_with("now printing") {
        PrinterState::Printing
    } else if rest.starts_with("is idle") {
        PrinterState::Idle
    } else {
        PrinterState::Unknown
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Output captured from CUPS 2.4.2 (LC_ALL=C).
    const DEVICES: &str = "device for IPPEVE: ipp://localhost:8631/ipp/print\n\
                           device for PDF: cups-pdf:/\n\
                           device for ZEBRA-2: socket://127.0.0.1:19100\n";
    const STATES: &str = "printer IPPEVE is idle.  enabled since Mon 01 Jan 2026\n\
                          printer PDF now printing PDF-3.  enabled since Mon 01 Jan 2026\n\
                          \tWaiting for job to complete.\n\
                          printer ZEBRA-2 disabled since Mon 01 Jan 2026 -\n\
                          \treason unknown\n";

    #[test]
    fn lpstat_output_becomes_printers() {
        let printers = parse_printers(DEVICES, STATES, "system default destination: PDF\n");
        assert_eq!(printers.len(), 3);
        assert_eq!(printers[0].name, "IPPEVE");
        assert_eq!(printers[0].device_uri, "ipp://localhost:8631/ipp/print");
        assert_eq!(printers[0].state, PrinterState::Idle);
        assert!(!printers[0].is_default);
        assert_eq!(printers[1].state, PrinterState::Printing);
        assert!(printers[1].is_default);
        assert_eq!(printers[2].device_uri, "socket://127.0.0.1:19100");
        assert_eq!(printers[2].state, PrinterState::Disabled);
    }

    #[test]
    fn no_default_and_unknown_state() {
        let printers = parse_printers(DEVICES, "", "no system default destination\n");
        assert!(printers
            .iter()
            .all(|p| !p.is_default && p.state == PrinterState::Unknown));
    }

    #[test]
    fn lp_request_id_even_with_dashes_in_the_queue_name() {
        assert_eq!(
            parse_request_id("request id is PDF-7 (1 file(s))\n", "PDF"),
            Some(7)
        );
        assert_eq!(
            parse_request_id("request id is ZEBRA-2-41 (0 file(s))\n", "ZEBRA-2"),
            Some(41)
        );
        assert_eq!(
            parse_request_id("request id is OTHER-4 (1 file(s))\n", "PDF"),
            None
        );
    }
}
