//! The address book on a real SQLite file: create, read, update, delete, search.

use crate::common::*;
use satchel_store::{ContactKind, ContactQuery, Error};

fn names(cs: &[satchel_store::Contact]) -> Vec<String> {
    cs.iter().map(|c| c.input.party.name.clone()).collect()
}

fn search(store: &satchel_store::Store, text: &str) -> Vec<String> {
    names(
        &store
            .search_contacts(&ContactQuery {
                text: text.into(),
                limit: 50,
                ..ContactQuery::default()
            })
            .unwrap(),
    )
}

#[test]
fn crud_survives_reopening_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let id = {
        let (mut s, _) = open(&dir);
        let mut input = recipient("  Akiko Sato ", "1-2-3 Ginza", "jp");
        input.tags = vec!["vip".into(), " wholesale".into(), "vip".into()];
        let c = s.create_contact(input).unwrap();
        // Trimmed, country upper-cased, tags de-duplicated and sorted.
        assert_eq!(c.input.party.name, "Akiko Sato");
        assert_eq!(c.input.party.country, "JP");
        assert_eq!(c.input.tags, ["vip", "wholesale"]);
        c.id
    };
    let (mut s, clock) = open(&dir);
    let c = s
        .contact(&id)
        .unwrap()
        .expect("still there after reopening");
    assert_eq!(uuid::Uuid::parse_str(&c.id).unwrap().get_version_num(), 7);
    clock.set(T0 + 60_000);
    let mut edit = c.input.clone();
    edit.party.city = "Tokyo".into();
    let updated = s.update_contact(&id, edit).unwrap();
    assert_eq!(updated.input.party.city, "Tokyo");
    assert_eq!(updated.updated_ms, (T0 + 60_000) as i64);
    assert_eq!(updated.created_ms, T0 as i64);
    s.delete_contact(&id).unwrap();
    assert!(s.contact(&id).unwrap().is_none());
    assert!(
        search(&s, "akiko").is_empty(),
        "deleted contacts leave search"
    );
    assert!(matches!(s.delete_contact(&id), Err(Error::NotFound { .. })));
}

#[test]
fn search_finds_latin_chinese_phone_and_partial_words() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, _) = open(&dir);
    let mut a = recipient("陳大文 Chan Tai Man", "彌敦道 123 號", "HK");
    a.party.phone = "9123 4567".into();
    s.create_contact(a).unwrap();
    let mut b = recipient("Li Xiaoming 李小明", "88 Queen's Road Central", "GB");
    b.party.company = "Northwind Trading".into();
    b.party.email = "li@example.com".into();
    s.create_contact(b).unwrap();
    s.create_contact(recipient("Akiko Sato", "1-2-3 Ginza 銀座", "JP"))
        .unwrap();

    assert_eq!(search(&s, "陳大文 Chan Tai Man"), ["陳大文 Chan Tai Man"]);
    // One and two Chinese characters: the word index.
    assert_eq!(search(&s, "小明"), ["Li Xiaoming 李小明"]);
    assert_eq!(search(&s, "陳"), ["陳大文 Chan Tai Man"]);
    // Three or more: any substring, through the trigram index.
    assert_eq!(search(&s, "彌敦道"), ["陳大文 Chan Tai Man"]);
    assert_eq!(search(&s, "iaomi"), ["Li Xiaoming 李小明"]);
    assert_eq!(search(&s, "northw"), ["Li Xiaoming 李小明"]);
    assert_eq!(search(&s, "queen's"), ["Li Xiaoming 李小明"]);
    assert_eq!(search(&s, "4567"), ["陳大文 Chan Tai Man"]);
    assert_eq!(
        search(&s, "91234567"),
        ["陳大文 Chan Tai Man"],
        "phone without the space"
    );
    assert_eq!(
        search(&s, "ak"),
        ["Akiko Sato"],
        "two Latin letters: a word prefix"
    );
    assert_eq!(
        search(&s, "銀座 sato"),
        ["Akiko Sato"],
        "terms combine with AND"
    );
    assert!(search(&s, "zzz").is_empty());
    // Empty text lists everyone by name.
    assert_eq!(search(&s, "").len(), 3);
}

#[test]
fn search_filters_by_kind_and_tag() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, _) = open(&dir);
    let mut vip = recipient("Vera Chan", "1 Main St", "GB");
    vip.tags = vec!["vip".into()];
    s.create_contact(vip).unwrap();
    s.create_contact(recipient("Victor Chan", "2 Main St", "GB"))
        .unwrap();
    s.create_contact(hk_sender("Chan's Shop")).unwrap();
    let q = |kind, tag: Option<&str>| {
        names(
            &s.search_contacts(&ContactQuery {
                text: "chan".into(),
                kind,
                tag: tag.map(str::to_owned),
                limit: 10,
            })
            .unwrap(),
        )
    };
    assert_eq!(q(None, None).len(), 3);
    assert_eq!(q(Some(ContactKind::Sender), None), ["Chan's Shop"]);
    assert_eq!(q(Some(ContactKind::Recipient), Some("vip")), ["Vera Chan"]);
    assert_eq!(s.contact_tags().unwrap(), ["vip"]);
}

