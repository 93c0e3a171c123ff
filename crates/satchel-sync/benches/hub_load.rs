//! The hub under load (issue #18's acceptance): the real `satchel-hub` binary, started as its
//! own process on loopback with the default limits, is attacked three ways at once for a
//! bounded time while a real device syncs through it:
//!
//! - 2,000 slowloris sockets (from 127.0.1.0/24) that send a request header one byte a
//!   second and never finish it;
//! - 100 clients that each declare a 16 MiB body to an unauthenticated route
//!   (`/v0/accounts`, `/v0/auth/login`) and stream it, again and again (one a second each);
//! - account creation from one IPv6 /64, a new address of it every time, 20 a second.
//!
//! Meanwhile a device (a `Syncer` over a store file, keys in memory) signs up from
//! 127.0.0.1, syncs 1,000 contacts, links a second device that pulls them, then both sync one
//! new contact every half second until the attack has run 20 s. The hub trusts
//! X-Forwarded-For, so one machine can speak for many networks; the device sends none, so
//! the hub counts it as 127.0.0.1 and the attackers' buckets are never its own.
//!
//! It prints one block of figures and fails when the device's p99 is 2 s or more, the hub's
//! peak RSS (VmHWM) reaches 512 MiB, the /64 made more accounts than the cap (or never met
//! the cap, which would show nothing), a large body was taken, the hub died, or the device's
//! sync failed. Linux only: the hub's memory and open files are read from /proc.
//!
//! ```text
//! cargo build --release -p satchel-hub && cargo bench -p satchel-sync --bench hub_load
//! ```
//!
//! `cargo xtask test` and `cargo xtask bench` do both. The bench finds the hub binary next to
//! its own directory (`target/release/`), or at `SATCHEL_LOAD_HUB_BIN`.

use std::collections::{BTreeMap, VecDeque};
use std::fmt::Write as _;
use std::io::{BufRead as _, BufReader};
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering::Relaxed};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use satchel_hub::error::limit_codes::TOO_MANY_ACCOUNTS;
use satchel_keychain::MemorySecrets;
use satchel_store::csv_io::{DuplicatePolicy, Table};
use satchel_store::{ContactKind, Store, StoreAccess};
use satchel_sync::{Progress, SyncConfig, SyncError, SyncReport, Syncer};
use satchel_sync_proto::{self as proto, codes, paths};
use tokio::io::{AsyncRead, AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpSocket, TcpStream};
use tokio::sync::{watch, Notify};
use tokio::task::JoinSet;
use tokio::time::{interval, MissedTickBehavior};

/// Names a hub binary to use instead of the one next to this bench.
const HUB_BIN_VAR: &str = "SATCHEL_LOAD_HUB_BIN";

const SLOWLORIS: usize = 2_000;
/// Between two header bytes on one slowloris socket.
const SLOW_BYTE_EVERY: Duration = Duration::from_secs(1);
/// What the slowloris sockets send, a byte at a time; then `a`s, never the blank line.
const SLOW_HEADER: &[u8] = b"POST /v0/accounts HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ";

const LARGE_BODY_CLIENTS: usize = 100;
const LARGE_BODY_BYTES: u64 = 16 * 1024 * 1024;
/// Each large-body client starts a request this often (or as soon as its last one ends).
const LARGE_BODY_EVERY: Duration = Duration::from_secs(1);

/// The /64 the sign-ups rotate through (documentation prefix).
const ONE_64: Ipv6Addr = Ipv6Addr::new(0x2001, 0xdb8, 1, 2, 0, 0, 0, 0);
const SIGN_UP_EVERY: Duration = Duration::from_millis(50);
/// Sign-ups waiting for an answer at most; past it a tick is skipped (and counted).
const MAX_SIGN_UPS_WAITING: usize = 100;

const RECORDS: usize = 1_000;
/// Changes per upload and records per download page: the hub's default page, so the 1,000
/// records make ten timed pages each way.
const PAGE: usize = 100;
/// Between two follow-up rounds of the devices.
const ROUND_EVERY: Duration = Duration::from_millis(500);

/// The attack's ramp-up: the device starts once every slowloris socket has connected (or
/// failed to), or after this long, whichever comes first. Sockets whose SYN the kernel
/// dropped (the hub's accept queue full) go on retrying meanwhile.
const ATTACK_RAMP: Duration = Duration::from_secs(3);
/// The attack lasts at least this long (the devices keep syncing until then)...
const ATTACK_MIN: Duration = Duration::from_secs(20);
/// ...and at most this long: a device not done by then has failed.
const RUN_MAX: Duration = Duration::from_secs(45);

