//! Merging changes between devices on real SQLite files: the rules of `satchel_store::merge`
//! as a merchant with a phone and a laptop would notice them, and a property test that any
//! interleaving of offline edits and syncs ends with every device holding the same address
//! book and shipments, with no edit that should win lost.
//!
//! The "hub" here is a list of changes in upload order with an index as its cursor: the
//! store-side half of sync, without a network.

use std::collections::{BTreeMap, BTreeSet};

use crate::common::{hk_sender, recipient, TestClock, T0};
use proptest::prelude::*;
use satchel_core::model::Shipment;
use satchel_core::s10::ItemNumber;
use satchel_fixtures as fx;
use satchel_store::merge::Resolution;
use satchel_store::{
    Assessment, ContactInput, ContactKind, ContactQuery, Hlc, RemoteChange, ShipmentDraft,
    ShipmentFilter, ShipmentState, Store,
};
use serde_json::{Map, Value};

const HOUR: u64 = 3_600_000;

struct Device {
    store: Store,
    clock: TestClock,
    /// Added to the shared "true" time: a device with a wrong wall clock.
    offset: i64,
}

impl Device {
    fn open(dir: &tempfile::TempDir, name: &str, offset: i64) -> Device {
        let clock = TestClock::at(T0.saturating_add_signed(offset));
        let store = Store::open_with_clock(dir.path().join(name), Box::new(clock.clone()))
            .expect("store opens");
        Device {
            store,
            clock,
            offset,
        }
    }

    fn at(&self, now: u64) {
        self.clock.set(now.saturating_add_signed(self.offset));
    }
}

#[derive(Default)]
struct Hub {
    log: Vec<RemoteChange>,
}

impl Hub {
    /// Uploads everything the device has not pushed yet. Returns how many changes went up.
    fn push(&mut self, d: &mut Device) -> usize {
        let out = d.store.outgoing(10_000).unwrap();
        let n = out.len();
        if let Some(last) = out.last().map(|c| c.seq) {
            self.log.extend(out.into_iter().map(RemoteChange::from));
            d.store.mark_pushed(last).unwrap();
        }
        n
    }

    /// Downloads at most `page` changes after the device's cursor.
    fn pull(&self, d: &mut Device, page: usize) -> satchel_store::ApplyReport {
        let from: usize = d
            .store
            .pull_cursor()
            .unwrap()
            .map_or(0, |c| c.parse().unwrap());
        let to = (from + page).min(self.log.len());
        d.store
            .apply_remote_page(&self.log[from..to], &to.to_string())
            .unwrap()
    }

    fn pull_all(&self, d: &mut Device) {
        while self.pull(d, 7).received > 0 {}
    }

    /// Syncs everyone until every device has pulled the whole hub and has nothing left to
    /// push (a repair made while merging is a new change, so one more round may be needed).
    fn settle(&mut self, devices: &mut [Device]) {
        for _ in 0..10 {
            for d in devices.iter_mut() {
                self.push(d);
            }
            for d in devices.iter_mut() {
                self.pull_all(d);
            }
            if devices
                .iter()
                .all(|d| d.store.outgoing(1).unwrap().is_empty())
            {
                return;
            }
        }
        panic!("sync did not settle in 10 rounds");
    }
}

fn contact(s: &Store, id: &str) -> Option<ContactInput> {
    s.contact(id).unwrap().map(|c| c.input)
}

fn found(s: &Store, text: &str) -> Vec<String> {
    s.search_contacts(&ContactQuery {
        text: text.into(),
        ..ContactQuery::default()
    })
    .unwrap()
    .into_iter()
    .map(|c| c.id)
    .collect()
}

/// An iMail draft: the one service whose item number may come from the merchant's own
/// pre-printed labels, as the label tests here attach.
fn draft(reference: &str, recipient_id: Option<String>) -> ShipmentDraft {
    ShipmentDraft {
        shipment: Shipment {
            service: satchel_core::service::Service::Imail,
            reference: reference.into(),
            ..fx::speedpost(
                hk_sender("Shop").party,
                recipient("Akiko Sato", "1-2-3 Ginza", "JP").party,
                fx::silk_scarf("Silk scarf 絲巾", 1, 400),
            )
        },
        recipient_id,
        sender_id: None,
    }
}

/// A Speedpost draft made on `from` and synced to `to`, checked on both and submittable on
/// either: the starting point of the hand-over tests.
fn speedpost_on_both(from: &mut Device, to: &mut Device, hub: &mut Hub) -> String {
    let mut speedpost = draft("ORD-1", None);
    speedpost.shipment.service = satchel_core::service::Service::Speedpost;
    let id = from
        .store
        .create_shipment(&speedpost, &Assessment::default())
        .unwrap()
        .id;
    hub.push(from);
    hub.pull_all(to);
    to.store
        .set_assessment(&id, &Assessment::default())
        .unwrap();
    id
}

fn two(dir: &tempfile::TempDir) -> (Device, Device, Hub) {
    (
        Device::open(dir, "phone.db", 0),
        Device::open(dir, "laptop.db", 0),
        Hub::default(),
    )
}

#[test]
fn the_same_field_edited_on_both_devices_ends_with_the_later_edit_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let (mut phone, mut laptop, mut hub) = two(&dir);
    let id = phone
        .store
        .create_contact(recipient("Akiko Sato", "1-2-3 Ginza", "JP"))
        .unwrap()
        .id;
    hub.push(&mut phone);
    hub.pull_all(&mut laptop);
    let mut edit = contact(&laptop.store, &id).unwrap();

    // Both offline: the phone edits first, the laptop ten seconds later.
    phone.at(T0 + 10_000);
    edit.party.city = "Osaka".into();
    phone.store.update_contact(&id, edit.clone()).unwrap();
    laptop.at(T0 + 20_000);
    edit.party.city = "Kyoto".into();
    laptop.store.update_contact(&id, edit).unwrap();

    // The later edit syncs first, then the earlier one arrives late: it must not win.
    hub.push(&mut laptop);
    hub.push(&mut phone);
    hub.pull_all(&mut phone);
    hub.pull_all(&mut laptop);
    for d in [&phone, &laptop] {
        assert_eq!(contact(&d.store, &id).unwrap().party.city, "Kyoto");
        assert_eq!(found(&d.store, "Kyoto"), vec![id.clone()]);
        assert!(found(&d.store, "Osaka").is_empty());
    }
}

#[test]
fn different_fields_edited_on_both_devices_are_both_kept() {
    let dir = tempfile::tempdir().unwrap();
    let (phone, laptop, mut hub) = two(&dir);
    let mut ds = vec![phone, laptop];
    let id = ds[0]
        .store
        .create_contact(recipient("Akiko Sato", "1-2-3 Ginza", "JP"))
        .unwrap()
        .id;
    hub.settle(&mut ds);

    ds[0].at(T0 + 10_000);
    let mut on_phone = contact(&ds[0].store, &id).unwrap();
    on_phone.notes = "Leave with the concierge".into();
    ds[0].store.update_contact(&id, on_phone).unwrap();
    ds[1].at(T0 + 5_000);
    let mut on_laptop = contact(&ds[1].store, &id).unwrap();
    on_laptop.tags = vec!["vip".into()];
    on_laptop.party.name = "Akiko Satō".into();
    ds[1].store.update_contact(&id, on_laptop).unwrap();
    hub.settle(&mut ds);

    for d in &ds {
        let c = contact(&d.store, &id).unwrap();
        assert_eq!(c.notes, "Leave with the concierge");
        assert_eq!(c.tags, vec!["vip".to_owned()]);
        assert_eq!(c.party.name, "Akiko Satō");
        assert_eq!(found(&d.store, "Satō"), vec![id.clone()]);
    }
}

