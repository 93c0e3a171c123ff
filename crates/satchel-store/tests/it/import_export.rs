//! CSV import and export on a real SQLite file: errors written back out, each duplicate
//! policy, Chinese text round-tripping, and shipments checked by the real domain engine.

use crate::common::*;
use chrono::NaiveDate;
use satchel_core::rates::RateSet;
use satchel_core::validate::{validate_shipment, RulesConfig};
use satchel_store::csv_io::{read_csv, DuplicatePolicy, Mapping, Table};
use satchel_store::{Assessment, ContactKind, ContactQuery, ShipmentFilter, StoredProblem};

const CONTACTS: &str = "\u{feff}姓名,地址,Address 2,City,郵編,國家,電話,Tags
陳大文,彌敦道 123 號,3樓,Kowloon,,HK,9123 4567,vip
Akiko Sato,1-2-3 Ginza,,Tokyo,104-0061,JP,,\"wholesale; vip\"
,No Name Street,,London,,GB,,
Bob Smith,1 Main St,,Springfield,1234,US,,
Li Xiaoming 李小明,88 Queen's Road,,London,EC1A 1BB,GB,,
";

fn no_progress() -> impl FnMut(usize, usize) {
    |_, _| {}
}

#[test]
fn good_rows_go_in_and_bad_rows_come_back_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, _) = open(&dir);
    let mut seen = Vec::new();
    let r = s
        .import(
            Table::Contacts,
            CONTACTS,
            None,
            DuplicatePolicy::Review,
            None,
            &mut |d, t| seen.push((d, t)),
        )
        .unwrap();
    assert_eq!((r.total_rows, r.imported, r.rejected), (5, 3, 2));
    assert_eq!(seen.last(), Some(&(5, 5)), "progress reaches the end");
    let report = read_csv(&r.report_csv).unwrap();
    assert_eq!(report.headers.last().unwrap(), "errors");
    assert_eq!(report.rows.len(), 2);
    assert!(
        report.rows[0].1[8].contains("name (S-001)"),
        "{:?}",
        report.rows[0]
    );
    assert!(report.rows[1].1[0] == "Bob Smith" && report.rows[1].1[8].contains("postcode (R-064)"));
    // The imported rows are searchable at once, in Chinese too.
    let found = s
        .search_contacts(&ContactQuery {
            text: "大文".into(),
            limit: 5,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].input.party.lines, ["彌敦道 123 號", "3樓"]);
    assert_eq!(found[0].input.tags, ["vip"]);
}

#[test]
fn each_duplicate_policy_does_what_it_says() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, _) = open(&dir);
    let first = "name,line1,postcode,country,phone\nAkiko Sato,1-2-3 Ginza,104-0061,JP,111\n";
    let again = "name,line1,postcode,country,phone\n akiko  sato,1-2-3 GINZA,104-0061,jp,222\n";
    s.import(
        Table::Contacts,
        first,
        None,
        DuplicatePolicy::Review,
        None,
        &mut no_progress(),
    )
    .unwrap();
    let id = s.all_contacts(ContactKind::Recipient).unwrap()[0]
        .id
        .clone();
    let phone = |s: &satchel_store::Store| s.contact(&id).unwrap().unwrap().input.party.phone;

    let r = s
        .import(
            Table::Contacts,
            again,
            None,
            DuplicatePolicy::Review,
            None,
            &mut no_progress(),
        )
        .unwrap();
    assert_eq!(r.imported, 0);
    assert_eq!(r.duplicates.len(), 1);
    assert_eq!(r.duplicates[0].existing_id, id);
    assert!(r.report_csv.contains("(review)"));
    assert_eq!(phone(&s), "111");

    let r = s
        .import(
            Table::Contacts,
            again,
            None,
            DuplicatePolicy::KeepExisting,
            None,
            &mut no_progress(),
        )
        .unwrap();
    assert_eq!((r.imported, r.kept_existing), (0, 1));
    assert_eq!(phone(&s), "111");

    let r = s
        .import(
            Table::Contacts,
            again,
            None,
            DuplicatePolicy::Overwrite,
            None,
            &mut no_progress(),
        )
        .unwrap();
    assert_eq!((r.imported, r.updated), (0, 1));
    assert_eq!(phone(&s), "222");
    assert_eq!(
        s.count_contacts(ContactKind::Recipient).unwrap(),
        1,
        "never a second copy"
    );
}

