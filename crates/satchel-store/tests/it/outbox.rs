//! The EC-Ship outbox on a real SQLite file (issue #7): one job per shipment however often
//! "submit" is pressed, jobs that survive a restart, leases that expire, and the "look it up
//! before creating it again" flag that keeps a lost answer from buying a second label.

use crate::common::*;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use satchel_core::model::Shipment;
use satchel_core::s10::ItemNumber;
use satchel_core::service::Service;
use satchel_fixtures as fx;
use satchel_store::{
    Assessment, EcshipOrder, Error, ErrorKind, JobKind, JobState, Queued, ShipmentDraft,
    ShipmentState, Store, StoredProblem, TrackingEvent,
};

fn shipment(service: Service) -> ShipmentDraft {
    ShipmentDraft {
        shipment: Shipment {
            service,
            ..fx::speedpost(
                hk_sender("Shop").party,
                recipient("Akiko Sato", "1-2-3 Ginza", "JP").party,
                fx::silk_scarf("Silk scarf", 1, 400),
            )
        },
        recipient_id: None,
        sender_id: None,
    }
}

fn create(s: &mut Store, service: Service) -> String {
    s.create_shipment(&shipment(service), &Assessment::default())
        .unwrap()
        .id
}

pub(crate) fn order(no: &str) -> EcshipOrder {
    EcshipOrder {
        order_no: no.into(),
        delivery_charge: Some(Decimal::new(15300, 2)),
        insurance_fee: None,
        created_at: DateTime::<Utc>::from_timestamp(1_790_000_000, 0).unwrap(),
    }
}

pub(crate) fn item(serial: u32) -> ItemNumber {
    ItemNumber::from_parts("EC", serial, "HK").unwrap()
}

#[test]
fn pressing_submit_twice_queues_one_job_and_locks_the_shipment() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, _) = open(&dir);
    let id = create(&mut s, Service::Speedpost);

    let first = s.queue_submissions(std::slice::from_ref(&id)).unwrap();
    let second = s.queue_submissions(std::slice::from_ref(&id)).unwrap();
    assert!(matches!(first[0], Queued::Queued { .. }), "{first:?}");
    assert!(
        matches!(second[0], Queued::AlreadyQueued { .. }),
        "{second:?}"
    );
    assert_eq!(s.open_jobs().unwrap().len(), 1);
    let rec = s.shipment(&id).unwrap().unwrap();
    assert_eq!(rec.state, ShipmentState::Submitted);
    // A submitted shipment can no longer be edited behind EC-Ship's back.
    let edit = s.update_shipment(&id, &shipment(Service::Speedpost), &Assessment::default());
    assert!(matches!(edit, Err(Error::Transition { .. })), "{edit:?}");
}

/// Issue #16: the price EC-Ship quoted just before submitting travels with the job, so the
/// outbox says what each order was bought at; a shipment never asked has none, and an id that
/// is not a shipment records nothing.
#[test]
fn a_submission_records_the_price_ecship_quoted_before_it() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, _) = open(&dir);
    let asked = create(&mut s, Service::Speedpost);
    let not_asked = create(&mut s, Service::Speedpost);
    s.record_price_of_record(&asked, Decimal::new(15000, 2))
        .unwrap();
    // Asked again (the merchant opened the dialog twice): the last answer counts.
    s.record_price_of_record(&asked, Decimal::new(15300, 2))
        .unwrap();
    s.record_price_of_record("no-such-shipment", Decimal::ONE)
        .unwrap();

    s.queue_submissions(&[asked.clone(), not_asked.clone()])
        .unwrap();
    let price = |id: &str| s.jobs_for(id).unwrap()[0].price_of_record;
    assert_eq!(price(&asked), Some(Decimal::new(15300, 2)));
    assert_eq!(price(&not_asked), None);
    // It survives a reopen, as every job does.
    drop(s);
    let s = Store::open(dir.path().join("satchel.db")).unwrap();
    let latest = s.latest_jobs().unwrap();
    let job = latest.iter().find(|j| j.shipment_id == asked).unwrap();
    assert_eq!(job.price_of_record.unwrap().to_string(), "153.00");
}