#[test]
fn a_delete_beats_edits_made_before_and_after_it_on_another_device() {
    for edit_after_delete in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        let (phone, laptop, mut hub) = two(&dir);
        let mut ds = vec![phone, laptop];
        let id = ds[0]
            .store
            .create_contact(recipient("Akiko Sato", "1-2-3 Ginza", "JP"))
            .unwrap()
            .id;
        hub.settle(&mut ds);

        let (delete_at, edit_at) = if edit_after_delete {
            (T0 + 10_000, T0 + 20_000)
        } else {
            (T0 + 20_000, T0 + 10_000)
        };
        ds[0].at(delete_at);
        ds[0].store.delete_contact(&id).unwrap();
        ds[1].at(edit_at);
        let mut c = contact(&ds[1].store, &id).unwrap();
        c.party.name = "Akiko Tanaka".into();
        ds[1].store.update_contact(&id, c).unwrap();
        hub.settle(&mut ds);

        for d in &ds {
            assert_eq!(contact(&d.store, &id), None, "after={edit_after_delete}");
            assert!(found(&d.store, "Tanaka").is_empty());
            assert!(found(&d.store, "Akiko").is_empty());
            assert_eq!(d.store.count_contacts(ContactKind::Recipient).unwrap(), 0);
        }
    }
}

#[test]
fn a_record_from_another_device_is_searchable_and_its_edits_reindex_it() {
    let dir = tempfile::tempdir().unwrap();
    let (phone, laptop, mut hub) = two(&dir);
    let mut ds = vec![phone, laptop];
    let id = ds[0]
        .store
        .create_contact(recipient("陳大文", "88 Queen's Road", "GB"))
        .unwrap()
        .id;
    hub.settle(&mut ds);
    assert_eq!(found(&ds[1].store, "陳"), vec![id.clone()]);
    assert_eq!(found(&ds[1].store, "Queen"), vec![id.clone()]);

    ds[0].at(T0 + 1_000);
    let mut c = contact(&ds[0].store, &id).unwrap();
    c.party.name = "李小龍".into();
    ds[0].store.update_contact(&id, c).unwrap();
    hub.settle(&mut ds);
    assert!(found(&ds[1].store, "陳").is_empty());
    assert_eq!(found(&ds[1].store, "李小"), vec![id.clone()]);
    // The importer's duplicate check sees the merged record too.
    let dupe: i64 = ds[1]
        .store
        .connection()
        .query_row(
            "SELECT count(*) FROM contacts WHERE dedupe_key LIKE '李小龍|%' AND deleted = 0",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(dupe, 1);
}

#[test]
fn applying_a_batch_twice_changes_nothing_and_remote_changes_are_not_sent_back() {
    let dir = tempfile::tempdir().unwrap();
    let (mut phone, mut laptop, mut hub) = two(&dir);
    let c = phone
        .store
        .create_contact(recipient("Akiko Sato", "1-2-3 Ginza", "JP"))
        .unwrap();
    phone
        .store
        .create_shipment(&draft("ORD-1", Some(c.id.clone())), &Assessment::default())
        .unwrap();
    hub.push(&mut phone);
    let first = laptop.store.apply_remote(&hub.log).unwrap();
    assert_eq!(first.received, 2);
    assert_eq!(first.records_created, 2);
    assert!(first.fields_applied > 0 && first.skipped.is_empty());
    assert_eq!(first.reassess.len(), 1);
    let before = dump(&laptop.store);
    let again = laptop.store.apply_remote(&hub.log).unwrap();
    assert_eq!(again.fields_applied, 0);
    assert_eq!(again.records_created, 0);
    assert_eq!(dump(&laptop.store), before);
    // Nothing to push: the laptop made no change of its own.
    assert!(laptop.store.outgoing(100).unwrap().is_empty());
    // The phone gets its own changes back from the hub and ignores them.
    let own = phone.store.apply_remote(&hub.log).unwrap();
    assert_eq!(own.fields_applied, 0);
    assert!(phone.store.outgoing(100).unwrap().is_empty());
}

#[test]
fn markers_survive_a_restart_and_only_move_forward() {
    let dir = tempfile::tempdir().unwrap();
    let mut hub = Hub::default();
    {
        let mut phone = Device::open(&dir, "phone.db", 0);
        phone
            .store
            .create_contact(recipient("Akiko Sato", "1-2-3 Ginza", "JP"))
            .unwrap();
        phone
            .store
            .create_contact(recipient("Ben Lee", "1 High St", "GB"))
            .unwrap();
        assert_eq!(phone.store.pushed_up_to().unwrap(), 0);
        assert_eq!(phone.store.outgoing(100).unwrap().len(), 2);
        hub.push(&mut phone);
        hub.pull(&mut phone, 1);
    }
    let mut phone = Device::open(&dir, "phone.db", 0);
    assert!(phone.store.outgoing(100).unwrap().is_empty());
    let pushed = phone.store.pushed_up_to().unwrap();
    assert!(pushed >= 2);
    phone.store.mark_pushed(1).unwrap();
    assert_eq!(phone.store.pushed_up_to().unwrap(), pushed);
    assert_eq!(phone.store.pull_cursor().unwrap().as_deref(), Some("1"));
    hub.pull(&mut phone, 10);
    assert_eq!(phone.store.pull_cursor().unwrap().as_deref(), Some("2"));
}

#[test]
fn a_shipment_that_arrives_before_its_contact_waits_for_it_and_an_early_edit_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let (mut phone, mut laptop, mut hub) = two(&dir);
    let c = phone
        .store
        .create_contact(recipient("Akiko Sato", "1-2-3 Ginza", "JP"))
        .unwrap();
    let s = phone
        .store
        .create_shipment(&draft("ORD-1", Some(c.id.clone())), &Assessment::default())
        .unwrap();
    phone.at(T0 + 1_000);
    let mut edited = contact(&phone.store, &c.id).unwrap();
    edited.party.city = "Tokyo".into();
    phone.store.update_contact(&c.id, edited).unwrap();
    hub.push(&mut phone);
    let [create_contact, create_shipment, edit_contact] = hub.log.clone().try_into().unwrap();

    // Out of order: the shipment, then the contact's edit, then the contact's creation.
    laptop.store.apply_remote(&[create_shipment]).unwrap();
    let shown = laptop.store.shipment(&s.id).unwrap().unwrap();
    assert_eq!(shown.draft.recipient_id.as_deref(), Some(c.id.as_str()));
    assert_eq!(
        contact(&laptop.store, &c.id),
        None,
        "a placeholder is not shown"
    );
    laptop.store.apply_remote(&[edit_contact]).unwrap();
    assert_eq!(contact(&laptop.store, &c.id), None);
    laptop.store.apply_remote(&[create_contact]).unwrap();
    let arrived = contact(&laptop.store, &c.id).unwrap();
    assert_eq!(arrived.party.city, "Tokyo");
    assert_eq!(arrived, contact(&phone.store, &c.id).unwrap());
    assert_eq!(found(&laptop.store, "Tokyo"), vec![c.id.clone()]);
}