const P99_LIMIT: Duration = Duration::from_secs(2);
const RSS_LIMIT_KIB: u64 = 512 * 1024;

type Res<T> = Result<T, Box<dyn std::error::Error>>;
type Device = Syncer<Mutex<Store>>;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> ExitCode {
    if !cfg!(target_os = "linux") {
        println!("hub load: skipped (it reads the hub's memory and open files from /proc: Linux)");
        return ExitCode::SUCCESS;
    }
    match run().await {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("hub load: could not run: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Res<bool> {
    let defaults = satchel_hub::HubConfig::default();
    let cap = defaults.accounts.per_network_per_day as usize;
    let (fd_before, fd_limit) = raise_open_file_limit();
    let fd_needed = (SLOWLORIS + LARGE_BODY_CLIENTS + MAX_SIGN_UPS_WAITING + 500) as u64;
    if fd_limit < fd_needed {
        return Err(format!(
            "this process may open {fd_limit} files (its hard limit); the attack needs about \
             {fd_needed}: raise the hard limit (ulimit -Hn, or LimitNOFILE for a service)"
        )
        .into());
    }
    let dir = tempfile::tempdir()?;
    let bin = hub_binary()?;
    let mut hub = Hub::start(&bin, dir.path()).await?;
    let pid = hub.child.id();
    let files_before = open_files(pid).unwrap_or(0);
    let url = format!("http://{}", hub.addr);

    let c = Arc::new(Counters::default());
    let (stop_tx, stop_rx) = watch::channel(false);
    let settled = Arc::new(Notify::new());
    let t0 = Instant::now();
    let mut attackers = JoinSet::new();
    attackers.spawn(sample_hub(pid, c.clone(), stop_rx.clone()));
    for i in 0..SLOWLORIS {
        attackers.spawn(slowloris(
            i,
            hub.addr,
            stop_rx.clone(),
            c.clone(),
            settled.clone(),
        ));
    }
    for w in 0..LARGE_BODY_CLIENTS {
        attackers.spawn(large_bodies(w, hub.addr, stop_rx.clone(), c.clone()));
    }
    attackers.spawn(sign_ups(hub.addr, stop_rx.clone(), c.clone()));
    let _ = tokio::time::timeout(ATTACK_RAMP, settled.notified()).await;
    let device_start = t0.elapsed();

    let mut figures = DeviceFigures::default();
    let device = tokio::time::timeout_at(
        tokio::time::Instant::from_std(t0 + RUN_MAX),
        device_run(&url, dir.path(), t0 + ATTACK_MIN, &mut figures),
    )
    .await;
    let device_error = match device {
        Ok(Ok(())) => None,
        Ok(Err(e)) => Some(e.to_string()),
        Err(_) => Some(format!("not done {} s into the attack", RUN_MAX.as_secs())),
    };
    let attack_secs = t0.elapsed().as_secs_f64();
    let _ = stop_tx.send(true);
    let finish = async { while attackers.join_next().await.is_some() {} };
    if tokio::time::timeout(Duration::from_secs(10), finish)
        .await
        .is_err()
    {
        attackers.abort_all();
    }

    let hwm_kib = proc_status_kib(pid, "VmHWM");
    let rss_end_kib = proc_status_kib(pid, "VmRSS");
    let hub_exit = hub.child.try_wait().ok().flatten();
    let hub_tail = hub.tail();
    let accept_errors = hub.accept_errors.load(Relaxed);
    drop(hub);

    // ---- the figures ------------------------------------------------------------------------
    let n = |a: &AtomicUsize| a.load(Relaxed);
    let max_connections = defaults.server.max_connections;
    let header_timeout = defaults.server.header_timeout_ms as f64 / 1000.0;
    println!(
        "hub load: {} on loopback, default limits (max_connections {max_connections}, header \
         timeout {header_timeout:.0} s, {cap} sign-ups per network per day), \
         trust_forwarded_for; open-file limit {fd_limit} (was {fd_before}); attack ran \
         {attack_secs:.1} s, device from {:.1} s",
        bin.display(),
        device_start.as_secs_f64()
    );
    let held = c
        .slow_held_ms
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    let held_range = match (held.iter().min(), held.iter().max()) {
        (Some(lo), Some(hi)) => format!(
            " after {:.1}-{:.1} s",
            *lo as f64 / 1000.0,
            *hi as f64 / 1000.0
        ),
        _ => String::new(),
    };
    println!(
        "  slowloris: {SLOWLORIS} sockets, a header byte a second: {} connected ({} refused, {} \
         still connecting at the end); {} open at once at most; {} closed by the hub{held_range}, \
         {} still open at the end",
        n(&c.slow_connected),
        n(&c.slow_refused),
        n(&c.slow_connecting_at_end),
        n(&c.slow_open_peak),
        n(&c.slow_closed_by_hub),
        n(&c.slow_open_at_end),
    );
    drop(held);
    println!(
        "  hub process: {} open files at most ({files_before} before the attack; /proc/{pid}/fd), \
         {accept_errors} failed accepts logged",
        n(&c.hub_files_peak)
    );
    let statuses = c
        .large_status
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    let mut answers = String::new();
    for (status, count) in statuses.iter() {
        let _ = write!(answers, "{status} ×{count}, ");
    }
    println!(
        "  large bodies: {LARGE_BODY_CLIENTS} clients at once, {} MiB declared each, to {} and \
         {}: {} sent; {answers}ended without an answer ×{}, could not connect ×{}, unanswered \
         at the end ×{}",
        LARGE_BODY_BYTES >> 20,
        paths::ACCOUNTS,
        paths::LOGIN,
        n(&c.large_sent),
        n(&c.large_no_answer),
        n(&c.large_no_connection),
        n(&c.large_unanswered),
    );
    let large_taken: usize = statuses
        .iter()
        .filter(|(s, _)| (200..300).contains(*s))
        .map(|(_, count)| count)
        .sum();
    drop(statuses);
    let created = n(&c.created);
    let refused_cap = n(&c.too_many_accounts);
    let others = c
        .sign_up_other
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    let mut other = String::new();
    for (status, count) in others.iter() {
        let _ = write!(other, ", {status} ×{count}");
    }
    drop(others);
    let skipped = n(&c.sign_up_skipped);
    println!(
        "  sign-ups from one /64 ({ONE_64}/64, a new address each): {} tried, {created} \
         created, {refused_cap} refused too_many_accounts, {} rate_limited{other}, {} without \
         an answer, {} unanswered at the end{} (cap {cap})",
        n(&c.sign_up_attempts),
        n(&c.rate_limited),
        n(&c.sign_up_no_answer),
        n(&c.sign_up_unanswered),
        if skipped > 0 {
            format!(", {skipped} not tried while {MAX_SIGN_UPS_WAITING} were waiting")
        } else {
            String::new()
        },
    );
    let secs =
        |d: Option<Duration>| d.map_or("-".to_owned(), |d| format!("{:.2} s", d.as_secs_f64()));
    println!(
        "  device: signed up in {}, pushed {RECORDS} records (and pulled their echoes) in {}, \
         linked a second device in {}, which pulled them in {}; {} follow-up rounds (a new \
         contact each, both devices){}",
        secs(figures.sign_up),
        secs(figures.first_sync),
        secs(figures.link),
        secs(figures.second_sync),
        figures.rounds,
        device_error
            .as_deref()
            .map_or(String::new(), |e| format!("; FAILED: {e}")),
    );
    let mut steps = figures.steps;
    steps.sort();
    let p99 = percentile(&steps, 0.99);
    println!(
        "  device latency over {} steps (sign-up, pairing, joining, and each sync page of \
         {PAGE} records: the time between the sync engine's progress reports, a round's last \
         request counted with its last page): p50 {}, p99 {}, max {}",
        steps.len(),
        ms(percentile(&steps, 0.50)),
        ms(p99),
        ms(steps.last().copied().unwrap_or_default()),
    );
    let mib =
        |kib: Option<u64>| kib.map_or("-".to_owned(), |k| format!("{:.1} MiB", k as f64 / 1024.0));
    let peak_kib = hwm_kib.unwrap_or_else(|| c.hub_rss_peak_kib.load(Relaxed));
    println!(
        "  hub RSS: peak {} (VmHWM), sampled peak {}, {} at the end",
        mib(hwm_kib),
        mib(Some(c.hub_rss_peak_kib.load(Relaxed))),
        mib(rss_end_kib),
    );

    let mut failures = Vec::new();
    if let Some(e) = &device_error {
        failures.push(format!("the device's sync failed ({e})"));
    }
    if steps.is_empty() || p99 >= P99_LIMIT {
        failures.push(format!(
            "device p99 {} is not under {}",
            ms(p99),
            ms(P99_LIMIT)
        ));
    }
    if peak_kib >= RSS_LIMIT_KIB {
        failures.push(format!(
            "hub RSS peaked at {}, not under {}",
            mib(Some(peak_kib)),
            mib(Some(RSS_LIMIT_KIB))
        ));
    }
    if created > cap {
        failures.push(format!(
            "one /64 created {created} accounts, past the cap of {cap}"
        ));
    }
    if refused_cap == 0 {
        failures.push(format!(
            "no sign-up from the /64 was refused too_many_accounts ({created} created), so the \
             cap was not shown to hold"
        ));
    }
    if large_taken > 0 {
        failures.push(format!(
            "{large_taken} bodies of {} MiB were taken on unauthenticated routes",
            LARGE_BODY_BYTES >> 20
        ));
    }
    if let Some(status) = hub_exit {
        failures.push(format!(
            "the hub exited during the run ({status}): {hub_tail}"
        ));
    }
    if failures.is_empty() {
        println!("hub load: PASS");
        Ok(true)
    } else {
        println!("hub load: FAIL: {}", failures.join("; "));
        Ok(false)
    }
}

// ---- the hub, as its own process --------------------------------------------------------------

/// The hub binary: named by [`HUB_BIN_VAR`], or where cargo put it for this profile (this
/// bench runs from `target/<profile>/deps/`).
fn hub_binary() -> Res<PathBuf> {
    if let Some(path) = std::env::var_os(HUB_BIN_VAR) {
        return Ok(PathBuf::from(path));
    }
    let exe = std::env::current_exe()?;
    let name = format!("satchel-hub{}", std::env::consts::EXE_SUFFIX);
    match exe.parent().and_then(Path::parent).map(|d| d.join(name)) {
        Some(bin) if bin.is_file() => Ok(bin),
        _ => Err(format!(
            "no satchel-hub binary next to {}: build it first (cargo build --release -p \
             satchel-hub), or name one in {HUB_BIN_VAR}",
            exe.display()
        )
        .into()),
    }
}

/// The running hub; killed when dropped.
struct Hub {
    child: Child,
    addr: SocketAddr,
    /// "accepting a connection failed" lines (out of file descriptors, mostly).
    accept_errors: Arc<AtomicUsize>,
    /// Its last lines on stderr.
    last_lines: Arc<Mutex<VecDeque<String>>>,
}

impl Hub {
    /// Starts `satchel-hub serve` on 127.0.0.1 port 0 with a SQLite file in `dir`, and reads
    /// the address it bound from its "serving v0 on http://…" line.
    async fn start(bin: &Path, dir: &Path) -> Res<Hub> {
        let db = dir.join("hub.sqlite3");
        let db = db
            .to_str()
            .filter(|p| !p.contains(['\'', '\n']))
            .ok_or("the temporary directory's path cannot be written in TOML as it is")?;
        let config = dir.join("hub.toml");
        // Everything else is the default: the limits under test are the shipped ones.
        std::fs::write(
            &config,
            format!(
                "listen = \"127.0.0.1:0\"\ndatabase_url = 'sqlite://{db}'\n\
                 trust_forwarded_for = true\n"
            ),
        )?;
        let mut cmd = Command::new(bin);
        cmd.arg("serve")
            .arg("--config")
            .arg(config)
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        // The configuration is the file's alone.
        for (name, _) in std::env::vars_os() {
            if name.to_string_lossy().starts_with("SATCHEL_HUB_") {
                cmd.env_remove(name);
            }
        }
        let mut child = cmd
            .spawn()
            .map_err(|e| format!("could not start {}: {e}", bin.display()))?;
        let stderr = child.stderr.take().expect("stderr is piped");
        let mut hub = Hub {
            child,
            addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            accept_errors: Arc::new(AtomicUsize::new(0)),
            last_lines: Arc::new(Mutex::new(VecDeque::new())),
        };
        let (tx, rx) = tokio::sync::oneshot::channel::<Option<SocketAddr>>();
        let (errors, lines) = (hub.accept_errors.clone(), hub.last_lines.clone());
        std::thread::spawn(move || {
            let mut tx = Some(tx);
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if let Some((_, rest)) = line.split_once("serving v0 on http://") {
                    if let Some(tx) = tx.take() {
                        let _ =
                            tx.send(rest.split_whitespace().next().and_then(|a| a.parse().ok()));
                    }
                }
                if line.contains("accepting a connection failed") {
                    errors.fetch_add(1, Relaxed);
                }
                let mut kept = lines.lock().unwrap_or_else(PoisonError::into_inner);
                if kept.len() == 20 {
                    kept.pop_front();
                }
                kept.push_back(line);
            }
            // A sender dropped unused tells the waiter that the hub ended before serving.
        });
        match tokio::time::timeout(Duration::from_secs(30), rx).await {
            Ok(Ok(Some(addr))) => {
                hub.addr = addr;
                Ok(hub)
            }
            Ok(Ok(None)) => {
                Err(format!("the hub's serving line named no address: {}", hub.tail()).into())
            }
            Ok(Err(_)) => Err(format!("the hub ended before serving: {}", hub.tail()).into()),
            Err(_) => Err("the hub did not start serving within 30 s".into()),
        }
    }

    fn tail(&self) -> String {
        let lines = self
            .last_lines
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        lines.iter().cloned().collect::<Vec<_>>().join(" | ")
    }
}

impl Drop for Hub {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A `kB` field of /proc/PID/status (`VmRSS`, `VmHWM`), in KiB.
fn proc_status_kib(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status.lines().find_map(|line| {
        line.strip_prefix(field)?
            .strip_prefix(':')?
            .trim()
            .strip_suffix("kB")?
            .trim()
            .parse()
            .ok()
    })
}

/// The process's open files: its sockets, the SQLite files, the runtime's own.
fn open_files(pid: u32) -> Option<usize> {
    Some(std::fs::read_dir(format!("/proc/{pid}/fd")).ok()?.count())
}

/// Raises this process's soft open-file limit to its hard limit (at most 65,536), so it can
/// hold the attack's sockets; the hub, started after, inherits it. Returns the soft limit
/// before and after.
#[cfg(unix)]
fn raise_open_file_limit() -> (u64, u64) {
    use rustix::process::{getrlimit, setrlimit, Resource, Rlimit};
    let limit = getrlimit(Resource::Nofile);
    let before = limit.current.unwrap_or(u64::MAX);
    let wanted = limit.maximum.unwrap_or(u64::MAX).min(65_536);
    if before < wanted {
        let raised = Rlimit {
            current: Some(wanted),
            maximum: limit.maximum,
        };
        if let Err(e) = setrlimit(Resource::Nofile, raised) {
            eprintln!("hub load: could not raise the open-file limit to {wanted}: {e}");
        }
    }
    let after = getrlimit(Resource::Nofile).current.unwrap_or(u64::MAX);
    (before, after)
}

#[cfg(not(unix))]
fn raise_open_file_limit() -> (u64, u64) {
    (0, 0)
}

// ---- the attackers ----------------------------------------------------------------------------

#[derive(Default)]
struct Counters {
    slow_connected: AtomicUsize,
    slow_refused: AtomicUsize,
    slow_connecting_at_end: AtomicUsize,
    /// Connected or refused, for the ramp.
    slow_settled: AtomicUsize,
    slow_open: AtomicUsize,
    slow_open_peak: AtomicUsize,
    slow_closed_by_hub: AtomicUsize,
    slow_open_at_end: AtomicUsize,
    /// How long each socket the hub closed had been open, in ms.
    slow_held_ms: Mutex<Vec<u64>>,

    large_sent: AtomicUsize,
    large_status: Mutex<BTreeMap<u16, usize>>,
    large_no_answer: AtomicUsize,
    large_no_connection: AtomicUsize,
    large_unanswered: AtomicUsize,

    sign_up_attempts: AtomicUsize,
    sign_up_skipped: AtomicUsize,
    created: AtomicUsize,
    too_many_accounts: AtomicUsize,
    rate_limited: AtomicUsize,
    sign_up_other: Mutex<BTreeMap<u16, usize>>,
    sign_up_no_answer: AtomicUsize,
    sign_up_unanswered: AtomicUsize,

    hub_rss_peak_kib: AtomicU64,
    hub_files_peak: AtomicUsize,
}

fn add(counter: &AtomicUsize) {
    counter.fetch_add(1, Relaxed);
}

fn tally(map: &Mutex<BTreeMap<u16, usize>>, status: u16) {
    *map.lock()
        .unwrap_or_else(PoisonError::into_inner)
        .entry(status)
        .or_default() += 1;
}

/// Resolves once the attack is over.
async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|s| *s).await;
}

