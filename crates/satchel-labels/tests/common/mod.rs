//! Shipments for the renderer tests and the bench: a Hong Kong shop sending to Taipei, with a
//! Chinese address on both sides, so every label exercises the CJK font.
#![allow(dead_code)]

use chrono::NaiveDate;
use rust_decimal::Decimal;
use satchel_core::model::{ContentCategory, ContentLine, Customs, Parcel, Party, Shipment};
use satchel_core::s10::ItemNumber;
use satchel_core::service::{LetterFormat, Service};
use satchel_labels::{layout, Format, Label, LabelInput};

pub fn shipment(service: Service, number: Option<ItemNumber>) -> Shipment {
    Shipment {
        sender: Party {
            name: "小店 Little Shop".into(),
            lines: vec![
                "Shop 12, G/F, 8 Fa Yuen Street".into(),
                "旺角花園街8號地下12號舖".into(),
            ],
            city: "Kowloon".into(),
            country: "HK".into(),
            phone: "+852 9123 4567".into(),
            ..Party::default()
        },
        recipient: Party {
            name: "陳小明".into(),
            lines: vec!["台北市信義區信義路五段7號".into()],
            city: "Taipei".into(),
            postcode: "110".into(),
            country: "TW".into(),
            phone: "+886 2 8101 8800".into(),
            ..Party::default()
        },
        service,
        zone: String::new(),
        parcel: Parcel {
            weight_g: 480,
            dimensions: None,
        },
        customs: Some(Customs {
            category: ContentCategory::Gift,
            lines: vec![ContentLine {
                description: "Silk scarf 絲巾".into(),
                quantity: 2,
                net_weight_g: 400,
                value: Decimal::new(35000, 2),
                currency: "HKD".into(),
                hs_code: "62141000".into(),
                origin_country: "HK".into(),
            }],
            explanation: String::new(),
            invoice_no: String::new(),
        }),
        insured_value: None,
        reference: "ORD-1001".into(),
        item_number: number,
        non_delivery: None,
    }
}

/// The service each format is printed for.
pub fn service(format: Format) -> Service {
    match format {
        Format::ImailA4 => Service::Imail,
        Format::Speedpost => Service::Speedpost,
        Format::Registered => Service::AirRegistered(LetterFormat::LargeLetter),
        Format::Parcel => Service::AirParcel,
        Format::Thermal4x6 => Service::EExpress,
    }
}

/// Distinct, valid S10 numbers: LX 12345678 + i, with their check digits.
pub fn item_numbers(n: u32) -> Vec<ItemNumber> {
    (0..n)
        .map(|i| ItemNumber::from_parts("LX", 12_345_678 + i, "HK").expect("valid S10"))
        .collect()
}

pub fn label(format: Format, number: Option<ItemNumber>) -> Label {
    let s = shipment(service(format), number);
    let input = LabelInput {
        shipment: &s,
        permit_no: Some("PM 1234"),
        office_of_exchange: None,
        date: NaiveDate::from_ymd_opt(2026, 11, 21),
    };
    layout(&input, format)
}

pub fn labels(format: Format, n: u32) -> Vec<Label> {
    item_numbers(n)
        .into_iter()
        .map(|number| label(format, Some(number)))
        .collect()
}
