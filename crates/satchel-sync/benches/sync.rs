//! How fast a new device catches up: the initial sync of a large address book over loopback,
//! through a real hub on a SQLite file, decrypting and merging every record. Prints figures;
//! asserts only that everything arrived.
//!
//! `SATCHEL_SYNC_BENCH_RECORDS` sets the number of records (default 100,000). The devices keep
//! their keys in memory (`MemorySecrets`), so no keychain is needed:
//!
//! ```text
//! cargo bench -p satchel-sync --bench sync
//! SATCHEL_SYNC_BENCH_RECORDS=2000 cargo test -p satchel-sync --bench sync   # quick, unoptimised
//! ```

use std::fmt::Write as _;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use satchel_hub::{HubConfig, RunningHub};
use satchel_hub_sqlite::SqliteStorage;
use satchel_keychain::MemorySecrets;
use satchel_store::csv_io::{DuplicatePolicy, Table};
use satchel_store::StoreAccess;
use satchel_store::{ContactKind, Store};
use satchel_sync::{Progress, SyncConfig, Syncer};

fn device(
    dir: &tempfile::TempDir,
    name: &str,
    url: &str,
) -> (Arc<Mutex<Store>>, Syncer<Mutex<Store>>) {
    let store = Arc::new(Mutex::new(Store::open(dir.path().join(name)).unwrap()));
    let keychain = MemorySecrets::default();
    let config = SyncConfig::new(url);
    let sync = Syncer::new(store.clone(), keychain, config).unwrap();
    (store, sync)
}

fn rate(n: usize, secs: f64) -> String {
    format!("{:.0} records/s", n as f64 / secs.max(1e-9))
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let n: usize = std::env::var("SATCHEL_SYNC_BENCH_RECORDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile::tempdir().unwrap();
    let mut config = HubConfig::default();
    config.rate.per_ip_burst = 0;
    // Tests make many accounts from one address; the sign-up cap has its own test.
    config.accounts.per_network_per_day = 0;
    config.rate.per_device_burst = 0;
    let storage = Arc::new(SqliteStorage::open(dir.path().join("hub.sqlite3")).unwrap());
    let hub = RunningHub::start(config, storage).await.unwrap();
    let url = hub.base_url();

    // The first device: an address book of n contacts, imported in one transaction.
    let (a_store, a) = device(&dir, "laptop.db", &url);
    a.create_account("laptop").await.unwrap();
    let mut csv = String::from("Name,Address,City,Country\n");
    for i in 0..n {
        let _ = writeln!(csv, "Recipient {i:07},{i} Nathan Road,Kowloon,HK");
    }
    let t = Instant::now();
    let imported = a_store
        .with_store(|s| {
            s.import(
                Table::Contacts,
                &csv,
                None,
                DuplicatePolicy::KeepExisting,
                None,
                &mut |_, _| {},
            )
        })
        .unwrap()
        .imported;
    assert_eq!(imported, n, "every row imports");
    eprintln!(
        "setup: imported {n} contacts in {:.1} s",
        t.elapsed().as_secs_f64()
    );

    let t = Instant::now();
    let pushed = a.sync_now().await.unwrap().pushed;
    let push_secs = t.elapsed().as_secs_f64();
    assert_eq!(pushed, n);

    // A new device links and does its cold initial sync, page by page.
    let (b_store, b) = device(&dir, "phone.db", &url);
    let offer = a.offer_pairing("phone").await.unwrap();
    b.join_with_code(&offer.qr_payload).await.unwrap();
    let t = Instant::now();
    let mut pages = 0usize;
    let report = b
        .sync_with_progress(&mut |p| {
            if matches!(p, Progress::Pulled { .. }) {
                pages += 1;
            }
        })
        .await
        .unwrap();
    let pull_secs = t.elapsed().as_secs_f64();
    let got = b_store.with_store(|s| s.count_contacts(ContactKind::Recipient).unwrap());
    assert_eq!(got, n, "the new device has every contact");

    println!("sync bench ({n} records, loopback, SQLite hub)");
    println!(
        "  push from the first device:   {push_secs:8.2} s  {}",
        rate(n, push_secs)
    );
    println!(
        "  initial sync of a new device: {pull_secs:8.2} s  {}  ({pages} pages, {} merged)",
        rate(report.pulled, pull_secs),
        report.pulled
    );
    hub.stop().await.unwrap();
}