/// Attackers come from other loopback addresses than the device's 127.0.0.1 (all of
/// 127.0.0.0/8 is this machine on Linux): `group` picks 127.0.`group`.0/24.
fn attacker_ip(group: u8, i: usize) -> Ipv4Addr {
    Ipv4Addr::new(127, 0, group, 1 + (i % 250) as u8)
}

async fn connect_from(src: Ipv4Addr, hub: SocketAddr) -> std::io::Result<TcpStream> {
    let socket = TcpSocket::new_v4()?;
    socket.bind(SocketAddr::from((src, 0)))?;
    socket.connect(hub).await
}

/// The status of an HTTP/1.x answer's first line.
fn status_of(reply: &[u8]) -> Option<u16> {
    let text = String::from_utf8_lossy(reply);
    let mut words = text.split_whitespace();
    if !words.next()?.starts_with("HTTP/1.") {
        return None;
    }
    words.next()?.parse().ok()
}

/// Reads an answer's first line; `None` if the connection ends first.
async fn read_status<R: AsyncRead + Unpin>(rd: &mut R) -> Option<u16> {
    let mut got: Vec<u8> = Vec::new();
    let mut buf = [0u8; 1024];
    while !got.windows(2).any(|w| w == b"\r\n") {
        if got.len() > 4096 {
            return None;
        }
        match rd.read(&mut buf).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => got.extend_from_slice(&buf[..n]),
        }
    }
    status_of(&got)
}

