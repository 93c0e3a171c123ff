//! The product catalogue syncs like the address book (issue #14): a product saved on one
//! device arrives on another, edits of different fields on two devices both survive (a SKU is
//! one record on every device), and a peer's change is checked before it is kept. Two
//! real SQLite files; the hub is exercised by `satchel-sync`'s tests.

use satchel_core::catalogue::Product;
use satchel_store::{RemoteChange, Store};
use serde_json::Value;

use crate::common::*;

fn changes(store: &Store, after: i64) -> Vec<RemoteChange> {
    store
        .changes_since(after, 10_000)
        .unwrap()
        .into_iter()
        .filter(|c| c.entity == "product")
        .map(RemoteChange::from)
        .collect()
}

fn last_seq(store: &Store) -> i64 {
    store
        .changes_since(0, 10_000)
        .unwrap()
        .last()
        .map_or(0, |c| c.seq)
}

fn other(dir: &tempfile::TempDir, clock: &TestClock) -> Store {
    Store::open_with_clock(dir.path().join("phone.db"), Box::new(clock.clone())).unwrap()
}

#[test]
fn a_product_saved_on_one_device_arrives_on_another_and_edits_of_both_survive() {
    let dir = tempfile::tempdir().unwrap();
    let (mut laptop, clock) = open(&dir);
    let mut phone = other(&dir, &clock);
    let scarf = satchel_fixtures::shop::catalogue().remove(0);
    assert_eq!(
        laptop.save_products(std::slice::from_ref(&scarf)).unwrap(),
        1
    );
    // Saving it unchanged logs nothing.
    let seq = last_seq(&laptop);
    assert_eq!(
        laptop.save_products(std::slice::from_ref(&scarf)).unwrap(),
        0
    );
    assert_eq!(last_seq(&laptop), seq);

    let report = phone.apply_remote(&changes(&laptop, 0)).unwrap();
    assert!(report.skipped.is_empty(), "{:?}", report.skipped);
    assert_eq!(phone.products().unwrap(), std::slice::from_ref(&scarf));

    // Different fields edited on each device, then exchanged: both edits are kept everywhere.
    clock.set(T0 + 60_000);
    let (laptop_seq, phone_seq) = (last_seq(&laptop), last_seq(&phone));
    laptop
        .save_products(&[Product {
            hs_code: "62141090".into(),
            ..scarf.clone()
        }])
        .unwrap();
    phone
        .save_products(&[Product {
            description_zh: "真絲頸巾".into(),
            ..scarf.clone()
        }])
        .unwrap();
    let from_laptop = changes(&laptop, laptop_seq);
    let from_phone = changes(&phone, phone_seq);
    laptop.apply_remote(&from_phone).unwrap();
    phone.apply_remote(&from_laptop).unwrap();
    let merged = Product {
        hs_code: "62141090".into(),
        description_zh: "真絲頸巾".into(),
        ..scarf
    };
    assert_eq!(laptop.products().unwrap(), std::slice::from_ref(&merged));
    assert_eq!(phone.products().unwrap(), [merged]);
}

#[test]
fn a_peers_product_change_is_checked_before_it_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let (mut laptop, clock) = open(&dir);
    let mut phone = other(&dir, &clock);
    laptop
        .save_products(&satchel_fixtures::shop::catalogue())
        .unwrap();
    let good = changes(&laptop, 0).remove(0);
    let with = |field: &str, value: Value| {
        let mut c = good.clone();
        c.fields.insert(field.into(), value);
        c
    };
    let mut moved = good.clone();
    moved.record_id = changes(&laptop, 0)[1].record_id.clone();
    for (change, field) in [
        (with("unit_value", Value::from("a lot")), "unit_value"),
        (with("unit_weight_g", Value::from(-5)), "unit_weight_g"),
        (with("category", Value::from("treasure")), "category"),
        (with("eu_ok", Value::from("yes")), "eu_ok"),
        (with("sku", Value::from(3)), "sku"),
        (moved, "record id"),
    ] {
        let report = phone.apply_remote(&[change]).unwrap();
        assert_eq!(report.skipped.len(), 1, "{field}");
        assert!(report.skipped[0].reason.contains(field), "{report:?}");
    }
    assert!(phone.products().unwrap().is_empty());
}
