//! A merge fuzzer (issue #17): arbitrary changes from a peer — any entity, any field, values
//! of the wrong type, states in any order, stamps from the past to far in the future — applied
//! to one real SQLite file, case after case. After every batch the invariants a merchant relies
//! on must hold: the store still opens and answers, the list, the exports and the outgoing
//! log succeed, nothing merged can be submitted before this device has checked it, a
//! shipment EC-Ship settled never moves back, and only iMail keeps an item number that came
//! without EC-Ship's order.

use std::cell::RefCell;

use crate::common::{hk_sender, recipient, TestClock, T0};
use proptest::prelude::*;
use satchel_core::s10::ItemNumber;
use satchel_core::service::Service;
use satchel_fixtures as fx;
use satchel_store::{Assessment, Hlc, Queued, RemoteChange, ShipmentFilter, ShipmentState, Store};
use serde_json::{json, Map, Value};

/// A handful of record ids, so changes collide on the same records.
const IDS: [&str; 4] = [
    "0193a1b2-0000-7000-8000-000000000001",
    "0193a1b2-0000-7000-8000-000000000002",
    "0193a1b2-0000-7000-8000-000000000003",
    "0193a1b2-0000-7000-8000-000000000004",
];

/// A shipment body as a peer sends it: a real one, so records come alive and can be settled.
fn a_shipment_body() -> Value {
    let s = fx::speedpost(
        hk_sender("Shop").party,
        recipient("Akiko Sato", "1-2-3 Ginza", "JP").party,
        fx::silk_scarf("Silk scarf", 1, 400),
    );
    serde_json::to_value(s).unwrap()
}

/// The same body with an item number, on `service`.
fn a_numbered_body(service: Service) -> Value {
    let mut s = fx::speedpost(
        hk_sender("Shop").party,
        recipient("Akiko Sato", "1-2-3 Ginza", "JP").party,
        fx::silk_scarf("Silk scarf", 1, 400),
    );
    s.service = service;
    s.item_number = Some(ItemNumber::parse("EE123456785HK").unwrap());
    serde_json::to_value(s).unwrap()
}

fn value() -> impl Strategy<Value = Value> {
    let state = prop::sample::select(ShipmentState::ALL.to_vec())
        .prop_map(|s| Value::String(s.id().into()));
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        "[a-z ]{0,12}".prop_map(Value::String),
        state,
        Just(json!({})),
        Just(json!([])),
        Just(json!(["a line", 3])),
        Just(a_shipment_body()),
        Just(json!({"order_no": "O-1", "created_at": "2026-11-23T02:00:00Z"})),
        Just(json!({"draft": "2026-11-23T02:00:00Z"})),
    ]
}

fn field() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "state",
        "body",
        "history",
        "ecship",
        "recipient_id",
        "sender_id",
        "deleted",
        "kind",
        "name",
        "lines",
        "country",
        "is_default",
        "tags",
        "unknown",
    ])
    .prop_map(str::to_owned)
}

/// A value that fits `field` most of the time, so changes are taken and records come alive,
/// and anything at all the rest of the time.
fn value_for(field: String) -> impl Strategy<Value = (String, Value)> {
    let fitting: BoxedStrategy<Value> = match field.as_str() {
        "state" => prop::sample::select(ShipmentState::ALL.to_vec())
            .prop_map(|s| Value::String(s.id().into()))
            .boxed(),
        "body" => prop_oneof![
            Just(a_shipment_body()),
            Just(a_numbered_body(Service::Speedpost)),
            Just(a_numbered_body(Service::Imail)),
        ]
        .boxed(),
        "ecship" => prop_oneof![
            Just(Value::Null),
            Just(json!({})),
            Just(json!({"order_no": "O-1", "created_at": "2026-11-23T02:00:00Z"})),
        ]
        .boxed(),
        "deleted" => Just(Value::Bool(true)).boxed(),
        "kind" => Just(Value::String("recipient".into())).boxed(),
        "lines" => Just(json!(["1 Queen's Road"])).boxed(),
        "is_default" => any::<bool>().prop_map(Value::Bool).boxed(),
        _ => value().boxed(),
    };
    prop_oneof![3 => fitting, 1 => value().boxed()].prop_map(move |v| (field.clone(), v))
}