/// Every 200 ms: the hub's resident memory and open files, keeping the peaks.
async fn sample_hub(pid: u32, c: Arc<Counters>, mut stop: watch::Receiver<bool>) {
    let mut tick = interval(Duration::from_millis(200));
    loop {
        tokio::select! {
            () = stopped(&mut stop) => return,
            _ = tick.tick() => {}
        }
        if let Some(kib) = proc_status_kib(pid, "VmRSS") {
            c.hub_rss_peak_kib.fetch_max(kib, Relaxed);
        }
        if let Some(files) = open_files(pid) {
            c.hub_files_peak.fetch_max(files, Relaxed);
        }
    }
}

/// One slowloris socket: connects, then sends a header a byte a second, never finishing it,
/// until the hub closes the connection or the attack ends.
async fn slowloris(
    i: usize,
    hub: SocketAddr,
    mut stop: watch::Receiver<bool>,
    c: Arc<Counters>,
    settled: Arc<Notify>,
) {
    let settle = || {
        if c.slow_settled.fetch_add(1, Relaxed) + 1 == SLOWLORIS {
            settled.notify_one();
        }
    };
    let connected = tokio::select! {
        r = connect_from(attacker_ip(1, i), hub) => r,
        () = stopped(&mut stop) => {
            add(&c.slow_connecting_at_end);
            return;
        }
    };
    let Ok(mut stream) = connected else {
        add(&c.slow_refused);
        settle();
        return;
    };
    add(&c.slow_connected);
    settle();
    let open = c.slow_open.fetch_add(1, Relaxed) + 1;
    c.slow_open_peak.fetch_max(open, Relaxed);
    let opened = Instant::now();
    let (mut rd, mut wr) = stream.split();
    let mut tick = interval(SLOW_BYTE_EVERY);
    tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut buf = [0u8; 256];
    let mut sent = 0usize;
    let closed_by_hub = loop {
        tokio::select! {
            () = stopped(&mut stop) => break false,
            read = rd.read(&mut buf) => {
                if matches!(read, Ok(0) | Err(_)) {
                    break true;
                }
            }
            _ = tick.tick() => {
                let byte = SLOW_HEADER.get(sent).copied().unwrap_or(b'a');
                if wr.write_all(&[byte]).await.is_err() {
                    break true;
                }
                sent += 1;
            }
        }
    };
    c.slow_open.fetch_sub(1, Relaxed);
    if closed_by_hub {
        add(&c.slow_closed_by_hub);
        let held = u64::try_from(opened.elapsed().as_millis()).unwrap_or(u64::MAX);
        c.slow_held_ms
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(held);
    } else {
        add(&c.slow_open_at_end);
    }
}

