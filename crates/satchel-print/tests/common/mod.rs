//! The real print services the integration tests run against, started once per test binary.
//!
//! No mocks: a CUPS scheduler with a cups-pdf queue, and ippeveprinter (the IPP Everywhere
//! simulator of CUPS) behind a CUPS queue, brought up by `tests/services.sh`, which is the
//! printing part of toolchain.md §4.6 as tested there. These are the machine's own services
//! (cupsd on :631, the system D-Bus, avahi, ippeveprinter on :8631): a private cupsd with its
//! own config dir is not among the recipes tested on these machines, so the fixture does not
//! invent one. The script is idempotent, so services left running by an earlier run or by the
//! §4.6 bring-up are reused. If a service cannot start the tests fail, naming the package.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The services' fixed names and where their output lands.
#[derive(Debug)]
pub struct Services {
    /// `$WORK` of §4.6: cups-pdf writes to `work/cups-pdf/<user>/`, the ippeveprinter hook to
    /// `work/ipp-received/`.
    pub work: PathBuf,
    /// How long the bring-up took (reported by the tests).
    pub startup: Duration,
}

pub const PDF_QUEUE: &str = "PDF";
pub const IPP_QUEUE: &str = "IPPEVE";
pub const IPP_PRINTER_URI: &str = "ipp://localhost:8631/ipp/print";

/// What each service needs, and the Debian package that provides it.
const REQUIRED: &[(&str, &str)] = &[
    ("/usr/sbin/cupsd", "cups"),
    ("/usr/sbin/lpadmin", "cups-client"),
    ("/usr/bin/lp", "cups-client"),
    ("/usr/bin/lpstat", "cups-client"),
    ("/usr/lib/cups/backend/cups-pdf", "printer-driver-cups-pdf"),
    (
        "/usr/share/ppd/cups-pdf/CUPS-PDF_opt.ppd",
        "printer-driver-cups-pdf",
    ),
    ("/usr/sbin/ippeveprinter", "cups-ipp-utils"),
    ("/usr/bin/ipptool", "cups-ipp-utils"),
    ("/usr/sbin/avahi-daemon", "avahi-daemon"),
    ("/usr/bin/dbus-daemon", "dbus"),
    ("/usr/bin/dbus-send", "dbus"),
    ("/usr/bin/pdfinfo", "poppler-utils"),
    ("/usr/bin/pdftotext", "poppler-utils"),
];

/// The services, started on first use; every test in the binary shares them.
pub fn services() -> &'static Services {
    static SERVICES: OnceLock<Services> = OnceLock::new();
    SERVICES.get_or_init(start)
}

fn start() -> Services {
    let mut missing: Vec<&str> = REQUIRED
        .iter()
        .filter(|(file, _)| !Path::new(file).exists())
        .map(|(_, package)| *package)
        .collect();
    missing.dedup();
    assert!(
        missing.is_empty(),
        "print test services cannot start: missing Debian packages {missing:?} \
         (`apt-get install --no-install-recommends {}`, or `cargo xtask` setup)",
        missing.join(" ")
    );
    let work =
        PathBuf::from(std::env::var("SATCHEL_PRINT_WORK").unwrap_or("/tmp/satchel-ci".into()));
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/services.sh");
    let began = Instant::now();
    let out = Command::new("bash")
        .arg(&script)
        .env("WORK", &work)
        .output()
        .expect("bash runs tests/services.sh");
    assert!(
        out.status.success(),
        "print test services did not start ({}); the script said:\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // The script waits for each service; check the outcome the tests rely on, by package.
    let lpstat = Command::new("lpstat")
        .arg("-r")
        .env("LC_ALL", "C")
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&lpstat.stdout).contains("is running"),
        "cupsd (package cups) is not running after the bring-up"
    );
    let ipp = Command::new("ipptool")
        .args(["-q", IPP_PRINTER_URI, "get-printer-attributes.test"])
        .status()
        .unwrap();
    assert!(
        ipp.success(),
        "ippeveprinter (package cups-ipp-utils) is not answering on :8631; it needs the \
         system D-Bus (package dbus) and avahi (package avahi-daemon): see {}/ippeveprinter.log",
        work.display()
    );
    Services {
        work,
        startup: began.elapsed(),
    }
}

/// Polls `find` until it returns something or `timeout` passes: the services write their
/// output files asynchronously, just after the job is reported complete.
pub fn eventually<T>(timeout: Duration, mut find: impl FnMut() -> Option<T>) -> Option<T> {
    let start = Instant::now();
    loop {
        if let Some(found) = find() {
            return Some(found);
        }
        if start.elapsed() > timeout {
            return None;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Every file directly inside the subdirectories of `dir` (cups-pdf's per-user folders).
pub fn files_in_subdirs(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter(|e| e.path().is_dir())
        .flat_map(|d| std::fs::read_dir(d.path()).into_iter().flatten().flatten())
        .map(|e| e.path())
        .collect()
}

/// A title no earlier run used, so a test finds its own output among leftovers.
pub fn unique_title(what: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("satchel-print-{what}-{}-{nanos}", std::process::id())
}

/// A small, valid PDF with one line of Helvetica text per page, built by hand so the test
/// knows exactly what was sent (and needs no PDF library).
pub fn tiny_pdf(pages: &[&str]) -> Vec<u8> {
    let n = pages.len();
    // Objects: 1 catalog, 2 pages, 3 font, then a page and a content stream per page.
    let mut objects: Vec<String> = Vec::new();
    objects.push("<< /Type /Catalog /Pages 2 0 R >>".into());
    let kids: Vec<String> = (0..n).map(|i| format!("{} 0 R", 4 + 2 * i)).collect();
    objects.push(format!(
        "<< /Type /Pages /Kids [{}] /Count {n} >>",
        kids.join(" ")
    ));
    objects.push("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".into());
    for (i, text) in pages.iter().enumerate() {
        objects.push(format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] \
             /Resources << /Font << /F1 3 0 R >> >> /Contents {} 0 R >>",
            5 + 2 * i
        ));
        let stream = format!("BT /F1 24 Tf 72 720 Td ({text}) Tj ET");
        objects.push(format!(
            "<< /Length {} >>\nstream\n{stream}\nendstream",
            stream.len()
        ));
    }
    let mut pdf = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
    }
    let xref = pdf.len();
    pdf.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for offset in offsets {
        pdf.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    pdf.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    pdf
}
