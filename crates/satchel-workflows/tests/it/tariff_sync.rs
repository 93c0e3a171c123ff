//! Issue #16, "a device that has never been online should get them from the merchant's other
//! devices through sync": the laptop fetches a newer tariff from a real HTTP server standing
//! in for the operator's open data; the phone, which never asks the operator, gets it through
//! a real hub and prices exactly as the laptop does. Real SQLite files on both devices.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal_macros::dec;
use satchel_core::rates::{RateSet, Source, BUNDLED};
use satchel_core::service::{LetterFormat, Service};
use satchel_fixtures::http::{FileServer, Reply};
use satchel_fixtures::tariffs::{letter_revision_2022, ORD};
use satchel_keychain::MemorySecrets;
use satchel_net::opendata::OpenData;
use satchel_store::Store;
use satchel_sync::{SyncConfig, Syncer};
use satchel_workflows::tariffs;

pub(crate) type Device = Syncer<Mutex<Store>>;

pub(crate) fn device(hub: &str, db: std::path::PathBuf) -> (Arc<Mutex<Store>>, Device) {
    let store = Arc::new(Mutex::new(Store::open(db).unwrap()));
    let config = SyncConfig::new(hub);
    let sync = Syncer::new(store.clone(), Arc::new(MemorySecrets::default()), config).unwrap();
    (store, sync)
}

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

