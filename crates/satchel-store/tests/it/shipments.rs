//! Shipments on a real SQLite file: drafts, lifecycle, copy, filters.

use crate::common::*;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use satchel_core::model::Shipment;
use satchel_fixtures as fx;
use satchel_store::{
    Assessment, Error, ShipmentDraft, ShipmentFilter, ShipmentState, StoredProblem, StoredQuote,
};

fn draft(to: &str, reference: &str) -> ShipmentDraft {
    ShipmentDraft {
        shipment: Shipment {
            reference: reference.into(),
            ..fx::speedpost(
                hk_sender("Shop").party,
                recipient("Akiko Sato", "1-2-3 Ginza", to).party,
                fx::silk_scarf("Silk scarf 絲巾", 1, 400),
            )
        },
        recipient_id: None,
        sender_id: None,
    }
}

fn quoted() -> Assessment {
    Assessment {
        problems: vec![],
        quote: Some(StoredQuote {
            service: "speedpost".into(),
            amount: Decimal::new(15300, 2),
            rates_as_of: NaiveDate::from_ymd_opt(2023, 1, 1).unwrap(),
            quoted_on: NaiveDate::from_ymd_opt(2026, 11, 21).unwrap(),
        }),
    }
}

fn with_error() -> Assessment {
    Assessment {
        problems: vec![StoredProblem {
            code: "S-001.name_missing".into(),
            rule: "S-001".into(),
            field: "recipient.name".into(),
            error: true,
            message_en: "Enter a name".into(),
            message_zh_hk: "請輸入姓名".into(),
        }],
        quote: None,
    }
}

#[test]
fn a_draft_keeps_its_quote_problems_and_state_dates() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, clock) = open(&dir);
    let rec = s.create_shipment(&draft("JP", "ORD-1"), &quoted()).unwrap();
    assert_eq!(rec.state, ShipmentState::Draft);
    assert_eq!(
        rec.assessment
            .quote
            .as_ref()
            .unwrap()
            .rates_as_of
            .to_string(),
        "2023-01-01"
    );
    clock.set(T0 + 1_000);
    let ready = s.set_shipment_state(&rec.id, ShipmentState::Ready).unwrap();
    assert_eq!(ready.history.len(), 2);
    assert_eq!(
        ready.history[&ShipmentState::Ready].timestamp_millis(),
        (T0 + 1_000) as i64
    );
    // Not allowed to skip ahead.
    let e = s
        .set_shipment_state(&rec.id, ShipmentState::Posted)
        .unwrap_err();
    assert!(matches!(e, Error::Transition { .. }), "{e}");
    // Reopen: the same record comes back.
    drop(s);
    let (s, _) = open(&dir);
    assert_eq!(s.shipment(&rec.id).unwrap().unwrap(), ready);
}

#[test]
fn a_draft_with_errors_cannot_be_marked_ready_and_editing_a_ready_item_reopens_it() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, _) = open(&dir);
    let bad = s.create_shipment(&draft("JP", ""), &with_error()).unwrap();
    assert!(s.set_shipment_state(&bad.id, ShipmentState::Ready).is_err());
    let ok = s.create_shipment(&draft("JP", "A"), &quoted()).unwrap();
    s.set_shipment_state(&ok.id, ShipmentState::Ready).unwrap();
    let mut edit = ok.draft.clone();
    edit.shipment.parcel.weight_g = 900;
    let back = s.update_shipment(&ok.id, &edit, &quoted()).unwrap();
    assert_eq!(back.state, ShipmentState::Draft);
    assert_eq!(back.draft.shipment.parcel.weight_g, 900);
}

#[test]
fn submitted_shipments_cannot_be_edited_or_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, _) = open(&dir);
    let r = s.create_shipment(&draft("JP", "A"), &quoted()).unwrap();
    s.set_shipment_state(&r.id, ShipmentState::Ready).unwrap();
    s.set_shipment_state(&r.id, ShipmentState::Submitted)
        .unwrap();
    assert!(s.update_shipment(&r.id, &r.draft, &quoted()).is_err());
    assert!(s.delete_shipment(&r.id).is_err());
}