/// One large-body client: a 16 MiB body declared and streamed to an unauthenticated route,
/// from an IPv4 address of its own (so its bucket is its own), once a second.
async fn large_bodies(
    w: usize,
    hub: SocketAddr,
    mut stop: watch::Receiver<bool>,
    c: Arc<Counters>,
) {
    let src = attacker_ip(2, w);
    let forwarded = format!("198.51.100.{}", 1 + w % 250);
    let path = [paths::ACCOUNTS, paths::LOGIN][w % 2];
    let mut tick = interval(LARGE_BODY_EVERY);
    tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            () = stopped(&mut stop) => return,
            _ = tick.tick() => {}
        }
        add(&c.large_sent);
        let outcome = tokio::select! {
            outcome = large_body(src, hub, path, &forwarded) => outcome,
            () = stopped(&mut stop) => {
                add(&c.large_unanswered);
                return;
            }
        };
        match outcome {
            Ok(Some(status)) => tally(&c.large_status, status),
            Ok(None) => add(&c.large_no_answer),
            Err(_) => add(&c.large_no_connection),
        }
    }
}

/// Sends the headers and as much of the body as the hub reads, while waiting for its answer:
/// the status, or `None` if the connection ended without one.
async fn large_body(
    src: Ipv4Addr,
    hub: SocketAddr,
    path: &str,
    forwarded: &str,
) -> std::io::Result<Option<u16>> {
    let mut stream = connect_from(src, hub).await?;
    let (mut rd, mut wr) = stream.split();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
         Content-Length: {LARGE_BODY_BYTES}\r\nX-Forwarded-For: {forwarded}\r\n\r\n"
    );
    let send = async {
        let chunk = vec![b' '; 64 * 1024];
        if wr.write_all(head.as_bytes()).await.is_ok() {
            let mut left = LARGE_BODY_BYTES;
            while left > 0 {
                let n = chunk.len().min(usize::try_from(left).unwrap_or(usize::MAX));
                if wr.write_all(&chunk[..n]).await.is_err() {
                    break;
                }
                left -= n as u64;
            }
        }
        // All sent, or the hub stopped reading: its answer (or its silence) decides.
        std::future::pending::<()>().await;
    };
    Ok(tokio::select! {
        status = read_status(&mut rd) => status,
        () = send => None,
    })
}

