//! Test harness shared by Satchel's cross-crate tests: starting the real app under
//! tauri-driver and talking WebDriver to its window.
//!
//! Lives in a library so every end-to-end test gets the same careful process handling
//! (free ports, SIGTERM so WebKitWebDriver dies with its parent; toolchain.md P6).
#![forbid(unsafe_code)]

pub mod seed;

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};

/// A running tauri-driver; dropping it stops the driver, WebKitWebDriver and the app, and
/// removes the app's database.
#[derive(Debug)]
pub struct Driver {
    child: Child,
    port: u16,
    /// The app's SQLite file for this test (`SATCHEL_DB`): fresh, so tests never share data.
    db: PathBuf,
    /// Remove the database's folder when the driver stops (not for an installed app's home,
    /// which must outlive the driver to show that an upgrade keeps the data).
    owns_db: bool,
    // Declared last so it is released after the driver has stopped.
    _serial: MutexGuard<'static, ()>,
}

/// One app window at a time: instances share the webview's storage (the language choice),
/// and two windows on two cores make timings flaky.
static SERIAL: Mutex<()> = Mutex::new(());

impl Drop for Driver {
    fn drop(&mut self) {
        // SIGTERM, not SIGKILL: only then does tauri-driver stop its WebKitWebDriver child.
        let _ = Command::new("kill")
            .arg(self.child.id().to_string())
            .status();
        let _ = self.child.wait();
        if self.owns_db {
            remove_db(&self.db);
        }
    }
}

/// Removes the test's database folder: the SQLite file and what the app keeps next to it
/// (the EC-Ship settings, the printer profiles, the test's CSV files).
fn remove_db(db: &Path) {
    if let Some(dir) = db.parent() {
        let _ = std::fs::remove_dir_all(dir);
    }
}

/// A database path no other test (in this or another run) uses, in a folder of its own
/// (`target/tmp/e2e-<pid>-<n>/satchel.db`): the app keeps settings next to its database, so
/// two tests sharing a folder would share them.
fn fresh_db() -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = target_dir().join("tmp").join(format!(
        "e2e-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("target/tmp is writable");
    dir.join("satchel.db")
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free local port")
}

/// This workspace's target directory (`CARGO_TARGET_DIR`, or `target/`).
fn target_dir() -> PathBuf {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"))
}

/// The built app: `SATCHEL_APP_BIN`, or `target/debug/satchel-app` of this workspace.
pub fn app_binary() -> PathBuf {
    if let Some(p) = std::env::var_os("SATCHEL_APP_BIN") {
        return p.into();
    }
    target_dir().join("debug").join("satchel-app")
}

/// A file path in `target/tmp` no other test uses, for a test's own files (a hub's database);
/// the caller removes it.
pub fn scratch_path(name: &str) -> PathBuf {
    let db = fresh_db();
    let stem = db.file_stem().map(|s| s.to_string_lossy().into_owned());
    db.with_file_name(format!("{}-{name}", stem.unwrap_or_default()))
}

impl Driver {
    pub fn start() -> Driver {
        Driver::start_with_env(&[])
    }

    /// As [`Driver::start`], with extra environment variables for the app, e.g.
    /// `SATCHEL_PROFILE` so that a second "device" has its own keychain entries. Only one
    /// driver exists at a time: drop the first before starting the second.
    pub fn start_with_env(env: &[(&str, &str)]) -> Driver {
        let db = fresh_db();
        let mut env: Vec<(&str, &std::ffi::OsStr)> = env
            .iter()
            .map(|(k, v)| (*k, std::ffi::OsStr::new(v)))
            .collect();
        env.push(("SATCHEL_DB", db.as_os_str()));
        Driver::spawn(&env, db.clone(), true)
    }

    /// As [`Driver::start_with_env`] on the database at `db`, which outlives the driver: a
    /// device closed and opened again (it is the caller's to remove).
    pub fn start_on_db(env: &[(&str, &str)], db: &Path) -> Driver {
        let mut env: Vec<(&str, &std::ffi::OsStr)> = env
            .iter()
            .map(|(k, v)| (*k, std::ffi::OsStr::new(v)))
            .collect();
        env.push(("SATCHEL_DB", db.as_os_str()));
        Driver::spawn(&env, db.to_path_buf(), false)
    }

    /// The installed app (`SATCHEL_APP_BIN`) as a merchant starts it: no `SATCHEL_DB`, a home
    /// folder of its own, so it keeps its data where it does on a real desktop (the per-user
    /// data directory, `~/.local/share/<identifier>`). The folder is left in place.
    pub fn start_installed(home: &Path, identifier: &str) -> Driver {
        let data = home.join(".local/share");
        let db = data.join(identifier).join("satchel.db");
        let env = [
            ("HOME", home.as_os_str()),
            ("XDG_DATA_HOME", data.as_os_str()),
        ];
        Driver::spawn(&env, db, false)
    }

    fn spawn(env: &[(&str, &std::ffi::OsStr)], db: PathBuf, owns_db: bool) -> Driver {
        // A failed test poisons the lock; the next one may still run.
        let serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
        assert!(
            std::env::var_os("DISPLAY").is_some(),
            "no DISPLAY: run through `cargo xtask test` (it uses xvfb-run)"
        );
        let (port, native_port) = (free_port(), free_port());
        // tauri-driver and WebKitWebDriver pass their environment on to the app they start.
        let child = Command::new(std::env::var("TAURI_DRIVER").unwrap_or("tauri-driver".into()))
            .env_remove("SATCHEL_DB")
            .envs(env.iter().copied())
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native_port.to_string(),
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("tauri-driver (installed by `cargo xtask test`)");
        let driver = Driver {
            child,
            port,
            db,
            owns_db,
            _serial: serial,
        };
        let start = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "tauri-driver did not listen"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        driver
    }

    /// The database file the app of this driver uses.
    pub fn db(&self) -> &Path {
        &self.db
    }

    /// Opens a WebDriver session on a fresh instance of the app.
    pub async fn session(&self) -> Client {
        self.session_of(&app_binary()).await
    }

    /// Opens a WebDriver session on a fresh instance of the Tauri app at `app`.
    pub async fn session_of(&self, app: &Path) -> Client {
        assert!(app.exists(), "app binary not found at {}", app.display());
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), "wry".into());
        caps.insert(
            "tauri:options".into(),
            serde_json::json!({ "application": app.to_string_lossy() }),
        );
        // tauri-driver listens before its WebKitWebDriver child is ready; a session asked for
        // in that gap is cut off ("IncompleteMessage"), so a failed connect is tried again.
        let mut tries = 0;
        let client = loop {
            match ClientBuilder::native()
                .capabilities(caps.clone())
                .connect(&format!("http://127.0.0.1:{}", self.port))
                .await
            {
                Ok(c) => break c,
                Err(e) if tries < 4 => {
                    tries += 1;
                    eprintln!("WebDriver session not ready ({e}); retrying");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
                Err(e) => panic!("WebDriver session with the app: {e:?}"),
            }
        };
        // A dev-mode build loads the dev server instead of the embedded UI (toolchain.md P1).
        let url = client.current_url().await.expect("current URL");
        assert_eq!(
            url.scheme(),
            "tauri",
            "app loaded {url}: build it with `--features satchel-app/custom-protocol`"
        );
        client
    }
}

