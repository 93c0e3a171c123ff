//! `satchel sync` as a merchant's terminal runs it: the real binary on two database files (two
//! "devices", each with its own keychain profile) and a real sync hub on loopback. A contact made
//! on the first device arrives on the second once it has joined with the pairing code.
//!
//! Run under `crates/satchel-keychain/tests/with-keyring.sh` (as `cargo xtask test` does): the
//! account key and the device credentials go to a throwaway keychain.
// Needs outside services or tools (a keyring, CUPS, PostgreSQL, zbarimg, a CJK font):
// `cargo xtask test` turns the feature on and starts them.
#![cfg(feature = "system-tests")]

use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::Arc;

use satchel_hub::{HubConfig, RunningHub};
use satchel_hub_sqlite::SqliteStorage;
use satchel_store::{ContactInput, ContactKind, Store};

struct Device {
    db: PathBuf,
    profile: String,
}

impl Device {
    fn new(dir: &Path, name: &str) -> Device {
        Device {
            db: dir.join(format!("{name}.db")),
            profile: format!("sync-cli-{name}-{}", std::process::id()),
        }
    }

    fn run(&self, args: &[&str]) -> Output {
        self.run_with_stdin(args, "")
    }

    /// Runs with `input` on stdin (where the recovery phrase is read from).
    fn run_with_stdin(&self, args: &[&str], input: &str) -> Output {
        crate::common::satchel(&self.db, &self.profile, args, input)
    }

    /// Runs and expects exit 0; returns stdout.
    fn ok(&self, args: &[&str]) -> String {
        self.ok_with_stdin(args, "")
    }

