//! Test harness shared by Satchel's cross-crate tests: starting the real app under
//! tauri-driver and talking WebDriver to its window.
//!
//! Lives in a library so every end-to-end test gets the same careful process handling
//! (free ports, SIGTERM so WebKitWebDriver dies with its parent; toolchain.md P6).
#![forbid(unsafe_code)]

use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};

/// A running tauri-driver; dropping it stops the driver, WebKitWebDriver and the app.
#[derive(Debug)]
pub struct Driver {
    child: Child,
    port: u16,
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
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free local port")
}

/// The built app: `SATCHEL_APP_BIN`, or `target/debug/satchel-app` of this workspace.
pub fn app_binary() -> PathBuf {
    if let Some(p) = std::env::var_os("SATCHEL_APP_BIN") {
        return p.into();
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    target.join("debug").join("satchel-app")
}

impl Driver {
    pub fn start() -> Driver {
        // A failed test poisons the lock; the next one may still run.
        let serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
        assert!(
            std::env::var_os("DISPLAY").is_some(),
            "no DISPLAY: run through `cargo xtask test` (it uses xvfb-run)"
        );
        let (port, native_port) = (free_port(), free_port());
        let child = Command::new(std::env::var("TAURI_DRIVER").unwrap_or("tauri-driver".into()))
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

    /// Opens a WebDriver session on a fresh instance of the app.
    pub async fn session(&self) -> Client {
        let app = app_binary();
        assert!(app.exists(), "app binary not found at {}", app.display());
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), "wry".into());
        caps.insert(
            "tauri:options".into(),
            serde_json::json!({ "application": app.to_string_lossy() }),
        );
        let client = ClientBuilder::native()
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{}", self.port))
            .await
            .expect("WebDriver session with the app");
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

/// Saves a screenshot under `target/` so a failing run can be looked at.
pub async fn screenshot(c: &Client, name: &str) {
    // The DOM updates before WebKit repaints (toolchain.md P7).
    tokio::time::sleep(Duration::from_millis(500)).await;
    if let Ok(png) = c.screenshot().await {
        let dir = app_binary()
            .parent()
            .and_then(|p| p.parent())
            .map(PathBuf::from);
        if let Some(dir) = dir {
            let _ = std::fs::write(dir.join(format!("e2e-{name}.png")), png);
        }
    }
}
