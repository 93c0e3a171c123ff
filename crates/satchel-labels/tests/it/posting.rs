//! The iMail posting documents as text (insta): the posting statement with its charge per
//! destination, the bag labels and the certificate-of-posting list with
//! US items segregated by office of exchange. Plus a statement long enough to
//! need three pages, and one PDF whose text `pdftotext` must give back with the totals.
// Needs outside services or tools (a keyring, CUPS, PostgreSQL, zbarimg, a CJK font):
// `cargo xtask test` turns the feature on and starts them.
#![cfg(feature = "system-tests")]

use std::path::Path;
use std::process::Command;

use chrono::NaiveDate;
use satchel_core::address::OfficeOfExchange;
use satchel_core::imail::{posting_charge, PostingLine};
use satchel_core::model::{Bag, Posting, PostingItem};
use satchel_core::rates::RateSet;
use satchel_core::s10::ItemNumber;
use satchel_labels::pdf::{self, Font};
use satchel_labels::{
    bag_labels, certificate_of_posting, statement, CertificateItem, Element, PostingDocs,
};

const MERCHANT: &str = "小店 Little Shop";

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 21).expect("date")
}

fn item(destination: &str, weight_g: u32, bag: Option<u32>) -> PostingItem {
    PostingItem {
        reference: String::new(),
        destination: destination.into(),
        weight_g,
        bag,
    }
}

/// 20 items: 10 to the US in two bags (one weighed, one not), 5 to Great Britain, 5 to
/// Taiwan of which one is not bagged yet.
fn posting() -> Posting {
    let mut items = Vec::new();
    items.extend((0..6).map(|_| item("US", 150, Some(1))));
    items.extend((0..4).map(|_| item("us", 120, Some(2))));
    items.extend((0..5).map(|_| item("GB", 110, Some(3))));
    items.extend((0..4).map(|_| item("TW", 130, Some(4))));
    items.push(item("TW", 140, None));
    Posting {
        permit_no: "PM 1234".into(),
        items,
        bags: vec![
            Bag {
                number: 1,
                destination: "US".into(),
                weight_g: Some(1_020),
            },
            Bag {
                number: 2,
                destination: "US".into(),
                weight_g: None,
            },
            Bag {
                number: 3,
                destination: "GB".into(),
                weight_g: Some(640),
            },
            Bag {
                number: 4,
                destination: "TW".into(),
                weight_g: Some(600),
            },
        ],
    }
}

fn docs(p: &Posting) -> PostingDocs<'_> {
    PostingDocs {
        merchant: MERCHANT,
        date: day(),
        posting: p,
    }
}

fn number(serial: u32) -> Option<ItemNumber> {
    Some(ItemNumber::from_parts("LX", serial, "HK").expect("valid S10"))
}

fn oe(indicator: &str) -> Option<OfficeOfExchange> {
    Some(OfficeOfExchange::FromEcShip {
        indicator: indicator.into(),
    })
}

fn cert(
    n: Option<ItemNumber>,
    reference: &str,
    recipient: &str,
    destination: &str,
    weight_g: u32,
    office: Option<OfficeOfExchange>,
) -> CertificateItem {
    CertificateItem {
        item_number: n,
        reference: reference.into(),
        recipient: recipient.into(),
        destination: destination.into(),
        weight_g,
        office_of_exchange: office,
    }
}

/// Listed out of order on purpose: the certificate sorts them into their groups.
fn certificate_items() -> Vec<CertificateItem> {
    vec![
        cert(number(12_345_678), "", "Ann Lee", "US", 150, oe("1-JFK")),
        cert(number(12_345_679), "", "陳小明", "TW", 130, None),
        cert(number(12_345_680), "", "Bob Stone", "US", 120, oe("2-LAX")),
        cert(None, "ORD-1004", "Mary Jones", "GB", 110, None),
        cert(number(12_345_681), "", "Carl Diaz", "us", 150, oe("1-JFK")),
        cert(number(12_345_682), "", "Dana Wu", "US", 120, oe("3-ORD")),
        cert(number(12_345_683), "", "Eve Ng", "US", 150, None),
        cert(
            number(12_345_684),
            "",
            "Fay Cole",
            "US",
            150,
            Some(OfficeOfExchange::PendingFromEcShip),
        ),
        cert(number(12_345_685), "", "林美玲", "TW", 140, None),
    ]
}

