//! Tariffs through sync (issue #16): a kept tariff file leaves as parts small enough for the
//! hub, a peer's parts wait until the file is whole, come back as exactly the file that left,
//! and are checked before anything is staged. Two real SQLite files; the hub's part is covered
//! end to end by `satchel-workflows`' `tariff_sync` test.

use chrono::{DateTime, Utc};
use satchel_core::rates::Source;
use satchel_fixtures::tariffs::{bundled, letter_revision_2022, ORD};
use satchel_store::{NewTariff, RemoteChange, Store, TARIFF_PART};
use serde_json::Value;

use crate::common::*;

const SPT: &str = "postageRate-intl-SPT.json";

fn at() -> DateTime<Utc> {
    "2026-12-05T02:00:00Z".parse().unwrap()
}

fn fetched(name: &str) -> Source {
    Source::Fetched {
        url: format!("https://www.hongkongpost.hk/opendata/{name}"),
        at: at(),
    }
}

/// What this store would push of its tariffs, as a peer would receive it.
fn parts(store: &Store) -> Vec<RemoteChange> {
    store
        .changes_since(0, 100_000)
        .unwrap()
        .into_iter()
        .filter(|c| c.entity == TARIFF_PART)
        .map(RemoteChange::from)
        .collect()
}

fn open_other(dir: &tempfile::TempDir) -> Store {
    Store::open_with_clock(
        dir.path().join("phone.db"),
        Box::new(TestClock::at(T0 + 60_000)),
    )
    .unwrap()
}

#[test]
fn a_kept_tariff_reaches_another_device_whole_and_once() {
    let dir = tempfile::tempdir().unwrap();
    let (mut laptop, _) = open(&dir);
    let spt = bundled(SPT).replace("2023-", "2026-");
    let source = fetched(SPT);
    let file = NewTariff {
        name: SPT,
        last_update: "2026-01-02 00:00:00",
        source: &source,
        body: &spt,
    };
    assert_eq!(
        laptop
            .save_tariffs(std::slice::from_ref(&file), &[])
            .unwrap(),
        1
    );

    // The biggest published file (845 KB) leaves in a few parts, each well under the hub's
    // 64 KiB per record once sealed.
    let sent = parts(&laptop);
    assert!((2..=8).contains(&sent.len()), "{} parts", sent.len());
    for p in &sent {
        let size = Value::Object(p.fields.clone()).to_string().len();
        assert!(size < 40 * 1024, "a part of {size} bytes");
    }
    // Saving the same file again sends nothing more.
    assert_eq!(laptop.save_tariffs(&[file], &[]).unwrap(), 0);
    assert_eq!(parts(&laptop).len(), sent.len());

    // The phone gets the parts out of order and one page short: nothing is whole yet.
    let mut phone = open_other(&dir);
    let (last, first) = sent.split_last().unwrap();
    let mut reversed = first.to_vec();
    reversed.reverse();
    let report = phone.apply_remote(&reversed).unwrap();
    assert!(report.skipped.is_empty(), "{:?}", report.skipped);
    assert!(phone.synced_tariffs().unwrap().is_empty());

    phone.apply_remote(std::slice::from_ref(last)).unwrap();
    let whole = phone.synced_tariffs().unwrap();
    assert_eq!(whole.len(), 1);
    assert_eq!(whole[0].name, SPT);
    assert_eq!(whole[0].last_update, "2026-01-02 00:00:00");
    assert_eq!(whole[0].body.as_deref(), Ok(spt.as_str()));

    let peer = Source::Peer { at: at() };
    let keep = NewTariff {
        name: SPT,
        last_update: "2026-01-02 00:00:00",
        source: &peer,
        body: whole[0].body.as_ref().unwrap(),
    };
    assert!(phone
        .settle_synced_tariff(&whole[0].key, Some(&keep), "kept")
        .unwrap());
    let kept = phone.tariff_files().unwrap();
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].source, peer);
    assert_eq!(kept[0].body, spt);
    // A file from a peer is not sent on again, and the same parts arriving again (another
    // device sent the same file) stage nothing.
    assert!(parts(&phone).is_empty());
    phone.apply_remote(&sent).unwrap();
    assert!(phone.synced_tariffs().unwrap().is_empty());
    assert_eq!(phone.tariff_files().unwrap().len(), 1);

    // The laptop's own parts coming back from the hub are not news either.
    laptop.apply_remote(&sent).unwrap();
    assert!(laptop.synced_tariffs().unwrap().is_empty());
}

#[test]
fn a_peers_parts_are_checked_before_anything_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let (mut laptop, _) = open(&dir);
    let body = letter_revision_2022();
    let source = fetched(ORD);
    laptop
        .save_tariffs(
            &[NewTariff {
                name: ORD,
                last_update: "2022-09-26 00:00:00",
                source: &source,
                body: &body,
            }],
            &[],
        )
        .unwrap();
    let sent = parts(&laptop);
    let good = &sent[0];
    let with = |field: &str, value: Value| {
        let mut c = good.clone();
        c.fields.insert(field.into(), value);
        c
    };

    // Refused by shape, each named by the field at fault and never by its value.
    let mut moved = good.clone();
    moved.record_id = format!("{}-1", &good.record_id[..32]);
    let broken = [
        (with("count", Value::from(0)), "count"),
        (with("count", Value::from(1000)), "count"),
        (with("index", Value::from(sent.len())), "index"),
        (with("data", Value::from("not base64!")), "data"),
        (with("data", Value::from("A".repeat(40 * 1024))), "data"),
        (with("key", Value::from("laptop")), "key"),
        (with("name", Value::from(7)), "name"),
        (moved, "record id"),
    ];
    let mut phone = open_other(&dir);
    for (change, field) in broken {
        let report = phone.apply_remote(&[change]).unwrap();
        assert_eq!(report.skipped.len(), 1, "{field}");
        assert!(report.skipped[0].reason.contains(field), "{report:?}");
        assert!(!report.skipped[0].reason.contains("ORD"), "{report:?}");
    }
    assert!(phone.synced_tariffs().unwrap().is_empty());

    // Well-formed parts that do not make the file they name: reported, never kept.
    let data = good.fields["data"].as_str().unwrap();
    let flipped = format!(
        "{}{}",
        if data.starts_with('A') { "B" } else { "A" },
        &data[1..]
    );
    let mut tampered = sent.clone();
    tampered[0] = with("data", Value::from(flipped));
    phone.apply_remote(&tampered).unwrap();
    let whole = phone.synced_tariffs().unwrap();
    assert_eq!(whole.len(), 1);
    assert!(whole[0].body.is_err(), "{:?}", whole[0].body.as_ref().err());
    phone
        .settle_synced_tariff(&whole[0].key, None, "refused")
        .unwrap();
    assert!(phone.tariff_files().unwrap().is_empty());
    assert!(phone.synced_tariffs().unwrap().is_empty());
}