fn change() -> impl Strategy<Value = RemoteChange> {
    (
        prop::sample::select(vec!["shipment", "shipment", "contact", "invoice"]),
        prop::sample::select(IDS.to_vec()),
        // From a year back to a week ahead of the device's clock.
        -365i64 * 86_400_000..7 * 86_400_000,
        0u32..4,
        prop::collection::vec(field().prop_flat_map(value_for), 1..3),
    )
        .prop_map(|(entity, id, offset, counter, fields)| RemoteChange {
            entity: entity.into(),
            record_id: id.into(),
            hlc: Hlc {
                wall_ms: T0.saturating_add_signed(offset),
                counter,
                device: "peer".into(),
            },
            fields: fields.into_iter().collect::<Map<String, Value>>(),
        })
}

thread_local! {
    static STORE: RefCell<Option<(tempfile::TempDir, Store)>> = const { RefCell::new(None) };
}

fn settled(s: ShipmentState) -> bool {
    !matches!(
        s,
        ShipmentState::Draft | ShipmentState::Ready | ShipmentState::Submitted
    )
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 10_000,
        // A failing batch is printed and replays from proptest's seed file; shrinking a
        // cumulative store would only blur it.
        max_shrink_iters: 0,
        ..ProptestConfig::default()
    })]

    #[test]
    fn arbitrary_peer_changes_never_break_the_invariants(batch in prop::collection::vec(change(), 1..6)) {
        STORE.with(|cell| {
            let mut cell = cell.borrow_mut();
            let (_, store) = cell.get_or_insert_with(|| {
                let dir = tempfile::tempdir().unwrap();
                let store = Store::open_with_clock(dir.path().join("fuzz.db"), Box::new(TestClock::at(T0))).unwrap();
                (dir, store)
            });
            let before: Vec<(String, ShipmentState)> = store
                .list_shipments(&ShipmentFilter::default())
                .unwrap()
                .into_iter()
                .map(|r| (r.id, r.state))
                .collect();
            let report = store.apply_remote(&batch);
            prop_assert!(report.is_ok(), "apply failed: {report:?}");
            let report = report.unwrap();
            // Lists, exports and the outgoing log keep working.
            let list = store.list_shipments(&ShipmentFilter::default());
            prop_assert!(list.is_ok(), "{list:?}");
            prop_assert!(store.export_shipments(&ShipmentFilter::default()).is_ok());
            prop_assert!(store.export_contacts().is_ok());
            prop_assert!(store.outgoing(1000).is_ok());
            // A settled shipment never moves back.
            for r in list.unwrap() {
                if let Some((_, was)) = before.iter().find(|(id, _)| *id == r.id) {
                    if settled(*was) {
                        prop_assert!(settled(r.state), "{} went from {was:?} to {:?}", r.id, r.state);
                    }
                }
                // an item number without EC-Ship's order only on iMail.
                if r.draft.shipment.item_number.is_some() && r.ecship.is_none() {
                    prop_assert_eq!(r.draft.shipment.service, Service::Imail);
                }
                // Nothing merged can be queued before this device checks it.
                if report.reassess.contains(&r.id) {
                    prop_assert!(r.assessment.is_unchecked());
                    let queued = store.queue_submissions(std::slice::from_ref(&r.id)).unwrap();
                    prop_assert!(
                        !matches!(queued[0], Queued::Queued { .. }),
                        "queued unchecked: {queued:?}"
                    );
                }
            }
            // And once checked it can be worked on as usual (the store still writes).
            for id in store.unchecked_shipments().unwrap() {
                store.set_assessment(&id, &Assessment::default()).unwrap();
            }
            Ok(())
        })?;
    }
}