#[test]
fn a_device_an_hour_behind_converges_and_keeps_what_it_edits_after_seeing_newer_changes() {
    let dir = tempfile::tempdir().unwrap();
    let mut hub = Hub::default();
    let mut ds = vec![
        Device::open(&dir, "phone.db", 0),
        // The laptop's wall clock is an hour slow.
        Device::open(&dir, "laptop.db", -(HOUR as i64)),
    ];
    let id = ds[0]
        .store
        .create_contact(recipient("Akiko Sato", "1-2-3 Ginza", "JP"))
        .unwrap()
        .id;
    hub.settle(&mut ds);

    // The phone edits the city; the laptop syncs, sees it, and then the merchant corrects
    // the city on the laptop. By wall clocks the laptop's edit is an hour "older" than the
    // phone's. It must win anyway: it was made after the phone's edit had been seen. This
    // relies on the HLC rule that a device observes every stamp it merges (`observe`) and
    // then issues only stamps greater than anything observed (`tick` takes the maximum of
    // its wall clock and the highest stamp, bumping the counter), and that the high-water
    // mark is persisted, so even a restart in between does not forget it.
    ds[0].at(T0 + 60_000);
    let mut c = contact(&ds[0].store, &id).unwrap();
    c.party.city = "Osaka".into();
    ds[0].store.update_contact(&id, c).unwrap();
    hub.settle(&mut ds);
    ds[1].at(T0 + 120_000);
    let laptop = Device {
        store: Store::open_with_clock(dir.path().join("laptop.db"), Box::new(ds[1].clock.clone()))
            .unwrap(),
        clock: ds[1].clock.clone(),
        offset: ds[1].offset,
    };
    ds[1] = laptop;
    let mut c = contact(&ds[1].store, &id).unwrap();
    assert_eq!(c.party.city, "Osaka");
    c.party.city = "Kyoto".into();
    ds[1].store.update_contact(&id, c).unwrap();
    let stamp = ds[1].store.outgoing(10).unwrap()[0].hlc.clone();
    assert!(
        stamp.wall_ms >= T0 + 60_000,
        "{stamp} sorts after the phone's edit"
    );
    hub.settle(&mut ds);
    for d in &ds {
        assert_eq!(contact(&d.store, &id).unwrap().party.city, "Kyoto");
    }

    // Edits the slow laptop makes without having seen the phone's still converge: the one
    // with the greater stamp wins everywhere (here the phone's, whose clock is right).
    ds[0].at(T0 + 200_000);
    ds[1].at(T0 + 230_000);
    let mut on_phone = contact(&ds[0].store, &id).unwrap();
    on_phone.notes = "phone".into();
    ds[0].store.update_contact(&id, on_phone).unwrap();
    let mut on_laptop = contact(&ds[1].store, &id).unwrap();
    on_laptop.notes = "laptop".into();
    on_laptop.tags = vec!["laptop-only".into()];
    ds[1].store.update_contact(&id, on_laptop).unwrap();
    hub.settle(&mut ds);
    for d in &ds {
        let c = contact(&d.store, &id).unwrap();
        assert_eq!(c.notes, "phone");
        assert_eq!(
            c.tags,
            vec!["laptop-only".to_owned()],
            "a different field is kept"
        );
    }
    assert_eq!(dump(&ds[0].store), dump(&ds[1].store));
}

#[test]
fn two_default_sender_profiles_made_offline_end_as_one_default_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let (phone, laptop, mut hub) = two(&dir);
    let mut ds = vec![phone, laptop];
    ds[0].at(T0 + 1_000);
    let first = ds[0].store.create_contact(hk_sender("Shop")).unwrap().id;
    ds[1].at(T0 + 2_000);
    let later = ds[1].store.create_contact(hk_sender("Stall")).unwrap().id;
    hub.push(&mut ds[0]);
    hub.push(&mut ds[1]);
    let report = hub.pull(&mut ds[1], 10);
    assert_eq!(
        report.resolved,
        vec![Resolution::DefaultFlag {
            contact_id: first.clone()
        }]
    );
    hub.settle(&mut ds);
    for d in &ds {
        assert_eq!(d.store.default_sender().unwrap().unwrap().id, later);
        assert_eq!(d.store.count_contacts(ContactKind::Sender).unwrap(), 2);
    }
}

#[test]
fn one_item_number_on_two_shipments_stays_on_the_one_labelled_first() {
    let dir = tempfile::tempdir().unwrap();
    let (phone, laptop, mut hub) = two(&dir);
    let mut ds = vec![phone, laptop];
    let label = ItemNumber::parse("LX123456785HK").unwrap();
    let with_label = |d: &mut Device, at: u64, reference: &str| {
        d.at(at);
        let mut dr = draft(reference, None);
        dr.shipment.item_number = Some(label.clone());
        d.store
            .create_shipment(&dr, &Assessment::default())
            .unwrap()
            .id
    };
    let first = with_label(&mut ds[1], T0 + 1_000, "ORD-1");
    let second = with_label(&mut ds[0], T0 + 2_000, "ORD-2");
    hub.settle(&mut ds);
    for d in &ds {
        let a = d.store.shipment(&first).unwrap().unwrap();
        let b = d.store.shipment(&second).unwrap().unwrap();
        assert_eq!(a.draft.shipment.item_number.as_ref(), Some(&label));
        assert_eq!(b.draft.shipment.item_number, None);
        assert_eq!(b.draft.shipment.reference, "ORD-2", "the rest is kept");
    }
    assert_eq!(dump(&ds[0].store), dump(&ds[1].store));
}

#[test]
fn a_malformed_change_is_skipped_by_name_and_the_rest_of_the_batch_applies() {
    let dir = tempfile::tempdir().unwrap();
    let (mut phone, mut laptop, mut hub) = two(&dir);
    phone
        .store
        .create_contact(recipient("Akiko Sato", "1-2-3 Ginza", "JP"))
        .unwrap();
    hub.push(&mut phone);
    let mut bad = hub.log[0].clone();
    bad.record_id = "0193a1b2-0000-7000-8000-000000000001".into();
    bad.fields
        .insert("lines".into(), Value::String("Secret Street 1".into()));
    let mut future = hub.log[0].clone();
    future.entity = "invoice".into();
    let report = laptop
        .store
        .apply_remote(&[bad, future, hub.log[0].clone()])
        .unwrap();
    assert_eq!(report.skipped.len(), 2);
    assert_eq!(report.skipped[0].reason, "field `lines` has the wrong type");
    assert!(!format!("{:?}", report.skipped).contains("Secret"));
    assert_eq!(
        laptop.store.count_contacts(ContactKind::Recipient).unwrap(),
        1
    );
}

