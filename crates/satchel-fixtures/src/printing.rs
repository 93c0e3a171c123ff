//! The machine's print services as the system tests use them: CUPS with its cups-pdf queue
//! "PDF", brought up once per test process by satchel-print's `tests/services.sh`, the file
//! cups-pdf writes for a job, and the poppler/zbar tools that read it back.
//!
//! Why here: the label, CLI and application-layer tests all print to the same queue and read
//! the same files; one copy of this keeps them finding cups-pdf's output the same way.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Runs `program` (from `package`) and returns its stdout; panics with its stderr on failure.
pub fn tool(program: &str, package: &str, args: &[&str]) -> String {
    let out = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program} (package {package}): {e}"));
    assert!(
        out.status.success(),
        "{program} {args:?} failed: {}",
        text(&out.stderr)
    );
    text(&out.stdout)
}

/// CUPS with the cups-pdf queue "PDF" (the script is idempotent, so services already running
/// are reused). Once per test process: two runs of the script at once would race. Returns
/// `$WORK`, under which cups-pdf writes its files.
pub fn print_services() -> PathBuf {
    static WORK: OnceLock<PathBuf> = OnceLock::new();
    WORK.get_or_init(|| {
        let work =
            PathBuf::from(std::env::var("SATCHEL_PRINT_WORK").unwrap_or("/tmp/satchel-ci".into()));
        let script =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../satchel-print/tests/services.sh");
        let out = Command::new("bash")
            .arg(&script)
            .env("WORK", &work)
            .output()
            .expect("bash runs satchel-print's tests/services.sh");
        assert!(
            out.status.success(),
            "print services did not start (packages cups, cups-client, printer-driver-cups-pdf, \
             cups-ipp-utils, avahi-daemon, dbus): {}\n{}",
            text(&out.stdout),
            text(&out.stderr)
        );
        work
    })
    .clone()
}

/// The file cups-pdf wrote for `job` ("<title>-job_<ID>.pdf" in a per-user folder), once it
/// is a whole PDF: cups-pdf may still be writing when the job is reported complete.
pub fn cups_pdf_output(work: &Path, job: i64) -> PathBuf {
    let suffix = format!("-job_{job}.pdf");
    let dirs = [work.join("cups-pdf"), PathBuf::from("/var/spool/cups-pdf")];
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let hit = dirs
            .iter()
            .filter_map(|d| std::fs::read_dir(d).ok())
            .flatten()
            .flatten()
            .filter(|e| e.path().is_dir())
            .filter_map(|d| std::fs::read_dir(d.path()).ok())
            .flatten()
            .flatten()
            .map(|e| e.path())
            .find(|p| p.to_string_lossy().ends_with(&suffix));
        if let Some(p) = hit {
            if std::fs::read(&p).is_ok_and(|b| b.starts_with(b"%PDF") && text(&b).contains("%%EOF"))
            {
                return p;
            }
        }
        assert!(
            Instant::now() < deadline,
            "no whole *{suffix} under {dirs:?} after the job completed"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}
