//! Recovery with the phrase on a brand-new device (issue #6): every device of the account is
//! lost, and a fresh device holding only the 24 words signs back in and gets the synced
//! records back; a phrase the hub knows no account for gets nothing. A real hub runs
//! in-process on a temporary SQLite file over loopback HTTP; devices are real store files with
//! their own keychains (in memory).
//!
//! Run inside the throwaway keyrings:
//! `cargo test -p satchel-sync --test sync_recovery`

use std::sync::{Arc, Mutex};
use std::time::Duration;

use satchel_core::model::Party;
use satchel_crypto::AccountKey;
use satchel_hub::{HubConfig, RunningHub};
use satchel_hub_sqlite::SqliteStorage;
use satchel_keychain::MemorySecrets;
use satchel_store::StoreAccess;
use satchel_store::{ContactInput, ContactKind, Store};
use satchel_sync::{SyncConfig, SyncError, Syncer};
use tempfile::TempDir;

struct Hub {
    running: RunningHub,
    _dir: TempDir,
}

async fn start_hub() -> Hub {
    let dir = tempfile::tempdir().unwrap();
    let storage = SqliteStorage::open(dir.path().join("hub.sqlite3")).unwrap();
    let mut config = HubConfig::default();
    config.rate.per_ip_burst = 0;
    // Tests make many accounts from one address; the sign-up cap has its own test.
    config.accounts.per_network_per_day = 0;
    config.rate.per_device_burst = 0;
    Hub {
        running: RunningHub::start(config, Arc::new(storage)).await.unwrap(),
        _dir: dir,
    }
}

struct Device {
    store: Arc<Mutex<Store>>,
    sync: Syncer<Mutex<Store>>,
    _dir: TempDir,
}

impl Device {
    /// A device with its own store file and its own (in-memory) keychain.
    fn new(hub: &Hub) -> Device {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(Mutex::new(
            Store::open(dir.path().join("satchel.db")).unwrap(),
        ));
        // Each device's keychain, in memory: the phrase alone must bring a device back.
        let keychain = MemorySecrets::default();
        let mut config = SyncConfig::new(hub.running.base_url());
        config.timeout = Duration::from_secs(20);
        let sync = Syncer::new(store.clone(), keychain, config).unwrap();
        Device {
            store,
            sync,
            _dir: dir,
        }
    }

    fn add(&self, name: &str) {
        self.store.with_store(|s| {
            s.create_contact(ContactInput {
                kind: ContactKind::Recipient,
                party: Party {
                    name: name.into(),
                    lines: vec!["1-2-3 Ginza".into()],
                    country: "JP".into(),
                    ..Party::default()
                },
                notes: String::new(),
                tags: Vec::new(),
                is_default: false,
            })
            .unwrap();
        });
    }

    fn names(&self) -> Vec<String> {
        let mut v: Vec<String> = self.store.with_store(|s| {
            s.all_contacts(ContactKind::Recipient)
                .unwrap()
                .into_iter()
                .map(|c| c.input.party.name)
                .collect()
        });
        v.sort();
        v
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fresh_device_with_only_the_phrase_gets_the_account_back() {
    let hub = start_hub().await;
    let a = Device::new(&hub);
    let phrase = a.sync.create_account("laptop").await.unwrap();
    a.add("Akiko Sato");
    a.sync.sync_now().await.unwrap();
    let account = a.sync.status().unwrap().account_id.unwrap();

    // Every device is lost. A new one has nothing but the words.
    let c = Device::new(&hub);

    // A valid phrase of a key the hub knows nothing of is refused, and links nothing.
    let stranger = satchel_crypto::to_phrase(&AccountKey::from_bytes([0x5A; 32]));
    let err = c
        .sync
        .recover_with_phrase(stranger.as_str(), "new phone")
        .await
        .unwrap_err();
    assert!(matches!(err, SyncError::WrongPhrase), "{err}");
    // A miscopied word is caught on the device, before anything is sent.
    let mut words: Vec<&str> = phrase.words().collect();
    words[5] = "zzzz";
    let err = c
        .sync
        .recover_with_phrase(&words.join(" "), "new phone")
        .await
        .unwrap_err();
    assert!(matches!(err, SyncError::Phrase(_)), "{err}");
    assert!(!c.sync.status().unwrap().linked);
    assert!(c.names().is_empty());

    // The right words, typed carelessly, bring the account back.
    c.sync
        .recover_with_phrase(&phrase.as_str().to_uppercase(), "new phone")
        .await
        .unwrap();
    let st = c.sync.status().unwrap();
    assert!(st.linked);
    assert_eq!(st.account_id, Some(account));
    c.sync.sync_now().await.unwrap();
    assert_eq!(c.names(), ["Akiko Sato"]);

    // The recovered device is a full member: its changes reach the others, and it lists (so
    // can revoke) the lost devices.
    c.add("Hiroshi Tanaka");
    c.sync.sync_now().await.unwrap();
    a.sync.sync_now().await.unwrap();
    assert_eq!(a.names(), ["Akiko Sato", "Hiroshi Tanaka"]);
    let devices = c.sync.devices().await.unwrap();
    assert_eq!(devices.len(), 2);
    assert!(devices.iter().any(|d| d.current && d.label == "new phone"));

    // Recovering onto a linked device is refused; re-registering the verifier is harmless.
    let err = c
        .sync
        .recover_with_phrase(phrase.as_str(), "again")
        .await
        .unwrap_err();
    assert!(matches!(err, SyncError::AlreadyLinked), "{err}");
    c.sync.enable_recovery().await.unwrap();
    let d = Device::new(&hub);
    d.sync
        .recover_with_phrase(phrase.as_str(), "tablet")
        .await
        .unwrap();
    d.sync.sync_now().await.unwrap();
    assert_eq!(d.names(), ["Akiko Sato", "Hiroshi Tanaka"]);
}
