//! `satchel rates update | list | diff | load` against a real HTTP server standing in for the
//! operator's open data (issue #16), and a check killed with SIGKILL at random moments.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use satchel_core::rates::BUNDLED;
use satchel_fixtures::http::{FileServer, Reply};
use satchel_fixtures::tariffs::{e_express_with_italy_2024, letter_revision_2022, EXP, ORD};
use satchel_store::Store;

fn satchel(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_satchel"))
        .arg("--db")
        .arg(db)
        .args(args)
        .output()
        .expect("satchel runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The operator's folder with every bundled file, ORD and EXP replaced by newer versions.
fn operator() -> FileServer {
    let server = FileServer::start();
    for (name, json) in BUNDLED {
        let body = match name {
            ORD => letter_revision_2022(),
            EXP => e_express_with_italy_2024(),
            _ => json.to_owned(),
        };
        server.set(&format!("/opendata/{name}"), Reply::File(body.into_bytes()));
    }
    server
}

#[test]
fn update_keeps_the_new_tariffs_lists_where_they_came_from_and_diff_says_what_moved() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("satchel.db");
    let server = operator();
    let base = server.url("/opendata");

    let o = satchel(&db, &["rates", "update", "--base-url", &base]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let said = stdout(&o);
    assert!(
        said.contains("new tariff of 2022-09-26: 1 changes"),
        "{said}"
    );
    assert!(
        said.contains("new tariff of 2024-01-02: 1 changes"),
        "{said}"
    );
    assert!(said.contains("TW TAIWAN"), "{said}");

    // The address is kept: a second check needs no --base-url, and answers 304 throughout.
    let again = satchel(&db, &["--json", "rates", "update"]);
    let v: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(v["base_url"], base.as_str());
    let outcomes: Vec<&str> = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["outcome"].as_str().unwrap())
        .collect();
    assert!(outcomes.iter().all(|o| *o == "unchanged"), "{outcomes:?}");

    let list = satchel(&db, &["--json", "rates", "list", "--date", "2026-12-05"]);
    let v: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    let fetched: Vec<&serde_json::Value> = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["source"] == "fetched")
        .collect();
    assert_eq!(fetched.len(), 2, "{v}");
    let bundled_ord = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == ORD && f["source"] == "bundled")
        .unwrap();
    assert_eq!(bundled_ord["in_force"], "no");
    assert!(bundled_ord["superseded"].is_string());

    let diff = satchel(
        &db,
        &["rates", "diff", "--service", "air_mail.small_letter"],
    );
    let text = stdout(&diff);
    assert!(
        text.contains("air_mail.small_letter: 2021-12-06 → 2022-09-26, 1 changes"),
        "{text}"
    );
    assert!(
        text.contains("TW TAIWAN: 0–20 g: HK$3.40 → HK$3.70 (+0.30)"),
        "{text}"
    );

    // A quote from the terminal uses the kept tariff, as the app does.
    let quote = satchel(
        &db,
        &[
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
        ],
    );
    let q: serde_json::Value = serde_json::from_slice(&quote.stdout)
        .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&quote.stderr)));
    assert_eq!(q["quote"]["estimate"], "3.70", "{q}");
}

#[test]
fn a_loaded_file_is_kept_and_a_malformed_one_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("satchel.db");
    let bad = dir.path().join("broken.json");
    std::fs::write(
        &bad,
        "{\"data\": [], \"lastUpdateDate\": \"2026-01-01 00:00:00\"}",
    )
    .unwrap();
    let o = satchel(&db, &["rates", "load", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(Store::open(&db).unwrap().tariff_files().unwrap().is_empty());

    let good = dir.path().join("ord-2022.json");
    std::fs::write(&good, letter_revision_2022()).unwrap();
    let o = satchel(&db, &["rates", "load", good.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("Kept in the database"),
        "{}",
        stdout(&o)
    );
    let o = satchel(&db, &["rates", "load", good.to_str().unwrap()]);
    assert!(stdout(&o).contains("Not kept"), "{}", stdout(&o));
    let kept = Store::open(&db).unwrap().tariff_files().unwrap();
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].name, "ord-2022.json");
}

/// The kept files after a kill; panics if the database is damaged or holds part of a check.
fn kept(db: &Path, seed: u64, round: usize) -> usize {
    let store = Store::open(db).unwrap_or_else(|e| panic!("seed {seed} round {round}: {e}"));
    let ok: String = store
        .connection()
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok", "seed {seed} round {round}");
    let n = store.tariff_files().unwrap().len();
    assert!(
        n == 0 || n == 2,
        "seed {seed} round {round}: {n} of the check's 2 files kept"
    );
    n
}

#[test]
fn killing_an_update_at_random_moments_keeps_the_previous_tariffs_or_all_the_new_ones() {
    let dir = tempfile::tempdir().unwrap();
    let server = operator();
    let base = server.url("/opendata");
    let update = |db: &Path| {
        Command::new(env!("CARGO_BIN_EXE_satchel"))
            .arg("--db")
            .arg(db)
            .args(["rates", "update", "--base-url", &base])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("satchel starts")
    };
    let timing = dir.path().join("timing.db");
    let started = Instant::now();
    assert!(update(&timing).wait().unwrap().success());
    let full = started.elapsed().as_millis() as u64;
    let seed = std::env::var("SATCHEL_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| u64::from(std::process::id()));
    // splitmix64: kill times vary by seed; a failing seed is printed and replays.
    let mut state = seed;
    let mut next = move || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    let db = dir.path().join("satchel.db");
    let (mut interrupted, mut rounds) = (0, 0);
    while interrupted < 20 && rounds < 80 {
        let round = rounds;
        rounds += 1;
        let mut child = update(&db);
        std::thread::sleep(Duration::from_millis(next() % (full + 1)));
        let running = child.try_wait().unwrap().is_none();
        child.kill().ok(); // SIGKILL on Unix
        child.wait().unwrap();
        if running {
            interrupted += 1;
        }
        if kept(&db, seed, round) == 2 {
            // Start again from an empty file so later kills land in a real update.
            for ext in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{ext}", db.display()));
            }
        }
    }
    eprintln!("seed {seed}: {interrupted} of {rounds} kills hit a running update");
    assert!(
        interrupted >= 20,
        "only {interrupted} kills hit (seed {seed})"
    );
}
