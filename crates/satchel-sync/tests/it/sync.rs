//! The sync engine against a real hub: devices are real store files with their own keychains
//! (in memory), the hub runs in-process on a temporary SQLite file over loopback HTTP, and the
//! faults are real (the hub's runtime shut down mid-upload, a TCP proxy that cuts a
//! connection after so many bytes).
//!
//! Run inside the throwaway keyrings:
//! `cargo test -p satchel-sync --test sync`

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use proptest::prelude::*;
use satchel_core::model::Party;
use satchel_hub::{HubConfig, Secret as HubSecret};
use satchel_hub_sqlite::SqliteStorage;
use satchel_keychain::{MemorySecrets, SecretStore};
use satchel_store::StoreAccess;
use satchel_store::{Clock, Contact, ContactInput, ContactKind, Store};
use satchel_sync::{Progress, SyncConfig, SyncError, Syncer};
use serde_json::Value;
use tempfile::TempDir;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

// ---- the hub --------------------------------------------------------------------------------

/// A hub in its own runtime, so that killing it ends every connection and handler at once,
/// like a killed process (aborting only the accept loop would let running requests finish).
struct Hub {
    rt: Option<tokio::runtime::Runtime>,
    addr: SocketAddr,
    file: PathBuf,
    _dir: Arc<TempDir>,
}

fn hub_config() -> HubConfig {
    let mut c = HubConfig::default();
    c.rate.per_ip_burst = 0;
    // Tests make many accounts from one address; the sign-up cap has its own test.
    c.accounts.per_network_per_day = 0;
    c.rate.per_device_burst = 0;
    // A fixed signing key, so tokens survive a restart like a configured production hub's.
    c.token_signing_key = Some(HubSecret::new("sync-tests-signing-key-0123456789abcdef"));
    c
}

impl Hub {
    fn start() -> Hub {
        let dir = Arc::new(tempfile::tempdir().unwrap());
        let file = dir.path().join("hub.sqlite3");
        Hub::start_on(dir, file)
    }

    /// A hub on an existing database file (a restart), on a fresh port: tests never rebind a
    /// port, which the old listener may still hold. Devices that must find it again talk
    /// through a [`CuttingProxy`] and the proxy is pointed at the new port.
    fn start_on(dir: Arc<TempDir>, file: PathBuf) -> Hub {
        Hub::start_with(dir, file, "127.0.0.1:0".parse().unwrap(), hub_config())
    }

    fn start_with(dir: Arc<TempDir>, file: PathBuf, addr: SocketAddr, config: HubConfig) -> Hub {
        let listener = std::net::TcpListener::bind(addr).unwrap();
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let storage = Arc::new(SqliteStorage::open(&file).unwrap());
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        rt.spawn(async move {
            let listener = TcpListener::from_std(listener).unwrap();
            satchel_hub::serve(config, storage, listener, std::future::pending()).await
        });
        Hub {
            rt: Some(rt),
            addr,
            file,
            _dir: dir,
        }
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Kills the hub: its runtime stops, dropping every task and socket mid-flight.
    fn kill(mut self) -> (Arc<TempDir>, PathBuf) {
        if let Some(rt) = self.rt.take() {
            rt.shutdown_background();
        }
        (self._dir.clone(), self.file.clone())
    }

    /// Every byte of the hub's database files, for grepping.
    fn dump(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for suffix in ["", "-wal"] {
            let mut p = self.file.clone().into_os_string();
            p.push(suffix);
            out.extend(std::fs::read(p).unwrap_or_default());
        }
        out
    }
}

impl Drop for Hub {
    fn drop(&mut self) {
        if let Some(rt) = self.rt.take() {
            rt.shutdown_background();
        }
    }
}

// ---- a TCP proxy that cuts connections --------------------------------------------------------

/// Forwards to the hub; once the hub has sent `budget` bytes back (over all connections), it
/// cuts the connection that crossed the line, then disarms. It can be pointed at a restarted
/// hub, so devices keep one address while the hub gets a fresh port.
struct CuttingProxy {
    addr: SocketAddr,
    budget: Arc<AtomicI64>,
    target: Arc<std::sync::Mutex<SocketAddr>>,
    task: tokio::task::JoinHandle<()>,
}

const UNLIMITED: i64 = i64::MAX;

impl CuttingProxy {
    async fn start(target: SocketAddr) -> CuttingProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let budget = Arc::new(AtomicI64::new(UNLIMITED));
        let b = budget.clone();
        let target = Arc::new(std::sync::Mutex::new(target));
        let to = target.clone();
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let b = b.clone();
                let target = *to.lock().unwrap();
                tokio::spawn(async move {
                    let Ok(server) = TcpStream::connect(target).await else {
                        return;
                    };
                    let (mut cr, mut cw) = client.into_split();
                    let (mut sr, mut sw) = server.into_split();
                    let up = tokio::spawn(async move {
                        let _ = tokio::io::copy(&mut cr, &mut sw).await;
                    });
                    let mut buf = vec![0u8; 8192];
                    loop {
                        let n = match sr.read(&mut buf).await {
                            Ok(0) | Err(_) => break,
                            Ok(n) => n,
                        };
                        let left = b.load(Ordering::SeqCst);
                        if left != UNLIMITED && (n as i64) > left {
                            let keep = left.max(0) as usize;
                            let _ = cw.write_all(&buf[..keep]).await;
                            b.store(UNLIMITED, Ordering::SeqCst);
                            break;
                        }
                        if left != UNLIMITED {
                            b.fetch_sub(n as i64, Ordering::SeqCst);
                        }
                        if cw.write_all(&buf[..n]).await.is_err() {
                            break;
                        }
                    }
                    up.abort();
                });
            }
        });
        CuttingProxy {
            addr,
            budget,
            target,
            task,
        }
    }

    /// New connections go to `hub` from now on.
    fn retarget(&self, hub: SocketAddr) {
        *self.target.lock().unwrap() = hub;
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Cut once the hub has sent `bytes` more bytes.
    fn cut_after(&self, bytes: i64) {
        self.budget.store(bytes, Ordering::SeqCst);
    }
}

