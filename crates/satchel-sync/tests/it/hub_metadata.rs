//! What the hub can see (issue #18). Two accounts with different mixes sync through a real hub:
//! A, a laptop and a paired phone with many contacts (some with long notes, some edited, some
//! deleted); B, a tablet with shipments, a product and a contact, and a phone recovered with
//! the phrase. Then every row of the hub's `records` and `devices` tables is read back through
//! the storage's own API, and the whole database is searched (every byte of the SQLite files;
//! every row of every table of the PostgreSQL schema, as text). Neither may hold an entity
//! name, a record id, an HLC, a device's own id or a device label in clear (nor their hex), and
//! every ciphertext must be one of the bucket sizes. A record an older Satchel wrote (format 1,
//! names in clear) is still read, and its next edit goes out sealed.
//!
//! `cargo test -p satchel-sync --test it hub_metadata` runs the SQLite hub; the PostgreSQL twin
//! needs `--features system-tests` and `SATCHEL_TEST_PG_URL` (`cargo xtask test` sets both).

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use satchel_core::model::Party;
use satchel_crypto::label::SEALED_LABEL_PREFIX;
use satchel_crypto::opaque::{BUCKETS, OPAQUE_ENTITY};
use satchel_crypto::{AccountKey, RecordMeta};
use satchel_hub::{HubConfig, RunningHub};
use satchel_hub_core::HubStorage;
#[cfg(feature = "system-tests")]
use satchel_hub_postgres::PostgresStorage;
use satchel_hub_sqlite::SqliteStorage;
use satchel_keychain::{MemorySecrets, SecretStore};
use satchel_store::{
    Assessment, Change, ContactInput, ContactKind, ShipmentDraft, ShipmentFilter, Store,
    StoreAccess,
};
use satchel_sync::{SyncConfig, Syncer};
use satchel_sync_proto as proto;
use tempfile::TempDir;
use uuid::Uuid;

// ---- the hub --------------------------------------------------------------------------------

/// A hub in-process over loopback, with its storage kept at hand for reading it back.
struct TestHub {
    running: RunningHub,
    storage: Arc<dyn HubStorage>,
    /// The SQLite file's directory (every byte of it is searched).
    dir: Option<TempDir>,
    /// The PostgreSQL schema (every row of it is searched).
    schema: Option<String>,
}

impl TestHub {
    async fn sqlite() -> TestHub {
        let dir = tempfile::tempdir().unwrap();
        let storage: Arc<dyn HubStorage> =
            Arc::new(SqliteStorage::open(dir.path().join("hub.sqlite3")).unwrap());
        TestHub::start(storage, Some(dir), None).await
    }

    #[cfg(feature = "system-tests")]
    async fn postgres() -> TestHub {
        let schema = format!("h_{}", Uuid::now_v7().simple());
        let storage: Arc<dyn HubStorage> = Arc::new(
            PostgresStorage::connect_in_schema(&pg_url(), &schema, 4)
                .await
                .expect("connecting to SATCHEL_TEST_PG_URL"),
        );
        TestHub::start(storage, None, Some(schema)).await
    }

    async fn start(
        storage: Arc<dyn HubStorage>,
        dir: Option<TempDir>,
        schema: Option<String>,
    ) -> TestHub {
        let mut config = HubConfig::default();
        config.rate.per_ip_burst = 0;
        // Tests make many accounts from one address; the sign-up cap has its own test.
        config.accounts.per_network_per_day = 0;
        config.rate.per_device_burst = 0;
        let running = RunningHub::start(config, storage.clone()).await.unwrap();
        TestHub {
            running,
            storage,
            dir,
            schema,
        }
    }

    fn url(&self) -> String {
        self.running.base_url()
    }

    /// Everything the hub's database holds, as bytes to search.
    async fn everything(&self) -> Vec<u8> {
        if let Some(dir) = &self.dir {
            // Database, WAL and shared memory: free pages included, stronger than any dump.
            let mut out = Vec::new();
            for entry in std::fs::read_dir(dir.path()).unwrap() {
                out.extend(std::fs::read(entry.unwrap().path()).unwrap());
            }
            return out;
        }
        schema_dump(self.schema.as_deref())
            .await
            .expect("a hub with neither a file nor a schema")
    }
}

#[cfg(feature = "system-tests")]
fn pg_url() -> String {
    std::env::var("SATCHEL_TEST_PG_URL").unwrap_or_else(|_| {
        panic!(
            "SATCHEL_TEST_PG_URL is not set. These tests need a real PostgreSQL: run \
             `cargo xtask test`, or start a throwaway cluster (toolchain.md §8.1) and export \
             SATCHEL_TEST_PG_URL=postgres://app@127.0.0.1:PORT/satchel"
        )
    })
}

