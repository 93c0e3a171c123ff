//! Issue #16: tariffs fetched from a real HTTP server standing in for the operator's open
//! data, kept by date in a real SQLite file, and priced by posting date.
//!
//! The server first serves the bundled files unchanged, then changed ones: a price moved
//! (the 26 Sep 2022 letter revision), a destination added, a malformed file, a file that
//! never arrives (timeout) and 304s for the rest.

use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal_macros::dec;
use satchel_core::rates::{Moved, RateSet, BUNDLED};
use satchel_core::service::{LetterFormat, Service};
use satchel_fixtures::http::{FileServer, Reply};
use satchel_fixtures::tariffs::{
    bundled, e_express_with_italy_2024, letter_revision_2022, EXP, ORD,
};
use satchel_net::opendata::OpenData;
use satchel_store::Store;
use satchel_workflows::tariffs::{self, Checked, UpdateReport};

const SPT: &str = "postageRate-intl-SPT.json";
const AIRPAR: &str = "postageRate-intl-AIRPAR.json";

fn serve_bundled(server: &FileServer) {
    for (name, json) in BUNDLED {
        server.set(
            &format!("/opendata/{name}"),
            Reply::File(json.as_bytes().to_vec()),
        );
    }
}

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

/// One check, as `tariffs::update` runs it, with a short timeout for the stalled file.
fn check(store: &mut Store, server: &FileServer, now: DateTime<Utc>) -> UpdateReport {
    let base = server.url("/opendata");
    let (current, skipped) = tariffs::rate_set(store);
    assert!(skipped.is_empty(), "{skipped:?}");
    let requests = tariffs::requests(store, &base);
    let client = OpenData::new(Duration::from_secs(2)).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let answers = rt.block_on(tariffs::fetch_all(&client, requests));
    tariffs::keep(store, &current, answers, &base, now).unwrap()
}

fn outcome<'a>(r: &'a UpdateReport, name: &str) -> &'a Checked {
    &r.files.iter().find(|f| f.name == name).unwrap().checked
}

fn letter_to_taiwan(rates: &RateSet, posting: NaiveDate) -> rust_decimal::Decimal {
    rates
        .as_of(posting)
        .quote(Service::AirMail(LetterFormat::SmallLetter), "TW", "TW", 20)
        .unwrap()
        .estimate
}