#[test]
fn a_draft_with_errors_is_refused_with_its_field_and_rule() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, _) = open(&dir);
    let bad = Assessment {
        problems: vec![StoredProblem {
            code: "S-001.name_missing".into(),
            rule: "S-001".into(),
            field: "recipient.name".into(),
            error: true,
            message_en: "Enter the recipient's name".into(),
            message_zh_hk: "請輸入收件人姓名".into(),
        }],
        quote: None,
    };
    let id = s
        .create_shipment(&shipment(Service::Speedpost), &bad)
        .unwrap()
        .id;
    let out = s.queue_submissions(std::slice::from_ref(&id)).unwrap();
    match &out[0] {
        Queued::Refused { reason, .. } => {
            assert!(reason.contains("recipient.name"), "{reason}");
            assert!(reason.contains("S-001"), "{reason}");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert!(s.open_jobs().unwrap().is_empty());
    assert_eq!(
        s.shipment(&id).unwrap().unwrap().state,
        ShipmentState::Draft
    );
}

#[test]
fn a_job_survives_a_restart_and_a_dead_workers_job_is_looked_up_first() {
    let dir = tempfile::tempdir().unwrap();
    let id;
    {
        let (mut s, _) = open(&dir);
        id = create(&mut s, Service::Speedpost);
        s.queue_submissions(std::slice::from_ref(&id)).unwrap();
    }
    // The app restarts: the job is still there and due.
    let (mut s, clock) = open(&dir);
    let claims = s.claim_jobs(10, 30_000).unwrap();
    assert_eq!(claims.len(), 1);
    assert_eq!(claims[0].shipment.id, id);
    assert!(
        !claims[0].look_up_first,
        "nothing was ever sent, so create directly"
    );
    assert_eq!(claims[0].job.attempts, 1);

    // The worker dies mid-request. Until the lease runs out nobody else takes the job...
    drop(s);
    let mut s =
        Store::open_with_clock(dir.path().join("satchel.db"), Box::new(clock.clone())).unwrap();
    clock.set(T0 + 10_000);
    assert!(s.claim_jobs(10, 30_000).unwrap().is_empty());
    // ...and afterwards it is taken again, with the order looked up before any new create.
    clock.set(T0 + 30_000);
    let again = s.claim_jobs(10, 30_000).unwrap();
    assert_eq!(again.len(), 1);
    assert!(again[0].look_up_first);
    assert_eq!(again[0].job.attempts, 2);

    let n = item(12345678);
    let rec = s.finish_submission(&again[0], &n, &order("ORD-9")).unwrap();
    assert_eq!(rec.state, ShipmentState::Numbered);
    assert_eq!(rec.draft.shipment.item_number, Some(n));
    assert_eq!(rec.ecship.unwrap().order_no, "ORD-9");
    assert!(s.open_jobs().unwrap().is_empty());
    // The item number and order travel with the shipment (the change log syncs them).
    let last = s.changes_since(0, 1000).unwrap().pop().unwrap();
    assert!(last.fields.contains_key("ecship"), "{:?}", last.fields);
}

#[test]
fn a_transport_error_waits_for_its_backoff_and_ecship_errors_stop_the_job() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, clock) = open(&dir);
    let id = create(&mut s, Service::Speedpost);
    s.queue_submissions(std::slice::from_ref(&id)).unwrap();
    let job = s.claim_jobs(1, 30_000).unwrap().remove(0).job;
    s.retry_later(&job, "timed out", ErrorKind::Transport, 4_000)
        .unwrap();
    let now = clock.0.load(std::sync::atomic::Ordering::SeqCst);
    clock.set(now + 3_999);
    assert!(s.claim_jobs(1, 30_000).unwrap().is_empty());
    clock.set(now + 4_000);
    let claim = s.claim_jobs(1, 30_000).unwrap().remove(0);
    assert!(claim.look_up_first);

    s.fail_job(
        &claim.job,
        "Invalid recipient postal code",
        ErrorKind::Ecship,
    )
    .unwrap();
    let jobs = s.jobs_for(&id).unwrap();
    assert_eq!(jobs[0].state, JobState::Failed);
    assert_eq!(
        jobs[0].last_error.as_deref(),
        Some("Invalid recipient postal code")
    );
    assert_eq!(jobs[0].error_kind, Some(ErrorKind::Ecship));
    // The merchant can fix the shipment and send it again; that new job looks up first.
    assert_eq!(
        s.shipment(&id).unwrap().unwrap().state,
        ShipmentState::Ready
    );
    s.queue_submissions(std::slice::from_ref(&id)).unwrap();
    let retry = s.claim_jobs(1, 30_000).unwrap().remove(0);
    assert!(retry.look_up_first);
    assert_eq!(s.latest_jobs().unwrap()[0].id, retry.job.id);
}

