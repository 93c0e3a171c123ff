//! Crash safety of bulk import: the real `satchel` binary is killed with SIGKILL at random
//! moments while it imports, at least 50 times, and after every kill the database must open,
//! pass `PRAGMA integrity_check`, and hold either none or all of the file — never part of it,
//! never a row twice. (A import is one transaction; this shows it on a real file.)

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use satchel_store::{ContactKind, Store};

const ROWS: usize = 3_000;
/// Kills that must land while the importer is running.
const KILLS: usize = 50;
/// Give up (and fail) after this many attempts.
const MAX_ROUNDS: usize = 150;

fn big_csv(path: &Path) {
    let mut s = String::from("name,address,city,country,phone,tags\n");
    for i in 0..ROWS {
        s.push_str(&format!(
            "客戶{i} Customer {i},{i} 彌敦道 Nathan Road,Kowloon,HK,9{i:07},vip\n"
        ));
    }
    std::fs::write(path, s).unwrap();
}

fn import(db: &Path, csv: &Path) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_satchel"))
        .arg("--db")
        .arg(db)
        .args(["contacts", "import", "--duplicates", "keep-existing"])
        .arg(csv)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("satchel starts")
}

/// A small deterministic generator (splitmix64): the kill times vary run to run by seed,
/// and a failing seed is printed so it can be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// What the database holds after a kill; panics if it is damaged or inconsistent.
fn check(db: &Path, seed: u64, round: usize) -> usize {
    let store = Store::open(db).unwrap_or_else(|e| panic!("seed {seed} round {round}: {e}"));
    let c = store.connection();
    let ok: String = c
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok", "seed {seed} round {round}");
    let dups: i64 = c
        .query_row(
            "SELECT count(*) FROM (SELECT 1 FROM contacts WHERE deleted = 0
             GROUP BY kind, dedupe_key HAVING count(*) > 1)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(dups, 0, "seed {seed} round {round}: duplicate contacts");
    let n = store.count_contacts(ContactKind::Recipient).unwrap();
    // Every stored contact has exactly its one change-log row and its two index entries.
    let logged: i64 = c
        .query_row("SELECT count(*) FROM change_log", [], |r| r.get(0))
        .unwrap();
    assert_eq!(
        logged as usize, n,
        "seed {seed} round {round}: change log out of step"
    );
    let indexed: i64 = c
        .query_row("SELECT count(*) FROM contact_words('vip')", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(
        indexed as usize, n,
        "seed {seed} round {round}: search index out of step"
    );
    assert!(
        n == 0 || n == ROWS,
        "seed {seed} round {round}: partial import of {n} rows"
    );
    n
}

#[test]
fn killing_an_import_at_random_moments_never_leaves_a_partial_or_duplicate_row() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("contacts.csv");
    big_csv(&csv);
    // How long a whole import takes here, so kills spread over its whole run.
    let timing_db = dir.path().join("timing.db");
    let started = Instant::now();
    assert!(import(&timing_db, &csv).wait().unwrap().success());
    let full = started.elapsed();
    let seed = std::env::var("SATCHEL_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| u64::from(std::process::id()));
    let mut rng = Rng(seed);
    let db = dir.path().join("satchel.db");
    let (mut interrupted, mut completed, mut rounds) = (0, 0, 0);
    while interrupted < KILLS && rounds < MAX_ROUNDS {
        let round = rounds;
        rounds += 1;
        let delay_ms = rng.next() % (full.as_millis() as u64 + 1);
        let mut child = import(&db, &csv);
        std::thread::sleep(Duration::from_millis(delay_ms));
        let running = child.try_wait().unwrap().is_none();
        child.kill().ok(); // SIGKILL on Unix
        child.wait().unwrap();
        let n = check(&db, seed, round);
        if running {
            interrupted += 1;
        }
        if n == ROWS {
            completed += 1;
            // Start again from an empty file so later kills land in a real import.
            for ext in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{ext}", db.display()));
            }
        }
    }
    eprintln!(
        "seed {seed}: {interrupted} of {rounds} kills hit a running import; \
         {completed} imports had finished"
    );
    assert!(
        interrupted >= KILLS,
        "only {interrupted} kills hit a running import (seed {seed})"
    );
}
