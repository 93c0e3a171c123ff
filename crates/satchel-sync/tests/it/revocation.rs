//! A lost device cut off (issue #18): removing device C moves the account to a new key that C
//! never gets, so what the others upload afterwards does not open with C's key, even from a
//! copy of the hub; C can then neither remove the others nor change the recovery phrase, and
//! its old phrase no longer brings the account back. Before that, a newer device asking to
//! remove an older one only files a request every device sees. A real hub runs in-process on
//! a temporary SQLite file over loopback HTTP; devices are real store files, each with its own
//! keychain (in memory, kept at hand so the test can read C's key as a thief would).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::StatusCode;
use satchel_core::model::Party;
use satchel_crypto::{AccountKey, CryptoError, RecordMeta};
use satchel_hub::{HubConfig, RunningHub};
use satchel_hub_sqlite::SqliteStorage;
use satchel_keychain::{MemorySecrets, SecretStore};
use satchel_store::StoreAccess;
use satchel_store::{ContactInput, ContactKind, Store};
use satchel_sync::{Revoked, SyncConfig, SyncError, Syncer};
use satchel_sync_proto as proto;
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
    keychain: Arc<MemorySecrets>,
    url: String,
    _dir: TempDir,
}

impl Device {
    fn new(hub: &Hub) -> Device {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(Mutex::new(
            Store::open(dir.path().join("satchel.db")).unwrap(),
        ));
        let keychain = Arc::new(MemorySecrets::default());
        let mut config = SyncConfig::new(hub.running.base_url());
        config.timeout = Duration::from_secs(20);
        let sync = Syncer::new(store.clone(), keychain.clone(), config).unwrap();
        Device {
            store,
            sync,
            keychain,
            url: hub.running.base_url(),
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

    /// The app closed and opened again: the same store and keychain, a new engine.
    fn restart(self) -> Device {
        let mut config = SyncConfig::new(self.url.clone());
        config.timeout = Duration::from_secs(20);
        let sync = Syncer::new(self.store.clone(), self.keychain.clone(), config).unwrap();
        Device { sync, ..self }
    }

    fn id(&self) -> uuid::Uuid {
        self.sync.status().unwrap().device_id.unwrap()
    }

    /// What a thief reads out of the device's keychain: every account key it holds.
    fn stolen_keys(&self) -> Vec<AccountKey> {
        let raw = self
            .keychain
            .get(satchel_keychain::SYNC_ACCOUNT_KEY)
            .unwrap()
            .unwrap();
        let raw = raw.expose();
        let list = raw.rsplit(':').next().unwrap();
        list.split(',')
            .map(|h| {
                let mut b = [0u8; 32];
                for (i, o) in b.iter_mut().enumerate() {
                    *o = u8::from_str_radix(&h[2 * i..2 * i + 2], 16).unwrap();
                }
                AccountKey::from_bytes(b)
            })
            .collect()
    }

    /// A raw request with this device's current access token, as a modified client could send.
    async fn raw(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> (StatusCode, String) {
        let token = self
            .keychain
            .get(satchel_keychain::HUB_ACCESS_TOKEN)
            .unwrap()
            .unwrap();
        let mut req = reqwest::Client::new()
            .request(method, format!("{}{path}", self.url))
            .bearer_auth(token.expose());
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.unwrap();
        (resp.status(), resp.text().await.unwrap())
    }
}

async fn link(from: &Device, to: &Device, label: &str) {
    let offer = from.sync.offer_pairing(label).await.unwrap();
    to.sync.join_with_code(&offer.code.display()).await.unwrap();
    let asking = from.sync.join_requests().await.unwrap();
    from.sync
        .approve_join(asking[0].device_id, &asking[0].fingerprint)
        .await
        .unwrap();
    to.sync.sync_now().await.unwrap();
}

const ALPHABET: &str = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// Every record on the hub, as a copy of its database would hold them.
async fn hub_records(reader: &Device) -> Vec<proto::RecordDownload> {
    let (status, body) = reader
        .raw(reqwest::Method::GET, "/v0/records?after=0&limit=1000", None)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    serde_json::from_str::<proto::DownloadResponse>(&body)
        .unwrap()
        .records
}

/// The names in the records that open under `key`, and how many refused it as the wrong key.
fn open_with(key: &AccountKey, records: &[proto::RecordDownload]) -> (Vec<String>, usize) {
    let (mut names, mut refused) = (Vec::new(), 0);
    for r in records {
        let meta = RecordMeta {
            entity: &r.entity,
            record_id: &r.record_id,
            version: &r.version,
        };
        match satchel_crypto::opaque::open_record(key, &meta, &r.ciphertext.0) {
            Ok(frame) => {
                let body = String::from_utf8_lossy(&frame.body).into_owned();
                for n in ["Akiko Sato", "Hiroshi Tanaka"] {
                    if body.contains(n) {
                        names.push(n.to_owned());
                    }
                }
            }
            Err(CryptoError::WrongKey) => refused += 1,
            Err(e) => panic!("a record failed otherwise: {e}"),
        }
    }
    names.sort();
    names.dedup();
    (names, refused)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[allow(clippy::disallowed_methods)] // the hub's delay is checked against the wall clock
async fn a_removed_device_cannot_read_what_comes_after_nor_take_the_account() {
    let hub = start_hub().await;
    let a = Device::new(&hub);
    let first_phrase = a.sync.create_account("laptop").await.unwrap();
    a.add("Akiko Sato");
    a.sync.sync_now().await.unwrap();
    let b = Device::new(&hub);
    link(&a, &b, "tablet").await;
    let c = Device::new(&hub);
    link(&a, &c, "phone").await;
    a.sync.sync_now().await.unwrap();
    assert_eq!(c.names(), ["Akiko Sato"]);

    // While it is still a device of the account, the phone (the newest) cannot remove the
    // laptop outright: the hub files a request, and the laptop's list shows who asked.
    let Revoked::Pending { effective_at } = c.sync.revoke_device(a.id()).await.unwrap() else {
        panic!("a newer device removed an older one at once");
    };
    assert!(effective_at > chrono::Utc::now() + chrono::Duration::hours(70));
    let seen = a.sync.devices().await.unwrap();
    let laptop = seen.iter().find(|d| d.current).unwrap();
    assert_eq!(laptop.removal_asked_by, Some(c.id()));
    assert!(laptop.revoked_at.is_none());
    // Nor can it swap the recovery phrase for one of its own.
    let other = AccountKey::from_bytes([0x77; 32]);
    let (lookup, verifier) = satchel_crypto::recovery::registration(&other);
    let (status, body) = c
        .raw(
            reqwest::Method::PUT,
            proto::paths::RECOVERY,
            Some(serde_json::json!({
                "lookup": lookup,
                "verifier": base64_std(&verifier),
            })),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(body.contains("recovery_set"), "{body}");

    // The owner removes the phone from the laptop: at once, and the account has a new key.
    let thief_keys = c.stolen_keys();
    let Revoked::Removed {
        new_phrase: Some(new_phrase),
    } = a.sync.revoke_device(c.id()).await.unwrap()
    else {
        panic!("removing a newer device did not rotate the key");
    };
    assert_ne!(new_phrase.as_str(), first_phrase.as_str());
    // The phone's request died with it.
    let seen = a.sync.devices().await.unwrap();
    assert!(seen.iter().all(|d| d.removal_at.is_none()));

    // What the laptop writes from now on, the tablet reads and the phone's key does not.
    a.add("Hiroshi Tanaka");
    a.sync.sync_now().await.unwrap();
    b.sync.sync_now().await.unwrap();
    assert_eq!(b.names(), ["Akiko Sato", "Hiroshi Tanaka"]);
    // The tablet says the phrase changed until it has shown the new one; the laptop showed it.
    assert!(!a.sync.status().unwrap().phrase_changed);
    assert!(b.sync.status().unwrap().phrase_changed);
    assert_eq!(
        b.sync.recovery_phrase().await.unwrap().as_str(),
        new_phrase.as_str()
    );
    assert!(!b.sync.status().unwrap().phrase_changed);
    assert!(
        b.sync
            .devices()
            .await
            .unwrap()
            .iter()
            .any(|d| d.label == "laptop"),
        "labels sealed under the old key still open"
    );
    let records = hub_records(&b).await;
    let (thief_reads, refused) = thief_keys.iter().map(|k| open_with(k, &records)).fold(
        (Vec::new(), 0),
        |(mut n, r), (more, r2)| {
            n.extend(more);
            (n, r + r2)
        },
    );
    assert_eq!(
        thief_reads,
        ["Akiko Sato"],
        "the phone's key opens only the old records"
    );
    assert!(refused > 0);
    let new_key = satchel_crypto::from_phrase(new_phrase.as_str()).unwrap();
    assert_eq!(open_with(&new_key, &records).0, ["Hiroshi Tanaka"]);

    // The phone is out: it cannot sync, remove a device, or set the recovery phrase.
    let err = c.sync.sync_now().await.unwrap_err();
    assert!(err.to_string().contains("removed"), "{err}");
    let err = c.sync.revoke_device(b.id()).await.unwrap_err();
    assert!(matches!(err, SyncError::Hub { status: 401, .. }), "{err}");
    let (status, _) = c
        .raw(
            reqwest::Method::PUT,
            proto::paths::RECOVERY,
            Some(serde_json::json!({ "lookup": lookup, "verifier": base64_std(&verifier) })),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        b.sync
            .devices()
            .await
            .unwrap()
            .iter()
            .filter(|d| d.revoked_at.is_none())
            .count(),
        2
    );

    // Nor does the phrase derived from its key bring the account back on another device.
    let d = Device::new(&hub);
    let stolen_phrase = satchel_crypto::to_phrase(&thief_keys[0]);
    let err = d
        .sync
        .recover_with_phrase(stolen_phrase.as_str(), "thief")
        .await
        .unwrap_err();
    assert!(matches!(err, SyncError::WrongPhrase), "{err}");
    // The new phrase does, with every record, old and new.
    d.sync
        .recover_with_phrase(new_phrase.as_str(), "new phone")
        .await
        .unwrap();
    d.sync.sync_now().await.unwrap();
    assert_eq!(d.names(), ["Akiko Sato", "Hiroshi Tanaka"]);
}

/// Pairing by a typed code (issue #18): the code is the password of a SPAKE2 exchange through
/// the hub, so nothing the hub holds lets anyone work the code out; the new device gets no
/// credential and no key until the merchant approves it on the first device, having seen the
/// same fingerprint on both screens.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_typed_code_brings_no_key_until_the_first_device_approves() {
    let hub = start_hub().await;
    let a = Device::new(&hub);
    a.sync.create_account("laptop").await.unwrap();
    a.add("Akiko Sato");
    a.sync.sync_now().await.unwrap();
    assert!(a.sync.join_requests().await.unwrap().is_empty());

    let offer = a.sync.offer_pairing("tablet").await.unwrap();
    let b = Device::new(&hub);
    // Typed by hand, in lower case with a space: the code forgives that.
    let typed = offer.code.display().to_lowercase().replace('-', " ");
    b.sync.join_with_code(&typed).await.unwrap();
    let shown = b.sync.status().unwrap().awaiting_approval.expect("waiting");
    assert!(!b.sync.status().unwrap().linked, "not in before approval");
    for entry in [
        satchel_keychain::HUB_ACCESS_TOKEN,
        satchel_sync::HUB_DEVICE_CREDENTIAL,
    ] {
        assert!(b.keychain.get(entry).unwrap().is_none(), "{entry}");
    }
    // A restart while waiting: still waiting, with the same fingerprint, on both sides.
    let b = b.restart();
    assert_eq!(
        b.sync.status().unwrap().awaiting_approval.as_deref(),
        Some(shown.as_str())
    );
    let err = b.sync.sync_now().await.unwrap_err();
    assert!(
        matches!(err, SyncError::AwaitingApproval(ref f) if *f == shown),
        "{err}"
    );
    assert!(err.is_transient(), "the loop keeps asking");
    assert!(b.names().is_empty());
    assert!(b
        .keychain
        .get(satchel_keychain::SYNC_ACCOUNT_KEY)
        .unwrap()
        .is_none());

    // The laptop lists the tablet with the fingerprint the tablet shows; nothing else can be
    // approved.
    let a = a.restart();
    let asking = a.sync.join_requests().await.unwrap();
    assert_eq!(asking.len(), 1);
    assert_eq!(asking[0].fingerprint, shown);
    let b_id = asking[0].device_id;
    assert_eq!(b_id, offer.device_id);
    // The hub's slot may be gone by the time the merchant approves: the laptop kept the answer.
    {
        use satchel_hub_core::HubStorage;
        let storage = SqliteStorage::open(hub._dir.path().join("hub.sqlite3")).unwrap();
        let account = a.sync.status().unwrap().account_id.unwrap();
        assert!(storage
            .drop_pairing(account, &offer.code.nameplate_lookup())
            .await
            .unwrap());
    }
    assert!(matches!(
        a.sync.approve_join(a.id(), &shown).await,
        Err(SyncError::NoJoinRequest)
    ));
    // What the merchant compared is checked: a fingerprint that is not the tablet's is refused.
    assert!(matches!(
        a.sync.approve_join(b_id, "0000-0000").await,
        Err(SyncError::FingerprintChanged)
    ));
    a.sync
        .approve_join(b_id, &shown.to_lowercase())
        .await
        .unwrap();
    let listed = a.sync.join_requests().await.unwrap();
    assert!(listed[0].approved, "listed as approved until it is in");
    // Approving twice (the first one lost) is harmless.
    a.sync.approve_join(b_id, &shown).await.unwrap();

    b.sync.sync_now().await.unwrap();
    assert_eq!(b.id(), b_id);
    assert!(b.sync.status().unwrap().linked);
    assert_eq!(b.names(), ["Akiko Sato"]);
    assert_eq!(b.sync.status().unwrap().awaiting_approval, None);
    assert!(
        !b.sync.status().unwrap().phrase_changed,
        "joining changed no phrase"
    );
    // In: its key is now vouched for by the account's keys, and the offer is forgotten.
    assert!(a.sync.join_requests().await.unwrap().is_empty());
    // A full member: its key is now vouched for by the account key, so a rotation reaches it.
    let c = Device::new(&hub);
    link(&a, &c, "phone").await;
    let Revoked::Removed {
        new_phrase: Some(_),
    } = a.sync.revoke_device(c.id()).await.unwrap()
    else {
        panic!("no rotation");
    };
    b.sync.sync_now().await.unwrap();
    a.add("Hiroshi Tanaka");
    a.sync.sync_now().await.unwrap();
    b.sync.sync_now().await.unwrap();
    assert_eq!(b.names(), ["Akiko Sato", "Hiroshi Tanaka"]);
}

/// A typed code gets one answer. Whoever answers with a wrong guess (the hub, or someone who
/// saw the first four characters) spends the code and gets nothing: the first device shows a
/// fingerprint no screen shows, and even an approval of it opens for nobody.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_guess_spends_the_code_and_gets_nothing_even_if_approved() {
    let hub = start_hub().await;
    let a = Device::new(&hub);
    a.sync.create_account("laptop").await.unwrap();
    a.add("Akiko Sato");
    a.sync.sync_now().await.unwrap();
    let offer = a.sync.offer_pairing("tablet").await.unwrap();

    // Same nameplate (the first four characters, which the hub sees), wrong rest.
    let shown = offer.code.display().replace('-', "");
    let guess = ALPHABET
        .chars()
        .filter(|&c| c != shown.as_bytes()[6] as char)
        .flat_map(|c| ALPHABET.chars().map(move |check| (c, check)))
        .map(|(c, check)| format!("{}{c}{}{check}", &shown[..6], &shown[7..9]))
        .find(|g| satchel_crypto::PairingCode::parse(g).is_ok())
        .unwrap();
    let e = Device::new(&hub);
    e.sync.join_with_code(&guess).await.unwrap();
    let e_shows = e.sync.status().unwrap().awaiting_approval.unwrap();

    // The merchant's tablet, with the right code, comes too late: the code is spent.
    let b = Device::new(&hub);
    assert!(matches!(
        b.sync.join_with_code(&offer.code.display()).await,
        Err(SyncError::Pairing(CryptoError::WrongPairingCode))
    ));
    // The laptop lists one device asking, under a fingerprint the guesser does not show.
    let asking = a.sync.join_requests().await.unwrap();
    assert_eq!(asking.len(), 1);
    assert_ne!(asking[0].fingerprint, e_shows);
    // Approved by mistake anyway: the guesser still cannot open it.
    a.sync
        .approve_join(asking[0].device_id, &asking[0].fingerprint)
        .await
        .unwrap();
    assert!(matches!(
        e.sync.sync_now().await,
        Err(SyncError::AwaitingApproval(_))
    ));
    assert!(e.names().is_empty());
    assert!(e
        .keychain
        .get(satchel_keychain::SYNC_ACCOUNT_KEY)
        .unwrap()
        .is_none());
}

/// A hostile hub: it moves the account to a key of its own, with a well-formed grant sealed to
/// every device's public key and a keyring that opens under its key. The devices must refuse
/// it, or everything they upload next would be readable by the hub.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_the_hub_makes_up_is_refused_and_nothing_is_sealed_under_it() {
    use satchel_hub_core::{HubStorage, KeyGrant, KeyRotation};
    let hub = start_hub().await;
    let a = Device::new(&hub);
    a.sync.create_account("laptop").await.unwrap();
    a.add("Akiko Sato");
    a.sync.sync_now().await.unwrap();
    let b = Device::new(&hub);
    link(&a, &b, "tablet").await;
    let c = Device::new(&hub);
    link(&a, &c, "phone").await;
    let account = a.sync.status().unwrap().account_id.unwrap();

    // The hub's own writes, straight into its database.
    let storage = SqliteStorage::open(hub._dir.path().join("hub.sqlite3")).unwrap();
    let hostile = AccountKey::from_bytes([0x66; 32]);
    let mut rng =
        <rand_chacha::ChaCha20Rng as rand_chacha::rand_core::SeedableRng>::from_seed([3; 32]);
    let state = storage.key_state(account, b.id()).await.unwrap();
    let grants = state
        .devices
        .iter()
        .filter_map(|d| {
            let public: [u8; 32] = d.key.as_ref()?.public_key.clone().try_into().ok()?;
            Some(KeyGrant {
                device_id: d.device_id,
                blob: satchel_crypto::rotation::seal_grant(
                    &public,
                    d.device_id.as_bytes(),
                    state.epoch + 1,
                    &hostile,
                    &mut rng,
                ),
            })
        })
        .collect::<Vec<_>>();
    assert_eq!(grants.len(), 3, "every device registered its key");
    assert!(storage
        .revoke_device(account, c.id(), chrono::DateTime::UNIX_EPOCH)
        .await
        .unwrap());
    assert!(storage
        .rotate_key(
            account,
            &KeyRotation {
                epoch: state.epoch + 1,
                keyring: satchel_crypto::rotation::seal_keyring(
                    &hostile,
                    state.epoch + 1,
                    &[],
                    &mut rng
                ),
                grants,
                recovery: None,
            },
            chrono::DateTime::UNIX_EPOCH,
        )
        .await
        .unwrap());

    // The tablet opens the grant, sees the key does not carry its own, and takes nothing: it
    // keeps its key, sends nothing, and says why.
    let before = b.stolen_keys();
    b.add("Hiroshi Tanaka");
    let err = b.sync.sync_now().await.unwrap_err();
    assert!(matches!(err, SyncError::KeyChangeRefused), "{err}");
    assert_eq!(b.stolen_keys().len(), before.len());
    assert!(b.stolen_keys().iter().all(|k| k != &hostile));
    assert_eq!(b.sync.status().unwrap().pending, 1, "nothing went up");
    let records = hub_records(&a).await;
    assert_eq!(open_with(&hostile, &records).0, Vec::<String>::new());
}

fn base64_std(bytes: &[u8]) -> serde_json::Value {
    serde_json::to_value(proto::Bytes(bytes.to_vec())).unwrap()
}