#[test]
fn statement_charges_each_destination_and_marks_the_estimate() {
    let p = posting();
    let rates = RateSet::bundled();
    let view = rates.as_of(day());
    let doc = statement(&docs(&p), &view).expect("statement");
    assert!(doc.fits(), "{}", doc.to_text());
    assert_eq!(doc.pages.len(), 1);

    // The same figures the core computes (bag 2 unweighed: its items' 480 g; TW's unbagged
    // item adds 140 g).
    let charge = posting_charge(
        &view,
        &[
            PostingLine {
                country: "GB".into(),
                bag_weights_g: vec![640],
                items: 5,
            },
            PostingLine {
                country: "TW".into(),
                bag_weights_g: vec![600, 140],
                items: 5,
            },
            PostingLine {
                country: "US".into(),
                bag_weights_g: vec![1_020, 480],
                items: 10,
            },
        ],
    )
    .expect("charge");
    let texts: Vec<&str> = doc.texts().collect();
    let total = charge.total.to_string();
    assert!(texts.iter().any(|t| *t == total), "{total} in {texts:?}");
    insta::assert_snapshot!(doc.to_text());
    let counter = format!("HK$ {:.2}", charge.counter_total);
    assert!(
        texts
            .iter()
            .any(|t| t.starts_with("Estimated charge") && t.ends_with(&counter)),
        "{counter} in {texts:?}"
    );
}

#[test]
fn a_weighed_posting_has_an_expected_charge_not_an_estimate() {
    let mut p = posting();
    p.bags[1].weight_g = Some(500);
    p.items.pop();
    p.items.push(item("TW", 140, Some(4)));
    let rates = RateSet::bundled();
    let doc = statement(&docs(&p), &rates.as_of(day())).expect("statement");
    assert!(doc.texts().any(|t| t.starts_with("Expected charge")));
    assert!(!doc
        .texts()
        .any(|t| t.contains("ESTIMATE") || t.contains("est.")));
}

#[test]
fn a_destination_without_an_imail_rate_is_refused() {
    let mut p = posting();
    p.items.push(item("MO", 200, None));
    let rates = RateSet::bundled();
    assert!(statement(&docs(&p), &rates.as_of(day())).is_err());
}

#[test]
fn a_long_statement_runs_over_pages_with_the_heads_repeated() {
    // 4 destinations × 25 bags of 2 items.
    let mut p = Posting {
        permit_no: "PM 1234".into(),
        ..Posting::default()
    };
    let mut n = 0;
    for dest in ["AU", "GB", "JP", "US"] {
        for _ in 0..25 {
            n += 1;
            p.bags.push(Bag {
                number: n,
                destination: dest.into(),
                weight_g: Some(400),
            });
            p.items.push(item(dest, 190, Some(n)));
            p.items.push(item(dest, 190, Some(n)));
        }
    }
    let rates = RateSet::bundled();
    let doc = statement(&docs(&p), &rates.as_of(day())).expect("statement");
    assert!(doc.fits(), "{}", doc.to_text());
    let pages = doc.pages.len();
    assert!(pages >= 2, "{pages} page(s)");
    for (i, page) in doc.pages.iter().enumerate() {
        let texts: Vec<&str> = page
            .elements
            .iter()
            .filter_map(|e| match e {
                Element::Text { text, .. } => Some(text.as_str()),
                _ => None,
            })
            .collect();
        assert!(texts.contains(&format!("Page {} of {pages}", i + 1).as_str()));
        assert!(
            texts.contains(&"Charge HK$"),
            "column heads on page {}",
            i + 1
        );
        assert_eq!(
            texts
                .iter()
                .any(|t| t.starts_with("iMail POSTING LIST (continued)")),
            i > 0
        );
        assert_eq!(texts.contains(&"TOTAL 總計"), i == pages - 1);
    }
    let bag_rows = doc
        .texts()
        .filter(|t| {
            t.strip_prefix("Bag ")
                .is_some_and(|n| n.parse::<u32>().is_ok())
        })
        .count();
    assert_eq!(bag_rows, 100);
    assert!(doc.texts().any(|t| t.contains("100 bag(s) · 200 item(s)")));
}

#[test]
fn bag_labels_four_to_a_sheet_with_the_zone_boxed() {
    let p = posting();
    let doc = bag_labels(&docs(&p));
    assert!(doc.fits(), "{}", doc.to_text());
    assert_eq!(doc.pages.len(), 1);
    let zones: Vec<&str> = doc.texts().filter(|t| t.starts_with("Z-")).collect();
    assert_eq!(zones, ["Z-2", "Z-2", "Z-2", "Z-1"]);
    insta::assert_snapshot!(doc.to_text());

    let mut five = posting();
    five.bags.push(Bag {
        number: 5,
        destination: "BR".into(),
        weight_g: Some(2_000),
    });
    let doc = bag_labels(&docs(&five));
    assert_eq!(doc.pages.len(), 2);
    assert!(doc.texts().any(|t| t == "Z-3"));
}

