//! A merchant's database in the middle of a busy week, written straight into a SQLite file
//! with the real store: the home screen's counts and reminders (issue #15) are checked against
//! it in the window and in the application layer's tests.
//!
//! The store's clock is moved while seeding, so each shipment was numbered and posted on the
//! day its reminder needs; the app is then started with its clock at [`SeededDay::at`].

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use chrono::{DateTime, Duration, Months, Utc};
use satchel_core::model::Shipment;
use satchel_core::s10::ItemNumber;
use satchel_core::service::{LetterFormat, Service};
use satchel_core::validate::validate_party;
use satchel_store::{
    Assessment, Clock, ContactInput, ContactKind, EcshipOrder, ShipmentDraft, ShipmentState, Store,
    StoredProblem,
};

/// A clock the seeder sets.
#[derive(Debug, Clone, Default)]
struct SetClock(Arc<AtomicU64>);

impl Clock for SetClock {
    fn now_ms(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }
}

/// What [`busy_week`] wrote.
#[derive(Debug, Clone)]
pub struct SeededDay {
    /// The instant the app's clock should start at.
    pub at: DateTime<Utc>,
    /// References, by the home screen line they belong on.
    pub problem: &'static str,
    pub draft: &'static str,
    pub ready: &'static str,
    pub to_print: &'static str,
    pub to_post: &'static str,
    /// Posted: tracing opens in 4 days.
    pub trace: &'static str,
    /// Posted by e-Express+: the claim window closes in 3 days.
    pub claim: &'static str,
    /// Its label was made 27 days before `at`: the last day to post it is in 2 days.
    pub expiring: &'static str,
}

/// Seeds `db` for the morning of `at` (Hong Kong): a default sender, one draft with an error,
/// one clean draft, one ready, one numbered (its label expiring), one printed, and two posted.
pub fn busy_week(db: &Path, at: DateTime<Utc>) -> SeededDay {
    let clock = SetClock::default();
    let set = |t: DateTime<Utc>| {
        clock.0.store(
            u64::try_from(t.timestamp_millis()).unwrap_or(0),
            Ordering::SeqCst,
        )
    };
    set(at - Duration::days(200));
    let mut store = Store::open_with_clock(db, Box::new(clock.clone())).expect("store opens");
    store
        .create_contact(ContactInput {
            kind: ContactKind::Sender,
            party: satchel_fixtures::queens_road_shop(),
            notes: String::new(),
            tags: Vec::new(),
            is_default: true,
        })
        .expect("the sender profile is valid");

    let day = SeededDay {
        at,
        problem: "WK-PROBLEM",
        draft: "WK-DRAFT",
        ready: "WK-READY",
        to_print: "WK-EXPIRING",
        to_post: "WK-PRINTED",
        trace: "WK-TRACE",
        claim: "WK-CLAIM",
        expiring: "WK-EXPIRING",
    };
    let sale = |reference: &str, service: Service| {
        let mut s = satchel_fixtures::toy_car_sale("Sato");
        s.reference = reference.to_owned();
        s.service = service;
        s
    };
    let mut create = |s: Shipment, a: Assessment| {
        store
            .create_shipment(
                &ShipmentDraft {
                    shipment: s,
                    recipient_id: None,
                    sender_id: None,
                },
                &a,
            )
            .expect("shipment stored")
            .id
    };

    // A recipient with no address: an error the draft is stored with, as the editor would.
    let mut broken = sale(day.problem, Service::Speedpost);
    broken.recipient.lines.clear();
    let problems = validate_party(satchel_core::validate::Role::Recipient, &broken.recipient)
        .iter()
        .map(StoredProblem::from)
        .collect();
    create(
        broken,
        Assessment {
            problems,
            quote: None,
        },
    );
    create(sale(day.draft, Service::Speedpost), Assessment::default());
    let ready = create(sale(day.ready, Service::Speedpost), Assessment::default());
    let expiring = create(
        sale(day.expiring, Service::Speedpost),
        Assessment::default(),
    );
    let printed = create(sale(day.to_post, Service::Speedpost), Assessment::default());
    let traced = create(
        sale(day.trace, Service::AirRegistered(LetterFormat::Packet)),
        Assessment::default(),
    );
    let claimed = create(sale(day.claim, Service::EExpress), Assessment::default());
    store
        .set_shipment_state(&ready, ShipmentState::Ready)
        .expect("draft becomes ready");

    // Numbered on the day given, by the real outbox path (queue, claim, finish).
    let posted_claim = at.checked_sub_months(Months::new(4)).expect("a date") + Duration::days(3);
    let plan = [
        (&expiring, ("EE", 1), at - Duration::days(27), None),
        (
            &printed,
            ("EE", 2),
            at - Duration::days(1),
            Some(ShipmentState::Printed),
        ),
        (
            &traced,
            ("RR", 3),
            at - Duration::days(10),
            Some(ShipmentState::Posted),
        ),
        (
            &claimed,
            ("LX", 4),
            posted_claim,
            Some(ShipmentState::Posted),
        ),
    ];
    for (id, (indicator, serial), when, to) in plan {
        set(when);
        store
            .set_shipment_state(id, ShipmentState::Ready)
            .expect("ready");
        store
            .queue_submissions(std::slice::from_ref(id))
            .expect("queued");
        let claim = store.claim_jobs(1, 60_000).expect("claimed").remove(0);
        let item = ItemNumber::from_parts(indicator, serial, "HK").expect("an S10 number");
        let order = EcshipOrder {
            order_no: format!("O-{serial}"),
            delivery_charge: None,
            insurance_fee: None,
            created_at: when,
        };
        store
            .finish_submission(&claim, &item, &order)
            .expect("numbered");
        if let Some(to) = to {
            store
                .set_shipment_state(id, ShipmentState::Printed)
                .expect("printed");
            if to == ShipmentState::Posted {
                store.set_shipment_state(id, to).expect("posted");
            }
        }
    }
    day
}