#[test]
fn a_mapping_chosen_by_the_user_overrides_the_guess() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, _) = open(&dir);
    let text = "col a,col b,col c\nAkiko Sato,1-2-3 Ginza,JP\n";
    let preview = s
        .preview_import(Table::Contacts, text, None, 10, None)
        .unwrap();
    assert_eq!(preview.mapping, Mapping(vec![None, None, None]));
    assert_eq!(preview.rows_with_errors, 1);
    let m = Mapping(vec![
        Some("name".into()),
        Some("line1".into()),
        Some("country".into()),
    ]);
    let preview = s
        .preview_import(Table::Contacts, text, Some(m.clone()), 10, None)
        .unwrap();
    assert_eq!(preview.rows_with_errors, 0);
    assert!(preview.rows[0].problems.is_empty());
    let r = s
        .import(
            Table::Contacts,
            text,
            Some(m),
            DuplicatePolicy::Review,
            None,
            &mut no_progress(),
        )
        .unwrap();
    assert_eq!(r.imported, 1);
}

#[test]
fn export_then_import_round_trips_the_address_book_with_chinese() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, _) = open(&dir);
    s.create_contact(hk_sender("小店 Little Shop")).unwrap();
    s.import(
        Table::Contacts,
        CONTACTS,
        None,
        DuplicatePolicy::Review,
        None,
        &mut no_progress(),
    )
    .unwrap();
    let mut four_lines = recipient("Zoë Müller", "Hauptstraße 1", "DE");
    four_lines
        .party
        .lines
        .extend(["Hinterhaus".into(), "3. OG".into(), "links".into()]);
    s.create_contact(four_lines).unwrap();
    let csv = s.export_contacts().unwrap();
    assert!(csv.starts_with('\u{feff}'), "BOM for Excel");

    let dir2 = tempfile::tempdir().unwrap();
    let (mut t, _) = open(&dir2);
    let r = t
        .import(
            Table::Contacts,
            &csv,
            None,
            DuplicatePolicy::Review,
            None,
            &mut no_progress(),
        )
        .unwrap();
    assert_eq!((r.imported, r.rejected), (5, 0), "{}", r.report_csv);
    let strip = |s: &satchel_store::Store, k| -> Vec<_> {
        s.all_contacts(k)
            .unwrap()
            .into_iter()
            .map(|c| (c.input.party, c.input.tags))
            .collect()
    };
    let mut a = strip(&s, ContactKind::Recipient);
    let mut b = strip(&t, ContactKind::Recipient);
    // More than three lines export as three (the last joined): what the label has room for.
    let z = a.iter_mut().find(|(p, _)| p.name == "Zoë Müller").unwrap();
    z.0.lines = vec![
        "Hauptstraße 1".into(),
        "Hinterhaus".into(),
        "3. OG, links".into(),
    ];
    a.sort_by(|x, y| x.0.name.cmp(&y.0.name));
    b.sort_by(|x, y| x.0.name.cmp(&y.0.name));
    assert_eq!(a, b);
    assert_eq!(strip(&s, ContactKind::Sender).len(), 1);
    assert_eq!(strip(&t, ContactKind::Sender)[0].0.name, "小店 Little Shop");
    // A second export is byte-for-byte the first (same order, same text).
    assert_eq!(t.export_contacts().unwrap().len(), csv.len());
}

/// Issue #18: a cell a spreadsheet would run as a formula (a customer's "name" of
/// `=HYPERLINK(…)`, a phone starting with `+`) exports as text behind an apostrophe, and the
/// export imports back to exactly what was stored.
#[test]
fn formula_cells_export_as_text_and_import_back_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, _) = open(&dir);
    let mut hostile = recipient("Mallory", "@SUM(1+1) Street", "JP");
    hostile.party.company = "=HYPERLINK(\"http://evil.example\",\"Open\")".into();
    hostile.party.phone = "+81 3 1234 5678".into();
    hostile.notes = "-2+3".into();
    s.create_contact(hostile.clone()).unwrap();
    let csv = s.export_contacts().unwrap();
    let file = read_csv(&csv).unwrap();
    let row = &file.rows[0].1;
    let cell = |name: &str| row[file.headers.iter().position(|h| h == name).unwrap()].clone();
    assert_eq!(
        cell("company"),
        "'=HYPERLINK(\"http://evil.example\",\"Open\")"
    );
    assert_eq!(cell("line1"), "'@SUM(1+1) Street");
    assert_eq!(cell("phone"), "'+81 3 1234 5678");
    assert_eq!(cell("notes"), "'-2+3");
    assert!(
        row.iter().all(|c| !c.starts_with(['=', '+', '-', '@'])),
        "no cell starts a formula: {row:?}"
    );

    let dir2 = tempfile::tempdir().unwrap();
    let (mut t, _) = open(&dir2);
    t.import(
        Table::Contacts,
        &csv,
        None,
        DuplicatePolicy::Review,
        None,
        &mut no_progress(),
    )
    .unwrap();
    let back = t.all_contacts(ContactKind::Recipient).unwrap();
    assert_eq!(
        back[0].input.party,
        s.all_contacts(ContactKind::Recipient).unwrap()[0]
            .input
            .party
    );
    assert_eq!(back[0].input.notes, "-2+3");
}