#[test]
fn a_check_keeps_exactly_the_new_valid_tariffs_and_quotes_follow_the_posting_date() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path().join("satchel.db")).unwrap();
    let server = FileServer::start();

    // The operator still serves what was bundled: nothing new is kept.
    serve_bundled(&server);
    let first = check(&mut store, &server, at("2026-12-01T02:00:00Z"));
    assert_eq!(first.files.len(), BUNDLED.len());
    assert!(
        first.files.iter().all(|f| f.checked == Checked::Unchanged),
        "{first:?}"
    );
    assert!(store.tariff_files().unwrap().is_empty());

    // Then: a price moved, a destination added, a malformed file, a file that never comes.
    server.set(
        &format!("/opendata/{ORD}"),
        Reply::File(letter_revision_2022().into_bytes()),
    );
    server.set(
        &format!("/opendata/{EXP}"),
        Reply::File(e_express_with_italy_2024().into_bytes()),
    );
    server.set(
        &format!("/opendata/{SPT}"),
        Reply::File(b"{\"data\": [ {\"serviceCode\": ".to_vec()),
    );
    server.set(
        &format!("/opendata/{AIRPAR}"),
        Reply::Stall(Duration::from_secs(60)),
    );
    let second = check(&mut store, &server, at("2026-12-05T02:00:00Z"));

    match outcome(&second, ORD) {
        Checked::New {
            last_update,
            changes,
        } => {
            assert_eq!(last_update.to_string(), "2022-09-26 00:00:00");
            assert_eq!(changes.len(), 1, "only the small letter moved: {changes:?}");
            let c = &changes[0].changes;
            assert_eq!(c.len(), 1, "{c:?}");
            assert_eq!(c[0].destination.as_str(), "TW");
            assert_eq!(c[0].moved.delta(), Some(dec!(0.30)));
        }
        other => panic!("ORD: {other:?}"),
    }
    match outcome(&second, EXP) {
        Checked::New { changes, .. } => {
            assert_eq!(changes.len(), 1);
            let c = &changes[0].changes;
            assert_eq!(c.len(), 1, "{c:?}");
            assert_eq!(
                (c[0].destination.as_str(), &c[0].moved),
                ("IT", &Moved::Added)
            );
        }
        other => panic!("EXP: {other:?}"),
    }
    assert!(
        matches!(outcome(&second, SPT), Checked::Invalid { .. }),
        "{second:?}"
    );
    match outcome(&second, AIRPAR) {
        Checked::Failed { error } => assert!(error.contains("timed out"), "{error}"),
        other => panic!("AIRPAR: {other:?}"),
    }
    // The other eight answered 304 to the validators kept by the first check.
    let unchanged = second
        .files
        .iter()
        .filter(|f| f.checked == Checked::Unchanged)
        .count();
    assert_eq!(unchanged, BUNDLED.len() - 4);
    let conditional = server
        .requests()
        .iter()
        .skip(BUNDLED.len())
        .filter(|(_, tag)| tag.is_some())
        .count();
    assert_eq!(
        conditional,
        BUNDLED.len(),
        "every second request is conditional"
    );

    // Exactly the two valid new versions are kept, with where they came from.
    let kept = store.tariff_files().unwrap();
    let names: Vec<(&str, &str)> = kept
        .iter()
        .map(|t| (t.name.as_str(), t.last_update.as_str()))
        .collect();
    // In the order the check asked for them (the bundled files' order).
    assert_eq!(
        names,
        [(EXP, "2024-01-02 00:00:00"), (ORD, "2022-09-26 00:00:00")]
    );
    assert!(matches!(
        &kept[1].source,
        satchel_core::rates::Source::Fetched { url, .. } if url.ends_with(ORD)
    ));

    // Quotes take the version in force on the posting date; history stays.
    let (rates, _) = tariffs::rate_set(&store);
    let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
    assert_eq!(letter_to_taiwan(&rates, day(2022, 9, 25)), dec!(3.40));
    assert_eq!(letter_to_taiwan(&rates, day(2022, 9, 26)), dec!(3.70));
    assert_eq!(letter_to_taiwan(&rates, day(2026, 12, 5)), dec!(3.70));
    let italy = |d| {
        rates
            .as_of(d)
            .quote(Service::EExpress, "IT", "IT", 100)
            .is_ok()
    };
    assert!(!italy(day(2023, 12, 31)) && italy(day(2024, 1, 2)));

    // Checking again: the kept files answer 304; the malformed one is asked for with the
    // validators of the copy still in use (the bundled one), never the malformed one's, so it
    // is fetched and judged again; nothing more is stored.
    server.set(&format!("/opendata/{AIRPAR}"), Reply::Status(503));
    let third = check(&mut store, &server, at("2026-12-06T02:00:00Z"));
    assert_eq!(*outcome(&third, ORD), Checked::Unchanged);
    assert_eq!(*outcome(&third, EXP), Checked::Unchanged);
    assert!(matches!(outcome(&third, SPT), Checked::Invalid { .. }));
    match outcome(&third, AIRPAR) {
        Checked::Failed { error } => assert!(error.contains("503"), "{error}"),
        other => panic!("AIRPAR: {other:?}"),
    }
    let spt_asks: Vec<_> = server
        .requests()
        .into_iter()
        .filter(|(p, _)| p.ends_with(SPT))
        .collect();
    assert_eq!(
        spt_asks.last().unwrap().1,
        Some(satchel_fixtures::http::etag(bundled(SPT).as_bytes())),
        "{spt_asks:?}"
    );
    assert_eq!(store.tariff_files().unwrap().len(), 2);
}

#[test]
fn a_file_the_merchant_loads_is_kept_once_and_a_malformed_one_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path().join("satchel.db")).unwrap();
    let (current, _) = tariffs::rate_set(&store);

    let bad = tariffs::load_file(&mut store, &current, "broken.json", "{\"data\": 1}");
    assert!(matches!(bad, Err(tariffs::LoadError::Invalid(_))));
    assert!(store.tariff_files().unwrap().is_empty());

    let found = tariffs::load_file(
        &mut store,
        &current,
        "ord-2022.json",
        &letter_revision_2022(),
    )
    .unwrap()
    .expect("a new tariff");
    assert_eq!(
        found.0.date(),
        NaiveDate::from_ymd_opt(2022, 9, 26).unwrap()
    );
    // The same file again tells nothing new.
    let (current, _) = tariffs::rate_set(&store);
    let again = tariffs::load_file(
        &mut store,
        &current,
        "ord-2022.json",
        &letter_revision_2022(),
    )
    .unwrap();
    assert!(again.is_none());
    assert_eq!(store.tariff_files().unwrap().len(), 1);

    let listed = tariffs::list(
        &current,
        "https://example.invalid",
        NaiveDate::from_ymd_opt(2026, 12, 5).unwrap(),
    );
    let ord = listed
        .files
        .iter()
        .find(|f| f.name == "ord-2022.json")
        .unwrap();
    assert_eq!(
        (ord.source.as_str(), ord.last_update.as_str()),
        ("file", "2022-09-26")
    );
    // Four years old on 5 Dec 2026: stale, and said so.
    assert!(ord.stale && listed.stale);
    // The superseded bundled ORD file is marked so.
    let bundled_ord = listed.files.iter().find(|f| f.name == ORD).unwrap();
    assert!(bundled_ord.superseded.is_some() && !bundled_ord.in_force);
}