impl Drop for CuttingProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

// ---- devices --------------------------------------------------------------------------------

#[derive(Debug, Clone)]
struct TestClock(Arc<AtomicU64>);

impl Clock for TestClock {
    fn now_ms(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }
}

/// 2026-11-21T03:00:00Z
const T0: u64 = 1_795_230_000_000;
const MINUTE: u64 = 60_000;
const HOUR: u64 = 3_600_000;

/// A device's keychain: in memory, so the engine's use of secrets (tokens rotated, a key
/// lost) is tested without an OS keychain; the same handle survives a restart.
type Profile = Arc<MemorySecrets>;

fn fresh_profile() -> Profile {
    Arc::new(MemorySecrets::default())
}

struct Device {
    store: Arc<Mutex<Store>>,
    sync: Syncer<Mutex<Store>>,
    clock: TestClock,
    /// Added to the shared true time: a device whose wall clock is wrong.
    offset: i64,
    path: PathBuf,
    profile: Profile,
    _dir: TempDir,
}

fn test_config(url: &str) -> SyncConfig {
    let mut c = SyncConfig::new(url);
    c.timeout = Duration::from_secs(20);
    c
}

impl Device {
    fn new(url: &str) -> Device {
        Device::with(test_config(url), 0)
    }

    fn with(config: SyncConfig, offset: i64) -> Device {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("satchel.db");
        Device::open(dir, path, fresh_profile(), config, offset)
    }

    fn open(
        dir: TempDir,
        path: PathBuf,
        profile: Profile,
        config: SyncConfig,
        offset: i64,
    ) -> Device {
        let clock = TestClock(Arc::new(AtomicU64::new(T0.saturating_add_signed(offset))));
        let store = Store::open_with_clock(&path, Box::new(clock.clone())).unwrap();
        let store = Arc::new(Mutex::new(store));
        let sync = Syncer::new(store.clone(), profile.clone(), config).unwrap();
        Device {
            store,
            sync,
            clock,
            offset,
            path,
            profile,
            _dir: dir,
        }
    }

    /// The app closed and started again: nothing of the session is left in memory.
    fn restart(self) -> Device {
        let Device {
            store,
            sync,
            profile,
            path,
            offset,
            _dir,
            ..
        } = self;
        let config = sync.config().clone();
        drop(sync);
        drop(store);
        Device::open(_dir, path, profile, config, offset)
    }

    fn keychain(&self) -> Profile {
        self.profile.clone()
    }

    /// Sets the device's wall clock to the true time `now` plus its offset.
    fn at(&self, now: u64) {
        self.clock
            .0
            .store(now.saturating_add_signed(self.offset), Ordering::SeqCst);
    }

    fn with_store<T>(&self, f: impl FnOnce(&mut Store) -> T) -> T {
        self.store.with_store(f)
    }

    fn add(&self, name: &str) -> String {
        self.with_store(|s| s.create_contact(recipient(name)).unwrap().id)
    }