fn engine_assess(rates: &RateSet) -> impl Fn(&satchel_core::model::Shipment) -> Assessment + '_ {
    let today = NaiveDate::from_ymd_opt(2026, 11, 21).unwrap();
    move |s| {
        let view = rates.as_of(today);
        Assessment {
            problems: validate_shipment(s, &view, &RulesConfig::default())
                .iter()
                .map(StoredProblem::from)
                .collect(),
            quote: None,
        }
    }
}

const SHIPMENTS: &str = "reference,service,name,address,city,postcode,country,weight_g,category,description,quantity,value,hs_code,origin
ORD-1,speedpost,Akiko Sato,1-2-3 Ginza,Tokyo,104-0061,JP,480,gift,絲巾 Silk scarf,1,350,62141000,HK
ORD-2,speedpost,Bob Smith,1 Main St,Springfield,12345,US,480,sale_of_goods,T-shirt,2,200,61091000,HK
ORD-3,e_express,Li Xiaoming,88 Queen's Road,London,EC1A 1BB,GB,heavy,gift,Book,1,100,49019900,HK
ORD-4,no_such,Ann,1 Main St,Paris,75001,FR,100,gift,Book,1,100,49019900,HK
";

#[test]
fn shipment_rows_are_checked_by_the_domain_engine() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, _) = open(&dir);
    let rates = RateSet::bundled();
    let assess = engine_assess(&rates);
    // Without a sender profile nothing can be imported (R-049: the return address).
    let r = s
        .import(
            Table::Shipments,
            SHIPMENTS,
            None,
            DuplicatePolicy::Review,
            Some(&assess),
            &mut no_progress(),
        )
        .unwrap();
    assert_eq!((r.imported, r.rejected), (0, 4));
    s.create_contact(hk_sender("Shop")).unwrap();
    let r = s
        .import(
            Table::Shipments,
            SHIPMENTS,
            None,
            DuplicatePolicy::Review,
            Some(&assess),
            &mut no_progress(),
        )
        .unwrap();
    assert_eq!((r.imported, r.rejected), (1, 3), "{}", r.report_csv);
    let report = read_csv(&r.report_csv).unwrap();
    let why = |i: usize| report.rows[i].1.last().unwrap().clone();
    assert!(why(0).contains("R-063"), "goods to the US: {}", why(0));
    assert!(why(1).contains("weight_g"), "{}", why(1));
    assert!(why(2).contains("service"), "{}", why(2));
    let list = s.list_shipments(&ShipmentFilter::default()).unwrap();
    assert_eq!(list[0].draft.shipment.reference, "ORD-1");
    assert_eq!(
        list[0].draft.shipment.customs.as_ref().unwrap().lines[0].description,
        "絲巾 Silk scarf"
    );
    assert!(list[0].draft.sender_id.is_some());
    // The same file again: ORD-1 is a duplicate by reference.
    let r = s
        .import(
            Table::Shipments,
            SHIPMENTS,
            None,
            DuplicatePolicy::KeepExisting,
            Some(&assess),
            &mut no_progress(),
        )
        .unwrap();
    assert_eq!((r.imported, r.kept_existing), (0, 1));
    // Exported shipments import back (export-only columns are ignored).
    let csv = s.export_shipments(&ShipmentFilter::default()).unwrap();
    let dir2 = tempfile::tempdir().unwrap();
    let (mut t, _) = open(&dir2);
    t.create_contact(hk_sender("Shop")).unwrap();
    let r = t
        .import(
            Table::Shipments,
            &csv,
            None,
            DuplicatePolicy::Review,
            Some(&assess),
            &mut no_progress(),
        )
        .unwrap();
    assert_eq!(r.imported, 1, "{}", r.report_csv);
    let back = t.list_shipments(&ShipmentFilter::default()).unwrap();
    assert_eq!(back[0].draft.shipment, list[0].draft.shipment);
}
