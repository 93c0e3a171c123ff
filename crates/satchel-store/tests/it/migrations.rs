//! Migrations: an empty file reaches the latest schema, a database written by an earlier
//! release opens with its data intact, a newer schema is refused, and shipped migration files
//! are never edited.

use crate::common::*;
use rusqlite::Connection;
use satchel_store::{latest_version, ContactKind, Error, ShipmentFilter, Store, MIGRATIONS};

/// FNV-1a: enough to notice an edit; not a security hash.
fn fnv1a(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The hash of every migration as shipped. Add a line for a new migration; never change one.
const SHIPPED: &[(&str, u64)] = &[
    ("0001_local_store.sql", 0xcaab_cf8c_c6cd_d3f0),
    ("0002_ecship_outbox.sql", 0xd41d_cf71_fd0d_c87a),
    ("0003_label_prints.sql", 0xa8b6_0803_8c36_46d5),
    ("0004_outbox_look_up.sql", 0x6044_e169_cdc3_a57e),
    ("0005_tariffs.sql", 0xc479_8dd8_64cf_e90a),
    ("0006_synced_tariffs_orders.sql", 0xf716_c062_7e90_95a4),
];

#[test]
fn shipped_migrations_are_never_edited() {
    for (i, (name, hash)) in SHIPPED.iter().enumerate() {
        let (file, sql) = MIGRATIONS[i];
        assert_eq!(file, *name);
        assert_eq!(
            fnv1a(sql),
            *hash,
            "{name} changed after it shipped: add a new migration instead (hash {:#x})",
            fnv1a(sql)
        );
    }
    assert_eq!(
        MIGRATIONS.len(),
        SHIPPED.len(),
        "pin the hash of the new migration here"
    );
}

#[test]
fn an_empty_file_migrates_to_the_latest_schema() {
    let dir = tempfile::tempdir().unwrap();
    let (s, _) = open(&dir);
    let c = s.connection();
    let v: i64 = c
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(v, latest_version());
    let mode: String = c
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    let fk: i64 = c
        .pragma_query_value(None, "foreign_keys", |r| r.get(0))
        .unwrap();
    assert_eq!(fk, 1);
    for table in [
        "contacts",
        "shipments",
        "change_log",
        "contact_grams",
        "contact_words",
    ] {
        let n: i64 = c
            .query_row(
                "SELECT count(*) FROM sqlite_schema WHERE name = ?1",
                [table],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(n, 1, "{table}");
    }
}

/// `tests/fixtures/store-0.1.0.sqlite` was written by release 0.1.0 (schema 1): two
/// contacts (one Chinese, one sender profile) and one draft. Every later release must open it.
#[test]
fn a_database_from_the_previous_release_opens_with_its_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.sqlite");
    std::fs::copy(
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/store-0.1.0.sqlite"
        ),
        &path,
    )
    .unwrap();
    let s = Store::open(&path).unwrap();
    let v: i64 = s
        .connection()
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(v, latest_version());
    let people = s.all_contacts(ContactKind::Recipient).unwrap();
    assert_eq!(people[0].input.party.name, "陳小明");
    assert_eq!(
        s.default_sender().unwrap().unwrap().input.party.country,
        "HK"
    );
    let drafts = s.list_shipments(&ShipmentFilter::default()).unwrap();
    assert_eq!(drafts[0].draft.shipment.reference, "ORD-1");
    assert_eq!(
        drafts[0].draft.recipient_id.as_deref(),
        Some(people[0].id.as_str())
    );
    // The change log was rebuilt by 0006 (a new synced entity): every change is still there to
    // push, in order, and a new one is numbered after them, never reusing a number.
    let logged = s.changes_since(0, 100).unwrap();
    assert_eq!(logged.len(), 3, "two contacts and a draft");
    assert!(logged.windows(2).all(|w| w[0].seq < w[1].seq));
    let last = logged.last().unwrap().seq;
    let mut s = s;
    s.create_contact(recipient("Ann Lee", "1-2-3 Ginza", "JP"))
        .unwrap();
    let after = s.changes_since(last, 100).unwrap();
    assert_eq!(after.len(), 1);
    assert!(after[0].seq > last);
}

#[test]
fn a_newer_schema_is_refused_not_damaged() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("future.sqlite");
    let c = Connection::open(&path).unwrap();
    c.pragma_update(None, "user_version", latest_version() + 1)
        .unwrap();
    drop(c);
    let e = Store::open(&path).unwrap_err();
    assert!(matches!(e, Error::SchemaTooNew { .. }), "{e}");
    assert!(e.to_string().contains("update Satchel"));
}

/// Writes the fixture above. Run once per release with
/// `SATCHEL_WRITE_FIXTURE=1 cargo test -p satchel-store --test migrations write_fixture`.
#[test]
fn write_fixture() {
    if std::env::var_os("SATCHEL_WRITE_FIXTURE").is_none() {
        return;
    }
    let out = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/store-0.1.0.sqlite"
    );
    let _ = std::fs::remove_file(out);
    let mut s = Store::open_with_clock(out, Box::new(TestClock::at(T0))).unwrap();
    s.create_contact(hk_sender("小店 Little Shop")).unwrap();
    let c = s
        .create_contact(recipient("陳小明", "1-2-3 Ginza 銀座", "JP"))
        .unwrap();
    let draft = satchel_store::ShipmentDraft {
        shipment: satchel_core::model::Shipment {
            sender: hk_sender("小店 Little Shop").party,
            recipient: c.input.party.clone(),
            service: satchel_core::service::Service::Speedpost,
            zone: String::new(),
            parcel: satchel_core::model::Parcel {
                weight_g: 480,
                dimensions: None,
            },
            customs: None,
            insured_value: None,
            reference: "ORD-1".into(),
            item_number: None,
            non_delivery: None,
        },
        recipient_id: Some(c.id.clone()),
        sender_id: None,
    };
    s.create_shipment(&draft, &Default::default()).unwrap();
    s.connection()
        .execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
        .unwrap();
}