#[test]
fn sender_profiles_must_be_hong_kong_addresses() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, _) = open(&dir);
    let mut abroad = hk_sender("Shop");
    abroad.party.country = "GB".into();
    let err = s.create_contact(abroad).unwrap_err();
    let Error::Invalid(ps) = &err else {
        panic!("{err}")
    };
    assert_eq!(ps[0].rule, "R-049");
    assert_eq!(ps[0].field, "country");
    assert!(err.to_string().contains("country (R-049)"), "{err}");
    let mut mcn = hk_sender("Shop");
    mcn.party.lines = vec!["MCN: 0354 7901 (PLCMC)".into()];
    let Err(Error::Invalid(ps)) = s.create_contact(mcn) else {
        panic!()
    };
    assert_eq!(ps[0].rule, "R-051");
    assert_eq!(
        s.count_contacts(ContactKind::Sender).unwrap(),
        0,
        "nothing was written"
    );
}

#[test]
fn a_recipient_without_a_name_is_refused_naming_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, _) = open(&dir);
    let Err(Error::Invalid(ps)) = s.create_contact(recipient(" ", "1 Main St", "XX")) else {
        panic!("accepted")
    };
    let fields: Vec<(&str, &str)> = ps.iter().map(|p| (p.field.as_str(), p.rule)).collect();
    assert_eq!(fields, [("name", "S-001"), ("country", "S-003")]);
}

#[test]
fn only_one_default_sender_profile() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, _) = open(&dir);
    let a = s.create_contact(hk_sender("Shop A")).unwrap();
    let b = s.create_contact(hk_sender("Shop B")).unwrap();
    assert_eq!(s.default_sender().unwrap().unwrap().id, b.id);
    assert!(!s.contact(&a.id).unwrap().unwrap().input.is_default);
}

#[test]
fn every_change_is_in_the_change_log_with_only_changed_fields() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, clock) = open(&dir);
    let c = s
        .create_contact(recipient("Ann", "1 Main St", "GB"))
        .unwrap();
    let mut edit = c.input.clone();
    edit.party.phone = "+44 20 7946 0000".into();
    // The wall clock jumps back an hour: the change must still sort after the first.
    clock.set(T0 - 3_600_000);
    s.update_contact(&c.id, edit.clone()).unwrap();
    s.update_contact(&c.id, edit).unwrap(); // no change, no log row
    s.delete_contact(&c.id).unwrap();
    let log = s.changes_since(0, 100).unwrap();
    assert_eq!(log.len(), 3);
    assert!(log
        .iter()
        .all(|ch| ch.record_id == c.id && ch.entity == "contact"));
    assert!(log[0].fields.contains_key("name"));
    assert_eq!(log[1].fields.keys().collect::<Vec<_>>(), ["phone"]);
    assert_eq!(log[2].fields["deleted"], true);
    assert!(log[0].hlc < log[1].hlc && log[1].hlc < log[2].hlc);
    assert!(log.iter().all(|ch| ch.hlc.device == s.device_id()));
    assert_eq!(s.changes_since(log[1].seq, 100).unwrap().len(), 1);
}

#[test]
fn the_clock_high_water_mark_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let last = {
        let (mut s, _) = open(&dir);
        s.create_contact(recipient("Ann", "1 Main St", "GB"))
            .unwrap();
        s.changes_since(0, 1).unwrap()[0].hlc.clone()
    };
    let (mut s, clock) = open(&dir);
    clock.set(T0 - 86_400_000); // a day behind after the restart
    s.create_contact(recipient("Bob", "2 Main St", "GB"))
        .unwrap();
    let next = s.changes_since(1, 1).unwrap()[0].hlc.clone();
    assert!(next > last, "{next} <= {last}");
    assert_eq!(next.device, last.device, "same device id after reopening");
}

#[test]
fn the_first_sender_profile_becomes_the_default() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, _) = open(&dir);
    let mut a = hk_sender("Shop A");
    a.is_default = false;
    let a = s.create_contact(a).unwrap();
    assert!(a.input.is_default);
    let mut b = hk_sender("Shop B");
    b.is_default = false;
    let b = s.create_contact(b).unwrap();
    assert!(!b.input.is_default);
    assert_eq!(s.default_sender().unwrap().unwrap().id, a.id);
}