enum SignUp {
    Created,
    TooManyAccounts,
    RateLimited,
    Other(u16),
    NoAnswer,
}

/// Account creation from one /64, a new address of it each time, `SIGN_UP_EVERY`.
async fn sign_ups(hub: SocketAddr, mut stop: watch::Receiver<bool>, c: Arc<Counters>) {
    let mut tick = interval(SIGN_UP_EVERY);
    tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut waiting = JoinSet::new();
    let mut k: u64 = 0;
    loop {
        tokio::select! {
            () = stopped(&mut stop) => break,
            _ = tick.tick() => {}
        }
        while waiting.try_join_next().is_some() {}
        if waiting.len() >= MAX_SIGN_UPS_WAITING {
            add(&c.sign_up_skipped);
            continue;
        }
        k += 1;
        // Spread over the interface half, as a client picking random addresses would.
        let host = k.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let from = Ipv6Addr::from(u128::from(ONE_64) | u128::from(host));
        let src = attacker_ip(3, k as usize);
        let (mut task_stop, task_c) = (stop.clone(), c.clone());
        add(&c.sign_up_attempts);
        waiting.spawn(async move {
            let outcome = tokio::select! {
                outcome = sign_up(src, hub, from) => outcome,
                () = stopped(&mut task_stop) => {
                    add(&task_c.sign_up_unanswered);
                    return;
                }
            };
            match outcome {
                SignUp::Created => add(&task_c.created),
                SignUp::TooManyAccounts => add(&task_c.too_many_accounts),
                SignUp::RateLimited => add(&task_c.rate_limited),
                SignUp::Other(status) => tally(&task_c.sign_up_other, status),
                SignUp::NoAnswer => add(&task_c.sign_up_no_answer),
            }
        });
    }
    while waiting.join_next().await.is_some() {}
}