#[test]
fn copy_as_new_is_a_fresh_draft_without_reference_or_item_number() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, _) = open(&dir);
    let r = s.create_shipment(&draft("JP", "ORD-9"), &quoted()).unwrap();
    let c = s.copy_shipment(&r.id).unwrap();
    assert_ne!(c.id, r.id);
    assert_eq!(c.state, ShipmentState::Draft);
    assert_eq!(c.draft.shipment.reference, "");
    assert_eq!(c.draft.shipment.recipient, r.draft.shipment.recipient);
    assert_eq!(c.draft.shipment.customs, r.draft.shipment.customs);
}

#[test]
fn lists_filter_by_state_date_and_destination() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, clock) = open(&dir);
    let jp = s.create_shipment(&draft("JP", "1"), &quoted()).unwrap();
    clock.set(T0 + 2 * 86_400_000);
    let gb = s.create_shipment(&draft("gb", "2"), &quoted()).unwrap();
    s.set_shipment_state(&gb.id, ShipmentState::Ready).unwrap();
    let ids = |f: ShipmentFilter| -> Vec<String> {
        s.list_shipments(&f)
            .unwrap()
            .into_iter()
            .map(|r| r.id)
            .collect()
    };
    assert_eq!(
        ids(ShipmentFilter::default()),
        [gb.id.clone(), jp.id.clone()],
        "newest first"
    );
    assert_eq!(
        ids(ShipmentFilter {
            states: vec![ShipmentState::Ready],
            ..Default::default()
        }),
        [gb.id.as_str()]
    );
    assert_eq!(
        ids(ShipmentFilter {
            destination: Some("jp".into()),
            ..Default::default()
        }),
        [jp.id.as_str()]
    );
    let day0 = chrono::DateTime::from_timestamp_millis(T0 as i64)
        .unwrap()
        .date_naive();
    assert_eq!(
        ids(ShipmentFilter {
            from: Some(day0),
            to: Some(day0),
            ..Default::default()
        }),
        [jp.id.as_str()]
    );
    assert_eq!(
        ids(ShipmentFilter {
            from: day0.succ_opt(),
            ..Default::default()
        }),
        [gb.id.as_str()]
    );
    // T0 is 03:00 UTC, 11:00 in Hong Kong. A shipment made at 23:30 UTC on day 0 was made
    // on day 1 in Hong Kong.
    clock.set(T0 + 20 * 3_600_000 + 1_800_000);
    let late = s.create_shipment(&draft("JP", "3"), &quoted()).unwrap();
    let in_hk = |d| ShipmentFilter {
        from: Some(d),
        to: Some(d),
        utc_offset_secs: 8 * 3600,
        ..Default::default()
    };
    let list = |f: ShipmentFilter| -> Vec<String> {
        s.list_shipments(&f)
            .unwrap()
            .into_iter()
            .map(|r| r.id)
            .collect()
    };
    assert!(list(in_hk(day0.succ_opt().unwrap())).contains(&late.id));
    assert!(!list(in_hk(day0)).contains(&late.id));
    let utc_day0 = ShipmentFilter {
        from: Some(day0),
        to: Some(day0),
        ..Default::default()
    };
    assert!(
        list(utc_day0).contains(&late.id),
        "in UTC it is still day 0"
    );
}

#[test]
fn deleting_a_draft_leaves_a_synced_tombstone() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, _) = open(&dir);
    let r = s.create_shipment(&draft("JP", "1"), &quoted()).unwrap();
    s.delete_shipment(&r.id).unwrap();
    assert!(s.shipment(&r.id).unwrap().is_none());
    let log = s.changes_since(0, 10).unwrap();
    assert_eq!(log.last().unwrap().fields["deleted"], true);
    let n: i64 = s
        .connection()
        .query_row(
            "SELECT count(*) FROM shipments WHERE deleted = 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(n, 1);
}
