//! 500 labels to one PDF, as a merchant's end-of-day batch: wall time and peak memory, to
//! hold the renderer to its budget (< 0.5 s and < 150 MB in release).
//!
//! Peak memory is the process's high-water mark (VmHWM), which only ever grows, so each case
//! runs in a fresh child process (this binary again, told which case by an environment
//! variable). Run with `cargo bench -p satchel-labels --bench render`.

#[path = "../tests/it/common/mod.rs"]
mod common;

use std::process::Command;
use std::time::Instant;

use satchel_labels::pdf::{self, Font};
use satchel_labels::{pages, Format};

const N: u32 = 500;
const CASE: &str = "SATCHEL_LABELS_BENCH_CASE";

/// Peak resident memory so far, in MB, from /proc (Linux).
fn peak_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn run_case(case: &str) {
    let (format, with_bold) = match case {
        "imail_a4" => (Format::ImailA4, false),
        "thermal_4x6" => (Format::Thermal4x6, false),
        "imail_a4+bold" => (Format::ImailA4, true),
        other => panic!("unknown case {other}"),
    };
    let read = Instant::now();
    let regular = Font::system_cjk().expect("a CJK font (fonts-noto-cjk)");
    let bold = if with_bold {
        Font::system_cjk_bold()
    } else {
        None
    };
    let read = read.elapsed();
    let start = Instant::now();
    let labels = common::labels(format, N);
    let sheets = pages(labels, format, 1).expect("pages");
    let out = pdf::render(&sheets, &regular, bold.as_ref()).expect("render");
    let took = start.elapsed();
    assert!(out.missing_glyphs.is_empty(), "{:?}", out.missing_glyphs);
    println!(
        "{case:<14} {N} labels {:>4} pages  layout+render {:>6.3} s  (font read {:.3} s)  \
         PDF {:>5} KB  peak {:>5.1} MB",
        sheets.len(),
        took.as_secs_f64(),
        read.as_secs_f64(),
        out.bytes.len() / 1024,
        peak_mb().unwrap_or(f64::NAN),
    );
}

fn main() {
    if let Ok(case) = std::env::var(CASE) {
        run_case(&case);
        return;
    }
    let me = std::env::current_exe().expect("own path");
    for case in ["imail_a4", "thermal_4x6", "imail_a4+bold"] {
        let status = Command::new(&me)
            .env(CASE, case)
            .status()
            .expect("run bench case");
        assert!(status.success(), "{case} failed");
    }
}