/// Issue #17: a peer's stamp far in the future is refused, so it cannot push this device's
/// clock (and every stamp it makes afterwards) past it.
#[test]
fn a_change_stamped_days_ahead_is_refused_and_does_not_move_the_clock() {
    let dir = tempfile::tempdir().unwrap();
    let (mut phone, mut laptop, mut hub) = two(&dir);
    phone
        .store
        .create_contact(recipient("Akiko Sato", "1-2-3 Ginza", "JP"))
        .unwrap();
    hub.push(&mut phone);
    let mut ahead = hub.log[0].clone();
    ahead.hlc.wall_ms = T0 + 3 * 24 * HOUR;
    let report = laptop.store.apply_remote(&[ahead]).unwrap();
    assert_eq!(report.skipped.len(), 1, "{report:?}");
    assert!(report.skipped[0].reason.contains("ahead"));
    let id = laptop
        .store
        .create_contact(recipient("Chan Tai Man", "1 Nathan Road", "HK"))
        .unwrap()
        .id;
    let mine = laptop.store.outgoing(10).unwrap();
    let stamp = &mine.iter().find(|c| c.record_id == id).unwrap().hlc;
    assert!(
        stamp.wall_ms < T0 + HOUR,
        "the local clock was not pushed ahead: {stamp}"
    );
    // Within a day is an ordinary skew and is taken.
    let mut near = hub.log[0].clone();
    near.hlc.wall_ms = T0 + 2 * HOUR;
    assert!(laptop
        .store
        .apply_remote(&[near])
        .unwrap()
        .skipped
        .is_empty());
}

/// Issue #17: a field that does not read back as its type (`"ecship": {}`) is refused at the
/// door, so the list, the export and the outbox keep working on every device.
#[test]
fn a_shipment_whose_ecship_order_does_not_read_back_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (mut phone, mut laptop, mut hub) = two(&dir);
    phone
        .store
        .create_shipment(&draft("ORD-1", None), &Assessment::default())
        .unwrap();
    hub.push(&mut phone);
    let mut broken = hub.log[0].clone();
    broken
        .fields
        .insert("ecship".into(), Value::Object(Map::new()));
    let report = laptop.store.apply_remote(&[broken]).unwrap();
    assert_eq!(report.skipped.len(), 1);
    assert_eq!(
        report.skipped[0].reason,
        "field `ecship` has the wrong type"
    );
    assert!(laptop
        .store
        .list_shipments(&ShipmentFilter::default())
        .is_ok());
}

/// Issue #17: once EC-Ship has numbered a shipment here, a peer's older view of it (ready,
/// submitted) never moves it back, even with a later stamp.
#[test]
fn a_numbered_shipment_is_not_moved_back_by_a_stale_peer() {
    let dir = tempfile::tempdir().unwrap();
    let (mut phone, mut laptop, mut hub) = two(&dir);
    let id = phone
        .store
        .create_shipment(&draft("ORD-1", None), &Assessment::default())
        .unwrap()
        .id;
    for to in [
        ShipmentState::Ready,
        ShipmentState::Submitted,
        ShipmentState::Numbered,
    ] {
        phone.store.set_shipment_state(&id, to).unwrap();
    }
    hub.push(&mut phone);
    hub.pull_all(&mut laptop);
    assert_eq!(
        laptop.store.shipment(&id).unwrap().unwrap().state,
        ShipmentState::Numbered
    );
    let mut stale = hub.log.last().unwrap().clone();
    stale.hlc.wall_ms += HOUR;
    stale.fields = Map::from_iter([("state".to_owned(), Value::String("ready".into()))]);
    laptop.store.apply_remote(&[stale]).unwrap();
    assert_eq!(
        laptop.store.shipment(&id).unwrap().unwrap().state,
        ShipmentState::Numbered
    );
}

/// Issue #17, R-047: a number on a shipment of any service but iMail comes with EC-Ship's
/// order; a peer's number without one is not trusted (it would print a final label).
#[test]
fn a_peer_s_item_number_without_an_ecship_order_is_kept_only_on_imail() {
    let dir = tempfile::tempdir().unwrap();
    let (mut phone, mut laptop, mut hub) = two(&dir);
    let mut speedpost = draft("ORD-S", None);
    speedpost.shipment.service = satchel_core::service::Service::Speedpost;
    let s = phone
        .store
        .create_shipment(&speedpost, &Assessment::default())
        .unwrap()
        .id;
    let mut imail = draft("ORD-I", None);
    imail.shipment.item_number = Some(ItemNumber::parse("LX123456785HK").unwrap());
    let i = phone
        .store
        .create_shipment(&imail, &Assessment::default())
        .unwrap()
        .id;
    hub.push(&mut phone);
    let mut forged = hub.log.iter().find(|c| c.record_id == s).unwrap().clone();
    forged.hlc.wall_ms += HOUR;
    forged.fields["body"]["item_number"] = Value::String("EE123456785HK".into());
    hub.log.push(forged);
    hub.pull_all(&mut laptop);
    let got = laptop.store.shipment(&s).unwrap().unwrap();
    assert_eq!(got.draft.shipment.item_number, None);
    let kept = laptop.store.shipment(&i).unwrap().unwrap();
    assert!(kept.draft.shipment.item_number.is_some(), "R-047 on iMail");
}