    fn edit(&self, id: &str, f: impl FnOnce(&mut ContactInput)) {
        self.with_store(|s| {
            let mut c = s.contact(id).unwrap().expect("the contact is live").input;
            f(&mut c);
            s.update_contact(id, c).unwrap();
        });
    }

    fn contact(&self, id: &str) -> Option<Contact> {
        self.with_store(|s| s.contact(id).unwrap())
    }

    /// The address book as the merchant sees it: (id, name, notes, lines), sorted by id.
    fn book(&self) -> Vec<(String, String, String, Vec<String>)> {
        let mut v: Vec<_> = self.with_store(|s| {
            s.all_contacts(ContactKind::Recipient)
                .unwrap()
                .into_iter()
                .map(|c| (c.id, c.input.party.name, c.input.notes, c.input.party.lines))
                .collect()
        });
        v.sort();
        v
    }
}

fn recipient(name: &str) -> ContactInput {
    ContactInput {
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
    }
}

/// A linked pair: `a` made the account, `b` joined with the pairing code.
async fn pair(url: &str) -> (Device, Device) {
    let a = Device::new(url);
    a.sync.create_account("laptop").await.unwrap();
    let b = Device::new(url);
    link(&a, &b).await;
    (a, b)
}

async fn link(from: &Device, to: &Device) {
    let offer = from.sync.offer_pairing("phone").await.unwrap();
    // Scanned: the QR code's own secret brings the key at once (a typed code waits for the
    // first device's approval: `revocation::a_typed_code_brings_no_key_until_the_first_...`).
    to.sync.join_with_code(&offer.qr_payload).await.unwrap();
}