#[test]
fn a_resend_after_a_plain_refusal_creates_without_a_lookup() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, _) = open(&dir);
    let id = create(&mut s, Service::Speedpost);
    s.queue_submissions(std::slice::from_ref(&id)).unwrap();
    let job = s.claim_jobs(1, 30_000).unwrap().remove(0).job;
    // EC-Ship answered "no": that request made no order.
    s.fail_job(&job, "Invalid recipient postal code", ErrorKind::Ecship)
        .unwrap();
    s.queue_submissions(std::slice::from_ref(&id)).unwrap();
    let again = s.claim_jobs(1, 30_000).unwrap().remove(0);
    assert!(!again.look_up_first, "a known refusal needs no lookup");
    // But a request that got no answer, even once, always means "look it up first".
    s.retry_later(&again.job, "timed out", ErrorKind::Transport, 0)
        .unwrap();
    assert!(s.claim_jobs(1, 30_000).unwrap().remove(0).look_up_first);
}

#[test]
fn a_result_from_a_worker_whose_job_was_taken_over_is_not_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, clock) = open(&dir);
    let id = create(&mut s, Service::Speedpost);
    s.queue_submissions(&[id]).unwrap();
    let slow = s.claim_jobs(1, 1_000).unwrap().remove(0);
    let now = clock.0.load(std::sync::atomic::Ordering::SeqCst);
    clock.set(now + 1_000);
    let fast = s.claim_jobs(1, 1_000).unwrap().remove(0);
    s.finish_submission(&fast, &item(1), &order("A")).unwrap();
    let late = s.finish_submission(&slow, &item(2), &order("B"));
    assert!(matches!(late, Err(Error::Transition { .. })), "{late:?}");
}

/// Issue #17: the attempt number fences every request and result. A worker whose lease ran
/// out and whose job was claimed again may neither send (its fence is refused) nor record
/// anything, even before the new claimant has finished; the new claimant's fence extends its
/// lease so nobody else takes the job while its request is out.
#[test]
fn a_stale_claim_is_fenced_off_before_it_can_send() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, clock) = open(&dir);
    let id = create(&mut s, Service::Speedpost);
    s.queue_submissions(&[id]).unwrap();
    let slow = s.claim_jobs(1, 1_000).unwrap().remove(0).job;
    s.fence(&slow, 1_000).unwrap();
    let now = clock.0.load(std::sync::atomic::Ordering::SeqCst);
    clock.set(now + 1_000);
    let fast = s.claim_jobs(1, 1_000).unwrap().remove(0);
    assert!(
        fast.look_up_first,
        "the slow attempt may have reached EC-Ship"
    );
    let fenced = s.fence(&slow, 1_000);
    assert!(
        matches!(fenced, Err(Error::Transition { .. })),
        "{fenced:?}"
    );
    for late in [
        s.retry_later(&slow, "timed out", ErrorKind::Transport, 0),
        s.fail_job(&slow, "refused", ErrorKind::Ecship),
    ] {
        assert!(matches!(late, Err(Error::Transition { .. })), "{late:?}");
    }
    // The new claim's fence holds the job past its original lease.
    s.fence(&fast.job, 60_000).unwrap();
    clock.set(now + 30_000);
    assert!(s.claim_jobs(1, 1_000).unwrap().is_empty());
    s.finish_submission(&fast, &item(7), &order("F")).unwrap();
}