/// Issue #17: a shipment merged from another device is not submittable until this device's
/// rules have run on it (S-005); the application layer re-assesses it after the round.
#[test]
fn a_merged_shipment_cannot_be_submitted_before_it_is_checked_here() {
    let dir = tempfile::tempdir().unwrap();
    let (mut phone, mut laptop, mut hub) = two(&dir);
    let id = phone
        .store
        .create_shipment(&draft("ORD-1", None), &Assessment::default())
        .unwrap()
        .id;
    hub.push(&mut phone);
    let report = hub.pull(&mut laptop, 10);
    assert_eq!(report.reassess, vec![id.clone()]);
    assert_eq!(
        laptop.store.unchecked_shipments().unwrap(),
        vec![id.clone()]
    );
    let queued = laptop
        .store
        .queue_submissions(std::slice::from_ref(&id))
        .unwrap();
    assert!(
        matches!(&queued[0], satchel_store::Queued::Refused { reason, .. } if reason.contains("S-005")),
        "{queued:?}"
    );
    laptop
        .store
        .set_assessment(&id, &Assessment::default())
        .unwrap();
    assert!(laptop.store.unchecked_shipments().unwrap().is_empty());
    let queued = laptop
        .store
        .queue_submissions(std::slice::from_ref(&id))
        .unwrap();
    assert!(
        matches!(queued[0], satchel_store::Queued::Queued { .. }),
        "{queued:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// Convergence under random interleavings.

/// Every row of both tables with its synced columns, placeholders and tombstones included;
/// local bookkeeping (`hlc`, times, the derived assessment) left out.
fn dump(s: &Store) -> Vec<(String, String, Value)> {
    let mut out = Vec::new();
    for (table, cols) in [
        (
            "contacts",
            "kind, name, company, lines, city, state, postcode, country, phone, email, notes, \
             tags, is_default, dedupe_key, deleted",
        ),
        (
            "shipments",
            "state, recipient_id, sender_id, reference, destination, service, item_number, \
             body, history, ecship, deleted",
        ),
    ] {
        let n = cols.split(',').count();
        let mut st = s
            .connection()
            .prepare(&format!(
                "SELECT id, clocks, {cols} FROM {table} ORDER BY id"
            ))
            .unwrap();
        let rows = st
            .query_map([], |r| {
                let mut vals = Vec::new();
                for i in 0..n {
                    let v: rusqlite::types::Value = r.get(2 + i)?;
                    vals.push(match v {
                        rusqlite::types::Value::Text(t) => {
                            serde_json::from_str(&t).unwrap_or(Value::String(t))
                        }
                        rusqlite::types::Value::Integer(i) => Value::from(i),
                        rusqlite::types::Value::Null => Value::Null,
                        other => Value::String(format!("{other:?}")),
                    });
                }
                let clocks: Value = serde_json::from_str(&r.get::<_, String>(1)?).unwrap();
                vals.push(clocks);
                Ok((table.to_owned(), r.get::<_, String>(0)?, Value::Array(vals)))
            })
            .unwrap();
        out.extend(rows.map(Result::unwrap));
    }
    out
}

const NAMES: [&str; 5] = [
    "Akiko Sato",
    "Ben Lee",
    "陳大文",
    "Maria Gonzalez",
    "Wong Siu Ming",
];
const CITIES: [&str; 3] = ["Osaka", "Tokyo", "Kobe"];
/// Valid S10 numbers (check digits computed by hand), few enough to collide often.
const LABELS: [&str; 2] = ["LX123456785HK", "LX000000014HK"];

#[derive(Debug, Clone)]
enum Op {
    Wait(u64),
    AddRecipient(usize, usize),
    AddSender(usize, bool),
    Rename(usize, usize, usize),
    Move(usize, usize, usize),
    Note(usize, usize, u8),
    Tag(usize, usize, bool),
    MakeDefault(usize, usize),
    DeleteContact(usize, usize),
    AddShipment(usize, usize),
    Reference(usize, usize, u8),
    Ready(usize, usize),
    /// Puts a pre-printed label's item number on a draft (or takes it off).
    Label(usize, usize, usize),
    DeleteShipment(usize, usize),
    Push(usize),
    Pull(usize, usize),
    /// A stale page delivered again (a retry after a dropped connection).
    Replay(usize, usize, usize),
    /// Some of the hub's changes, in a shuffled order, without moving the cursor.
    Scramble(usize, u64),
}

fn op(devices: usize) -> impl Strategy<Value = Op> {
    let d = 0..devices;
    let k = 0usize..8;
    prop_oneof![
        (0u64..3_000).prop_map(Op::Wait),
        (d.clone(), 0..NAMES.len()).prop_map(|(d, n)| Op::AddRecipient(d, n)),
        (d.clone(), any::<bool>()).prop_map(|(d, x)| Op::AddSender(d, x)),
        (d.clone(), k.clone(), 0..NAMES.len()).prop_map(|(d, k, n)| Op::Rename(d, k, n)),
        (d.clone(), k.clone(), 0..CITIES.len()).prop_map(|(d, k, n)| Op::Move(d, k, n)),
        (d.clone(), k.clone(), any::<u8>()).prop_map(|(d, k, n)| Op::Note(d, k, n)),
        (d.clone(), k.clone(), any::<bool>()).prop_map(|(d, k, x)| Op::Tag(d, k, x)),
        (d.clone(), k.clone()).prop_map(|(d, k)| Op::MakeDefault(d, k)),
        (d.clone(), k.clone()).prop_map(|(d, k)| Op::DeleteContact(d, k)),
        (d.clone(), k.clone()).prop_map(|(d, k)| Op::AddShipment(d, k)),
        (d.clone(), k.clone(), any::<u8>()).prop_map(|(d, k, n)| Op::Reference(d, k, n)),
        (d.clone(), k.clone()).prop_map(|(d, k)| Op::Ready(d, k)),
        (d.clone(), k.clone(), 0..LABELS.len() + 1).prop_map(|(d, k, n)| Op::Label(d, k, n)),
        (d.clone(), k.clone()).prop_map(|(d, k)| Op::DeleteShipment(d, k)),
        d.clone().prop_map(Op::Push),
        d.clone().prop_map(Op::Push),
        (d.clone(), 1usize..6).prop_map(|(d, n)| Op::Pull(d, n)),
        (d.clone(), 1usize..6).prop_map(|(d, n)| Op::Pull(d, n)),
        (d.clone(), 0usize..20, 1usize..8).prop_map(|(d, a, n)| Op::Replay(d, a, n)),
        (d, any::<u64>()).prop_map(|(d, s)| Op::Scramble(d, s)),
    ]
}

fn pick<T: Clone>(v: &[T], k: usize) -> Option<T> {
    (!v.is_empty()).then(|| v[k % v.len()].clone())
}

fn live_contacts(s: &Store) -> Vec<(String, ContactInput)> {
    let mut v: Vec<_> = [ContactKind::Recipient, ContactKind::Sender]
        .into_iter()
        .flat_map(|k| s.all_contacts(k).unwrap())
        .map(|c| (c.id, c.input))
        .collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v
}

fn live_shipments(s: &Store) -> Vec<(String, ShipmentState, ShipmentDraft, String)> {
    let mut v: Vec<_> = s
        .list_shipments(&ShipmentFilter::default())
        .unwrap()
        .into_iter()
        .map(|r| {
            let history = serde_json::to_string(&r.history).unwrap();
            (r.id, r.state, r.draft, history)
        })
        .collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v
}

fn edit(d: &mut Device, k: usize, f: impl FnOnce(&mut ContactInput)) {
    if let Some((id, mut input)) = pick(&live_contacts(&d.store), k) {
        f(&mut input);
        // A rule the edit breaks (none expected) just means the edit was not made.
        let _ = d.store.update_contact(&id, input);
    }
}

fn run(ops: &[Op], devices: usize) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().unwrap();
    let mut ds: Vec<Device> = (0..devices)
        .map(|i| {
            // Device 1 is an hour slow.
            let offset = if i == 1 { -(HOUR as i64) } else { 0 };
            Device::open(&dir, &format!("device{i}.db"), offset)
        })
        .collect();
    let mut hub = Hub::default();
    let mut now = T0;
    let mut rng_state = 0u64;
    for op in ops {
        match op.clone() {
            Op::Wait(ms) => {
                now += ms;
                for d in &ds {
                    d.at(now);
                }
            }
            Op::AddRecipient(i, n) => {
                ds[i]
                    .store
                    .create_contact(recipient(NAMES[n], "1 High Street", "GB"))
                    .unwrap();
            }
            Op::AddSender(i, default) => {
                let mut s = hk_sender("Shop");
                s.is_default = default;
                ds[i].store.create_contact(s).unwrap();
            }
            Op::Rename(i, k, n) => edit(&mut ds[i], k, |c| c.party.name = NAMES[n].into()),
            Op::Move(i, k, n) => edit(&mut ds[i], k, |c| c.party.city = CITIES[n].into()),
            Op::Note(i, k, n) => edit(&mut ds[i], k, |c| c.notes = format!("note {n}")),
            Op::Tag(i, k, on) => edit(&mut ds[i], k, |c| {
                c.tags = if on { vec!["vip".into()] } else { vec![] }
            }),
            Op::MakeDefault(i, k) => edit(&mut ds[i], k, |c| {
                c.is_default = c.kind == ContactKind::Sender
            }),
            Op::DeleteContact(i, k) => {
                if let Some((id, _)) = pick(&live_contacts(&ds[i].store), k) {
                    ds[i].store.delete_contact(&id).unwrap();
                }
            }
            Op::AddShipment(i, k) => {
                let to = pick(&live_contacts(&ds[i].store), k).map(|c| c.0);
                ds[i]
                    .store
                    .create_shipment(&draft("ORD", to), &Assessment::default())
                    .unwrap();
            }
            Op::Reference(i, k, n) => {
                if let Some((id, state, mut dr, _)) = pick(&live_shipments(&ds[i].store), k) {
                    if state.is_editable() {
                        dr.shipment.reference = format!("ORD-{n}");
                        ds[i]
                            .store
                            .update_shipment(&id, &dr, &Assessment::default())
                            .unwrap();
                    }
                }
            }
            Op::Ready(i, k) => {
                if let Some((id, ShipmentState::Draft, _, _)) =
                    pick(&live_shipments(&ds[i].store), k)
                {
                    // A shipment merged from another device is checked here first, as the app
                    // does after each sync round (S-005).
                    for unchecked in ds[i].store.unchecked_shipments().unwrap() {
                        ds[i]
                            .store
                            .set_assessment(&unchecked, &Assessment::default())
                            .unwrap();
                    }
                    ds[i]
                        .store
                        .set_shipment_state(&id, ShipmentState::Ready)
                        .unwrap();
                }
            }
            Op::Label(i, k, n) => {
                if let Some((id, state, mut dr, _)) = pick(&live_shipments(&ds[i].store), k) {
                    if state.is_editable() {
                        dr.shipment.item_number =
                            LABELS.get(n).map(|l| ItemNumber::parse(l).unwrap());
                        // Refused when another shipment on this device has the label: the
                        // merchant would be told, and nothing is written.
                        let _ = ds[i]
                            .store
                            .update_shipment(&id, &dr, &Assessment::default());
                    }
                }
            }
            Op::DeleteShipment(i, k) => {
                if let Some((id, state, _, _)) = pick(&live_shipments(&ds[i].store), k) {
                    if state.is_editable() {
                        ds[i].store.delete_shipment(&id).unwrap();
                    }
                }
            }
            Op::Push(i) => {
                hub.push(&mut ds[i]);
            }
            Op::Pull(i, n) => {
                hub.pull(&mut ds[i], n);
            }
            Op::Replay(i, back, n) => {
                let at: usize = ds[i]
                    .store
                    .pull_cursor()
                    .unwrap()
                    .map_or(0, |c| c.parse().unwrap());
                let from = at.saturating_sub(back);
                let to = (from + n).min(at);
                ds[i].store.apply_remote(&hub.log[from..to]).unwrap();
            }
            Op::Scramble(i, seed) => {
                // A small xorshift: which changes, and in what order, without another crate.
                rng_state ^= seed | 1;
                let mut next = || {
                    rng_state ^= rng_state << 13;
                    rng_state ^= rng_state >> 7;
                    rng_state ^= rng_state << 17;
                    rng_state
                };
                let mut batch: Vec<RemoteChange> = hub
                    .log
                    .iter()
                    .filter(|_| next() % 3 == 0)
                    .cloned()
                    .collect();
                for j in (1..batch.len()).rev() {
                    batch.swap(j, (next() % (j as u64 + 1)) as usize);
                }
                ds[i].store.apply_remote(&batch).unwrap();
            }
        }
    }
    hub.settle(&mut ds);

    // Every device holds the same rows, down to placeholders, tombstones and clocks.
    let first = dump(&ds[0].store);
    let contacts = live_contacts(&ds[0].store);
    let shipments = live_shipments(&ds[0].store);
    for d in &ds[1..] {
        let theirs = dump(&d.store);
        // Row by row, so a failure names the record that differs.
        for (a, b) in theirs.iter().zip(&first) {
            prop_assert_eq!(a, b);
        }
        prop_assert_eq!(theirs.len(), first.len());
        prop_assert_eq!(&live_contacts(&d.store), &contacts);
        prop_assert_eq!(&live_shipments(&d.store), &shipments);
    }

    // No winning edit is lost: per record and field, the value of the change with the
    // greatest stamp in any device's log (every change, repairs included, is logged exactly
    // once, on the device that made it) is what every device shows.
    let mut winner: BTreeMap<(String, String, String), (Hlc, Value)> = BTreeMap::new();
    for d in &ds {
        for c in d.store.changes_since(0, 1_000_000).unwrap() {
            for (f, v) in c.fields {
                let key = (c.entity.clone(), c.record_id.clone(), f);
                if winner.get(&key).is_none_or(|(h, _)| c.hlc > *h) {
                    winner.insert(key, (c.hlc.clone(), v));
                }
            }
        }
    }
    let rows: BTreeMap<(String, String), Map<String, Value>> = first
        .iter()
        .map(|(t, id, _)| {
            let entity = if t == "contacts" {
                "contact"
            } else {
                "shipment"
            };
            (
                (entity.to_owned(), id.clone()),
                synced_fields(&ds[0].store, entity, id),
            )
        })
        .collect();
    let mut expected_live = BTreeSet::new();
    let ids: BTreeSet<(String, String)> = winner
        .keys()
        .map(|(e, id, _)| (e.clone(), id.clone()))
        .collect();
    for (entity, id) in &ids {
        let has = |f: &str| winner.contains_key(&(entity.clone(), id.clone(), f.to_owned()));
        let created = if entity == "contact" { "kind" } else { "body" };
        if has(created) && !has("deleted") {
            expected_live.insert((entity.clone(), id.clone()));
        }
        let row = &rows[&(entity.clone(), id.clone())];
        for ((e, i, f), (_, v)) in winner.range((entity.clone(), id.clone(), String::new())..) {
            if e != entity || i != id {
                break;
            }
            if f == "deleted" {
                continue;
            }
            // A tombstone gives up the default flag, as a local delete does.
            if f == "is_default" && !expected_live.contains(&(e.clone(), i.clone())) {
                continue;
            }
            prop_assert_eq!(&row[f], v, "{} {} {}", e, i, f);
        }
    }
    let live: BTreeSet<(String, String)> = contacts
        .iter()
        .map(|c| ("contact".to_owned(), c.0.clone()))
        .chain(
            shipments
                .iter()
                .map(|s| ("shipment".to_owned(), s.0.clone())),
        )
        .collect();
    prop_assert_eq!(live, expected_live);

    // Search agrees with the merged rows on every device.
    for d in &ds {
        for name in NAMES {
            let mut want: Vec<String> = live_contacts(&d.store)
                .into_iter()
                .filter(|(_, c)| c.party.name == name)
                .map(|(id, _)| id)
                .collect();
            want.sort();
            let mut got = found(&d.store, name);
            got.sort();
            prop_assert_eq!(got, want, "search for {}", name);
        }
        let defaults = live_contacts(&d.store)
            .iter()
            .filter(|(_, c)| c.kind == ContactKind::Sender && c.is_default)
            .count();
        prop_assert!(defaults <= 1);
        for label in LABELS {
            let holders = live_shipments(&d.store)
                .iter()
                .filter(|s| s.2.shipment.item_number.as_ref().map(|n| n.as_str()) == Some(label))
                .count();
            prop_assert!(holders <= 1, "{} on {} shipments", label, holders);
        }
    }
    Ok(())
}

/// A row's synced fields as the change log names them.
fn synced_fields(s: &Store, entity: &str, id: &str) -> Map<String, Value> {
    let (sql, names): (&str, &[&str]) = if entity == "contact" {
        (
            "SELECT kind, name, company, lines, city, state, postcode, country, phone, email,
               notes, tags, is_default FROM contacts WHERE id = ?1",
            &[
                "kind",
                "name",
                "company",
                "lines",
                "city",
                "state",
                "postcode",
                "country",
                "phone",
                "email",
                "notes",
                "tags",
                "is_default",
            ],
        )
    } else {
        (
            "SELECT state, recipient_id, sender_id, body, history, ecship
             FROM shipments WHERE id = ?1",
            &[
                "state",
                "recipient_id",
                "sender_id",
                "body",
                "history",
                "ecship",
            ],
        )
    };
    s.connection()
        .query_row(sql, [id], |r| {
            let mut m = Map::new();
            for (i, n) in names.iter().enumerate() {
                let v: rusqlite::types::Value = r.get(i)?;
                let v = match (v, *n) {
                    (rusqlite::types::Value::Integer(b), "is_default") => Value::Bool(b != 0),
                    (rusqlite::types::Value::Null, _) => Value::Null,
                    (
                        rusqlite::types::Value::Text(t),
                        "lines" | "tags" | "body" | "history" | "ecship",
                    ) => serde_json::from_str(&t).unwrap(),
                    (rusqlite::types::Value::Text(t), _) => Value::String(t),
                    (other, _) => Value::String(format!("{other:?}")),
                };
                m.insert((*n).to_owned(), v);
            }
            Ok(m)
        })
        .unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn two_devices_converge_whatever_the_order(ops in proptest::collection::vec(op(2), 1..60)) {
        run(&ops, 2)?;
    }

    #[test]
    fn three_devices_converge_whatever_the_order(ops in proptest::collection::vec(op(3), 1..60)) {
        run(&ops, 3)?;
    }
}

/// Issue #17: the app and the CLI on one database are two processes with one device id; with
/// the high-water mark re-read inside every write, their changes never share a stamp (which
/// would make other devices merge them in different orders).
#[test]
fn two_processes_on_one_database_never_hand_out_the_same_stamp() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shared.db");
    let clock = TestClock::at(T0);
    let mut app = Store::open_with_clock(&path, Box::new(clock.clone())).unwrap();
    let mut cli = Store::open_with_clock(&path, Box::new(clock.clone())).unwrap();
    assert_eq!(app.device_id(), cli.device_id());
    for n in 0..5 {
        app.create_contact(recipient(&format!("App {n}"), "1 Queen's Road", "HK"))
            .unwrap();
        cli.create_contact(recipient(&format!("Cli {n}"), "2 Queen's Road", "HK"))
            .unwrap();
    }
    let stamps: Vec<String> = app
        .changes_since(0, 100)
        .unwrap()
        .into_iter()
        .map(|c| c.hlc.to_string())
        .collect();
    let distinct: BTreeSet<&String> = stamps.iter().collect();
    assert_eq!(stamps.len(), 10);
    assert_eq!(distinct.len(), 10, "{stamps:#?}");
}