/// Every price the set gives on `posting` for a spread of destinations, weights and services.
fn prices(rates: &RateSet, posting: NaiveDate) -> Vec<String> {
    let view = rates.as_of(posting);
    let mut out = Vec::new();
    for service in Service::all() {
        for dest in ["TW", "CN", "US", "GB", "JP", "AU", "IT"] {
            for grams in [20, 450, 1900] {
                out.push(format!(
                    "{service:?} {dest} {grams}: {:?}",
                    view.quote(service, dest, dest, grams).map(|q| q.estimate)
                ));
            }
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_never_online_gets_the_tariff_through_the_hub_and_prices_the_same() {
    let tmp = tempfile::tempdir().unwrap();
    let hub = crate::start_hub(tmp.path()).await;
    let (laptop_db, laptop) = device(&hub, tmp.path().join("laptop.db"));
    let (phone_db, phone) = device(&hub, tmp.path().join("phone.db"));
    laptop.create_account("laptop").await.unwrap();
    let offer = laptop.offer_pairing("phone").await.unwrap();
    phone.join_with_code(&offer.qr_payload).await.unwrap();

    // The laptop checks the operator: the 2022 letter revision is new.
    let server = FileServer::start();
    for (name, json) in BUNDLED {
        server.set(
            &format!("/opendata/{name}"),
            Reply::File(json.as_bytes().to_vec()),
        );
    }
    server.set(
        &format!("/opendata/{ORD}"),
        Reply::File(letter_revision_2022().into_bytes()),
    );
    let base = server.url("/opendata");
    let requests = {
        let s = laptop_db.lock().unwrap();
        tariffs::requests(&s, &base)
    };
    let client = OpenData::new(Duration::from_secs(10)).unwrap();
    let answers = tariffs::fetch_all(&client, requests).await;
    let (current, _) = tariffs::rate_set(&laptop_db.lock().unwrap());
    let report = tariffs::keep(
        &mut laptop_db.lock().unwrap(),
        &current,
        answers,
        &base,
        at("2026-12-05T02:00:00Z"),
    )
    .unwrap();
    assert_eq!(report.new_files().count(), 1, "{report:?}");
    let asked = server.requests().len();

    // Before any sync the phone still prices with the bundled 2021 letter rates.
    let posting = NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
    let letter = |rates: &RateSet| {
        rates
            .as_of(posting)
            .quote(Service::AirMail(LetterFormat::SmallLetter), "TW", "TW", 20)
            .unwrap()
            .estimate
    };
    assert_eq!(
        letter(&tariffs::rate_set(&phone_db.lock().unwrap()).0),
        dec!(3.40)
    );

    laptop.sync_now().await.unwrap();
    let pulled = phone.sync_now().await.unwrap();
    assert!(pulled.pulled >= 1, "{pulled:?}");
    let adopted =
        tariffs::adopt_synced(&mut phone_db.lock().unwrap(), at("2026-12-05T03:00:00Z")).unwrap();
    assert!(adopted.refused.is_empty(), "{adopted:?}");
    assert_eq!(adopted.kept.len(), 1);
    assert_eq!(adopted.kept[0].0, ORD);
    assert_eq!(adopted.kept[0].1.to_string(), "2022-09-26 00:00:00");

    // The phone asked the operator nothing, and now prices exactly as the laptop.
    assert_eq!(server.requests().len(), asked);
    let (on_laptop, _) = tariffs::rate_set(&laptop_db.lock().unwrap());
    let (on_phone, skipped) = tariffs::rate_set(&phone_db.lock().unwrap());
    assert!(skipped.is_empty(), "{skipped:?}");
    assert_eq!(letter(&on_phone), dec!(3.70));
    assert_eq!(prices(&on_phone, posting), prices(&on_laptop, posting));
    // A posting date before the revision still gets the old price on both.
    let before = NaiveDate::from_ymd_opt(2022, 9, 25).unwrap();
    assert_eq!(prices(&on_phone, before), prices(&on_laptop, before));

    // The phone says where its copy came from.
    let kept = phone_db.lock().unwrap().tariff_files().unwrap();
    assert_eq!(kept.len(), 1);
    assert_eq!(
        kept[0].source,
        Source::Peer {
            at: at("2026-12-05T03:00:00Z")
        }
    );

    // Syncing again brings nothing new, and sends nothing back.
    phone.sync_now().await.unwrap();
    laptop.sync_now().await.unwrap();
    let again =
        tariffs::adopt_synced(&mut phone_db.lock().unwrap(), at("2026-12-05T04:00:00Z")).unwrap();
    assert_eq!(again, tariffs::Adopted::default());
    assert!(
        tariffs::adopt_synced(&mut laptop_db.lock().unwrap(), at("2026-12-05T04:00:00Z"))
            .unwrap()
            .kept
            .is_empty()
    );
    assert_eq!(phone_db.lock().unwrap().tariff_files().unwrap().len(), 1);
    assert_eq!(laptop_db.lock().unwrap().tariff_files().unwrap().len(), 1);
}

/// A peer's file is input from outside: one that is not a tariff, or that says another date
/// than it was sent under, is refused, and the phone keeps pricing as before.
#[test]
fn a_peers_file_that_is_not_the_tariff_it_claims_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let mut laptop = Store::open(tmp.path().join("laptop.db")).unwrap();
    let mut phone = Store::open(tmp.path().join("phone.db")).unwrap();
    let loaded = Source::File {
        name: "rates.json".into(),
    };
    let revision = letter_revision_2022();
    let broken = r#"{"lastUpdateDate": "2026-01-01 00:00:00", "data": [ {"serviceCode": "#;
    // The store keeps what it is given; these could only come from a broken or hostile peer.
    laptop
        .save_tariffs(
            &[
                satchel_store::NewTariff {
                    name: ORD,
                    last_update: "2030-01-01 00:00:00",
                    source: &loaded,
                    body: &revision,
                },
                satchel_store::NewTariff {
                    name: "postageRate-intl-EXP.json",
                    last_update: "2026-01-01 00:00:00",
                    source: &loaded,
                    body: broken,
                },
            ],
            &[],
        )
        .unwrap();
    let parts: Vec<_> = laptop
        .changes_since(0, 1000)
        .unwrap()
        .into_iter()
        .map(satchel_store::RemoteChange::from)
        .collect();
    phone.apply_remote(&parts).unwrap();

    let adopted = tariffs::adopt_synced(&mut phone, at("2026-12-05T03:00:00Z")).unwrap();
    assert!(adopted.kept.is_empty(), "{adopted:?}");
    let mut refused = adopted.refused.clone();
    refused.sort();
    assert_eq!(refused.len(), 2, "{refused:?}");
    assert_eq!(refused[0].0, "postageRate-intl-EXP.json");
    assert!(
        refused[0].1.starts_with("not a valid tariff file"),
        "{refused:?}"
    );
    assert_eq!(refused[1].0, ORD);
    assert!(refused[1].1.contains("2030-01-01"), "{refused:?}");
    assert!(phone.tariff_files().unwrap().is_empty());
    // Settled: the same parts again are not news.
    phone.apply_remote(&parts).unwrap();
    assert_eq!(
        tariffs::adopt_synced(&mut phone, at("2026-12-05T04:00:00Z")).unwrap(),
        tariffs::Adopted::default()
    );
}
