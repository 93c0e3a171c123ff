//! The `satchel-hub` command itself: `default-config` prints a usable, secret-free config, and
//! `serve` with nothing but a port chosen runs on a SQLite file in its working directory.

use std::process::{Child, Command, Stdio};

use reqwest::StatusCode;
use satchel_hub::HubConfig;

const BIN: &str = env!("CARGO_BIN_EXE_satchel-hub");

#[test]
fn default_config_prints_the_defaults_without_secrets() {
    let out = Command::new(BIN)
        .arg("default-config")
        .env(
            "SATCHEL_HUB_TOKEN_SIGNING_KEY",
            "leaky-leaky-leaky-leaky-leaky-leaky",
        )
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.contains("leaky"));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("hub.toml");
    std::fs::write(&file, &text).unwrap();
    let cfg = HubConfig::load(Some(&file), Vec::new()).unwrap();
    assert_eq!(cfg, HubConfig::default());
}

/// Kills the child it holds (by its own pid) when the test ends, pass or fail.
struct Hub(Child);

impl Drop for Hub {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn serve_without_configuration_runs_on_a_local_sqlite_file() {
    let dir = tempfile::tempdir().unwrap();
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let mut cmd = Command::new(BIN);
    cmd.arg("serve")
        .current_dir(dir.path())
        .env("SATCHEL_HUB_LISTEN", format!("127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    for (k, _) in std::env::vars() {
        if k.starts_with("SATCHEL_HUB_") && k != "SATCHEL_HUB_LISTEN" {
            cmd.env_remove(k);
        }
    }
    let _hub = Hub(cmd.spawn().unwrap());

    let http = reqwest::Client::new();
    let url = format!("http://127.0.0.1:{port}/v0/accounts");
    let body = serde_json::json!({
        "device_label": "laptop",
        "device_secret": crate::common::b64(&[9u8; 32]),
    });
    let mut status = None;
    // Wait for the listener (not a timing assertion: it only bounds how long we wait).
    for _ in 0..200 {
        match http.post(&url).json(&body).send().await {
            Ok(r) => {
                status = Some(r.status());
                break;
            }
            Err(_) => tokio::time::sleep(std::time::Duration::from_millis(50)).await,
        }
    }
    assert_eq!(status, Some(StatusCode::CREATED));
    assert!(dir.path().join("satchel-hub.sqlite3").exists());
}