/// Issue #17: a shipment submitted on one device whose outcome that device never learned,
/// then submitted again on another, is looked up by refNo there before anything is created:
/// only the first device knew an attempt may have reached EC-Ship.
#[test]
fn a_shipment_submitted_on_another_device_is_looked_up_before_it_is_created_again() {
    let dir = tempfile::tempdir().unwrap();
    let (mut phone, mut laptop, mut hub) = two(&dir);
    let id = phone
        .store
        .create_shipment(&draft("ORD-1", None), &Assessment::default())
        .unwrap()
        .id;
    phone
        .store
        .queue_submissions(std::slice::from_ref(&id))
        .unwrap();
    let claim = phone.store.claim_jobs(1, 30_000).unwrap().remove(0);
    assert!(!claim.look_up_first);
    // No answer, then the merchant gives up on the phone: the shipment is ready again.
    phone
        .store
        .fail_job(&claim.job, "no answer", satchel_store::ErrorKind::Transport)
        .unwrap();
    hub.push(&mut phone);
    hub.pull_all(&mut laptop);
    laptop
        .store
        .set_assessment(&id, &Assessment::default())
        .unwrap();
    laptop
        .store
        .queue_submissions(std::slice::from_ref(&id))
        .unwrap();
    let there = laptop.store.claim_jobs(1, 30_000).unwrap().remove(0);
    assert_eq!(there.shipment.id, id);
    assert!(
        there.look_up_first,
        "the laptop cannot know what the phone sent"
    );

    // A shipment only ever submitted on the laptop needs no lookup.
    let own = laptop
        .store
        .create_shipment(&draft("ORD-2", None), &Assessment::default())
        .unwrap()
        .id;
    laptop
        .store
        .queue_submissions(std::slice::from_ref(&own))
        .unwrap();
    let fresh = laptop.store.claim_jobs(1, 30_000).unwrap().remove(0);
    assert_eq!(fresh.shipment.id, own);
    assert!(!fresh.look_up_first);
}