/// `POST /v0/accounts` with a valid body, as if from `from`.
async fn sign_up(src: Ipv4Addr, hub: SocketAddr, from: Ipv6Addr) -> SignUp {
    let mut secret = vec![0u8; 32];
    // A fresh credential each time, as a sign-up script would send (the hub takes any 32
    // bytes, so zeros if the OS cannot give random ones).
    let _ = getrandom::fill(&mut secret);
    let body = serde_json::to_vec(&proto::CreateAccountRequest {
        device_label: "load test".to_owned(),
        device_secret: proto::DeviceSecret(proto::Bytes(secret)),
        recovery: None,
    })
    .expect("a sign-up serializes");
    let head = format!(
        "POST {} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nX-Forwarded-For: {from}\r\nConnection: close\r\n\r\n",
        paths::ACCOUNTS,
        body.len()
    );
    let Ok(mut stream) = connect_from(src, hub).await else {
        return SignUp::NoAnswer;
    };
    if stream.write_all(head.as_bytes()).await.is_err() || stream.write_all(&body).await.is_err() {
        return SignUp::NoAnswer;
    }
    // `Connection: close`: the hub ends the connection after its answer.
    let mut reply = Vec::new();
    let _ = (&mut stream).take(64 * 1024).read_to_end(&mut reply).await;
    let text = String::from_utf8_lossy(&reply);
    match status_of(&reply) {
        Some(201) => SignUp::Created,
        Some(429) if text.contains(TOO_MANY_ACCOUNTS) => SignUp::TooManyAccounts,
        Some(429) if text.contains(codes::RATE_LIMITED) => SignUp::RateLimited,
        Some(status) => SignUp::Other(status),
        None => SignUp::NoAnswer,
    }
}

// ---- the device -------------------------------------------------------------------------------

