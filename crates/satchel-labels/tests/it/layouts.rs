//! Snapshot tests of the layout model: every format, as text (insta), with a Chinese address,
//! a US item with its office of exchange, an iMail item with its permit impression, and a
//! draft without an item number. Plus the sheet rules: three iMail labels per A4 sheet and the
//! start position for part-used sheets.

use chrono::NaiveDate;
use satchel_core::model::{ContentCategory, Party, Shipment};
use satchel_core::s10::ItemNumber;
use satchel_core::service::Service;
use satchel_fixtures as fx;
use satchel_labels::{layout, pages, Element, Format, LabelInput, SheetError};

fn shipment(service: Service, to: Party, number: Option<&str>) -> Shipment {
    Shipment {
        service,
        reference: "ORD-1001".into(),
        item_number: number.map(|n| ItemNumber::parse(n).unwrap()),
        ..fx::speedpost(fx::little_shop(), to, fx::silk_scarf("Silk scarf", 2, 400))
    }
}

fn us_recipient() -> Party {
    Party {
        name: "Ann Lee".into(),
        company: "Northwind".into(),
        lines: vec!["350 Fifth Avenue".into()],
        city: "New York".into(),
        state: "NY".into(),
        postcode: "10118".into(),
        country: "US".into(),
        ..Party::default()
    }
}

fn date() -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(2026, 11, 21)
}

fn text(s: &Shipment, format: Format, oe: Option<&str>) -> String {
    let input = LabelInput {
        shipment: s,
        permit_no: Some("PM 1234"),
        office_of_exchange: oe,
        date: date(),
    };
    let label = layout(&input, format);
    assert!(label.fits(), "{}", label.to_text());
    label.to_text()
}

#[test]
fn speedpost_to_taiwan_in_chinese() {
    let s = shipment(
        Service::Speedpost,
        fx::taipei_recipient(),
        Some("EE123456785HK"),
    );
    insta::assert_snapshot!(text(&s, Format::Speedpost, None));
}

#[test]
fn imail_a4_with_permit_impression_and_zone() {
    let s = shipment(
        Service::Imail,
        fx::taipei_recipient(),
        Some("LX123456785HK"),
    );
    insta::assert_snapshot!(text(&s, Format::ImailA4, None));
}

#[test]
fn registered_documents_to_the_us_with_office_of_exchange() {
    let mut s = shipment(
        Service::AirRegistered(satchel_core::service::LetterFormat::LargeLetter),
        us_recipient(),
        Some("RR123456785HK"),
    );
    s.customs.as_mut().unwrap().category = ContentCategory::Documents;
    insta::assert_snapshot!(text(&s, Format::Registered, Some("1-JFK")));
}

#[test]
fn parcel_label() {
    let s = shipment(
        Service::AirParcel,
        fx::taipei_recipient(),
        Some("CP123456785HK"),
    );
    insta::assert_snapshot!(text(&s, Format::Parcel, None));
}

#[test]
fn thermal_4x6_in_chinese() {
    let s = shipment(
        Service::EExpress,
        fx::taipei_recipient(),
        Some("LX123456785HK"),
    );
    insta::assert_snapshot!(text(&s, Format::Thermal4x6, None));
}

#[test]
fn a_shipment_without_an_item_number_is_a_draft_without_a_barcode() {
    for format in Format::ALL {
        let s = shipment(Service::Speedpost, fx::taipei_recipient(), None);
        let input = LabelInput {
            shipment: &s,
            permit_no: None,
            office_of_exchange: None,
            date: date(),
        };
        let label = layout(&input, format);
        assert!(label.fits());
        assert!(
            !label
                .elements
                .iter()
                .any(|e| matches!(e, Element::Barcode { .. })),
            "{format:?}"
        );
        assert!(label.to_text().contains("DRAFT 草稿"), "{format:?}");
    }
    let s = shipment(Service::Speedpost, fx::taipei_recipient(), None);
    insta::assert_snapshot!(text(&s, Format::Thermal4x6, None));
}

#[test]
fn every_format_fits_a_long_address() {
    let mut to = fx::taipei_recipient();
    to.lines = vec!["Flat 1234, Block Z, Very Long Estate Name Phase 3".into(); 4];
    for format in Format::ALL {
        let s = shipment(Service::Speedpost, to.clone(), Some("EE123456785HK"));
        let input = LabelInput {
            shipment: &s,
            permit_no: None,
            office_of_exchange: None,
            date: date(),
        };
        let label = layout(&input, format);
        assert!(label.fits(), "{format:?}\n{}", label.to_text());
    }
}

#[test]
fn imail_sheets_hold_three_and_start_where_the_merchant_says() {
    let s = shipment(
        Service::Imail,
        fx::taipei_recipient(),
        Some("LX123456785HK"),
    );
    let input = LabelInput {
        shipment: &s,
        permit_no: Some("PM 1"),
        office_of_exchange: None,
        date: date(),
    };
    let five = vec![layout(&input, Format::ImailA4); 5];
    let from_top = pages(five.clone(), Format::ImailA4, 1).unwrap();
    let ys = |p: &satchel_labels::Page| p.labels.iter().map(|l| l.y).collect::<Vec<_>>();
    assert_eq!(from_top.len(), 2);
    assert_eq!(ys(&from_top[0]), [0, 900, 1800]);
    assert_eq!(ys(&from_top[1]), [0, 900]);
    // Two labels already used: the first goes to position 3.
    let part_used = pages(five.clone(), Format::ImailA4, 3).unwrap();
    assert_eq!(ys(&part_used[0]), [1800]);
    assert_eq!(ys(&part_used[1]), [0, 900, 1800]);
    assert_eq!(ys(&part_used[2]), [0]);
    assert_eq!(part_used.len(), 3);
    assert_eq!(
        pages(five, Format::ImailA4, 4),
        Err(SheetError::StartPosition {
            start: 4,
            per_sheet: 3
        })
    );
    let thermal = layout(&input, Format::Thermal4x6);
    let p = pages(vec![thermal; 2], Format::Thermal4x6, 1).unwrap();
    assert_eq!((p.len(), p[0].width, p[0].height), (2, 1016, 1524));
}