/// Issue #17: a shipment that goes back and forth between devices is looked up whenever the
/// last submission was another device's, even where this device has submitted it before: the
/// laptop's own attempts are all known (EC-Ship refused), the phone's are not.
#[test]
fn a_shipment_handed_back_after_another_device_s_unknown_attempt_is_looked_up() {
    let dir = tempfile::tempdir().unwrap();
    let (mut phone, mut laptop, mut hub) = two(&dir);
    let id = laptop
        .store
        .create_shipment(&draft("ORD-1", None), &Assessment::default())
        .unwrap()
        .id;
    let queue = |d: &mut Device| {
        d.store
            .queue_submissions(std::slice::from_ref(&id))
            .unwrap();
        d.store.claim_jobs(1, 30_000).unwrap().remove(0)
    };
    // The laptop's first try is refused outright: known to have made no order.
    let first = queue(&mut laptop);
    assert!(!first.look_up_first);
    let refused = satchel_store::ErrorKind::Ecship;
    laptop
        .store
        .fail_job(&first.job, "refused", refused)
        .unwrap();
    hub.push(&mut laptop);
    hub.pull_all(&mut phone);

    // The phone tries later; its answer is lost, then EC-Ship refuses its lookup.
    phone.at(T0 + 60_000);
    phone
        .store
        .set_assessment(&id, &Assessment::default())
        .unwrap();
    let lost = queue(&mut phone);
    assert!(lost.look_up_first, "the laptop submitted it before");
    phone
        .store
        .retry_later(
            &lost.job,
            "no answer",
            satchel_store::ErrorKind::Transport,
            0,
        )
        .unwrap();
    let looked = phone.store.claim_jobs(1, 30_000).unwrap().remove(0);
    phone
        .store
        .fail_job(&looked.job, "refused", refused)
        .unwrap();
    hub.push(&mut phone);
    hub.pull_all(&mut laptop);

    // Back on the laptop: its own count says nothing was ever sent, the history says the
    // phone sent something after it.
    laptop.at(T0 + 120_000);
    laptop
        .store
        .set_assessment(&id, &Assessment::default())
        .unwrap();
    let again = queue(&mut laptop);
    assert!(
        again.look_up_first,
        "the phone's lost answer may have made an order"
    );
    laptop
        .store
        .fail_job(&again.job, "refused", refused)
        .unwrap();
    // Still unknown on the laptop until an order is found: the next try looks up too.
    assert!(queue(&mut laptop).look_up_first);
}

