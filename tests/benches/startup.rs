//! Start-up and idle memory of the installed app (issue #15), next to the smallest Tauri window
//! the workspace builds (`satchel-empty-window`, an empty page), so the share that is Satchel's
//! own is visible as a ratio. Run by `cargo xtask bench`, which installs the `.deb` first and
//! sets `SATCHEL_APP_BIN` (the installed binary) and `SATCHEL_EMPTY_WINDOW_BIN`.
//!
//! Both are measured the same way: from asking tauri-driver for a session (which starts the
//! app) until the first screen's element is in the page; then, after a few idle seconds, the
//! proportional set size (PSS) of the app and its WebKit processes together.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use fantoccini::Locator;
use satchel_tests::Driver;

const RUNS: usize = 5;
const IDLE: Duration = Duration::from_secs(3);

struct Figures {
    start_ms: Vec<u128>,
    pss_kib: Vec<u64>,
}

fn median<T: Copy + Ord>(v: &[T]) -> T {
    let mut s = v.to_vec();
    s.sort();
    s[s.len() / 2]
}

/// Every process whose ancestry includes `root`, `root` included.
fn tree(root: u32) -> Vec<u32> {
    let parents: Vec<(u32, u32)> = std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let pid: u32 = e.file_name().to_str()?.parse().ok()?;
            let stat = std::fs::read_to_string(e.path().join("stat")).ok()?;
            // The command name is in parentheses and may hold spaces: the parent comes after.
            let after = &stat[stat.rfind(')')? + 2..];
            let ppid = after.split_whitespace().nth(1)?.parse().ok()?;
            Some((pid, ppid))
        })
        .collect();
    let mut out = vec![root];
    let mut i = 0;
    while i < out.len() {
        let p = out[i];
        out.extend(parents.iter().filter(|(_, pp)| *pp == p).map(|(c, _)| *c));
        i += 1;
    }
    out
}

fn pss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup"))
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("Pss:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// The running process started from `bin`.
fn pid_of(bin: &Path) -> Option<u32> {
    let want = std::fs::canonicalize(bin).ok()?;
    std::fs::read_dir("/proc").ok()?.flatten().find_map(|e| {
        let pid: u32 = e.file_name().to_str()?.parse().ok()?;
        (std::fs::read_link(e.path().join("exe")).ok()? == want).then_some(pid)
    })
}

async fn measure(bin: &Path, first_screen: &str, mut driver: impl FnMut() -> Driver) -> Figures {
    let mut f = Figures {
        start_ms: Vec::new(),
        pss_kib: Vec::new(),
    };
    for _ in 0..RUNS {
        let d = driver();
        let t = Instant::now();
        let c = d.session_of(bin).await;
        c.wait()
            .at_most(Duration::from_secs(60))
            .for_element(Locator::Css(first_screen))
            .await
            .expect("the first screen");
        f.start_ms.push(t.elapsed().as_millis());
        tokio::time::sleep(IDLE).await;
        let pid = pid_of(bin).expect("the app's process");
        f.pss_kib.push(tree(pid).into_iter().map(pss_kib).sum());
        c.close().await.ok();
    }
    f
}

fn bin(var: &str) -> PathBuf {
    std::env::var_os(var)
        .map(PathBuf::from)
        .unwrap_or_else(|| panic!("{var}: run through `cargo xtask bench`"))
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let satchel = bin("SATCHEL_APP_BIN");
    let empty = bin("SATCHEL_EMPTY_WINDOW_BIN");
    let homes = std::env::temp_dir().join(format!("satchel-startup-{}", std::process::id()));
    let mut n = 0;
    // A fresh home for every run: a first start, as after installing.
    let s = measure(&satchel, "#setup, #home-lines", || {
        n += 1;
        let home = homes.join(n.to_string());
        std::fs::create_dir_all(&home).expect("a home folder");
        Driver::start_installed(&home, "app.satchel.desktop")
    })
    .await;
    let e = measure(&empty, "#ready", Driver::start).await;
    let _ = std::fs::remove_dir_all(&homes);
    let (ss, es) = (median(&s.start_ms), median(&e.start_ms));
    let (sm, em) = (median(&s.pss_kib), median(&e.pss_kib));
    println!(
        "startup: installed Satchel ({}): cold start to first screen {ss} ms, idle memory \
         {:.1} MiB PSS (app + WebKit processes); median of {RUNS}",
        satchel.display(),
        sm as f64 / 1024.0
    );
    println!(
        "startup: empty Tauri window: {es} ms, {:.1} MiB PSS; Satchel/empty: start x{:.2}, \
         memory x{:.2}",
        em as f64 / 1024.0,
        ss as f64 / es.max(1) as f64,
        sm as f64 / em.max(1) as f64
    );
}