#[derive(Default)]
struct DeviceFigures {
    /// Every timed step: sign-up, pairing offer, joining, and each sync page.
    steps: Vec<Duration>,
    sign_up: Option<Duration>,
    first_sync: Option<Duration>,
    link: Option<Duration>,
    second_sync: Option<Duration>,
    rounds: usize,
}

fn device_at(dir: &Path, name: &str, url: &str) -> Res<(Arc<Mutex<Store>>, Device)> {
    let store = Arc::new(Mutex::new(Store::open(dir.join(name))?));
    let mut config = SyncConfig::new(url);
    config.push_batch = PAGE;
    config.page_size = PAGE as u32;
    let sync = Syncer::new(store.clone(), MemorySecrets::default(), config)?;
    Ok((store, sync))
}

fn import(store: &Mutex<Store>, csv: &str) -> Res<usize> {
    let report = store.with_store(|s| {
        s.import(
            Table::Contacts,
            csv,
            None,
            DuplicatePolicy::KeepExisting,
            None,
            &mut |_, _| {},
        )
    })?;
    Ok(report.imported)
}

fn contacts(store: &Mutex<Store>) -> Res<usize> {
    Ok(store.with_store(|s| s.count_contacts(ContactKind::Recipient))?)
}

/// One sync round, timed step by step: the time from the start to the engine's first
/// progress report, between reports (each an upload or a download page, with its sealing or
/// opening and its store write), and the rest of the round added to the last step.
async fn timed_sync(device: &Device, steps: &mut Vec<Duration>) -> Result<SyncReport, SyncError> {
    let mut round = Vec::new();
    let mut last = Instant::now();
    let outcome = device
        .sync_with_progress(&mut |_: Progress| {
            let now = Instant::now();
            round.push(now.duration_since(last));
            last = now;
        })
        .await;
    let rest = last.elapsed();
    match round.last_mut() {
        Some(step) => *step += rest,
        None => round.push(rest),
    }
    steps.extend(round);
    outcome
}

/// The device's part: sign up, sync 1,000 contacts, link a second device that pulls them,
/// then a new contact from the first and a sync on both every `ROUND_EVERY` until `until`.
async fn device_run(url: &str, dir: &Path, until: Instant, f: &mut DeviceFigures) -> Res<()> {
    let (laptop_store, laptop) = device_at(dir, "laptop.db", url)?;
    let t = Instant::now();
    laptop.create_account("laptop").await?;
    let sign_up = t.elapsed();
    f.sign_up = Some(sign_up);
    f.steps.push(sign_up);

    let mut csv = String::from("Name,Address,City,Country\n");
    for i in 0..RECORDS {
        let _ = writeln!(csv, "Recipient {i:04},{i} Nathan Road,Kowloon,HK");
    }
    let imported = import(&laptop_store, &csv)?;
    if imported != RECORDS {
        return Err(format!("{imported} of {RECORDS} contacts imported").into());
    }
    let t = Instant::now();
    let report = timed_sync(&laptop, &mut f.steps).await?;
    f.first_sync = Some(t.elapsed());
    if report.pushed != RECORDS {
        return Err(format!(
            "the first device pushed {} of {RECORDS} records",
            report.pushed
        )
        .into());
    }

    let (phone_store, phone) = device_at(dir, "phone.db", url)?;
    let t = Instant::now();
    let offer = laptop.offer_pairing("phone").await?;
    f.steps.push(t.elapsed());
    let joining = Instant::now();
    phone.join_with_code(&offer.qr_payload).await?;
    f.steps.push(joining.elapsed());
    f.link = Some(t.elapsed());
    let t = Instant::now();
    timed_sync(&phone, &mut f.steps).await?;
    f.second_sync = Some(t.elapsed());
    let got = contacts(&phone_store)?;
    if got != RECORDS {
        return Err(format!("the second device has {got} of {RECORDS} contacts").into());
    }

    let mut tick = interval(ROUND_EVERY);
    tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
    while Instant::now() < until {
        tick.tick().await;
        let late = f.rounds;
        import(
            &laptop_store,
            &format!("Name,Address,City,Country\nLate {late:04},{late} Canton Road,Kowloon,HK\n"),
        )?;
        timed_sync(&laptop, &mut f.steps).await?;
        timed_sync(&phone, &mut f.steps).await?;
        f.rounds += 1;
    }
    let got = contacts(&phone_store)?;
    if got != RECORDS + f.rounds {
        return Err(format!(
            "the second device has {got} of {} contacts after the follow-up rounds",
            RECORDS + f.rounds
        )
        .into());
    }
    Ok(())
}

/// Nearest rank: the smallest step at least `q` of the steps are no slower than.
fn percentile(sorted: &[Duration], q: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1000.0)
}