/// Waits until the element's text satisfies `pred`, and returns that text.
pub async fn wait_text(
    c: &Client,
    css: &str,
    pred: impl Fn(&str) -> bool,
) -> Result<String, fantoccini::error::CmdError> {
    let start = Instant::now();
    let mut last = String::new();
    while start.elapsed() < Duration::from_secs(15) {
        if let Ok(el) = c.find(Locator::Css(css)).await {
            last = el.text().await?;
            if pred(&last) {
                return Ok(last);
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("timed out waiting on {css}; last text: {last:?}");
}

/// Saves a screenshot as `target/e2e-<name>.png` so a failing run can be looked at.
pub async fn screenshot(c: &Client, name: &str) {
    // The DOM updates before WebKit repaints (toolchain.md P7).
    tokio::time::sleep(Duration::from_millis(500)).await;
    // Into this workspace's target directory, also when the app under test is installed.
    if let Ok(png) = c.screenshot().await {
        let _ = std::fs::write(target_dir().join(format!("e2e-{name}.png")), png);
    }
}

/// Waits until no element matches `css` (a problem that went away, a closed list).
pub async fn wait_gone(c: &Client, css: &str) -> Result<(), fantoccini::error::CmdError> {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(15) {
        if c.find_all(Locator::Css(css)).await?.is_empty() {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("timed out waiting for {css} to go away");
}

/// Waits until the input's current value (the property, not the attribute) satisfies `pred`.
pub async fn wait_value(
    c: &Client,
    css: &str,
    pred: impl Fn(&str) -> bool,
) -> Result<String, fantoccini::error::CmdError> {
    let start = Instant::now();
    let mut last = String::new();
    while start.elapsed() < Duration::from_secs(15) {
        if let Ok(el) = c.find(Locator::Css(css)).await {
            last = el.prop("value").await?.unwrap_or_default();
            if pred(&last) {
                return Ok(last);
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("timed out waiting on the value of {css}; last: {last:?}");
}

/// What a phone-sized window shows: the page's width, the viewport's, and the elements that
/// stick out on the right (empty when the page fits).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhoneFit {
    pub content: u64,
    pub viewport: u64,
    /// `tag#id.class` of the first elements past the right edge or with content wider than
    /// the viewport, to say what to fix.
    pub sticking_out: Vec<String>,
}

/// Resizes the window to a phone's width (390 px) and measures the page; the window is put
/// back to 1024 × 720 afterwards.
pub async fn phone_fit(c: &Client, name: &str) -> Result<PhoneFit, fantoccini::error::CmdError> {
    c.set_window_size(390, 844).await?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let v = c
        .execute(
            "const w = window.innerWidth;
             const name = e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
               + (typeof e.className === 'string' && e.className.trim()
                   ? '.' + e.className.trim().replace(/ +/g, '.') : '');
             const all = [...document.querySelectorAll('body *')].filter(e => e.offsetParent !== null);
             const past = all.filter(e => e.getBoundingClientRect().right > w + 1).map(e => 'past edge: ' + name(e));
             const wide = all.filter(e => e.scrollWidth > w).map(e => 'content ' + e.scrollWidth + ' px: ' + name(e));
             return [document.documentElement.scrollWidth, w, past.concat(wide).slice(0, 12)];",
            vec![],
        )
        .await?;
    let fit = PhoneFit {
        content: v[0].as_u64().unwrap_or(u64::MAX),
        viewport: v[1].as_u64().unwrap_or(0),
        sticking_out: v[2]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|e| e.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default(),
    };
    screenshot(c, name).await;
    c.set_window_size(1024, 720).await?;
    Ok(fit)
}
