//! End-to-end printing against real services (see `common`): CUPS with a cups-pdf queue,
//! ippeveprinter, and TCP listeners standing in for 9100 thermal printers. Each test checks
//! what actually came out of the printer, not just that a call returned.
#![allow(clippy::disallowed_methods)]
// tests compare with the wall clock
// Needs outside services or tools (a keyring, CUPS, PostgreSQL, zbarimg, a CJK font):
// `cargo xtask test` turns the feature on and starts them.
#![cfg(feature = "system-tests")]

mod common;

use std::io::Read;
use std::net::{SocketAddr, TcpListener};
use std::path::PathBuf;
use std::process::Command;
use std::thread;
use std::time::{Duration, Instant};

use common::{eventually, services, tiny_pdf, unique_title, IPP_PRINTER_URI, IPP_QUEUE, PDF_QUEUE};
use satchel_print::{JobState, PrintOptions};

const JOB_TIMEOUT: Duration = Duration::from_secs(60);

fn a4(title: &str) -> PrintOptions {
    PrintOptions {
        copies: 1,
        media: Some("iso_a4_210x297mm".into()),
        title: title.to_owned(),
        // As EC-Ship's labels are sent: both spoolers must take it.
        actual_size: true,
    }
}

#[test]
fn list_printers_sees_the_pdf_and_ipp_everywhere_queues() {
    let s = services();
    eprintln!("services up in {:?}", s.startup);
    let printers = satchel_print::list_printers().unwrap();
    let pdf = printers
        .iter()
        .find(|p| p.name == PDF_QUEUE)
        .expect("PDF queue listed");
    assert_eq!(pdf.device_uri, "cups-pdf:/");
    let ipp = printers
        .iter()
        .find(|p| p.name == IPP_QUEUE)
        .expect("IPPEVE queue listed");
    assert_eq!(ipp.device_uri, IPP_PRINTER_URI);
    assert!(printers.iter().filter(|p| p.is_default).count() <= 1);
}

#[test]
fn pdf_printed_to_cups_pdf_comes_out_with_the_same_pages_and_text() {
    let s = services();
    let title = unique_title("cups-pdf");
    let sent = tiny_pdf(&["SATCHEL TEST PAGE ONE", "SATCHEL TEST PAGE TWO"]);
    let began = Instant::now();
    let job = satchel_print::print_pdf(PDF_QUEUE, &sent, &a4(&title)).unwrap();
    assert_eq!(job.queue.as_deref(), Some(PDF_QUEUE));
    let state = satchel_print::wait_for_job(&job, JOB_TIMEOUT).unwrap();
    assert_eq!(state, JobState::Completed);
    eprintln!("cups-pdf job {} completed in {:?}", job.id, began.elapsed());

    // cups-pdf names its output "<mangled title>-job_<ID>.pdf" (toolchain.md §4.1), in the
    // requesting user's folder, or ANONYMOUS when that user is not a local account.
    let suffix = format!("-job_{}.pdf", job.id);
    let dirs = [
        s.work.join("cups-pdf"),
        PathBuf::from("/var/spool/cups-pdf"),
    ];
    let out = eventually(Duration::from_secs(10), || {
        dirs.iter()
            .flat_map(|d| common::files_in_subdirs(d))
            .find(|p| {
                p.file_name()
                    .is_some_and(|n| n.to_string_lossy().ends_with(&suffix))
            })
    })
    .unwrap_or_else(|| panic!("no *{suffix} under {dirs:?}"));

    let info = run("pdfinfo", &[out.to_str().unwrap()]);
    let pages = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .map(str::trim);
    assert_eq!(pages, Some("2"), "{info}");
    let text = run("pdftotext", &[out.to_str().unwrap(), "-"]);
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    assert_eq!(
        lines,
        ["SATCHEL TEST PAGE ONE", "SATCHEL TEST PAGE TWO"],
        "{text:?}"
    );
    std::fs::remove_file(&out).ok();
}

#[test]
fn pdf_sent_to_an_ipp_everywhere_printer_arrives_byte_for_byte() {
    let s = services();
    let title = unique_title("ipp");
    let sent = tiny_pdf(&["SATCHEL IPP EVERYWHERE"]);
    let began = Instant::now();
    let job = satchel_print::print_pdf_to_uri(IPP_PRINTER_URI, &sent, &a4(&title)).unwrap();
    let state = satchel_print::wait_for_job(&job, JOB_TIMEOUT).unwrap();
    assert_eq!(state, JobState::Completed);
    eprintln!(
        "ippeveprinter job {} completed in {:?}",
        job.id,
        began.elapsed()
    );

    let received = received_by_ippeveprinter(&s.work, &title);
    assert_eq!(
        received.document, sent,
        "the printer received other bytes than were sent"
    );
    assert!(
        received
            .env
            .contains("IPP_DOCUMENT_FORMAT_SUPPLIED=application/pdf"),
        "{}",
        received.env
    );
    assert!(
        received.env.contains("IPP_MEDIA=iso_a4_210x297mm\n"),
        "A4 was not asked for: {}",
        received.env
    );
}

