//! `satchel print …` and `satchel printers`: label files to printers, without a dialog.
//!
//! A script that writes labels with `satchel labels` also needs to print them and to know
//! whether they came out; the app's print path lives in `satchel-print`, and this module only
//! calls it: a PDF through CUPS (then waits for the job and reports its final state), ZPL
//! through a raw CUPS queue, or ZPL straight to a thermal printer's TCP port.
//!
//! Exit 0 when the job completed (or the ZPL was handed to the printer's port), 1 when the
//! spooler reports the job aborted, cancelled or still unfinished at --timeout, 2 when the
//! file or the printer could not be used at all.

use std::net::ToSocketAddrs;
use std::time::Duration;

use anyhow::{bail, Context};
use satchel_print::{JobId, JobState, PrintError, PrintOptions, Printer, PrinterState};
use serde_json::json;

use crate::args::PrintArgs;
use crate::render::{Align, Table};
use crate::{Output, Status};

/// In the spooler's job list, which CUPS keeps: no names or addresses (see satchel-print).
const TITLE: &str = "Satchel labels";

fn is_pdf(bytes: &[u8]) -> bool {
    bytes.starts_with(b"%PDF")
}

fn is_zpl(bytes: &[u8]) -> bool {
    bytes.windows(3).any(|w| w == b"^XA")
}

pub fn job_state_name(s: JobState) -> &'static str {
    match s {
        JobState::Pending => "pending",
        JobState::Held => "held",
        JobState::Processing => "processing",
        JobState::Stopped => "stopped",
        JobState::Canceled => "canceled",
        JobState::Aborted => "aborted",
        JobState::Completed => "completed",
    }
}

fn printer_state_name(s: PrinterState) -> &'static str {
    match s {
        PrinterState::Idle => "idle",
        PrinterState::Printing => "printing",
        PrinterState::Disabled => "disabled",
        PrinterState::Unknown => "unknown",
    }
}

pub fn print(a: &PrintArgs, json: bool) -> anyhow::Result<Output> {
    let bytes =
        std::fs::read(&a.file).with_context(|| format!("{}: cannot read", a.file.display()))?;
    let timeout = Duration::from_secs(a.timeout);
    let raw = a.raw || a.zpl_to.is_some();
    if raw && !is_zpl(&bytes) {
        bail!(
            "{}: not ZPL (no ^XA); --raw and --zpl-to send the file as it is",
            a.file.display()
        );
    }
    if !raw && !is_pdf(&bytes) {
        bail!(
            "{}: not a PDF; for a ZPL file add --raw (CUPS raw queue) or use --zpl-to HOST:PORT",
            a.file.display()
        );
    }

    if let Some((host, port)) = &a.zpl_to {
        let addr = (host.as_str(), *port)
            .to_socket_addrs()
            .with_context(|| format!("cannot resolve {host}"))?
            .next()
            .with_context(|| format!("{host} has no address"))?;
        satchel_print::send_raw_zpl(addr, &bytes, timeout)
            .with_context(|| format!("cannot send to {host}:{port}"))?;
        let text = if json {
            format!(
                "{}\n",
                json!({ "sent_to": format!("{host}:{port}"), "bytes": bytes.len() })
            )
        } else {
            format!("sent {} bytes of ZPL to {host}:{port}\n", bytes.len())
        };
        return Ok(Output::new(text, Status::Ok));
    }

    let Some(printer) = a.printer.as_deref() else {
        bail!("name a printer with --printer NAME (see `satchel printers`), or use --zpl-to");
    };
    let job = if a.raw {
        satchel_print::print_raw(printer, &bytes, TITLE)
    } else {
        let options = PrintOptions {
            media: a.media.clone(),
            title: TITLE.to_owned(),
            ..PrintOptions::default()
        };
        satchel_print::print_pdf(printer, &bytes, &options)
    }
    .with_context(|| format!("cannot print to {printer}"))?;
    Ok(waited(printer, &job, timeout, json))
}

/// Waits for `job` and reports its final state (or the state it was left in at the timeout).
fn waited(printer: &str, job: &JobId, timeout: Duration, json: bool) -> Output {
    let (state, timed_out, error) = match satchel_print::wait_for_job(job, timeout) {
        Ok(s) => (Some(s), false, None),
        Err(PrintError::Timeout { .. }) => (satchel_print::job_state(job).ok(), true, None),
        Err(e) => (None, false, Some(e.to_string())),
    };
    let status = if state == Some(JobState::Completed) {
        Status::Ok
    } else {
        Status::Problems
    };
    let name = state.map(job_state_name).unwrap_or("unknown");
    if json {
        let v = json!({
            "printer": printer, "job": job.id, "state": name, "timed_out": timed_out,
            "error": error,
        });
        return Output::new(format!("{v}\n"), status);
    }
    let mut text = format!("job {} on {printer}: {name}", job.id);
    if timed_out {
        text.push_str(&format!(
            " (not finished after {} s; it may still print)",
            timeout.as_secs()
        ));
    }
    if let Some(e) = error {
        text.push_str(&format!(" (cannot follow the job: {e})"));
    }
    text.push('\n');
    Output::new(text, status)
}

pub fn printers(json: bool) -> anyhow::Result<Output> {
    let list: Vec<Printer> = satchel_print::list_printers().context("cannot list printers")?;
    if json {
        return Ok(Output::new(
            format!("{}\n", serde_json::to_string(&list)?),
            Status::Ok,
        ));
    }
    let mut t = Table::new(&[
        ("name", Align::Left),
        ("state", Align::Left),
        ("default", Align::Left),
        ("device", Align::Left),
    ]);
    for p in &list {
        t.row(vec![
            p.name.clone(),
            printer_state_name(p.state).to_owned(),
            if p.is_default { "yes" } else { "" }.to_owned(),
            p.device_uri.clone(),
        ]);
    }
    Ok(Output::new(t.render(), Status::Ok))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_kinds() {
        assert!(is_pdf(b"%PDF-1.7\n..."));
        assert!(!is_pdf(b"^XA^XZ"));
        assert!(is_zpl(b"\n^XA\n^FDx^FS\n^XZ\n"));
        assert!(!is_zpl(b"%PDF-1.7"));
    }
}