/// Issue #17: the body EC-Ship numbered travels with its order and outranks an edit made on a
/// copy that was still a draft on another device, whatever the stamps and whichever arrives
/// first: the label's item number is never lost and every device ends the same.
#[test]
fn an_edit_of_a_stale_draft_never_overwrites_the_numbered_shipment() {
    let dir = tempfile::tempdir().unwrap();
    let (mut phone, mut laptop, mut hub) = two(&dir);
    let mut tablet = Device::open(&dir, "tablet.db", 0);
    let id = speedpost_on_both(&mut laptop, &mut phone, &mut hub);

    // The laptop submits and EC-Ship numbers it.
    laptop
        .store
        .queue_submissions(std::slice::from_ref(&id))
        .unwrap();
    let claim = laptop.store.claim_jobs(1, 30_000).unwrap().remove(0);
    let numbered = laptop
        .store
        .finish_submission(
            &claim,
            &crate::outbox::item(7),
            &crate::outbox::order("O-7"),
        )
        .unwrap();
    // The phone, not yet synced, edits its draft copy an hour later (by its clock).
    phone.at(T0 + HOUR);
    let mut edit = phone.store.shipment(&id).unwrap().unwrap().draft;
    edit.shipment.parcel.weight_g = 1_950;
    phone
        .store
        .update_shipment(&id, &edit, &Assessment::default())
        .unwrap();

    // The tablet gets the edit first, then the numbering; the laptop only the edit after.
    hub.push(&mut phone);
    hub.pull_all(&mut tablet);
    hub.push(&mut laptop);
    hub.pull_all(&mut tablet);
    let mut devices = [laptop, phone, tablet];
    hub.settle(&mut devices);
    for d in &devices {
        let rec = d.store.shipment(&id).unwrap().unwrap();
        assert_eq!(rec.state, ShipmentState::Numbered);
        assert_eq!(
            rec.draft.shipment, numbered.draft.shipment,
            "the numbered body, item number included, stands everywhere"
        );
        assert_eq!(rec.ecship, numbered.ecship);
    }
}

/// Issue #17, R-049/R-051: a sender profile from a peer is checked like one typed here. One
/// that is not a proper Hong Kong return address is kept (the devices must agree), reported,
/// and never the default sender, on every device.
#[test]
fn a_merged_sender_profile_that_is_not_a_hong_kong_return_address_is_never_the_default() {
    let dir = tempfile::tempdir().unwrap();
    let (mut phone, mut laptop, mut hub) = two(&dir);
    phone.store.create_contact(hk_sender("Stall")).unwrap();
    // The shop is made the default after the stall, so it wins that flag on every device.
    laptop.at(T0 + 1_000);
    let shop = laptop.store.create_contact(hk_sender("Shop")).unwrap().id;
    hub.push(&mut phone);
    // A peer that skipped the checks: its default sender is abroad, another is an MCN.
    let mut abroad = hub.log[0].clone();
    abroad.record_id = "0193a1b2-0000-7000-8000-0000000000a1".into();
    abroad.hlc.wall_ms += 60_000;
    abroad
        .fields
        .insert("country".into(), Value::String("JP".into()));
    let mut mcn = hub.log[0].clone();
    mcn.record_id = "0193a1b2-0000-7000-8000-0000000000a2".into();
    mcn.fields.insert(
        "lines".into(),
        serde_json::json!(["MCN: 0354 7901 (KTG)", "Kwun Tong"]),
    );
    hub.log.extend([abroad, mcn]);
    let report = hub.pull(&mut laptop, 100);
    let rules: Vec<_> = report
        .resolved
        .iter()
        .filter_map(|r| match r {
            Resolution::SenderRule { rule, .. } => Some(*rule),
            _ => None,
        })
        .collect();
    assert_eq!(rules, ["R-049", "R-051"]);
    assert_eq!(
        laptop.store.default_sender().unwrap().unwrap().id,
        shop,
        "the profile abroad did not take the default from the shop"
    );
    assert_eq!(laptop.store.count_contacts(ContactKind::Sender).unwrap(), 4);
    // The repair travels: the other devices agree.
    let mut ds = vec![laptop, phone];
    hub.settle(&mut ds);
    assert_eq!(dump(&ds[0].store), dump(&ds[1].store));
}

/// Issue #17: a peer's edit of a stale copy, merged while this device's request is out, moves
/// the shipment back to draft here; EC-Ship's answer still numbers it, with the body that was
/// sent, so the label bought is not dropped and its contents are what was declared.
#[test]
fn an_answer_numbers_what_was_sent_even_after_a_peer_edit_arrived_meanwhile() {
    let dir = tempfile::tempdir().unwrap();
    let (mut phone, mut laptop, mut hub) = two(&dir);
    let id = speedpost_on_both(&mut phone, &mut laptop, &mut hub);
    phone
        .store
        .queue_submissions(std::slice::from_ref(&id))
        .unwrap();
    let claim = phone.store.claim_jobs(1, 30_000).unwrap().remove(0);
    let sent = claim.shipment.draft.shipment.clone();

    // Meanwhile the laptop, which never saw the submission, edits its copy; it reaches the
    // phone before EC-Ship's answer does.
    laptop.at(T0 + HOUR);
    laptop
        .store
        .set_shipment_state(&id, ShipmentState::Ready)
        .unwrap();
    let mut edit = laptop.store.shipment(&id).unwrap().unwrap().draft;
    edit.shipment.parcel.weight_g = 1_950;
    laptop
        .store
        .update_shipment(&id, &edit, &Assessment::default())
        .unwrap();
    hub.push(&mut laptop);
    hub.pull_all(&mut phone);
    assert!(phone
        .store
        .shipment(&id)
        .unwrap()
        .unwrap()
        .state
        .is_editable());

    let rec = phone
        .store
        .finish_submission(
            &claim,
            &crate::outbox::item(9),
            &crate::outbox::order("O-9"),
        )
        .unwrap();
    assert_eq!(rec.state, ShipmentState::Numbered);
    assert_eq!(rec.draft.shipment.parcel.weight_g, sent.parcel.weight_g);
    assert_eq!(rec.draft.shipment.item_number, Some(crate::outbox::item(9)));
    let mut devices = [phone, laptop];
    hub.settle(&mut devices);
    for d in &devices {
        let there = d.store.shipment(&id).unwrap().unwrap();
        assert_eq!(there.state, ShipmentState::Numbered);
        assert_eq!(there.draft.shipment, rec.draft.shipment);
    }
}