/// Issue #17: while an EC-Ship request is open, the shipment's state is the outbox's to
/// move, and a copy (which could be submitted as a second label) is refused.
#[test]
fn no_hand_move_or_copy_while_a_request_is_open() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, _) = open(&dir);
    let id = create(&mut s, Service::Speedpost);
    s.queue_submissions(std::slice::from_ref(&id)).unwrap();
    let claim = s.claim_jobs(1, 30_000).unwrap().remove(0);
    for to in [ShipmentState::Ready, ShipmentState::Numbered] {
        let moved = s.set_shipment_state(&id, to);
        assert!(matches!(moved, Err(Error::Transition { .. })), "{moved:?}");
    }
    assert!(matches!(
        s.copy_shipment(&id),
        Err(Error::Transition { .. })
    ));
    s.finish_submission(&claim, &item(8), &order("G")).unwrap();
    assert_eq!(
        s.set_shipment_state(&id, ShipmentState::Printed)
            .unwrap()
            .state,
        ShipmentState::Printed
    );
    assert!(
        s.copy_shipment(&id).is_ok(),
        "once numbered, a copy is a new parcel"
    );
}

#[test]
fn an_unsent_submission_can_be_withdrawn_and_a_numbered_one_cancelled() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, _) = open(&dir);
    let a = create(&mut s, Service::Speedpost);
    let b = create(&mut s, Service::Speedpost);
    s.queue_submissions(&[a.clone(), b.clone()]).unwrap();
    assert_eq!(
        s.withdraw_submission(&a).unwrap().state,
        ShipmentState::Ready
    );

    let claim = s.claim_jobs(5, 30_000).unwrap().remove(0);
    assert_eq!(claim.shipment.id, b);
    // Once a request may have gone out, withdrawing is no longer possible.
    assert!(matches!(
        s.withdraw_submission(&b),
        Err(Error::Transition { .. })
    ));
    s.finish_submission(&claim, &item(3), &order("C")).unwrap();
    assert!(matches!(s.queue_cancel(&b).unwrap(), Queued::Queued { .. }));
    let cancel = s.claim_jobs(5, 30_000).unwrap().remove(0);
    assert_eq!(cancel.job.kind, JobKind::Cancel);
    assert!(!cancel.look_up_first);
    assert_eq!(
        s.finish_cancel(&cancel.job).unwrap().state,
        ShipmentState::Cancelled
    );
    // A draft has no order to cancel.
    assert!(matches!(
        s.queue_cancel(&a).unwrap(),
        Queued::Refused { .. }
    ));
}

#[test]
fn a_pre_printed_imail_label_number_is_checked_and_used_once() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, _) = open(&dir);
    let a = create(&mut s, Service::Imail);
    let b = create(&mut s, Service::Imail);
    let speed = create(&mut s, Service::Speedpost);
    let good = item(47312482);

    let bad_digit = format!(
        "EC47312482{}HK",
        (good.as_str().as_bytes()[10] - b'0' + 1) % 10
    );
    let err = s.attach_item_number(&a, &bad_digit).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("item_number") && text.contains("R-047") && text.contains("check digit"),
        "{text}"
    );

    let rec = s.attach_item_number(&a, good.as_str()).unwrap();
    assert_eq!(rec.draft.shipment.item_number.as_ref(), Some(&good));
    let twice = s.attach_item_number(&b, good.as_str()).unwrap_err();
    assert!(twice.to_string().contains("another shipment"), "{twice}");
    let not_imail = s.attach_item_number(&speed, item(11111111).as_str());
    assert!(not_imail.unwrap_err().to_string().contains("iMail"));
}

#[test]
fn tracking_events_and_the_address_pack_are_kept() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, _) = open(&dir);
    let id = create(&mut s, Service::Speedpost);
    let ev = |at: &str, code: &str| TrackingEvent {
        at: at.into(),
        code: code.into(),
        description: format!("event {code}"),
        location: "Hong Kong".into(),
    };
    s.save_tracking(&id, &[ev("2026-11-21T10:00:00", "0")])
        .unwrap();
    s.save_tracking(
        &id,
        &[
            ev("2026-11-21T10:00:00", "0"),
            ev("2026-11-22T08:00:00", "2"),
        ],
    )
    .unwrap();
    let got = s.tracking(&id).unwrap();
    assert_eq!(got.len(), 2);
    assert_eq!(got[1].code, "2");

    assert_eq!(s.address_pack(&id).unwrap(), None);
    s.save_address_pack(&id, b"%PDF-1.4 test").unwrap();
    assert_eq!(
        s.address_pack(&id).unwrap().as_deref(),
        Some(&b"%PDF-1.4 test"[..])
    );
}