/// Every row of every table of `schema`, as text (binary columns print as hex).
#[cfg(feature = "system-tests")]
async fn schema_dump(schema: Option<&str>) -> Option<Vec<u8>> {
    let schema = schema?;
    let (client, conn) = tokio_postgres::connect(&pg_url(), tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(conn);
    let tables = client
        .query(
            "SELECT table_name::text FROM information_schema.tables WHERE table_schema = $1",
            &[&schema],
        )
        .await
        .unwrap();
    assert!(!tables.is_empty(), "the schema has tables");
    let mut out = String::new();
    for t in tables {
        let name: String = t.get(0);
        out.push_str(&format!("-- {name}\n"));
        for row in client
            .query(&format!("SELECT x::text FROM {schema}.{name} x"), &[])
            .await
            .unwrap()
        {
            out.push_str(&row.get::<_, String>(0));
            out.push('\n');
        }
    }
    Some(out.into_bytes())
}

#[cfg(not(feature = "system-tests"))]
async fn schema_dump(_schema: Option<&str>) -> Option<Vec<u8>> {
    None
}

// ---- devices and accounts -------------------------------------------------------------------

struct Device {
    store: Arc<Mutex<Store>>,
    sync: Syncer<Mutex<Store>>,
    keychain: Arc<MemorySecrets>,
    _dir: TempDir,
}

impl Device {
    /// A device with its own store file and its own keychain (in memory).
    fn new(url: &str) -> Device {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(Mutex::new(
            Store::open(dir.path().join("satchel.db")).unwrap(),
        ));
        let keychain = Arc::new(MemorySecrets::default());
        let mut config = SyncConfig::new(url);
        config.timeout = Duration::from_secs(30);
        let sync = Syncer::new(store.clone(), keychain.clone(), config).unwrap();
        Device {
            store,
            sync,
            keychain,
            _dir: dir,
        }
    }

    fn with_store<T>(&self, f: impl FnOnce(&mut Store) -> T) -> T {
        self.store.with_store(f)
    }

    fn add(&self, name: &str, notes: &str) -> String {
        self.with_store(|s| s.create_contact(contact(name, notes)).unwrap().id)
    }

    fn edit(&self, id: &str, f: impl FnOnce(&mut ContactInput)) {
        self.with_store(|s| {
            let mut c = s.contact(id).unwrap().expect("the contact is live").input;
            f(&mut c);
            s.update_contact(id, c).unwrap();
        });
    }

    /// The address book: (id, name, notes), sorted.
    fn book(&self) -> Vec<(String, String, String)> {
        let mut v: Vec<_> = self.with_store(|s| {
            s.all_contacts(ContactKind::Recipient)
                .unwrap()
                .into_iter()
                .map(|c| (c.id, c.input.party.name, c.input.notes))
                .collect()
        });
        v.sort();
        v
    }

    /// This device's change log.
    fn log(&self) -> Vec<Change> {
        self.with_store(|s| s.changes_since(0, 1_000_000).unwrap())
    }

    /// What this device knows that the hub must not: its own id, and the entity, record id and
    /// HLC of every change it logged.
    fn secrets_into(&self, out: &mut BTreeSet<String>) {
        out.insert(self.with_store(|s| s.device_id().to_owned()));
        for c in self.log() {
            out.insert(c.entity.clone());
            out.insert(c.record_id.clone());
            out.insert(c.hlc.to_string());
        }
    }
}

fn contact(name: &str, notes: &str) -> ContactInput {
    ContactInput {
        kind: ContactKind::Recipient,
        party: Party {
            name: name.into(),
            lines: vec!["1-2-3 Ginza".into()],
            country: "JP".into(),
            ..Party::default()
        },
        notes: notes.into(),
        tags: Vec::new(),
        is_default: false,
    }
}

struct Account {
    id: Uuid,
    key: AccountKey,
    labels: [&'static str; 2],
    devices: Vec<Device>,
}

const LABELS_A: [&str; 2] = ["陳太太的 MacBook Air", "Shop phone, Kowloon Bay"];
const LABELS_B: [&str; 2] = ["Market stall tablet", "Replacement phone 2"];

/// A: a laptop and a paired phone, many contacts (three with notes long enough to fill the
/// three larger buckets), some edited, some deleted, one renamed on the phone.
async fn account_a(url: &str) -> Account {
    let laptop = Device::new(url);
    let phrase = laptop.sync.create_account(LABELS_A[0]).await.unwrap();
    let phone = Device::new(url);
    let offer = laptop.sync.offer_pairing(LABELS_A[1]).await.unwrap();
    phone.sync.join_with_code(&offer.qr_payload).await.unwrap();

    let ids: Vec<String> = (0..40)
        .map(|i| laptop.add(&format!("Recipient {i:02}"), ""))
        .collect();
    for (i, n) in [2_000, 9_000, 40_000].into_iter().enumerate() {
        laptop.add(&format!("Long notes {i}"), &"n".repeat(n));
    }
    for id in &ids[..5] {
        laptop.edit(id, |c| c.notes = "ring twice".into());
    }
    for id in &ids[5..7] {
        laptop.with_store(|s| s.delete_contact(id).unwrap());
    }
    laptop.sync.sync_now().await.unwrap();
    phone.sync.sync_now().await.unwrap();
    phone.edit(&ids[10], |c| c.party.name = "Recipient 10 (shop)".into());
    phone.sync.sync_now().await.unwrap();
    laptop.sync.sync_now().await.unwrap();
    assert_eq!(laptop.book().len(), 41);
    assert_eq!(
        phone.book(),
        laptop.book(),
        "both devices read every record"
    );

    Account {
        id: laptop.sync.status().unwrap().account_id.unwrap(),
        key: satchel_crypto::from_phrase(phrase.as_str()).unwrap(),
        labels: LABELS_A,
        devices: vec![laptop, phone],
    }
}

/// B: a tablet with three shipments, a product and one contact; then a phone that knows only
/// the recovery phrase (as if the tablet were lost) signs in and reads them all.
async fn account_b(url: &str) -> Account {
    let tablet = Device::new(url);
    let phrase = tablet.sync.create_account(LABELS_B[0]).await.unwrap();
    tablet.with_store(|s| {
        for n in 1..=3 {
            let draft = ShipmentDraft {
                shipment: satchel_fixtures::numbered_order(n, 400),
                recipient_id: None,
                sender_id: None,
            };
            s.create_shipment(&draft, &Assessment::default()).unwrap();
        }
        s.save_products(&satchel_fixtures::shop::catalogue()[..1])
            .unwrap();
    });
    tablet.add("Lam Siu Ming", "");
    tablet.sync.sync_now().await.unwrap();

    let phone = Device::new(url);
    phone
        .sync
        .recover_with_phrase(phrase.as_str(), LABELS_B[1])
        .await
        .unwrap();
    phone.sync.sync_now().await.unwrap();
    phone.with_store(|s| {
        let shipments = s.list_shipments(&ShipmentFilter::default()).unwrap();
        assert_eq!(shipments.len(), 3, "the shipments arrived");
        assert_eq!(s.products().unwrap().len(), 1, "the product arrived");
    });
    assert_eq!(phone.book().len(), 1);

    Account {
        id: tablet.sync.status().unwrap().account_id.unwrap(),
        key: satchel_crypto::from_phrase(phrase.as_str()).unwrap(),
        labels: LABELS_B,
        devices: vec![tablet, phone],
    }
}

// ---- what the hub holds ---------------------------------------------------------------------

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn is_opaque_id(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Every record row of the account, read through the storage API: opaque names only, sizes
/// in the buckets, each version once. Returns the sizes seen and a 1 KiB ciphertext (small
/// enough to sit whole in one database page, so the dump search can find it).
async fn check_records(hub: &TestHub, acct: &Account) -> (BTreeSet<usize>, Vec<u8>) {
    let rows = hub.storage.download(acct.id, 0, 100_000).await.unwrap();
    assert!(!rows.is_empty(), "the account's records are on the hub");
    let mut versions = BTreeSet::new();
    let mut sizes = BTreeSet::new();
    for r in &rows {
        assert_eq!(r.entity, OPAQUE_ENTITY, "a record's entity is in clear");
        assert!(
            is_opaque_id(&r.record_id),
            "a record id is not opaque: {}",
            r.record_id
        );
        assert!(
            is_opaque_id(&r.version),
            "a version is not opaque: {}",
            r.version
        );
        assert!(
            BUCKETS.contains(&r.ciphertext.len()),
            "a ciphertext of {} bytes, not one of {BUCKETS:?}",
            r.ciphertext.len()
        );
        assert!(versions.insert(r.version.clone()), "a version stored twice");
        sizes.insert(r.ciphertext.len());
    }
    // The hub can group versions by record, and no more: as many hub ids as records logged.
    let records: BTreeSet<&str> = rows.iter().map(|r| r.record_id.as_str()).collect();
    let logged: BTreeSet<(String, String)> = acct
        .devices
        .iter()
        .flat_map(Device::log)
        .map(|c| (c.entity, c.record_id))
        .collect();
    assert_eq!(records.len(), logged.len());
    let small = rows
        .iter()
        .find(|r| r.ciphertext.len() == BUCKETS[0])
        .expect("a record in the smallest bucket")
        .ciphertext
        .clone();
    (sizes, small)
}

/// Every device row of the account: sealed labels that open with the account key to what the
/// merchant typed, and the device list shows the labels typed.
async fn check_devices(hub: &TestHub, acct: &Account, every_label: &[&str]) {
    let devices = hub.storage.list_devices(acct.id).await.unwrap();
    let mut opened = Vec::new();
    for d in &devices {
        assert!(
            d.label.starts_with(SEALED_LABEL_PREFIX),
            "a device label is stored in clear"
        );
        assert!(d.label.chars().count() <= 256);
        for l in every_label {
            assert!(!d.label.contains(l), "a device label is readable");
        }
        opened.push(
            satchel_crypto::open_label(&acct.key, &d.label)
                .expect("the stored label opens with the account key"),
        );
    }
    opened.sort();
    let mut typed: Vec<String> = acct.labels.iter().map(|l| l.to_string()).collect();
    typed.sort();
    assert_eq!(opened, typed);
    let mut shown: Vec<String> = acct.devices[0]
        .sync
        .devices()
        .await
        .unwrap()
        .into_iter()
        .map(|d| d.label)
        .collect();
    shown.sort();
    assert_eq!(shown, typed, "the device list shows the labels as typed");
}

fn assert_not_in(dump: &[u8], forbidden: &BTreeSet<String>, what: &str) {
    // Lossy decoding keeps every valid UTF-8 sequence, so a string in the bytes is in the text.
    let raw = String::from_utf8_lossy(dump);
    let lower = raw.to_lowercase();
    for f in forbidden {
        assert!(!raw.contains(f.as_str()), "{what} holds {f:?} in clear");
        assert!(
            !lower.contains(&hex(f.as_bytes())),
            "{what} holds {f:?} as hex"
        );
    }
}

async fn the_hub_sees_only_what_sync_needs(hub: TestHub, what: &str) {
    let url = hub.url();
    let a = account_a(&url).await;
    let b = account_b(&url).await;

    let mut forbidden: BTreeSet<String> = ["contact", "shipment", "product", "tariff_part"]
        .map(String::from)
        .into();
    for acct in [&a, &b] {
        for d in &acct.devices {
            d.secrets_into(&mut forbidden);
        }
    }
    assert!(forbidden.iter().any(|f| f == "shipment") && forbidden.len() > 100);
    let every_label: Vec<&str> = LABELS_A.iter().chain(&LABELS_B).copied().collect();
    forbidden.extend(every_label.iter().map(|l| l.to_string()));
    forbidden.extend(
        [
            "Recipient 07",
            "Lam Siu Ming",
            "Ginza",
            "Silk scarf",
            "ring twice",
        ]
        .map(String::from),
    );

    let (sizes_a, small_a) = check_records(&hub, &a).await;
    let (_, small_b) = check_records(&hub, &b).await;
    assert_eq!(
        sizes_a,
        BUCKETS.into_iter().collect::<BTreeSet<_>>(),
        "account A fills every bucket"
    );
    check_devices(&hub, &a, &every_label).await;
    check_devices(&hub, &b, &every_label).await;

    let dump = hub.everything().await;
    assert_not_in(&dump, &forbidden, what);
    let lower = String::from_utf8_lossy(&dump).to_lowercase();
    for ct in [small_a, small_b] {
        assert!(
            dump.windows(ct.len()).any(|w| w == ct.as_slice()) || lower.contains(&hex(&ct)),
            "{what} does not hold the uploaded ciphertext, so the search proves nothing"
        );
    }
}

// ---- tests ----------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sqlite_hub_sees_no_entity_id_stamp_or_label_and_only_bucket_sizes() {
    the_hub_sees_only_what_sync_needs(TestHub::sqlite().await, "the SQLite files").await;
}

#[cfg(feature = "system-tests")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_postgres_hub_sees_no_entity_id_stamp_or_label_and_only_bucket_sizes() {
    the_hub_sees_only_what_sync_needs(TestHub::postgres().await, "the PostgreSQL schema").await;
}

/// A change sealed as Satchel did before record format 2: entity, id and HLC in clear.
fn seal_format_1(key: &AccountKey, c: &Change) -> proto::RecordUpload {
    let version = c.hlc.to_string();
    let meta = RecordMeta {
        entity: &c.entity,
        record_id: &c.record_id,
        version: &version,
    };
    let plaintext = serde_json::to_vec(&c.fields).unwrap();
    proto::RecordUpload {
        record_id: c.record_id.clone(),
        entity: c.entity.clone(),
        version: version.clone(),
        ciphertext: proto::Bytes(satchel_crypto::seal_deterministic(key, &meta, &plaintext)),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_an_older_satchel_wrote_are_still_read_and_their_next_edit_goes_out_sealed() {
    let hub = TestHub::sqlite().await;
    let url = hub.url();
    let laptop = Device::new(&url);
    let phrase = laptop.sync.create_account("laptop").await.unwrap();
    let key = satchel_crypto::from_phrase(phrase.as_str()).unwrap();

    // A device of the account still on the old version made two contacts and uploaded them
    // its way (here with the laptop's token): names, ids and stamps in clear.
    let old = Device::new(&url);
    let lam = old.add("Legacy Lam", "");
    old.add("Legacy Wong", "");
    let records: Vec<proto::RecordUpload> =
        old.log().iter().map(|c| seal_format_1(&key, c)).collect();
    assert_eq!(records.len(), 2);
    let token = laptop
        .keychain
        .get(satchel_keychain::HUB_ACCESS_TOKEN)
        .unwrap()
        .expect("the laptop is signed in");
    let resp = reqwest::Client::new()
        .post(format!("{url}{}", proto::paths::RECORDS))
        .bearer_auth(token.expose())
        .json(&proto::UploadRequest {
            upload_id: Uuid::now_v7(),
            records,
            // An older Satchel says no epoch: taken while the account has never rotated.
            key_epoch: None,
        })
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), reqwest::StatusCode::OK);

    // The new version reads them, and its edit of one goes out in format 2.
    laptop.sync.sync_now().await.unwrap();
    let mut names: Vec<String> = laptop.book().into_iter().map(|c| c.1).collect();
    names.sort();
    assert_eq!(names, ["Legacy Lam", "Legacy Wong"]);
    laptop.edit(&lam, |c| c.notes = "sealed from now on".into());
    laptop.sync.sync_now().await.unwrap();

    // A device linked later reads the old records and the new edit on top of them.
    let phone = Device::new(&url);
    let offer = laptop.sync.offer_pairing("phone").await.unwrap();
    phone.sync.join_with_code(&offer.qr_payload).await.unwrap();
    phone.sync.sync_now().await.unwrap();
    assert_eq!(phone.book(), laptop.book());
    let lam_on_phone = phone.book().into_iter().find(|c| c.0 == lam).unwrap();
    assert_eq!(lam_on_phone.2, "sealed from now on");

    // A device that ran the old version skipped the format-2 records as unreadable, and its
    // cursor went past them (here: linked, nothing merged, the cursor at the end, and no mark
    // of the new version in its state). After the update it pulls everything again, once.
    let updated = Device::new(&url);
    let offer = laptop.sync.offer_pairing("tablet").await.unwrap();
    updated
        .sync
        .join_with_code(&offer.qr_payload)
        .await
        .unwrap();
    updated.with_store(|s| s.apply_remote_page(&[], "1000000").unwrap());
    updated.sync.sync_now().await.unwrap();
    assert_eq!(
        updated.book(),
        laptop.book(),
        "the skipped records are back"
    );
    updated.with_store(|s| s.apply_remote_page(&[], "1000000").unwrap());
    let again = updated.sync.sync_now().await.unwrap();
    assert_eq!(again.pulled, 0, "only once");

    // The hub keeps the old records as they came, and only opaque ones after them.
    let account = laptop.sync.status().unwrap().account_id.unwrap();
    let rows = hub.storage.download(account, 0, 1000).await.unwrap();
    let (old_rows, new_rows): (Vec<_>, Vec<_>) = rows.iter().partition(|r| r.entity == "contact");
    assert_eq!(old_rows.len(), 2);
    assert!(!new_rows.is_empty());
    for r in new_rows {
        assert_eq!(r.entity, OPAQUE_ENTITY);
        assert!(is_opaque_id(&r.record_id) && is_opaque_id(&r.version));
        assert!(BUCKETS.contains(&r.ciphertext.len()));
    }
}