#[test]
fn certificate_of_posting_lists_every_item_with_a_stamp_box() {
    let p = posting();
    let items = certificate_items();
    let doc = certificate_of_posting(&docs(&p), &items);
    assert!(doc.fits(), "{}", doc.to_text());
    assert!(doc.texts().any(|t| t == "陳小明"));
    assert!(doc.texts().any(|t| t == "Counter stamp 郵政局蓋印"));
    insta::assert_snapshot!(doc.to_text());
}

#[test]
fn us_items_are_grouped_by_office_of_exchange_r066() {
    let p = posting();
    let items = certificate_items();
    let doc = certificate_of_posting(&docs(&p), &items);
    let texts: Vec<&str> = doc.texts().collect();
    let at = |s: &str| {
        texts
            .iter()
            .position(|t| t.starts_with(s))
            .unwrap_or_else(|| panic!("{s} missing from {texts:?}"))
    };
    let others = at("All destinations except the United States");
    let jfk = at("United States · New York (JFK)");
    let rest = at("United States · other offices");
    let none = at("United States · NO OFFICE OF EXCHANGE");
    assert!(others < jfk && jfk < rest && rest < none);
    assert_eq!(
        texts[jfk],
        "United States · New York (JFK) 紐約 · 2 item(s)"
    );
    for name in ["Ann Lee", "Carl Diaz"] {
        let i = at(name);
        assert!(jfk < i && i < rest, "{name}");
    }
    for name in ["Bob Stone", "Dana Wu"] {
        let i = at(name);
        assert!(rest < i && i < none, "{name}");
    }
    for name in ["Eve Ng", "Fay Cole"] {
        assert!(none < at(name), "{name}");
    }
    for name in ["陳小明", "Mary Jones", "林美玲"] {
        assert!(others < at(name) && at(name) < jfk, "{name}");
    }
}

#[test]
fn a_long_certificate_stamps_every_page() {
    let p = posting();
    let items: Vec<CertificateItem> = (0..150)
        .map(|i| cert(number(20_000_000 + i), "", "陳小明", "TW", 130, None))
        .collect();
    let doc = certificate_of_posting(&docs(&p), &items);
    assert!(doc.fits(), "{}", doc.to_text());
    assert!(doc.pages.len() >= 2);
    for page in &doc.pages {
        let has = |s: &str| {
            page.elements
                .iter()
                .any(|e| matches!(e, Element::Text { text, .. } if text == s))
        };
        assert!(has("Counter stamp 郵政局蓋印"));
        assert!(has("Items in this posting 投寄件數  150"));
    }
    let listed = doc.texts().filter(|t| t.starts_with("LX")).count();
    assert_eq!(listed, 150);
}

#[test]
fn the_statement_pdf_shows_the_totals() {
    let p = posting();
    let rates = RateSet::bundled();
    let view = rates.as_of(day());
    let doc = statement(&docs(&p), &view).expect("statement");
    let font =
        Font::system_cjk().expect("a CJK font: apt-get install fonts-noto-cjk (cargo xtask setup)");
    let out =
        pdf::render(&doc.to_pages(), &font, Font::system_cjk_bold().as_ref()).expect("render");
    assert!(out.missing_glyphs.is_empty(), "{:?}", out.missing_glyphs);
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("satchel-labels")
        .join("posting");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    let file = dir.join("statement.pdf");
    std::fs::write(&file, &out.bytes).expect("write PDF");
    let res = Command::new("pdftotext")
        .arg("-layout")
        .arg(&file)
        .arg("-")
        .output()
        .expect("pdftotext (apt-get install poppler-utils)");
    assert!(res.status.success());
    let text = String::from_utf8(res.stdout).expect("UTF-8");
    let charge = statement_total(&doc);
    for want in [charge.as_str(), "TOTAL 總計", "小店 Little Shop", "PM 1234"] {
        assert!(text.contains(want), "{want} missing from:\n{text}");
    }
    assert!(text.contains("Estimated charge at the counter"), "{text}");

    // The other two documents draw with the same font, every character included.
    let items = certificate_items();
    for (name, doc) in [
        ("bags.pdf", bag_labels(&docs(&p))),
        ("certificate.pdf", certificate_of_posting(&docs(&p), &items)),
    ] {
        let out = pdf::render(&doc.to_pages(), &font, None).expect("render");
        assert!(
            out.missing_glyphs.is_empty(),
            "{name}: {:?}",
            out.missing_glyphs
        );
        std::fs::write(dir.join(name), &out.bytes).expect("write PDF");
    }
}

/// The charge cell of the TOTAL row.
fn statement_total(doc: &satchel_labels::Document) -> String {
    let texts: Vec<&str> = doc.texts().collect();
    let i = texts
        .iter()
        .position(|t| *t == "TOTAL 總計")
        .expect("TOTAL row");
    texts[i + 5].to_owned()
}