#[test]
fn pdf_through_the_cups_queue_of_an_ipp_everywhere_printer_arrives() {
    let s = services();
    let title = unique_title("ippeve-queue");
    let sent = tiny_pdf(&["SATCHEL VIA CUPS"]);
    let job = satchel_print::print_pdf(IPP_QUEUE, &sent, &a4(&title)).unwrap();
    let state = satchel_print::wait_for_job(&job, JOB_TIMEOUT).unwrap();
    assert_eq!(state, JobState::Completed);
    // CUPS filters the PDF on the way (pdftopdf), so the bytes differ; the page must not.
    let received = received_by_ippeveprinter(&s.work, &title);
    assert!(received.document.starts_with(b"%PDF"), "not a PDF");
    let tmp = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(tmp.path(), &received.document).unwrap();
    let text = run("pdftotext", &[tmp.path().to_str().unwrap(), "-"]);
    assert!(text.contains("SATCHEL VIA CUPS"), "{text:?}");
}

#[test]
fn raw_zpl_to_a_9100_port_is_captured_byte_for_byte() {
    let zpl = b"^XA^FO50,50^A0N,40,40^FDSATCHEL TEST^FS^BY2^FO50,120^BCN,80,Y,N,N^FDRR123456785HK^FS^XZ\n";
    let (addr, captured) = capture_one_connection();
    satchel_print::send_raw_zpl(addr, zpl, Duration::from_secs(5)).unwrap();
    assert_eq!(captured.join().unwrap(), zpl);
}

#[test]
fn raw_zpl_to_a_closed_port_fails_fast() {
    // Bind then drop: nothing listens on the port any more.
    let addr = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let began = Instant::now();
    let err = satchel_print::send_raw_zpl(addr, b"^XA^XZ", Duration::from_secs(2)).unwrap_err();
    assert!(began.elapsed() < Duration::from_secs(3), "{err}");
}

#[test]
fn raw_zpl_through_a_raw_cups_queue_is_captured_byte_for_byte() {
    services();
    let zpl = b"^XA^FO20,20^A0N,30,30^FDVIA CUPS RAW QUEUE^FS^XZ\n".to_vec();
    let (addr, captured) = capture_one_connection();
    // A queue of its own on an ephemeral port, so parallel runs never share a listener.
    let queue = format!("SATCHEL_RAW_{}", addr.port());
    let device = format!("socket://{addr}");
    let ok = Command::new("lpadmin")
        .args(["-p", &queue, "-E", "-v", &device])
        .status()
        .unwrap();
    assert!(ok.success(), "lpadmin could not add the raw queue");
    let result = (|| {
        let job = satchel_print::print_raw(&queue, &zpl, &unique_title("zpl"))?;
        satchel_print::wait_for_job(&job, JOB_TIMEOUT)
    })();
    let received = captured.join().unwrap();
    Command::new("lpadmin").args(["-x", &queue]).status().ok();
    assert_eq!(result.unwrap(), JobState::Completed);
    assert_eq!(received, zpl);
}

/// A listener on an ephemeral port that reads one connection to its end.
fn capture_one_connection() -> (SocketAddr, thread::JoinHandle<Vec<u8>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let handle = thread::spawn(move || {
        let (mut conn, _) = listener.accept().unwrap();
        conn.set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        let mut bytes = Vec::new();
        conn.read_to_end(&mut bytes).unwrap();
        bytes
    });
    (addr, handle)
}

struct Received {
    document: Vec<u8>,
    env: String,
}

/// The document ippeveprinter's hook copied for the job titled `title`: the hook writes
/// `<spooled file>.env` next to each copy, and the title is in `IPP_JOB_NAME`.
fn received_by_ippeveprinter(work: &std::path::Path, title: &str) -> Received {
    let dir = work.join("ipp-received");
    let needle = format!("IPP_JOB_NAME={title}\n");
    eventually(Duration::from_secs(10), || {
        std::fs::read_dir(&dir).ok()?.flatten().find_map(|e| {
            let path = e.path();
            let name = path.file_name()?.to_str()?.to_owned();
            let doc = dir.join(name.strip_suffix(".env")?);
            let env = std::fs::read_to_string(&path).ok()?;
            if !env.contains(&needle) {
                return None;
            }
            Some(Received {
                document: std::fs::read(doc).ok()?,
                env,
            })
        })
    })
    .unwrap_or_else(|| {
        panic!(
            "ippeveprinter's hook left no document titled {title} in {}",
            dir.display()
        )
    })
}

fn run(program: &str, args: &[&str]) -> String {
    let out = Command::new(program)
        .args(args)
        .stderr(std::process::Stdio::null())
        .output()
        .unwrap();
    assert!(out.status.success(), "{program} failed: {}", out.status);
    String::from_utf8_lossy(&out.stdout).into_owned()
}