    /// Runs with `input` on stdin and expects exit 0; returns stdout.
    fn ok_with_stdin(&self, args: &[&str], input: &str) -> String {
        let out = self.run_with_stdin(args, input);
        assert!(
            out.status.success(),
            "satchel {args:?} exited {:?}\nstdout: {}\nstderr: {}",
            out.status.code(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("UTF-8 output")
    }
}

#[test]
fn a_contact_from_one_device_reaches_a_second_joined_by_code() {
    let dir = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut config = HubConfig::default();
    config.rate.per_ip_burst = 0;
    // Tests make many accounts from one address; the sign-up cap has its own test.
    config.accounts.per_network_per_day = 0;
    config.rate.per_device_burst = 0;
    let storage = Arc::new(SqliteStorage::open(dir.path().join("hub.sqlite3")).unwrap());
    let hub = rt
        .block_on(RunningHub::start(config, storage))
        .expect("the hub starts");
    let url = hub.base_url();

    let a = Device::new(dir.path(), "a");
    let b = Device::new(dir.path(), "b");
    {
        let mut store = Store::open(&a.db).unwrap();
        store
            .create_contact(ContactInput {
                kind: ContactKind::Recipient,
                party: satchel_fixtures::tokyo_recipient("陳小明 Sync Test"),
                notes: String::new(),
                tags: vec![],
                is_default: false,
            })
            .unwrap();
    }

    // A has a newer tariff, loaded from a file (issue #16); B will never see the operator.
    let tariff = dir.path().join("ORD-2022.json");
    std::fs::write(&tariff, satchel_fixtures::tariffs::letter_revision_2022()).unwrap();
    a.ok(&["rates", "load", tariff.to_str().unwrap()]);

    let created = a.ok(&["sync", "create", "--hub", &url, "--label", "shop laptop"]);
    let words = created
        .lines()
        .map(str::trim)
        .find(|l| l.split(' ').count() == 24)
        .unwrap_or_else(|| panic!("a 24-word recovery phrase in:\n{created}"));
    assert!(words.chars().all(|c| c.is_ascii_lowercase() || c == ' '));
    a.ok(&["sync", "now"]);
    let status = a.ok(&["--json", "sync", "status"]);
    let status: serde_json::Value = serde_json::from_str(status.trim()).unwrap();
    assert_eq!(status["pending"], 0, "{status}");
    assert_eq!(status["linked"], true, "{status}");

    let offer = a.ok(&["--json", "sync", "pair", "--label", "market phone"]);
    let offer: serde_json::Value = serde_json::from_str(offer.trim()).unwrap();
    let code = offer["code"].as_str().expect("a pairing code").to_owned();

    // Before joining, B has nothing; after, the contact is there.
    let before = b.run(&["contacts", "search", "陳小明"]);
    assert!(!String::from_utf8_lossy(&before.stdout).contains("Sync Test"));
    // The code is typed (stdin), never an argument that `ps` would show. It brings no key: B
    // waits, showing a fingerprint, until A approves the device that shows the same.
    let waiting = b.ok_with_stdin(
        &[
            "--json",
            "sync",
            "join",
            "--hub",
            &url,
            "--label",
            "market phone",
        ],
        &format!("{code}\n"),
    );
    let waiting: serde_json::Value = serde_json::from_str(waiting.trim()).unwrap();
    let fingerprint = waiting["awaiting_approval"]
        .as_str()
        .expect("a fingerprint")
        .to_owned();
    let status = b.ok(&["--json", "sync", "status"]);
    let status: serde_json::Value = serde_json::from_str(status.trim()).unwrap();
    assert_eq!(status["linked"], false, "{status}");
    assert_eq!(
        status["awaiting_approval"],
        fingerprint.as_str(),
        "{status}"
    );
    assert!(b.ok(&["sync", "status"]).contains(&fingerprint));
    let still = b.run(&["contacts", "search", "陳小明"]);
    assert!(!String::from_utf8_lossy(&still.stdout).contains("Sync Test"));
    let asking = a.ok(&["--json", "sync", "approve"]);
    let asking: serde_json::Value = serde_json::from_str(asking.trim()).unwrap();
    assert_eq!(asking[0]["fingerprint"], fingerprint.as_str(), "{asking}");
    let id = asking[0]["device_id"].as_str().unwrap().to_owned();
    a.ok(&["sync", "approve", &id, &fingerprint]);
    let joined = b.ok(&["sync", "now"]);
    let found = b.ok(&["contacts", "search", "陳小明"]);
    assert!(found.contains("陳小明 Sync Test"), "{found}");

    // The tariff came with it: B says so, lists where it came from and prices with it.
    assert!(
        joined.contains("tariff received from another device: ORD-2022.json of 2022-09-26"),
        "{joined}"
    );
    let list = b.ok(&["rates", "list", "--date", "2026-12-05"]);
    assert!(list.contains("from another device"), "{list}");
    let letter = |d: &Device| {
        let q = d.ok(&[
            "--json",
            "quote",
            "--service",
            "air_mail.small_letter",
            "--to",
            "TW",
            "--weight",
            "20g",
            "--category",
            "documents",
        ]);
        serde_json::from_str::<serde_json::Value>(q.trim()).unwrap()["quote"]["estimate"].clone()
    };
    assert_eq!(letter(&b), "3.70");
    assert_eq!(letter(&b), letter(&a));
    let devices = b.ok(&["--json", "sync", "devices"]);
    assert_eq!(devices.matches("\"device_id\"").count(), 2, "{devices}");

    // The same code does not link a third device.
    let c = Device::new(dir.path(), "c");
    let again = c.run_with_stdin(&["sync", "join", "--hub", &url], &code);
    assert!(!again.status.success());

    // Every device lost: a new one gets back in with the phrase alone, and a wrong phrase
    // (one word changed) gets nothing.
    let mut wrong: Vec<&str> = words.split(' ').collect();
    wrong[3] = if wrong[3] == "abandon" {
        "ability"
    } else {
        "abandon"
    };
    let refused = c.run_with_stdin(&["sync", "recover", "--hub", &url], &wrong.join(" "));
    assert!(!refused.status.success());
    let out = c.run_with_stdin(
        &["sync", "recover", "--hub", &url, "--label", "new laptop"],
        words,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let found = c.ok(&["contacts", "search", "陳小明"]);
    assert!(found.contains("陳小明 Sync Test"), "{found}");
    drop(hub);
}