// ---- tests ----------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_devices_edit_offline_and_converge() {
    let hub = Hub::start();
    let (a, b) = pair(&hub.url()).await;
    assert_eq!(a.sync.devices().await.unwrap().len(), 2);

    a.at(T0);
    let same = a.add("Akiko Sato");
    let other = a.add("Hiroshi Tanaka");
    let doomed = a.add("Kenji Watanabe");
    a.sync.sync_now().await.unwrap();
    let r = b.sync.sync_now().await.unwrap();
    assert_eq!(r.pulled, 3);
    assert_eq!(b.book(), a.book());

    // Offline on both: the same field of one record (the later edit must win), different
    // fields of one record (both kept), a delete racing an edit (the delete wins), and a new
    // record on each side.
    a.at(T0 + MINUTE);
    a.edit(&same, |c| c.party.name = "Akiko Sato (shop)".into());
    a.edit(&other, |c| c.notes = "ring twice".into());
    a.edit(&doomed, |c| c.notes = "fragile".into());
    let from_a = a.add("Yuki Ito");
    b.at(T0 + 2 * MINUTE);
    b.edit(&same, |c| c.party.name = "Akiko SATO".into());
    b.edit(&other, |c| c.party.lines = vec!["4-5-6 Shibuya".into()]);
    b.with_store(|s| s.delete_contact(&doomed).unwrap());
    let from_b = b.add("Sakura Kato");
    assert_eq!(a.sync.status().unwrap().pending, 4);

    // Sync in the "wrong" order: the device with the later edits first.
    b.sync.sync_now().await.unwrap();
    a.sync.sync_now().await.unwrap();
    b.sync.sync_now().await.unwrap();

    assert_eq!(
        a.book(),
        b.book(),
        "both devices show the same address book"
    );
    let s = a.contact(&same).unwrap();
    assert_eq!(s.input.party.name, "Akiko SATO", "the later edit wins");
    let o = a.contact(&other).unwrap();
    assert_eq!(o.input.notes, "ring twice");
    assert_eq!(o.input.party.lines, ["4-5-6 Shibuya"]);
    assert!(a.contact(&doomed).is_none() && b.contact(&doomed).is_none());
    assert!(b.contact(&from_a).is_some() && a.contact(&from_b).is_some());

    let st = a.sync.status().unwrap();
    assert!(st.linked && st.last_synced_at.is_some() && st.last_error.is_none());
    assert_eq!(st.pending, 0);

    // The hub holds nothing readable.
    let dump = hub.dump();
    for name in ["Akiko", "Tanaka", "Ginza", "Shibuya", "ring twice"] {
        assert!(
            !dump.windows(name.len()).any(|w| w == name.as_bytes()),
            "{name} is readable in the hub database"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_rotate_and_a_spent_refresh_token_falls_back_to_signing_in() {
    use satchel_keychain::{Secret, HUB_ACCESS_TOKEN, HUB_REFRESH_TOKEN};
    let hub = Hub::start();
    let a = Device::new(&hub.url());
    a.sync.create_account("laptop").await.unwrap();
    let first_refresh = a.keychain().get(HUB_REFRESH_TOKEN).unwrap().unwrap();

    // The stored access token no longer works (expired, or the hub's key changed): the next
    // request refreshes, and the refresh token in the keychain is replaced by a new one.
    a.keychain()
        .set(HUB_ACCESS_TOKEN, &Secret::new("not-a-token".into()))
        .unwrap();
    let a = a.restart();
    a.add("Akiko Sato");
    a.sync.sync_now().await.unwrap();
    let second_refresh = a.keychain().get(HUB_REFRESH_TOKEN).unwrap().unwrap();
    assert_ne!(
        second_refresh.expose(),
        first_refresh.expose(),
        "refresh tokens rotate"
    );
    let access = a.keychain().get(HUB_ACCESS_TOKEN).unwrap().unwrap();
    assert_ne!(access.expose(), "not-a-token");

    // The keychain holds a spent refresh token (a refresh answer that never arrived): the hub
    // ends that sign-in, and the device signs in again with its own credential.
    a.keychain()
        .set(HUB_ACCESS_TOKEN, &Secret::new("not-a-token".into()))
        .unwrap();
    a.keychain().set(HUB_REFRESH_TOKEN, &first_refresh).unwrap();
    let a = a.restart();
    a.add("Hiroshi Tanaka");
    a.sync.sync_now().await.unwrap();
    assert_eq!(a.sync.status().unwrap().pending, 0);
    assert_eq!(a.sync.usage().await.unwrap().records, 2);

    // A removed device cannot sync any more, and says why.
    let b = Device::new(&hub.url());
    link(&a, &b).await;
    let b_id = b.sync.status().unwrap().device_id.unwrap();
    a.sync.revoke_device(b_id).await.unwrap();
    let err = b.sync.sync_now().await.unwrap_err();
    assert!(err.to_string().contains("removed"), "{err}");
    assert!(!err.is_transient());

    // A mistyped or reused pairing code links nothing; scanning the QR code (issue #18: its
    // own 256-bit secret) also takes the typed code's offer off the hub.
    let offer = a.sync.offer_pairing("tablet").await.unwrap();
    let c = Device::new(&hub.url());
    let mut typed: Vec<char> = offer.code.display().chars().collect();
    typed[0] = if typed[0] == '2' { '3' } else { '2' };
    let typed: String = typed.into_iter().collect();
    assert!(matches!(
        c.sync.join_with_code(&typed).await,
        Err(SyncError::Pairing(_))
    ));
    c.sync.join_with_code(&offer.qr_payload).await.unwrap();
    let d = Device::new(&hub.url());
    assert!(matches!(
        d.sync.join_with_code(&offer.code.display()).await,
        Err(SyncError::Pairing(_))
    ));
    assert!(!d.sync.status().unwrap().linked);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_recovery_phrase_brings_a_lost_key_back() {
    let hub = Hub::start();
    let a = Device::new(&hub.url());
    let phrase = a.sync.create_account("laptop").await.unwrap();
    assert_eq!(phrase.words().count(), 24);
    a.add("Akiko Sato");
    a.sync.sync_now().await.unwrap();

    // The keychain loses the account key (a reinstalled OS keyring, say).
    a.keychain()
        .delete(satchel_keychain::SYNC_ACCOUNT_KEY)
        .unwrap();
    let a = a.restart();
    let err = a.sync.sync_now().await.unwrap_err();
    assert!(matches!(err, SyncError::NoAccountKey), "{err}");
    let st = a.sync.status().unwrap();
    assert!(st.last_error.unwrap().contains("recovery phrase"));

    // Another account's phrase is refused, a miscopied word is caught, the right one works.
    let stranger = Device::new(&hub.url());
    let wrong = stranger.sync.create_account("other").await.unwrap();
    let err = a
        .sync
        .restore_with_phrase(wrong.as_str())
        .await
        .unwrap_err();
    assert!(matches!(err, SyncError::WrongPhrase), "{err}");
    let mut words: Vec<&str> = phrase.words().collect();
    words[3] = "zzzz";
    let err = a
        .sync
        .restore_with_phrase(&words.join(" "))
        .await
        .unwrap_err();
    assert!(matches!(err, SyncError::Phrase(_)), "{err}");
    a.sync
        .restore_with_phrase(&phrase.as_str().to_uppercase())
        .await
        .unwrap();
    a.add("Hiroshi Tanaka");
    a.sync.sync_now().await.unwrap();
    let b = Device::new(&hub.url());
    link(&a, &b).await;
    b.sync.sync_now().await.unwrap();
    assert_eq!(b.book(), a.book());
    assert_eq!(b.book().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hub_killed_mid_upload_loses_and_duplicates_nothing() {
    const N: usize = 3000;
    let hub = Hub::start();
    // The devices keep one address across the restart; the hub behind it gets a new port.
    let front = CuttingProxy::start(hub.addr).await;
    let mut config = test_config(&front.url());
    config.push_batch = 50;
    let a = Arc::new(Device::with(config, 0));
    a.sync.create_account("laptop").await.unwrap();
    let b = Device::new(&front.url());
    link(&a, &b).await;
    for i in 0..N {
        a.add(&format!("Recipient {i:05}"));
    }

    let pushing = {
        let a = a.clone();
        tokio::spawn(async move { a.sync.sync_now().await })
    };
    // Kill the hub once some batches are in but not all.
    loop {
        let pending = a.sync.status().unwrap().pending;
        if pending < N as u64 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let (dir, file) = hub.kill();
    let err = pushing.await.unwrap().unwrap_err();
    assert!(err.is_transient(), "{err}");
    let st = a.sync.status().unwrap();
    assert!(st.pending > 0, "the hub died before the last batch");
    assert!(st.last_error.is_some());

    // The same file, the same address for the devices: as if the service restarted.
    let hub = Hub::start_on(dir, file);
    front.retarget(hub.addr);
    a.sync.sync_now().await.unwrap();
    assert_eq!(a.sync.status().unwrap().pending, 0);
    assert_eq!(
        a.sync.usage().await.unwrap().records,
        N as u64,
        "no record stored twice"
    );
    b.sync.sync_now().await.unwrap();
    assert_eq!(b.book().len(), N);
    assert_eq!(b.book(), a.book());
    drop(hub);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_upload_answer_is_retried_without_duplicates() {
    let hub = Hub::start();
    let proxy = CuttingProxy::start(hub.addr).await;
    let a = Device::new(&proxy.url());
    a.sync.create_account("laptop").await.unwrap();
    for i in 0..120 {
        a.add(&format!("Recipient {i:03}"));
    }
    // The hub stores the upload, then the answer is cut before any byte reaches the device.
    // (`push` alone: a whole round asks for the account's keys first, and that answer would
    // be the one cut.)
    proxy.cut_after(0);
    let err = a.sync.push(&mut |_| {}).await.unwrap_err();
    assert!(err.is_transient(), "{err}");
    assert_eq!(
        a.sync.status().unwrap().pending,
        120,
        "not acknowledged, so still pending"
    );
    assert_eq!(
        a.sync.usage().await.unwrap().records,
        120,
        "but the hub has them"
    );

    let r = a.sync.sync_now().await.unwrap();
    assert_eq!(r.pushed, 120);
    assert_eq!(a.sync.usage().await.unwrap().records, 120);
    assert_eq!(a.sync.status().unwrap().pending, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hub_that_takes_smaller_uploads_still_gets_everything() {
    let dir = Arc::new(tempfile::tempdir().unwrap());
    let file = dir.path().join("hub.sqlite3");
    let mut config = hub_config();
    config.limits.max_batch_records = 40;
    let hub = Hub::start_with(dir, file, "127.0.0.1:0".parse().unwrap(), config);
    let (a, b) = pair(&hub.url()).await;
    for i in 0..150 {
        a.add(&format!("Recipient {i:03}"));
    }
    let r = a.sync.sync_now().await.unwrap();
    assert_eq!(r.pushed, 150);
    b.sync.sync_now().await.unwrap();
    assert_eq!(b.book().len(), 150);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rate_limited_initial_sync_waits_and_finishes() {
    const N: usize = 1200;
    let dir = Arc::new(tempfile::tempdir().unwrap());
    let file = dir.path().join("hub.sqlite3");
    let mut config = hub_config();
    config.rate.per_device_burst = 6;
    config.rate.per_device_per_sec = 5.0;
    let hub = Hub::start_with(dir, file, "127.0.0.1:0".parse().unwrap(), config);
    let a = Device::new(&hub.url());
    a.sync.create_account("laptop").await.unwrap();
    for i in 0..N {
        a.add(&format!("Recipient {i:05}"));
    }
    a.sync.sync_now().await.unwrap();
    let mut config = test_config(&hub.url());
    config.page_size = 100;
    let b = Device::with(config, 0);
    link(&a, &b).await;
    let r = b.sync.sync_now().await.unwrap();
    assert!(r.pages >= 12);
    assert_eq!(b.book().len(), N);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_copy_uploading_the_same_changes_again_duplicates_nothing() {
    let hub = Hub::start();
    let a = Device::new(&hub.url());
    a.sync.create_account("laptop").await.unwrap();
    for i in 0..40 {
        a.add(&format!("Recipient {i:03}"));
    }
    // A backup of the store taken before the push (closed first, so the file is whole).
    let Device {
        store,
        sync,
        profile,
        path,
        _dir,
        ..
    } = a;
    drop(sync);
    drop(store);
    let backup_dir = tempfile::tempdir().unwrap();
    let backup = backup_dir.path().join("satchel.db");
    std::fs::copy(&path, &backup).unwrap();
    let a = Device::open(_dir, path, profile.clone(), test_config(&hub.url()), 0);
    a.sync.sync_now().await.unwrap();
    assert_eq!(a.sync.usage().await.unwrap().records, 40);

    // The restored copy pushes the same 40 changes again: the hub keeps one of each.
    let restored = Device::open(backup_dir, backup, profile, test_config(&hub.url()), 0);
    let r = restored.sync.sync_now().await.unwrap();
    assert_eq!(r.pushed, 40);
    assert_eq!(restored.sync.usage().await.unwrap().records, 40);

    // Both now make a different change with the same change-log number, so the same upload
    // id carries different records: the second is stored under a fresh id, not refused.
    restored.at(T0 + MINUTE);
    a.at(T0 + MINUTE);
    a.add("Only on the original");
    restored.add("Only on the copy");
    a.sync.sync_now().await.unwrap();
    restored.sync.sync_now().await.unwrap();
    a.sync.sync_now().await.unwrap();
    assert_eq!(a.sync.usage().await.unwrap().records, 42);
    assert_eq!(a.book().len(), 42);
    assert_eq!(a.book(), restored.book());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_cut_mid_page_resumes_where_it_stopped() {
    const N: usize = 1200;
    let hub = Hub::start();
    let proxy = CuttingProxy::start(hub.addr).await;
    let a = Device::new(&hub.url());
    a.sync.create_account("laptop").await.unwrap();
    for i in 0..N {
        a.add(&format!("Recipient {i:05}"));
    }
    a.sync.sync_now().await.unwrap();

    let mut config = test_config(&proxy.url());
    config.page_size = 100;
    let b = Device::with(config, 0);
    link(&a, &b).await;
    // A page of 100 is some 60 kB; cut in the middle of the fourth or so.
    proxy.cut_after(200_000);
    let err = b.sync.sync_now().await.unwrap_err();
    assert!(err.is_transient(), "{err}");
    let got = b.book().len();
    assert!(
        got > 0 && got < N,
        "pages before the cut stay merged ({got})"
    );

    let mut pages = Vec::new();
    let r = b
        .sync
        .sync_with_progress(&mut |p| {
            if let Progress::Pulled { done, .. } = p {
                pages.push(done);
            }
        })
        .await
        .unwrap();
    assert_eq!(r.pulled, N - got, "only what was missing is fetched again");
    assert_eq!(b.book(), a.book());
    assert!(pages.windows(2).all(|w| w[0] < w[1]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clock_an_hour_behind_still_wins_with_later_edits() {
    let hub = Hub::start();
    let a = Device::new(&hub.url());
    a.sync.create_account("laptop").await.unwrap();
    let slow = Device::with(test_config(&hub.url()), -(HOUR as i64));
    link(&a, &slow).await;

    a.at(T0);
    let id = a.add("Akiko Sato");
    a.sync.sync_now().await.unwrap();
    slow.at(T0 + MINUTE);
    slow.sync.sync_now().await.unwrap();
    // Its wall clock says 59 minutes before the laptop's edit, but it edits after seeing it.
    slow.at(T0 + 2 * MINUTE);
    slow.edit(&id, |c| c.party.name = "Akiko SATO".into());
    slow.sync.sync_now().await.unwrap();
    a.sync.sync_now().await.unwrap();
    assert_eq!(a.contact(&id).unwrap().input.party.name, "Akiko SATO");

    // And the laptop's later edit still beats the slow phone's earlier one.
    a.at(T0 + 3 * MINUTE);
    a.edit(&id, |c| c.party.name = "Akiko Sato-Ito".into());
    a.sync.sync_now().await.unwrap();
    slow.sync.sync_now().await.unwrap();
    assert_eq!(
        slow.contact(&id).unwrap().input.party.name,
        "Akiko Sato-Ito"
    );
    assert_eq!(slow.book(), a.book());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fresh_third_device_syncs_everything_in_pages() {
    const N: usize = 1050;
    let hub = Hub::start();
    let (a, b) = pair(&hub.url()).await;
    for i in 0..N {
        a.add(&format!("Recipient {i:05}"));
    }
    let ids: Vec<String> = a.book().into_iter().map(|c| c.0).collect();
    a.sync.sync_now().await.unwrap();
    b.sync.sync_now().await.unwrap();
    for id in ids.iter().take(50) {
        b.with_store(|s| s.delete_contact(id).unwrap());
    }
    b.edit(&ids[60], |c| c.notes = "new notes".into());
    b.sync.sync_now().await.unwrap();

    let mut config = test_config(&hub.url());
    config.page_size = 100;
    let c = Device::with(config, 0);
    link(&a, &c).await;
    let mut events = Vec::new();
    let r = c
        .sync
        .sync_with_progress(&mut |p| events.push(p))
        .await
        .unwrap();
    assert!(r.pages >= 11, "{} pages", r.pages);
    assert_eq!(
        events.last(),
        Some(&Progress::Pulled {
            done: r.pulled,
            more: false
        })
    );
    assert_eq!(c.book().len(), N - 50);
    assert_eq!(c.contact(&ids[60]).unwrap().input.notes, "new notes");
    assert_eq!(c.book(), b.book());
    assert_eq!(c.sync.devices().await.unwrap().len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_offline_device_says_so_and_the_loop_catches_up_when_the_hub_is_back() {
    let hub = Hub::start();
    let front = CuttingProxy::start(hub.addr).await;
    let a = Arc::new(Device::new(&front.url()));
    a.sync.create_account("laptop").await.unwrap();
    let (dir, file) = hub.kill();
    a.add("Akiko Sato");
    let err = a.sync.sync_now().await.unwrap_err();
    assert!(matches!(err, SyncError::Offline(_)), "{err}");
    let st = a.sync.status().unwrap();
    assert_eq!(st.pending, 1);
    assert!(st.last_synced_at.is_none() && st.last_error.is_some());

    let policy = satchel_sync::LoopPolicy {
        interval: Duration::from_secs(3600),
        backoff: Duration::from_millis(20),
        max_backoff: Duration::from_millis(200),
    };
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let (round_tx, mut round_rx) = tokio::sync::mpsc::unbounded_channel();
    let looping = {
        let a = a.clone();
        tokio::spawn(async move {
            a.sync
                .run(
                    &policy,
                    async {
                        let _ = stop_rx.await;
                    },
                    |r| {
                        let _ = round_tx.send(r.is_ok());
                    },
                )
                .await;
        })
    };
    // A few failed rounds while the hub is down, then it comes back.
    for _ in 0..3 {
        assert_eq!(round_rx.recv().await, Some(false));
    }
    let hub = Hub::start_on(dir, file);
    front.retarget(hub.addr);
    while round_rx.recv().await != Some(true) {}
    let st = a.sync.status().unwrap();
    assert_eq!(st.pending, 0);
    assert!(st.last_synced_at.is_some() && st.last_error.is_none());
    stop_tx.send(()).unwrap();
    looping.await.unwrap();
    drop(hub);
}

// ---- property: random interleavings converge -----------------------------------------------

#[derive(Debug, Clone)]
enum Op {
    Create {
        dev: usize,
    },
    Rename {
        dev: usize,
        rec: usize,
        name: u8,
    },
    Note {
        dev: usize,
        rec: usize,
        note: u8,
    },
    Delete {
        dev: usize,
        rec: usize,
    },
    Sync {
        dev: usize,
    },
    /// True time moves on by this many seconds.
    Wait {
        secs: u16,
    },
}

fn op() -> impl Strategy<Value = Op> {
    let dev = 0..3usize;
    prop_oneof![
        2 => dev.clone().prop_map(|dev| Op::Create { dev }),
        3 => (dev.clone(), any::<usize>(), 0..6u8).prop_map(|(dev, rec, name)| Op::Rename { dev, rec, name }),
        3 => (dev.clone(), any::<usize>(), 0..6u8).prop_map(|(dev, rec, note)| Op::Note { dev, rec, note }),
        1 => (dev.clone(), any::<usize>()).prop_map(|(dev, rec)| Op::Delete { dev, rec }),
        3 => dev.prop_map(|dev| Op::Sync { dev }),
        2 => (0..120u16).prop_map(|secs| Op::Wait { secs }),
    ]
}

/// What should survive: per record, deleted if any device deleted it, else each field's value
/// from the change with the highest stamp, over every change any device logged.
fn winners(devices: &[&Device]) -> BTreeMap<String, Option<BTreeMap<String, Value>>> {
    let mut best: BTreeMap<String, BTreeMap<String, (String, Value)>> = BTreeMap::new();
    let mut deleted = std::collections::BTreeSet::new();
    for d in devices {
        for c in d.with_store(|s| s.changes_since(0, 1_000_000).unwrap()) {
            let rec = best.entry(c.record_id.clone()).or_default();
            for (k, v) in c.fields {
                if k == "deleted" {
                    deleted.insert(c.record_id.clone());
                    continue;
                }
                let stamp = c.hlc.to_string();
                if rec.get(&k).is_none_or(|(s, _)| *s < stamp) {
                    rec.insert(k, (stamp, v));
                }
            }
        }
    }
    best.into_iter()
        .map(|(id, fields)| {
            let live = (!deleted.contains(&id))
                .then(|| fields.into_iter().map(|(k, (_, v))| (k, v)).collect());
            (id, live)
        })
        .collect()
}

/// Three devices (the second with a clock an hour behind, right, or five minutes ahead; the
/// third five minutes ahead) make up to 40 random offline edits, deletes and syncs through
/// one hub. After a final round of syncs all three show the same address book, and every
/// field holds the value of the highest-stamped change any device made to it.
#[test]
fn random_interleavings_of_edits_and_syncs_converge_and_keep_every_winning_edit() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let hub = Hub::start();
    let url = hub.url();
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 32,
        failure_persistence: None,
        ..ProptestConfig::default()
    });
    let strategy = (
        proptest::collection::vec(op(), 1..40),
        prop_oneof![Just(0i64), Just(-(HOUR as i64)), Just(5 * MINUTE as i64)],
    );
    runner
        .run(&strategy, |(ops, skew)| {
            rt.block_on(async {
                let a = Device::new(&url);
                a.sync.create_account("laptop").await.unwrap();
                let b = Device::with(test_config(&url), skew);
                link(&a, &b).await;
                let c = Device::with(test_config(&url), 5 * MINUTE as i64);
                link(&b, &c).await;
                let devs = [&a, &b, &c];
                let mut now = T0;
                let mut names = 0u32;
                for op in &ops {
                    now += 1000;
                    for d in devs {
                        d.at(now);
                    }
                    let live = |d: &Device| d.book().into_iter().map(|c| c.0).collect::<Vec<_>>();
                    match *op {
                        Op::Create { dev } => {
                            names += 1;
                            devs[dev].add(&format!("Person {names}"));
                        }
                        Op::Rename { dev, rec, name } => {
                            let ids = live(devs[dev]);
                            if !ids.is_empty() {
                                devs[dev].edit(&ids[rec % ids.len()], |c| {
                                    c.party.name = format!("Name {name} by {dev}")
                                });
                            }
                        }
                        Op::Note { dev, rec, note } => {
                            let ids = live(devs[dev]);
                            if !ids.is_empty() {
                                devs[dev].edit(&ids[rec % ids.len()], |c| {
                                    c.notes = format!("note {note}")
                                });
                            }
                        }
                        Op::Delete { dev, rec } => {
                            let ids = live(devs[dev]);
                            if !ids.is_empty() {
                                let id = ids[rec % ids.len()].clone();
                                devs[dev].with_store(|s| s.delete_contact(&id).unwrap());
                            }
                        }
                        Op::Sync { dev } => {
                            devs[dev].sync.sync_now().await.unwrap();
                        }
                        Op::Wait { secs } => now += u64::from(secs) * 1000,
                    }
                }
                for d in [&a, &b, &c, &a, &b] {
                    d.sync.sync_now().await.unwrap();
                }
                prop_assert_eq!(a.book(), b.book());
                prop_assert_eq!(a.book(), c.book());
                let want = winners(&devs);
                for (id, fields) in &want {
                    let got = a.contact(id);
                    match (fields, got) {
                        (None, None) => {}
                        (None, Some(_)) => prop_assert!(false, "{} was deleted but is back", id),
                        (Some(_), None) => prop_assert!(false, "{} vanished", id),
                        (Some(f), Some(c)) => {
                            prop_assert_eq!(f.get("name"), Some(&Value::from(c.input.party.name)));
                            let notes = f.get("notes").cloned().unwrap_or(Value::from(""));
                            prop_assert_eq!(notes, Value::from(c.input.notes));
                        }
                    }
                }
                prop_assert_eq!(
                    want.values().filter(|f| f.is_some()).count(),
                    a.book().len()
                );
                Ok(())
            })
        })
        .unwrap();
    drop(hub);
}
